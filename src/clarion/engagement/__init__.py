"""Comparing the networks by engagement: `clarion engagement` and the site's page.

`posts` reads what engagement needs of each published post (its first part's
id and time per network, and whether it carries a link); `figures` computes
the medians from each first part's latest counts (`clarion.metrics.lines`);
`reporters` say them as text, JSON or CSV; the site draws them
(`clarion.site.engagement`).
"""
