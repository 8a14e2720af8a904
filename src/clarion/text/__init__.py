"""Each network's text rules, counted exactly as the network counts.

- `clarion.text.x`: twitter-text v3 weighted length, mentions, URLs.
- `clarion.text.bluesky`: the text sent (links shortened), facets, graphemes.
- `clarion.text.mastodon`: the length a Mastodon server counts, mentions.
- `foreign_mentions(network, text)`: mentions another network's syntax.

The network modules load their regexes on first use, so importing them is
cheap; import the one you need.
"""

from clarion.text.entities import foreign_mentions, mention_syntax

__all__ = ["foreign_mentions", "mention_syntax"]
