"""A repository for site tests: the template's example posts, some of them
published (receipts written with clarion's own receipt writer), one retracted,
and a post whose text is HTML."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path

from clarion.adapters.base import Receipt
from clarion.post.receipts import record_receipt, record_retraction
from tests import forkrun

ROOT = Path(__file__).resolve().parents[2]

PYPROJECT = """\
[project]
name = "example-announcements"
version = "0"

[tool.clarion]
posts = "posts"
platforms = ["bluesky", "mastodon", "x"]
timezone = "Europe/Amsterdam"

[tool.clarion.site]
title = "Example Foundation news"
{url}
[tool.clarion.accounts.bluesky]
handle = "example.test"

[tool.clarion.accounts.mastodon]
instance = "https://mastodon.example"

[tool.clarion.accounts.x]
handle = "example"
"""

SCRIPT_POST = """\
---
platforms: [mastodon]
lang: en
---
Our <script>alert("owned")</script> & <b>bold</b> test: see https://example.org/a?b=1&c=2.
Second line "quoted".
"""

RETRACTED_POST = """\
---
platforms: [bluesky]
lang: en
retract: true
---
We said something we took back.
"""

BLUESKY = "https://bsky.app/profile/example.test/post/"
MASTODON = "https://mastodon.example/@news/"
X = "https://x.com/example/status/"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def post_id(network: str, stem: str, part: int) -> str:
    """The id a network gives part `part` (from 1) of post `stem`: X's are numbers."""
    key = f"{stem}-{part}"
    return str(int(hashlib.sha256(key.encode()).hexdigest()[:15], 16)) if network == "x" else key


def receipt_url(network: str, stem: str, part: int) -> str:
    base = {"bluesky": BLUESKY, "mastodon": MASTODON, "x": X}[network]
    return base + post_id(network, stem, part)


def publish(path: Path, network: str, when: str, parts: int = 1) -> None:
    """Write receipts for `parts` parts on `network`, as a publish run would."""
    start = at(when)
    for i in range(parts):
        key = post_id(network, path.stem, i + 1)
        ident = f"at://did:plc:abc/app.bsky.feed.post/{key}" if network == "bluesky" else key
        url = receipt_url(network, path.stem, i + 1)
        record_receipt(
            path, network, i, Receipt(at=start + dt.timedelta(seconds=i), id=ident, url=url)
        )


def make_repo(root: Path, url: str | None = "https://news.example.org/archive/") -> Path:
    root.mkdir(parents=True)
    line = f'url = "{url}"\n' if url else ""
    (root / "pyproject.toml").write_text(PYPROJECT.format(url=line), encoding="utf-8")
    shutil.copytree(ROOT / "posts", root / "posts")
    posts = root / "posts" / "2026"
    publish(posts / "clarion-1-0-release.md", "bluesky", "2026-03-10T14:00:05Z")
    publish(posts / "clarion-1-0-release.md", "mastodon", "2026-03-10T14:00:03Z")
    publish(posts / "clarion-1-0-release.md", "x", "2026-03-10T14:00:07Z")
    publish(posts / "pycon-cfp-thread.md", "bluesky", "2026-11-02T09:00:00Z", parts=3)
    publish(posts / "pycon-cfp-thread.md", "mastodon", "2026-11-02T09:00:02Z", parts=3)
    publish(posts / "mastodon-security-notice.md", "mastodon", "2025-06-20T08:30:00Z")
    # Published, then taken back on X: the receipts say `retracted:`.
    publish(posts / "x-conference-reminder.md", "x", "2026-05-01T10:00:00Z")
    record_retraction(posts / "x-conference-reminder.md", "x", at("2026-05-02T10:00:00Z"))
    script = posts / "html-in-text.md"
    script.write_text(SCRIPT_POST, encoding="utf-8")
    publish(script, "mastodon", "2026-04-01T12:00:00Z")
    retracted = posts / "retracted.md"
    retracted.write_text(RETRACTED_POST, encoding="utf-8")
    publish(retracted, "bluesky", "2026-04-02T12:00:00Z")
    return root


PUBLISHED = {  # post file -> the words its page must show
    "posts/2026/clarion-1-0-release.md": "Clarion 1.0 is out!",
    "posts/2026/pycon-cfp-thread.md": "The PyCon US 2027 call for proposals is open!",
    "posts/2026/mastodon-security-notice.md": "A moderate-severity issue affects",
    "posts/2026/html-in-text.md": "Second line",
}
LEFT_OUT = {
    "posts/2026/x-conference-reminder.md": "Nur noch drei Tage",  # retracted receipts
    "posts/2026/retracted.md": "We said something we took back",  # retract: true
    "posts/2026/bluesky-welcome.md": "Hello Bluesky!",  # never published
    "posts/2026/winter-sprint-scheduled.md": "winter documentation sprint",  # never published
}


GENERATED = """\
---
platforms: [bluesky, mastodon]
lang: {lang}
published:
  bluesky:
    - id: "at://did:plc:abc/app.bsky.feed.post/g{n}"
      url: https://bsky.app/profile/example.test/post/g{n}
      at: {at}
  mastodon:
    - id: "{n}"
      url: https://mastodon.example/@news/{n}
      at: {at}
---
Generated post number {n}, about #topic{topic}: https://example.org/news/{n}
A second line of text, kept as written.
"""


def write_generated(posts: Path, count: int, start: str = "2020-01-01T12:00:00Z") -> None:
    """`count` published posts, one every 20 hours from `start`, in folders per year."""
    first = at(start)
    for n in range(count):
        when = first + dt.timedelta(hours=20 * n)
        folder = posts / f"{when:%Y}"
        folder.mkdir(parents=True, exist_ok=True)
        text = GENERATED.format(
            n=n, at=when.strftime("%Y-%m-%dT%H:%M:%SZ"), topic=n % 7, lang="en" if n % 3 else "de"
        )
        (folder / f"generated-{n:05d}.md").write_text(text, encoding="utf-8")


def run_site(repo: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """The real `clarion site OUTDIR`, run in `repo`."""
    return forkrun.run(["site", str(out)], cwd=repo, timeout=300)


def site_files(out: Path) -> dict[str, bytes]:
    """Every file of a built site, by its path in the site."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }
