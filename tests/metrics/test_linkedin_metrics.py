"""`clarion metrics` reads LinkedIn: posts published to the LinkedIn stand-in (a
text post, a `share`, and one with an image, a `ugcPost`), their reactions,
comments, impressions and shares and the page's followers moved there, then the
real command; the statistics' permission missing leaves views and reposts null
with a note; the reactions' permission missing is a configuration error; a post
deleted is not found; a spent day of calls stops LinkedIn until midnight UTC."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.metrics.conftest import FIELDS, Metrics
from tests.metrics.newnets import NAME, POST, lines_of, published, receipt_ids

PHOTO = """\
---
platforms: [linkedin]
lang: en
media:
  - path: ../media/dot.png
    alt: A single green dot
---
The sprint's venue, seen from above.
"""


@pytest.fixture
def metrics(tmp_path: Path) -> Iterator[Metrics]:
    with published(tmp_path, {NAME: POST, "2026/photo.md": PHOTO}) as world:
        yield world


def test_reactions_comments_impressions_shares_and_followers(metrics: Metrics) -> None:
    linkedin = metrics.stand_in("linkedin")
    [share] = receipt_ids(metrics, "linkedin")  # a thread is one post on LinkedIn
    [photo] = receipt_ids(metrics, "linkedin", "2026/photo.md")
    assert share.startswith("urn:li:share:")
    assert photo.startswith("urn:li:ugcPost:")
    linkedin.engagement.followers = 5400
    linkedin.set_counts(share, likes=20, replies=4, reposts=3, views=2100)
    linkedin.reading.react(share, "PRAISE", 5)  # every reaction is a like
    linkedin.set_counts(photo, likes=7, views=900)
    linkedin.requests.clear()
    report = metrics.run_json()
    assert report["exit"] == 0, report
    got = {line["id"]: line for line in lines_of(metrics, "linkedin")}
    assert [list(line) for line in got.values()] == [FIELDS] * 2
    counts = ("likes", "reposts", "replies", "quotes", "views", "followers")
    assert tuple(got[share][name] for name in counts) == (25, 3, 4, None, 2100, 5400)
    assert tuple(got[photo][name] for name in counts) == (7, 0, 0, None, 900, 5400)
    assert {(line["path"], line["part"]) for line in got.values()} == {
        ("posts/2026/sprint.md", 0),
        ("posts/2026/photo.md", 0),
    }
    # The followers, then one batch of each read for both posts.
    requests = [(r.path, r.query) for r in linkedin.requests]
    assert [path for path, _ in requests] == [
        f"/rest/networkSizes/{linkedin.organization.replace(':', '%3A')}",
        "/rest/socialMetadata",
        "/rest/organizationalEntityShareStatistics",
    ]
    assert sorted(requests[1][1]["ids"][0].removeprefix("List(")[:-1].split(",")) == sorted(
        [share, photo]
    )
    assert requests[2][1]["shares"] == [f"List({share})"]
    assert requests[2][1]["ugcPosts"] == [f"List({photo})"]
    assert all(
        r.header("Linkedin-Version") and r.header("X-Restli-Protocol-Version") == "2.0.0"
        for r in linkedin.requests
    )


def test_without_the_statistics_permission_views_and_reposts_are_null(metrics: Metrics) -> None:
    linkedin = metrics.stand_in("linkedin")
    linkedin.scopes.discard("rw_organization_admin")
    [share] = receipt_ids(metrics, "linkedin")
    linkedin.set_counts(share, likes=3, views=50)
    report = metrics.run_json()
    assert report["exit"] == 0, report
    line = next(x for x in lines_of(metrics, "linkedin") if x["id"] == share)
    assert (line["likes"], line["views"], line["reposts"]) == (3, None, None)
    notes = report["networks"]["linkedin"]["notes"]
    assert any(
        "views and reposts were not read" in n and "rw_organization_admin" in n for n in notes
    )


def test_without_the_reactions_permission_linkedin_is_not_read(metrics: Metrics) -> None:
    linkedin = metrics.stand_in("linkedin")
    linkedin.scopes.discard("r_organization_social_feed")
    report = metrics.run_json()
    assert report["exit"] == 2, report
    error = report["networks"]["linkedin"]["error"]
    assert "make a token with r_organization_social_feed" in error
    assert lines_of(metrics, "linkedin") == []
    assert {line["network"] for line in metrics.lines()} == {"threads", "discourse"}


def test_a_post_deleted_on_linkedin_is_not_found(metrics: Metrics) -> None:
    linkedin = metrics.stand_in("linkedin")
    [photo] = receipt_ids(metrics, "linkedin", "2026/photo.md")
    linkedin.reading.delete(photo)
    report = metrics.run_json()
    assert report["exit"] == 0, report
    result = report["networks"]["linkedin"]
    assert (result["read"], result["not_found"]) == (1, 1)
    assert [line["path"] for line in lines_of(metrics, "linkedin")] == ["posts/2026/sprint.md"]


def test_a_spent_day_of_calls_stops_linkedin_until_midnight_utc(metrics: Metrics) -> None:
    linkedin = metrics.stand_in("linkedin")
    linkedin.daily_limits["GET /rest/socialMetadata"] = 0
    report = metrics.run_json()
    assert report["exit"] == 1, report
    error = report["networks"]["linkedin"]["error"]
    assert "LinkedIn: rate limited while reading reactions and comments" in error
    assert " 00:00:00 UTC, later than this run may wait" in error
    # Refused once: a day's limit is not waited out a retry at a time.
    asked = [r for r in linkedin.requests if r.path == "/rest/socialMetadata"]
    assert len(asked) == 1
    assert {line["network"] for line in metrics.lines()} == {"threads", "discourse"}
