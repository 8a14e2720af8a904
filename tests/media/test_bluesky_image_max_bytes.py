"""`image_max_bytes` in [tool.clarion.accounts.bluesky]: the image byte limit the check
uses for Bluesky. The lexicon takes 2,000,000 bytes since April 2026; a PDS older than
that (or another PDS) refuses more than 1,000,000, and the setting says so."""

from __future__ import annotations

import json
from pathlib import Path

from clarion.media.limits import BLUESKY, for_account
from clarion.networks import BlueskyAccount
from tests.conftest import Run
from tests.media.conftest import Images

POST = """\
---
platforms: [bluesky]
lang: en
media:
  - path: banner.png
    alt: The conference banner, in blue
---
Our banner for the conference.
"""


def project(tmp_path: Path, images: type[Images], account: str = "") -> Path:
    """A repository with one Bluesky post holding an image of 1,500,000 bytes."""
    root = tmp_path / "repo"
    folder = root / "posts" / "2026"
    folder.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.clarion]\nplatforms = ["bluesky"]\n\n'
        f'[tool.clarion.accounts.bluesky]\nhandle = "example.test"\n{account}',
        encoding="utf-8",
    )
    (folder / "banner.md").write_text(POST, encoding="utf-8")
    data = images.png(1500, 500)
    (folder / "banner.png").write_bytes(data + bytes(1_500_000 - len(data)))
    return root


def problems(stdout: str) -> list[tuple[str, str]]:
    [post] = json.loads(stdout)["posts"]
    return [(p["code"], p["message"]) for p in post["problems"]]


def test_by_default_bluesky_takes_two_million_bytes(
    tmp_path: Path, images: type[Images], clarion: Run
) -> None:
    root = project(tmp_path, images)

    proc = clarion("validate", "--format", "json", cwd=root)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert problems(proc.stdout) == []


def test_an_older_pds_takes_one_million(tmp_path: Path, images: type[Images], clarion: Run) -> None:
    root = project(tmp_path, images, "image_max_bytes = 1_000_000\n")

    proc = clarion("validate", "--format", "json", cwd=root)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert problems(proc.stdout) == [
        (
            "media-too-large",
            "Bluesky: banner.png is 1.5 MB (1,500,000 bytes); Bluesky accepts images up to "
            "1,000,000 bytes: resize or recompress it",
        )
    ]


def test_the_setting_replaces_only_the_image_limit() -> None:
    account = BlueskyAccount(handle="example.test", image_max_bytes=1_000_000)

    limits = for_account(BLUESKY, account)

    assert limits.max_bytes == 1_000_000
    assert limits.max_thumbnail_bytes == BLUESKY.max_thumbnail_bytes
    assert for_account(BLUESKY, BlueskyAccount(handle="example.test")) == BLUESKY
    assert for_account(BLUESKY, None) == BLUESKY
