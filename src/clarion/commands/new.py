"""`clarion new SLUG`: scaffold a post that validates once its placeholder text is
replaced (left in, that text is an error: `clarion.check.template`)."""

from __future__ import annotations

import datetime as dt
import re

from clarion import networks
from clarion.errors import UsageError
from clarion.settings import Settings

TEMPLATE = """\
---
# yaml-language-server: $schema=https://raw.githubusercontent.com/clarion-social/clarion/main/schema/post.schema.json
platforms: [{platforms}]
lang: en
{title}# publish_at: {when}   # optional: the earliest time, with its UTC offset
# media:
#   - path: ../media/example.png
#     alt: Describe the image for people who cannot see it
---
Write your announcement here. Links like https://example.org and #hashtags work
on every network.

---

A line holding only three dashes starts the next post of a thread.
"""


def run(settings: Settings, slug: str) -> int:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise UsageError(f"'{slug}' is not a slug: use lowercase letters, digits and dashes")
    now = dt.datetime.now(dt.UTC)
    folder = settings.posts_dir / f"{now:%Y}"
    path = folder / f"{slug}.md"
    if path.exists():
        raise UsageError(f"{path.relative_to(settings.root)} already exists: pick another slug")
    folder.mkdir(parents=True, exist_ok=True)
    platforms = ", ".join(n for n in settings.platforms if n in settings.accounts) or "bluesky"
    when = (now + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    # A network that needs a title (a Discourse topic) gets its line to fill in.
    chosen = [n for n in settings.platforms if n in settings.accounts]
    title = (
        "title: Write the topic's title here   # a Discourse topic needs one\n"
        if any(networks.get(n).needs_title for n in chosen)
        else ""
    )
    text = TEMPLATE.format(platforms=platforms, when=when.isoformat(), title=title)
    path.write_text(text, encoding="utf-8")
    print(f"created {path.relative_to(settings.root)}: edit it, then run clarion validate")
    return 0
