"""The site's engagement: its page (the figures of `clarion engagement` as charts
and tables) and the counts shown beside each post.

Built only when the repository has metrics lines; otherwise `read_engagement`
returns None having read one folder listing, and neither the figures nor
matplotlib are loaded: a site without metrics builds as fast as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from clarion import networks
from clarion.engagement.figures import Engagement, compute
from clarion.engagement.posts import read_copies
from clarion.metrics import lines
from clarion.metrics.lines import MetricsLine
from clarion.settings import Settings
from clarion.site.charts import Chart, draw
from clarion.site.model import Archive

PAGE = "engagement.html"


@dataclass(frozen=True)
class EngagementPage:
    result: Engagement
    charts: tuple[Chart, ...]  # drawn
    latest: str | None  # when the newest counts were read, UTC
    # (network, post file) -> its first part's latest counts
    counts: Mapping[tuple[str, str], MetricsLine]
    warnings: tuple[str, ...]


def read_engagement(settings: Settings) -> EngagementPage | None:
    """The engagement page of `settings`' repository; None when it has no metrics lines."""
    folder = settings.root / lines.FOLDER
    if not lines.metrics_files(folder):
        return None
    bad: list[lines.BadLine] = []
    latest = lines.latest(folder, bad.append, parts=(0,))
    copies = read_copies(settings.root, settings.posts_dir)
    result = compute(latest.values(), copies)
    warnings = [str(dataclasses.replace(b, file=b.file.relative_to(settings.root))) for b in bad]
    counts: dict[tuple[str, str], MetricsLine] = {}
    for line in latest.values():
        copy = copies.find(line.network, line.id, line.path)
        if copy is not None:
            counts[copy.network, copy.path] = line
    newest = max((line.at for line in latest.values()), default=None)
    charts = tuple(draw(chart) for chart in charts_of(result))
    return EngagementPage(result, charts, newest, counts, tuple(warnings))


def with_counts(archive: Archive, page: EngagementPage) -> Archive:
    """`archive` with each network copy's first-part counts beside it."""
    entries = tuple(
        dataclasses.replace(
            entry,
            copies=tuple(
                dataclasses.replace(copy, counts=page.counts.get((copy.network, entry.rel)))
                for copy in entry.copies
            ),
        )
        for entry in archive.entries
    )
    return dataclasses.replace(archive, entries=entries)


def charts_of(result: Engagement) -> list[Chart]:
    """The page's charts, undrawn, from the figures (see `clarion.engagement.figures`)."""
    counted = [f for f in result.networks if f.overall.posts]
    if not counted:
        return []
    names = tuple(f.display for f in counted)
    charts = [
        Chart(
            id="chart-per-post",
            title="Median likes, reposts and replies per post",
            description="For each network, the median likes, reposts and replies of a post's "
            "first part, at its latest counts: "
            + "; ".join(
                f"{f.display}: {_say(f.overall.median_likes)} likes, "
                f"{_say(f.overall.median_reposts)} reposts, "
                f"{_say(f.overall.median_replies)} replies over {f.overall.posts:,} posts"
                for f in counted
            )
            + ".",
            kind="bars",
            row_label="Network",
            rows=names,
            columns=("likes", "reposts", "replies"),
            values=tuple(
                (f.overall.median_likes, f.overall.median_reposts, f.overall.median_replies)
                for f in counted
            ),
            unit="median per post",
        ),
        Chart(
            id="chart-per-followers",
            title="Median likes per 1,000 followers",
            description="For each network, the median of a post's likes per 1,000 followers "
            "of the account when the likes were counted: "
            + "; ".join(
                f"{f.display} {_say(f.overall.median_likes_per_1000_followers, rate=True)}"
                for f in counted
            )
            + ".",
            kind="bars",
            row_label="Network",
            rows=names,
            columns=("likes per 1,000 followers",),
            values=tuple((f.overall.median_likes_per_1000_followers,) for f in counted),
            unit="median likes per 1,000 followers",
            rate=True,
        ),
        Chart(
            id="chart-links",
            title="Median likes of posts with a link and without",
            description="For each network, the median likes of posts carrying a link (a link "
            "card or a URL in the text) against posts without one: "
            + "; ".join(
                f"{f.display} {_say(f.overall.with_link.median_likes)} with, "
                f"{_say(f.overall.without_link.median_likes)} without"
                for f in counted
            )
            + ".",
            kind="bars",
            row_label="Network",
            rows=names,
            columns=("with a link", "without a link"),
            values=tuple(
                (f.overall.with_link.median_likes, f.overall.without_link.median_likes)
                for f in counted
            ),
            unit="median likes per post",
        ),
    ]
    months = sorted({m for f in counted for m in f.by_month})
    if months:
        charts.append(
            Chart(
                id="chart-months",
                title="Median likes per post, by the month it went out",
                description=f"A line per network from {months[0]} to {months[-1]}: the "
                "median likes of the posts that went out each month (UTC).",
                kind="lines",
                row_label="Month",
                rows=tuple(months),
                columns=names,
                values=tuple(
                    tuple(
                        g.median_likes if (g := f.by_month.get(m)) is not None else None
                        for f in counted
                    )
                    for m in months
                ),
                unit="median likes per post",
            )
        )
    shared = result.shared
    if shared.posts:
        leaders = [n for n in shared.most_likes if any(f.network == n for f in counted)]
        charts.append(
            Chart(
                id="chart-shared",
                title="The same post on several networks: where it got the most likes",
                description=f"Of the {shared.posts:,} posts sent to more than one network, how "
                "many got more likes on each network than on any other: "
                + "; ".join(f"{networks.display(n)} {shared.most_likes[n]:,}" for n in leaders)
                + (f"; {shared.ties:,} even." if shared.ties else "."),
                kind="bars",
                row_label="Network",
                rows=tuple(networks.display(n) for n in leaders),
                columns=("posts with the most likes",),
                values=tuple((float(shared.most_likes[n]),) for n in leaders),
                unit="posts",
            )
        )
    return charts


def _say(value: float | None, *, rate: bool = False) -> str:
    if value is None:
        return "none"
    if rate:
        return f"{value:,.2f}"
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
