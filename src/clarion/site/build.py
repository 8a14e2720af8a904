"""The archive site: every published post as static HTML, with Atom and JSON feeds.

The site is the organisation's record on its own terms, so it is built from the
post files alone and reads the same in ten years: no JavaScript, no web fonts,
no external resource, CSS inline. Which posts are listed, and which receipts
linked, is `collect`'s to decide; the pages come from templates an organisation
can replace (`render`); the feeds from `feeds`; `output` writes the folder.

The same files give the same bytes: the only times in the output are the
posts' own (their first receipt, their edits), and every list has a fixed
order. That keeps Pages deployments quiet and lets a test compare two builds.

Layout of the output (paths relative to OUTDIR):

    index.html               newest first, grouped per year
    years/2026.html          one per year, when there are more posts than the index shows
    posts/2026/cfp.html      one per post, mirroring the posts folder
    media/<sha256>.png       images, named by content (shared images are stored once)
    feed.atom, feed.json     the newest posts (Atom 1.0, JSON Feed 1.1)
    engagement.html          the networks compared, as charts and tables (with metrics lines)
    .clarion-site            marks the folder as Clarion's to replace on the next build
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from clarion.errors import UsageError
from clarion.settings import Settings
from clarion.site.collect import collect
from clarion.site.config import SiteConfig, site_config
from clarion.site.engagement import read_engagement, with_counts
from clarion.site.output import claim, write_site
from clarion.site.render import render


@dataclass(frozen=True)
class SiteResult:
    outdir: Path
    posts: int
    pages: int  # HTML pages
    images: int  # image files in the site
    written: int  # files whose bytes changed
    removed: int  # files of an earlier build that are gone now
    warnings: tuple[str, ...]
    left_out: Mapping[str, int]
    config: SiteConfig


def build_site(settings: Settings, outdir: Path) -> SiteResult:
    """Build the site of `settings`' repository into `outdir` (see the module doc)."""
    config = site_config(settings)
    if not settings.posts_dir.is_dir():
        raise UsageError(
            f"there is no {settings.posts} folder in {settings.root}: run clarion in "
            "the repository, or set [tool.clarion] posts in pyproject.toml"
        )
    claim(outdir)  # before the work: a wrong folder is refused at once
    archive = collect(settings)
    engagement = read_engagement(settings)  # None without metrics lines: nothing more loaded
    if engagement is not None:
        archive = with_counts(archive, engagement)
    files = render(archive, config, engagement)
    images: dict[str, Path] = {}
    for entry in archive.entries:
        for image in entry.images:
            images[image.target] = image.source
        if entry.card is not None and entry.card.thumbnail is not None:
            images[entry.card.thumbnail.target] = entry.card.thumbnail.source
    written, removed = write_site(outdir, files, images)
    return SiteResult(
        outdir=outdir,
        posts=len(archive.entries),
        pages=sum(1 for name in files if name.endswith(".html")),
        images=len(images),
        written=written,
        removed=removed,
        warnings=archive.warnings + (engagement.warnings if engagement else ()),
        left_out=archive.left_out,
        config=config,
    )
