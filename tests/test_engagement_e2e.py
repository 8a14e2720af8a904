"""Engagement and watching end to end, as issue 12's "Done when" asks, through the
real commands in processes of their own against the stand-ins of the six networks:

publish a thread with a link and a post without one (the real `clarion publish`,
one run); move the counts and followers on the stand-ins; `clarion metrics`
twice (the second run writes a line only for the parts whose counts moved);
`clarion engagement --format json` gives the medians of what was set; `clarion
site` builds the engagement page, read in headless Chromium; then the platforms
hide, label, delete and withhold posts and `clarion watch --format json --issue`
reports each finding once and keeps one issue on the GitHub API stand-in.

"All clear" is the watch code's (clarion/watch/issue.py): no finding left and
every network watched. A post the platform deleted stays deleted, and its
receipt still says it is out there, so its finding stays: what can be restored
is (the post shown again, the label removed, the country released), the issue
is updated down to the deleted post, a person closes it to acknowledge that
(issue.py: "closing this issue by hand acknowledges what it lists"), and the
next run keeps it closed, since nothing new is found.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clarion.sandbox.networks import Sandbox
from tests import forkrun
from tests.github_api import GitHubAPI
from tests.github_issues import IssueRecord
from tests.metrics.conftest import Metrics
from tests.metrics.newnets import receipt_ids
from tests.publish.world import World
from tests.site.htmlcheck import Page
from tests.site.serving import served
from tests.site.test_site_browser import browse, chromium  # noqa: F401 - the fixture
from tests.watch.test_issue import env as github_env

pytestmark = pytest.mark.slow

LAUNCH = "2026/launch.md"
MEETUP = "2026/meetup.md"
POSTS = {
    # A thread with a link in its first part.
    LAUNCH: """\
---
platforms: [bluesky, mastodon, x, threads]
lang: en
---
Clarion 1.0 is out: announcements as code https://example.org/clarion

---

Every post is reviewed in a pull request before it goes out.
""",
    # One post without a link (a forum topic needs its title).
    MEETUP: """\
---
platforms: [bluesky, mastodon, linkedin, discourse]
title: Our spring meetup is on Monday evening
lang: en
---
Our spring meetup is on Monday evening, in the north hall. Everyone is welcome.
""",
}

# What people do, per network: the first part of each post's (likes, reposts,
# replies), and the account's followers (a forum has none).
COUNTS = {
    "bluesky": {LAUNCH: (40, 10, 4), MEETUP: (10, 2, 1)},
    "mastodon": {LAUNCH: (30, 12, 6), MEETUP: (6, 1, 0)},
    "x": {LAUNCH: (5, 1, 0)},
    "threads": {LAUNCH: (12, 3, 2)},
    "linkedin": {MEETUP: (25, 4, 3)},
    "discourse": {MEETUP: (9, None, 4)},
}
FOLLOWERS = {"bluesky": 2000, "mastodon": 1500, "x": 10_000, "threads": 800, "linkedin": 5000}


def _split(posts: int, likes: float | None) -> dict[str, Any]:
    return {"posts": posts, "median_likes": likes}


# `clarion engagement --format json` after the second run (Bluesky's launch at 44
# likes): medians of the first parts, likes per 1,000 followers.
FIGURES: dict[str, dict[str, Any]] = {
    "bluesky": {  # 44 and 10 likes: per 1,000 followers 22 and 5
        "posts": 2,
        "median_likes": 27,
        "median_reposts": 6,
        "median_replies": 2.5,
        "median_likes_per_1000_followers": 13.5,
        "with_link": _split(1, 44),
        "without_link": _split(1, 10),
    },
    "mastodon": {  # 30 and 6 likes: per 1,000 followers 20 and 4
        "posts": 2,
        "median_likes": 18,
        "median_reposts": 6.5,
        "median_replies": 3,
        "median_likes_per_1000_followers": 12,
        "with_link": _split(1, 30),
        "without_link": _split(1, 6),
    },
    "x": {
        "posts": 1,
        "median_likes": 5,
        "median_reposts": 1,
        "median_replies": 0,
        "median_likes_per_1000_followers": 0.5,
        "with_link": _split(1, 5),
        "without_link": _split(0, None),
    },
    "threads": {
        "posts": 1,
        "median_likes": 12,
        "median_reposts": 3,
        "median_replies": 2,
        "median_likes_per_1000_followers": 15,
        "with_link": _split(1, 12),
        "without_link": _split(0, None),
    },
    "linkedin": {
        "posts": 1,
        "median_likes": 25,
        "median_reposts": 4,
        "median_replies": 3,
        "median_likes_per_1000_followers": 5,
        "with_link": _split(0, None),
        "without_link": _split(1, 25),
    },
    "discourse": {  # a topic has no reposts, a forum no followers
        "posts": 1,
        "median_likes": 9,
        "median_reposts": None,
        "median_replies": 4,
        "median_likes_per_1000_followers": None,
        "with_link": _split(0, None),
        "without_link": _split(1, 9),
    },
}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with Sandbox() as box:
        world = World(tmp_path, box)
        world.setup(POSTS)
        done = world.publish()
        assert done.returncode == 0, done.stdout + done.stderr
        # X is read only when the settings ask (X charges for reads): here they do.
        settings = world.work / "pyproject.toml"
        text = settings.read_text(encoding="utf-8")
        assert text.count("metrics = false") == 1, text
        settings.write_text(text.replace("metrics = false", "metrics = true"), encoding="utf-8")
        yield world


@pytest.fixture
def github() -> Iterator[GitHubAPI]:
    with GitHubAPI() as api:
        assert isinstance(api, GitHubAPI)
        yield api


def clarion(
    world: World, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return forkrun.run(args, cwd=world.work, env=world._env(env))


def first(metrics: Metrics, network: str, name: str) -> str:
    return receipt_ids(metrics, network, name)[0]


def move_counts(world: World, metrics: Metrics) -> None:
    for network, posts in COUNTS.items():
        stand_in = world.box.get(network)
        for name, values in posts.items():
            moves = dict(zip(("likes", "reposts", "replies"), values, strict=True))
            # Only the counts the network shows (a forum's topic has no reposts).
            shown = {count: n for count, n in moves.items() if n is not None}
            stand_in.set_counts(first(metrics, network, name), **shown)
    for network, followers in FOLLOWERS.items():
        stand_in = world.box.get(network)
        # Where each stand-in keeps the account's followers (its getProfile, users/me...).
        getattr(stand_in, "engagement", stand_in).followers = followers


def in_chromium(chromium: str, tmp_path: Path, url: str) -> Page:  # noqa: F811
    """The page as Chromium rendered it; nothing in its console."""
    proc = browse(chromium, tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", url)
    assert [line for line in proc.stderr.splitlines() if ":CONSOLE" in line] == []
    page = Page(proc.stdout)
    assert page.all("script") == []
    return page


def plain(page: Page) -> str:
    return " ".join(page.plain.split())


def findings(report: dict[str, Any]) -> list[tuple[str, str, int, str, bool]]:
    return [(f["network"], f["path"], f["part"], f["kind"], f["new"]) for f in report["findings"]]


def watch(world: World, env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """`clarion watch --format json --issue`: its exit status and its report."""
    done = clarion(world, "watch", "--format", "json", "--issue", env=env)
    assert done.stdout.strip(), done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    report["stderr"] = done.stderr
    return done.returncode, report


def the_issue(github: GitHubAPI) -> IssueRecord:
    assert len(github.written_issues) == 1, github.written_issues
    return next(iter(github.written_issues.values()))


def test_counts_read_compared_drawn_and_what_the_platforms_do_watched(
    world: World,
    github: GitHubAPI,
    chromium: str,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    metrics = Metrics(world)

    # ------------------------------------------------------------ metrics, twice
    move_counts(world, metrics)
    report = metrics.run_json()
    assert report["exit"] == 0, report
    lines = metrics.lines()
    # Every published part has its first line: the thread's two parts on four
    # networks, the post on four.
    assert len(lines) == report["written"] == 12
    for network, posts in COUNTS.items():
        for name, (likes, reposts, replies) in posts.items():
            [line] = [
                x
                for x in lines
                if (x["network"], x["path"], x["part"]) == (network, f"posts/{name}", 0)
            ]
            assert (line["likes"], line["reposts"], line["replies"]) == (likes, reposts, replies)
            assert line["followers"] == FOLLOWERS.get(network)

    # Three parts move (a first part's likes, a later part's replies, a post's
    # views); the second run writes those three lines and no other.
    world.box.get("bluesky").set_counts(first(metrics, "bluesky", LAUNCH), likes=44)
    world.box.get("mastodon").set_counts(receipt_ids(metrics, "mastodon", LAUNCH)[1], replies=2)
    world.box.get("linkedin").set_counts(first(metrics, "linkedin", MEETUP), views=300)
    report = metrics.run_json()
    assert report["exit"] == 0, report
    assert report["written"] == 3
    again = metrics.lines()
    assert again[:12] == lines
    # (The networks are read side by side: their lines come in any order.)
    moved = {(x["network"], x["path"], x["part"]): x for x in again[12:]}
    assert sorted(moved) == [
        ("bluesky", f"posts/{LAUNCH}", 0),
        ("linkedin", f"posts/{MEETUP}", 0),
        ("mastodon", f"posts/{LAUNCH}", 1),
    ]
    assert moved["bluesky", f"posts/{LAUNCH}", 0]["likes"] == 44
    assert moved["mastodon", f"posts/{LAUNCH}", 1]["replies"] == 2
    assert moved["linkedin", f"posts/{MEETUP}", 0]["views"] == 300

    # ------------------------------------------------------------ engagement
    done = clarion(world, "engagement", "--format", "json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)["networks"]
    assert list(figures) == list(FIGURES)  # the registry's order
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    for network, expected in FIGURES.items():
        got = figures[network]
        by_month = got.pop("by_month")
        assert got == expected, network
        # Everything went out this month (a run across midnight of a month's end
        # would see the receipts' month, the one before).
        [(when, group)] = by_month.items()
        assert when <= month
        assert group == expected, network

    # ------------------------------------------------------------ the site
    out = tmp_path / "site"
    done = clarion(world, "site", str(out))
    assert done.returncode == 0, done.stderr
    # The stand-ins' addresses are not the networks': the site names them and
    # does not link them. Nothing else is said.
    said = [line for line in done.stderr.splitlines() if line.startswith("warning")]
    assert said
    assert all("not linked: it is not a post's address" in line for line in said), said
    with served(out) as (base, failed):
        page = in_chromium(chromium, tmp_path, base + "engagement.html")
        charts = page.all("svg")
        assert len(charts) >= 4  # per post, per followers, with and without a link, by month
        ids = {e.attrs.get("id"): e for e in page.elements if e.attrs.get("id")}
        order = [e for e in page.elements if e.tag in ("svg", "table")]
        for svg in charts:
            title = ids[svg.attrs["aria-labelledby"].split()[0]]
            assert title.tag == "title"
            assert "".join(title.text).strip()
            # Each chart is followed by its table before the next chart.
            after = order[order.index(svg) + 1 :]
            assert after
            assert after[0].tag == "table"
        # The figures at a glance: posts, followers, median likes, reposts and
        # replies, likes per 1,000 followers ("—" where there are none).
        rows = [" ".join(" ".join(tr.text).split()) for tr in page.all("tr")]
        assert "Bluesky 2 2,000 27 6 2.5 13.50" in rows
        assert "Discourse 1 — 9 — 4 —" in rows
        assert failed == []
    # Beside a post, on its page, its counts on each network the site links: those
    # whose address is the configured instance's (Mastodon, the forum); the other
    # stand-ins' addresses are not bsky.app's, x.com's... (the warnings above).
    post = Page((out / "posts" / "2026" / "launch.html").read_text(encoding="utf-8"))
    assert post.errors == []
    assert "Mastodon 30 likes, 12 reposts, 6 replies" in plain(post)
    assert "Counts of the first post, as last read by clarion metrics." in plain(post)

    # ------------------------------------------------------------ watch
    env = github_env(github)
    bluesky = receipt_ids(metrics, "bluesky", LAUNCH)
    world.box.get("bluesky").appview.hide(bluesky[0])
    meetup_bluesky = first(metrics, "bluesky", MEETUP)
    world.box.get("bluesky").appview.label(meetup_bluesky, "spam")
    x = receipt_ids(metrics, "x", LAUNCH)
    world.box.get("x").reading.delete(x[1])
    three = [
        ("bluesky", f"posts/{LAUNCH}", 0, "hidden"),
        ("bluesky", f"posts/{MEETUP}", 0, "labelled"),
        ("x", f"posts/{LAUNCH}", 1, "deleted"),
    ]

    # Found: each new, one issue opened.
    code, report = watch(world, env)
    assert code == 1, report["stderr"]
    assert findings(report) == [(*f, True) for f in three]
    issue = the_issue(github)
    assert (issue.state, issue.labels, issue.edits) == ("open", ["clarion-watch"], 0)
    assert "**hidden** on Bluesky" in (issue.body or "")

    # The next day, from a fresh checkout (the workflow commits nothing): the same
    # findings, none new; the issue remembers them and is not touched.
    (world.work / "metrics" / "watch.json").unlink()
    code, report = watch(world, env)
    assert code == 0, report["stderr"]
    assert findings(report) == [(*f, False) for f in three]
    assert the_issue(github) is issue
    assert issue.edits == 0

    # Something new: X withholds the launch in Germany; the one issue is updated.
    world.box.get("x").reading.withhold(x[0], ["DE"])
    code, report = watch(world, env)
    assert code == 1, report["stderr"]
    assert [f for f in findings(report) if f[-1]] == [("x", f"posts/{LAUNCH}", 0, "withheld", True)]
    assert len(report["findings"]) == 4
    assert the_issue(github) is issue
    assert (issue.state, issue.edits) == ("open", 1)
    assert "**withheld** on X" in (issue.body or "")

    # What can be restored is: shown, unlabelled, released. The deleted post stays
    # deleted, and its receipt says it is out there, so its finding stays: a person
    # closes the issue, acknowledging it. Nothing is new, so the run keeps the
    # issue closed, its list brought down to the deleted post, and opens no other.
    world.box.get("bluesky").appview.show(bluesky[0])
    world.box.get("bluesky").appview.unlabel(meetup_bluesky, "spam")
    world.box.get("x").reading.release(x[0])
    issue.state, issue.state_reason = "closed", "completed"
    code, report = watch(world, env)
    assert code == 0, report["stderr"]
    assert findings(report) == [("x", f"posts/{LAUNCH}", 1, "deleted", False)]
    assert the_issue(github) is issue
    assert (issue.state, issue.edits) == ("closed", 2)
    body = issue.body or ""
    assert "**deleted** on X" in body
    assert "**hidden**" not in body
    assert "**withheld**" not in body
