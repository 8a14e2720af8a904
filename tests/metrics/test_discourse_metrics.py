"""`clarion metrics` reads Discourse from each post's topic: topics published to the
Discourse stand-in, their first post's likes and quotes, answers and views moved
there, then the real command, one request a topic; no followers (null); a topic
deleted is not found; the forum read as a visitor without the key; its rate limit
stops it part-way, with the lines already read kept."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.metrics.conftest import FIELDS, Metrics
from tests.metrics.newnets import NAME, POST, lines_of, published, receipt_ids

SECOND = """\
---
platforms: [discourse]
title: The sprint's venue has changed
lang: en
---
We meet in the north hall this time, second floor.
"""


@pytest.fixture
def metrics(tmp_path: Path) -> Iterator[Metrics]:
    with published(tmp_path, {NAME: POST, "2026/venue.md": SECOND}) as world:
        yield world


def topic_ids(metrics: Metrics) -> tuple[str, str]:
    [sprint] = receipt_ids(metrics, "discourse")  # a post is one topic
    [venue] = receipt_ids(metrics, "discourse", "2026/venue.md")
    return sprint, venue


def test_each_topic_is_read_for_its_first_posts_counts(metrics: Metrics) -> None:
    discourse = metrics.stand_in("discourse")
    sprint, venue = topic_ids(metrics)
    discourse.set_counts(sprint, likes=9, replies=4, quotes=1, views=310)
    discourse.set_counts(venue, views=12)
    discourse.requests.clear()
    report = metrics.run_json()
    assert report["exit"] == 0, report
    got = {line["id"]: line for line in lines_of(metrics, "discourse")}
    assert [list(line) for line in got.values()] == [FIELDS] * 2
    counts = ("likes", "reposts", "replies", "quotes", "views", "followers")
    assert tuple(got[sprint][name] for name in counts) == (9, None, 4, 1, 310, None)
    assert tuple(got[venue][name] for name in counts) == (0, None, 0, 0, 12, None)
    assert report["networks"]["discourse"]["followers"] is None
    # One topic a request, with the forum's key.
    assert sorted(r.path for r in discourse.requests) == sorted(
        [f"/t/{sprint}.json", f"/t/{venue}.json"]
    )
    assert {r.header("Api-Username") for r in discourse.requests} == {discourse.username}


def test_a_deleted_topic_is_not_found(metrics: Metrics) -> None:
    discourse = metrics.stand_in("discourse")
    _, venue = topic_ids(metrics)
    discourse.moderation.delete(int(venue))
    report = metrics.run_json()
    assert report["exit"] == 0, report
    result = report["networks"]["discourse"]
    assert (result["read"], result["not_found"]) == (1, 1)
    assert [line["path"] for line in lines_of(metrics, "discourse")] == ["posts/2026/sprint.md"]


def test_without_the_key_the_forum_is_read_as_a_visitor(metrics: Metrics) -> None:
    discourse = metrics.stand_in("discourse")
    sprint, _ = topic_ids(metrics)
    discourse.set_counts(sprint, likes=2)
    discourse.requests.clear()
    report = metrics.run_json(env={"CLARION_DISCOURSE_API_KEY": ""})
    assert report["exit"] == 0, report
    assert {r.header("Api-Key") for r in discourse.requests} == {""}
    assert next(x for x in lines_of(metrics, "discourse") if x["id"] == sprint)["likes"] == 2


def test_the_rate_limit_stops_the_forum_and_keeps_what_was_read(metrics: Metrics) -> None:
    discourse = metrics.stand_in("discourse")
    # An hour later (publishing's calls out of the window), one request a minute: the
    # second waits a minute, longer than max_retry_wait.
    later = time.monotonic() + 3600
    discourse.clock = lambda: later
    discourse.rate_limit = 1
    discourse.requests.clear()
    report = metrics.run_json()
    assert report["exit"] == 1, report
    result = report["networks"]["discourse"]
    assert "Discourse: rate limited while reading topic" in result["error"]
    assert (result["read"], result["written"]) == (1, 1)
    assert len(lines_of(metrics, "discourse")) == 1
    assert {line["network"] for line in metrics.lines()} == {"threads", "linkedin", "discourse"}
