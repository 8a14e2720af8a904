"""`clarion engagement`'s three ways of saying the figures: text (one screen that
answers "where should we keep posting"), JSON (SPEC's exact shape) and CSV (one
row per network, then one per network and month, for a spreadsheet)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from clarion.engagement.figures import Engagement, Group, NetworkFigures

MONTHS_SHOWN = 6  # months in the text's trend; JSON and CSV have them all
LINK_EFFECT = 0.2  # a difference in median likes worth saying, with vs without a link
LINK_POSTS = 5  # posts each side needs before a difference is said


def number(value: float | None, digits: int = 4) -> int | float | None:
    """A figure for JSON and CSV: a whole number as an int; else `digits`
    significant digits (a median of counts is a whole number or a half)."""
    if value is None:
        return None
    if value.is_integer():
        return int(value)
    return float(f"{value:.{digits}g}")


def shown(value: float | None, *, rate: bool = False) -> str:
    """A figure for people: "—" when there is none, thousands separated."""
    if value is None:
        return "—"
    if rate:  # likes per 1,000 followers: small numbers, where the decimals matter
        return f"{value:,.2f}"
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"


# ----------------------------------------------------------------------------- JSON


def as_json(result: Engagement) -> dict[str, Any]:
    """SPEC: {"networks": {NET: {posts, median_likes, median_reposts, median_replies,
    median_likes_per_1000_followers, with_link, without_link, by_month}}}; each
    month holds the same figures but by_month."""
    return {
        "networks": {
            figures.network: {
                **_group_json(figures.overall),
                "by_month": {m: _group_json(g) for m, g in figures.by_month.items()},
            }
            for figures in result.networks
        }
    }


def _group_json(group: Group) -> dict[str, Any]:
    return {
        "posts": group.posts,
        "median_likes": number(group.median_likes),
        "median_reposts": number(group.median_reposts),
        "median_replies": number(group.median_replies),
        "median_likes_per_1000_followers": number(group.median_likes_per_1000_followers),
        "with_link": {
            "posts": group.with_link.posts,
            "median_likes": number(group.with_link.median_likes),
        },
        "without_link": {
            "posts": group.without_link.posts,
            "median_likes": number(group.without_link.median_likes),
        },
    }


def render_json(result: Engagement) -> str:
    return json.dumps(as_json(result), ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------------------ CSV

CSV_COLUMNS = (
    "network",
    "month",
    "posts",
    "median_likes",
    "median_reposts",
    "median_replies",
    "median_likes_per_1000_followers",
    "with_link_posts",
    "with_link_median_likes",
    "without_link_posts",
    "without_link_median_likes",
)


def render_csv(result: Engagement) -> str:
    """One row per network with month "all", then one per network and month."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = [(f, "all", f.overall) for f in result.networks]
    rows += [(f, month, g) for f in result.networks for month, g in f.by_month.items()]
    for figures, month, group in rows:
        writer.writerow(
            [
                figures.network,
                month,
                group.posts,
                *(
                    "" if v is None else v
                    for v in (
                        number(group.median_likes),
                        number(group.median_reposts),
                        number(group.median_replies),
                        number(group.median_likes_per_1000_followers),
                    )
                ),
                group.with_link.posts,
                _cell(group.with_link.median_likes),
                group.without_link.posts,
                _cell(group.without_link.median_likes),
            ]
        )
    return out.getvalue()


def _cell(value: float | None) -> int | float | str:
    found = number(value)
    return "" if found is None else found


# ----------------------------------------------------------------------------- text


def render_text(result: Engagement) -> str:
    lines: list[str] = []
    counted = [f for f in result.networks if f.overall.posts]
    since = f" sent since {result.since:%Y-%m-%d}" if result.since else ""
    lines.append(
        f"Engagement of {result.posts:,} post(s){since}: medians of each post's first part, "
        "at its latest counts"
    )
    if not counted:
        lines.append(
            "No counts to compare yet: `clarion metrics` writes them into metrics/ "
            "(the metrics workflow runs it daily)."
        )
        return "\n".join(lines) + "\n"
    lines.append("")
    lines += _table(
        ("", "posts", "likes", "reposts", "replies", "likes/1k followers", "followers"),
        [
            (
                f.display,
                f"{f.overall.posts:,}",
                shown(f.overall.median_likes),
                shown(f.overall.median_reposts),
                shown(f.overall.median_replies),
                shown(f.overall.median_likes_per_1000_followers, rate=True),
                "—" if f.followers is None else f"{f.followers:,}",
            )
            for f in result.networks
        ],
    )
    lines += ["", "Median likes, posts with a link against posts without:"]
    lines += _table(
        ("", "with a link", "without", ""),
        [
            (
                f.display,
                _split(f.overall.with_link.median_likes, f.overall.with_link.posts),
                _split(f.overall.without_link.median_likes, f.overall.without_link.posts),
                _link_effect(f.overall),
            )
            for f in counted
        ],
    )
    shared = result.shared
    if shared.posts:
        leaders = sorted(shared.most_likes.items(), key=lambda item: -item[1])
        most = ", ".join(
            f"{_name(result, n)} on {c:,}" if i else f"{_name(result, n)} had them on {c:,}"
            for i, (n, c) in enumerate(leaders)
        )
        ties = f", {shared.ties:,} even" if shared.ties else ""
        lines += [
            "",
            f"The same post on several networks ({shared.posts:,} posts): the most likes? "
            f"{most}{ties}.",
        ]
        names = list(shared.most_likes)
        rows = [(p.path, *(shown(_float(p.likes.get(n))) for n in names)) for p in shared.recent]
        everyone = (f"median of all {shared.posts:,}",)
        rows.append((*everyone, *(shown(shared.median_likes[n]) for n in names)))
        lines += _table(("likes, newest first", *(_name(result, n) for n in names)), rows, "  ")
    months = sorted({m for f in counted for m in f.by_month})[-MONTHS_SHOWN:]
    if len(months) > 1:
        lines += ["", f"Median likes by month sent (the last {len(months)}; CSV and JSON: all):"]
        lines += _table(
            ("", *months),
            [(f.display, *(_month(f, m) for m in months)) for f in counted],
        )
    verdict = _verdict(counted)
    if verdict:
        lines += ["", verdict]
    return "\n".join(lines) + "\n"


def _name(result: Engagement, network: str) -> str:
    return next((f.display for f in result.networks if f.network == network), network)


def _float(value: int | None) -> float | None:
    return None if value is None else float(value)


def _split(median: float | None, posts: int) -> str:
    return f"{shown(median)} ({posts:,})" if posts else "—"


def _month(figures: NetworkFigures, month: str) -> str:
    group = figures.by_month.get(month)
    return shown(group.median_likes) if group is not None else "—"


def _link_effect(group: Group) -> str:
    """What a link seems to do to likes on the network, when the posts say so clearly."""
    linked, unlinked = group.with_link, group.without_link
    if linked.posts < LINK_POSTS or unlinked.posts < LINK_POSTS:
        return ""
    if not linked.median_likes or not unlinked.median_likes:
        return ""
    ratio = linked.median_likes / unlinked.median_likes
    if ratio <= 1 - LINK_EFFECT:
        return f"a link: {1 - ratio:.0%} fewer likes"
    if ratio >= 1 + LINK_EFFECT:
        return f"a link: {ratio - 1:.0%} more likes"
    return ""


def _verdict(counted: Sequence[NetworkFigures]) -> str:
    """The answer in one sentence: the networks by median likes per post, then
    per 1,000 followers."""
    ranked = _ranked(counted, lambda f: f.overall.median_likes)
    if len(ranked) < 2:
        return ""
    text = "Most likes per post: " + ", then ".join(
        f"{f.display} ({shown(f.overall.median_likes)})" for f in ranked
    )
    rates = _ranked(counted, lambda f: f.overall.median_likes_per_1000_followers)
    if len(rates) > 1:
        text += "; per 1,000 followers: " + ", then ".join(
            f"{f.display} ({shown(f.overall.median_likes_per_1000_followers, rate=True)})"
            for f in rates
        )
    return text + "."


def _ranked(
    counted: Sequence[NetworkFigures], key: Callable[[NetworkFigures], float | None]
) -> list[NetworkFigures]:
    known = [f for f in counted if key(f) is not None]
    return sorted(known, key=lambda f: -(key(f) or 0.0))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    """Columns padded to their widest cell: the first left-aligned, the others right."""
    every = [header, *rows]
    widths = [max(len(row[i]) for row in every) for i in range(len(header))]
    out = []
    for row in every:
        cells = [
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ]
        out.append((indent + "  ".join(cells)).rstrip())
    return out
