"""`clarion status`: per post and network, where it stands, from the files alone."""

from __future__ import annotations

import datetime as dt

from clarion import networks
from clarion.commands import checked_posts
from clarion.logsafe import untrusted
from clarion.publish import (
    DUE,
    EXAMPLE,
    INVALID,
    NEEDS_PERSON,
    PUBLISHED,
    SCHEDULED,
    state_of,
)
from clarion.settings import Settings


def run(settings: Settings) -> int:
    now = dt.datetime.now(dt.UTC)
    counts: dict[str, int] = {}
    for post, result in checked_posts(settings, []):
        tag = " (example)" if post.example else ""
        print(untrusted(f"{post.rel}{tag}"))
        for network in post.networks(settings.platforms):
            state = state_of(post, network, now)
            if state == DUE and not result.ok:
                state = INVALID
            elif state == DUE and post.example:
                state = EXAMPLE  # only --sandbox and --dry-run send it
            counts[state] = counts.get(state, 0) + 1
            detail = ""
            if state == PUBLISHED:
                urls = [r.url for r in post.receipts.get(network, ()) if r.url]
                detail = " " + (urls[0] if urls else "")
            elif state == SCHEDULED and post.publish_at is not None:
                detail = f" for {post.publish_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
            elif state == INVALID:
                detail = " (clarion validate says why)"
            elif state == NEEDS_PERSON:
                detail = (
                    " (an outcome: unknown entry: check the network, then fill in or delete it)"
                )
            print(f"  {networks.display(network):<9} {state}{untrusted(detail)}")
    print(", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "no posts")
    # Like publish: something invalid or needing a person is worth a non-zero exit.
    return 1 if counts.get(INVALID) or counts.get(NEEDS_PERSON) else 0
