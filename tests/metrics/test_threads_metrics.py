"""`clarion metrics` reads Threads' insights: a thread published to the Threads
stand-in, its counts and the account's followers moved there, then the real
command; a post deleted on Threads is not found; a token without
threads_manage_insights is a configuration error that says which permission."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.metrics.conftest import FIELDS, Metrics
from tests.metrics.newnets import lines_of, published, receipt_ids


@pytest.fixture
def metrics(tmp_path: Path) -> Iterator[Metrics]:
    with published(tmp_path) as world:
        yield world


def test_each_part_is_read_with_its_insights_and_the_followers(metrics: Metrics) -> None:
    threads = metrics.stand_in("threads")
    first, second = receipt_ids(metrics, "threads")
    threads.engagement.followers = 2300
    threads.set_counts(first, likes=14, reposts=3, quotes=1, views=640)
    threads.set_counts(second, likes=2, views=120)
    threads.requests.clear()
    report = metrics.run_json()
    assert report["exit"] == 0, report
    assert report["networks"]["threads"]["written"] == 2
    got = lines_of(metrics, "threads")
    assert [list(line) for line in got] == [FIELDS] * 2
    assert [
        (line["part"], line["id"], line["likes"], line["reposts"], line["replies"]) for line in got
    ] == [(0, first, 14, 3, 1), (1, second, 2, 0, 0)]  # the root counts the reply under it
    assert [(line["quotes"], line["views"], line["followers"]) for line in got] == [
        (1, 640, 2300),
        (0, 120, 2300),
    ]
    # One request for the followers, then one a post: Threads has no batch read.
    asked = [r.path for r in threads.requests]
    assert asked == [
        f"/v1.0/{threads.user_id}/threads_insights",
        f"/v1.0/{first}/insights",
        f"/v1.0/{second}/insights",
    ]
    assert threads.requests[1].query["metric"] == ["views,likes,replies,reposts,quotes"]

    # Only what moved is written again.
    threads.set_counts(second, likes=5)
    again = metrics.run_json()
    assert (again["exit"], again["written"]) == (0, 1)
    assert [(line["part"], line["likes"]) for line in lines_of(metrics, "threads")[2:]] == [(1, 5)]


def test_a_post_deleted_on_threads_is_not_found(metrics: Metrics) -> None:
    threads = metrics.stand_in("threads")
    _, second = receipt_ids(metrics, "threads")
    threads.posts[second].deleted = True
    report = metrics.run_json()
    assert report["exit"] == 0, report
    result = report["networks"]["threads"]
    assert (result["read"], result["not_found"], result["written"]) == (1, 1, 1)
    assert [line["part"] for line in lines_of(metrics, "threads")] == [0]


def test_a_token_without_the_insights_permission_says_which(metrics: Metrics) -> None:
    threads = metrics.stand_in("threads")
    threads.scopes = tuple(s for s in threads.scopes if s != "threads_manage_insights")
    report = metrics.run_json()
    assert report["exit"] == 2, report  # a configuration error; the others are still read
    error = report["networks"]["threads"]["error"]
    assert "give the app the threads_manage_insights permission" in error
    assert lines_of(metrics, "threads") == []
    assert {line["network"] for line in metrics.lines()} == {"linkedin", "discourse"}


def test_without_the_token_threads_is_not_read(metrics: Metrics) -> None:
    report = metrics.run_json(env={"CLARION_THREADS_ACCESS_TOKEN": ""})
    assert report["exit"] == 2, report
    assert "CLARION_THREADS_ACCESS_TOKEN is not set" in report["networks"]["threads"]["error"]


def test_a_spent_call_budget_stops_threads_until_the_next_run(metrics: Metrics) -> None:
    threads = metrics.stand_in("threads")
    threads.calls.fill(threads.calls.total)  # 429 with a Retry-After of hours
    report = metrics.run_json()
    assert report["exit"] == 1, report
    error = report["networks"]["threads"]["error"]
    assert "Threads: rate limited" in error
    assert "the parts not read are read by the next run" in error
    assert {line["network"] for line in metrics.lines()} == {"linkedin", "discourse"}
