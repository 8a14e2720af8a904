"""The figures on a small hand-made set (data/repo): five posts on three networks,
counted by hand. Bluesky: a 10 likes (1,000 followers), b 20, c 30, e 40;
Mastodon: a 5 (500 followers), b 7, d 9; X: a 100 (10,000 followers), c 50, d 30.
Links: a (text), c (card), d (on X only, its own body); b's link is in its second
part, which is not its first. e was renamed: its line names the old file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from clarion.engagement.figures import Engagement, compute
from clarion.engagement.posts import read_copies
from clarion.engagement.reporters import as_json
from clarion.metrics import lines

REPO = Path(__file__).parent / "data" / "repo"


def figures(since: dt.date | None = None, shown: tuple[str, ...] = ()) -> Engagement:
    bad: list[lines.BadLine] = []
    latest = lines.latest(REPO / "metrics", bad.append, parts=(0,))
    assert bad == []
    copies = read_copies(REPO, REPO / "posts")
    return compute(latest.values(), copies, since=since, networks_shown=shown)


def networks(result: Engagement) -> dict[str, Any]:
    found: dict[str, Any] = as_json(result)["networks"]
    return found


def test_medians_per_post_and_per_1000_followers() -> None:
    result = networks(figures())
    assert list(result) == ["bluesky", "mastodon", "x"]  # the registry's order
    bluesky, mastodon, x = result["bluesky"], result["mastodon"], result["x"]
    assert (bluesky["posts"], bluesky["median_likes"], bluesky["median_reposts"]) == (4, 25, 5)
    assert bluesky["median_replies"] == 1.5
    assert bluesky["median_likes_per_1000_followers"] == 25  # 10, 20, 30, 40 per 1,000
    assert (mastodon["posts"], mastodon["median_likes"]) == (3, 7)
    assert mastodon["median_likes_per_1000_followers"] == 14  # 10, 14, 18
    assert (x["posts"], x["median_likes"], x["median_likes_per_1000_followers"]) == (3, 50, 5)


def test_followers_are_those_on_the_line_the_counts_come_from() -> None:
    # X's post a: 100 likes with 10,000 followers (its newest line), not 9,990.
    (month,) = [m for k, m in networks(figures())["x"]["by_month"].items() if k == "2026-01"]
    assert month["median_likes_per_1000_followers"] == 10


def test_posts_with_a_link_against_posts_without() -> None:
    result = networks(figures())
    assert result["bluesky"]["with_link"] == {"posts": 2, "median_likes": 20}  # a, c
    assert result["bluesky"]["without_link"] == {"posts": 2, "median_likes": 30}  # b, e
    assert result["mastodon"]["with_link"] == {"posts": 1, "median_likes": 5}  # a
    assert result["mastodon"]["without_link"] == {"posts": 2, "median_likes": 8}  # b, d
    assert result["x"]["with_link"] == {"posts": 3, "median_likes": 50}  # d: X's own body
    assert result["x"]["without_link"] == {"posts": 0, "median_likes": None}


def test_the_trend_by_the_month_a_post_went_out() -> None:
    bluesky = networks(figures())["bluesky"]["by_month"]
    assert {m: g["median_likes"] for m, g in bluesky.items()} == {
        "2026-01": 15,  # a 10 (counted in February, sent in January), b 20
        "2026-02": 30,
        "2026-03": 40,
    }
    assert bluesky["2026-01"]["with_link"] == {"posts": 1, "median_likes": 10}
    assert "by_month" not in bluesky["2026-01"]


def test_since_keeps_the_posts_sent_from_that_day() -> None:
    result = networks(figures(since=dt.date(2026, 2, 5)))
    assert {n: r["posts"] for n, r in result.items()} == {"bluesky": 2, "mastodon": 1, "x": 2}
    assert result["x"]["median_likes"] == 40  # c 50, d 30
    assert list(result["bluesky"]["by_month"]) == ["2026-02", "2026-03"]
    assert networks(figures(since=dt.date(2026, 3, 2)))["bluesky"]["posts"] == 0


def test_only_first_parts_count_and_lines_of_no_post_are_left_out() -> None:
    result = figures()
    assert result.posts == 5
    assert result.unmatched == 1  # posts/2026/gone.md
    # b's second part has 99 likes; b counts 20.
    assert networks(result)["bluesky"]["by_month"]["2026-01"]["without_link"]["median_likes"] == 20


def test_the_same_post_on_several_networks_side_by_side() -> None:
    shared = figures().shared
    assert shared.posts == 4  # a, b, c, d
    assert dict(shared.most_likes) == {"bluesky": 1, "mastodon": 0, "x": 3}
    assert shared.ties == 0
    assert dict(shared.median_likes) == {"bluesky": 20, "mastodon": 7, "x": 50}
    assert [p.path for p in shared.recent] == [f"posts/2026/{n}.md" for n in "dcba"]
    assert dict(shared.recent[0].likes) == {"mastodon": 9, "x": 30}


def test_networks_with_an_account_are_listed_without_counts() -> None:
    result = figures(shown=("bluesky", "threads-to-be"))
    assert [f.network for f in result.networks] == ["bluesky", "mastodon", "x", "threads-to-be"]
    empty = networks(result)["threads-to-be"]
    assert empty["posts"] == 0
    assert empty["median_likes"] is None
    assert empty["by_month"] == {}


def test_a_receipt_time_with_an_offset_counts_in_its_utc_month() -> None:
    from clarion.engagement.posts import Copies, Copy
    from clarion.metrics.lines import MetricsLine

    copies = [
        Copy("posts/a.md", "x", "1", "2026-01-31T23:30:00-02:00", False),
        Copy("posts/b.md", "x", "2", "2026-01-31T23:30:00Z", False),
        Copy("posts/c.md", "x", "3", "yesterday", False),
    ]
    found = Copies({(c.network, c.id): c for c in copies}, {})
    lines_ = [
        MetricsLine("x", c.path, 0, c.id, "2026-02-02T06:00:00Z", n, 0, 0, 0, None, 100)
        for n, c in enumerate(copies, 1)
    ]
    months = networks(compute(lines_, found))["x"]["by_month"]
    assert {m: g["posts"] for m, g in months.items()} == {"2026-01": 1, "2026-02": 1}
    since = compute(lines_, found, since=dt.date(2026, 2, 1))
    assert (networks(since)["x"]["posts"], since.undated) == (1, 1)
