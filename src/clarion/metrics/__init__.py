"""Engagement counts of published parts: `clarion metrics` reads them from the
networks and appends them to `metrics/YYYY-MM.jsonl`; `lines` reads and
writes those lines for every command that uses them (engagement, the site).
"""
