"""`clarion metrics` against the stand-ins: a line per part whose counts changed, in
the documented shape; a second run writes only what moved; a failing network
leaves the others' lines; X is read only when asked and within max_reads; rate
limits are waited out within the budget; a Mastodon before 4.3 is read one by one;
--commit pushes the lines like receipts."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from clarion.sandbox.server import Fault
from tests.metrics.conftest import FIELDS, Metrics
from tests.publish.world import git
from tests.timeouts import GENEROUS

AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
NO_SECRET = {"CLARION_BLUESKY_APP_PASSWORD": "", "CLARION_MASTODON_ACCESS_TOKEN": ""}


def moved(metrics: Metrics) -> None:
    """Likes and reposts come in, the accounts gain followers."""
    bluesky, mastodon, x = (metrics.stand_in(n) for n in ("bluesky", "mastodon", "x"))
    bluesky.followers, x.followers = 1200, 31000
    mastodon.engagement.followers = 800
    for number, uri in enumerate(metrics.ids("bluesky")):
        bluesky.set_counts(uri, likes=10 + number, reposts=2, replies=1, quotes=1)
    for number, status in enumerate(metrics.ids("mastodon")):
        mastodon.set_counts(status, likes=5 + number, reposts=1)
    for number, post in enumerate(metrics.ids("x")):
        x.set_counts(post, likes=7 + number, reposts=3, replies=2, quotes=0, views=900)


def by_network(lines: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    for line in lines:
        found.setdefault(str(line["network"]), []).append(line)
    return {net: sorted(ls, key=lambda line: int(str(line["part"]))) for net, ls in found.items()}


def test_a_line_per_part_then_only_what_changed(metrics: Metrics) -> None:
    metrics.settings("metrics = false", "metrics = true")
    moved(metrics)
    # Bluesky and Mastodon are read without any secret.
    report = metrics.run_json(env=NO_SECRET)
    assert report["exit"] == 0, report
    assert report["written"] == 6
    lines = metrics.lines()
    assert [list(line) for line in lines] == [FIELDS] * 6
    assert {line["path"] for line in lines} == {"posts/2026/sprint.md"}
    assert all(AT.fullmatch(str(line["at"])) for line in lines)
    assert report["file"] == f"metrics/{str(lines[0]['at'])[:7]}.jsonl"
    got = by_network(lines)
    assert [(line["part"], line["id"]) for line in got["bluesky"]] == list(
        enumerate(metrics.ids("bluesky"))
    )
    assert [
        (line["likes"], line["reposts"], line["replies"], line["quotes"]) for line in got["bluesky"]
    ] == [(10, 2, 1, 1), (11, 2, 1, 1)]
    assert {line["views"] for line in got["bluesky"]} == {None}  # not given there
    assert {line["followers"] for line in got["bluesky"]} == {1200}
    # Mastodon counts its own replies (part 2 answers part 1); it has no quotes before 4.5.
    assert [
        (line["likes"], line["reposts"], line["replies"], line["quotes"], line["views"])
        for line in got["mastodon"]
    ] == [(5, 1, 1, None, None), (6, 1, 0, None, None)]
    assert {line["followers"] for line in got["mastodon"]} == {800}
    assert [(line["likes"], line["views"], line["followers"]) for line in got["x"]] == [
        (7, 900, 31000),
        (8, 900, 31000),
    ]
    assert report["networks"]["x"]["requests"] == 2  # the account, then its timeline

    # One part gains a like: one line more, nothing else.
    mastodon = metrics.stand_in("mastodon")
    mastodon.set_counts(metrics.ids("mastodon")[1], likes=9)
    again = metrics.run_json(env=NO_SECRET)
    assert again["exit"] == 0, again
    assert again["written"] == 1
    after = metrics.lines()
    assert after[:6] == lines
    [new] = after[6:]
    assert (new["network"], new["part"], new["likes"]) == ("mastodon", 1, 9)

    # Nothing moved: nothing written, and the text says so.
    quiet = metrics.run(env=NO_SECRET)
    assert quiet.returncode == 0, quiet.stderr
    assert "no counts changed: no line written" in quiet.stdout
    assert "Bluesky: 2 part(s) due, 2 read, 0 line(s) written, 1,200 followers" in quiet.stdout
    assert len(metrics.lines()) == 7


def test_a_failing_network_leaves_the_others_lines(metrics: Metrics) -> None:
    metrics.settings("metrics = false", "metrics = true")
    moved(metrics)
    # Mastodon's window is spent until long after the run may wait (max_retry_wait 5 s).
    metrics.stand_in("mastodon").limits = {"api": (0, 86_400.0)}
    report = metrics.run_json()
    assert report["exit"] == 1, report
    mastodon = report["networks"]["mastodon"]
    assert mastodon["written"] == 0
    assert "Mastodon: rate limited" in mastodon["error"]
    assert "the parts not read are read by the next run" in mastodon["error"]
    got = by_network(metrics.lines())
    assert set(got) == {"bluesky", "x"}
    assert len(got["bluesky"]) == len(got["x"]) == 2
    text = metrics.run()
    assert text.returncode == 1
    assert "Mastodon: 2 part(s) due, 0 read, 0 line(s) written\n  stopped: Mastodon: rate" in (
        text.stdout
    )


def test_a_rate_limit_is_waited_out_within_the_budget(metrics: Metrics) -> None:
    bluesky = metrics.stand_in("bluesky")
    bluesky.inject(
        Fault(
            "status",
            "GET",
            "/xrpc/app.bsky.feed.getPosts",
            status=429,
            body=b'{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}',
            headers={"Content-Type": "application/json", "Retry-After": "0"},
        )
    )
    report = metrics.run_json()
    assert report["exit"] == 0, report
    assert report["networks"]["bluesky"]["written"] == 2
    asked = [r for r in bluesky.requests if r.path == "/xrpc/app.bsky.feed.getPosts"]
    assert len(asked) == 2  # refused once, then answered


def test_x_is_not_read_without_metrics_true(metrics: Metrics) -> None:
    x = metrics.stand_in("x")
    x.requests.clear()
    report = metrics.run_json()
    assert report["exit"] == 0, report
    assert x.requests == []
    said = report["networks"]["x"]["skipped"]
    assert "X charges for every post read" in said
    assert "metrics = true in [tool.clarion.accounts.x]" in said
    assert {line["network"] for line in metrics.lines()} == {"bluesky", "mastodon"}


def test_x_with_metrics_true_needs_its_keys(metrics: Metrics) -> None:
    metrics.settings("metrics = false", "metrics = true")
    report = metrics.run_json(env={"CLARION_X_ACCESS_TOKEN_SECRET": ""})
    assert report["exit"] == 2, report  # a configuration error; the others still read
    assert "CLARION_X_ACCESS_TOKEN_SECRET is not set" in report["networks"]["x"]["error"]
    assert {line["network"] for line in metrics.lines()} == {"bluesky", "mastodon"}


def test_x_reads_no_more_than_max_reads(metrics: Metrics) -> None:
    metrics.settings("metrics = false", "metrics = true")
    metrics.settings("max_reads = 100", "max_reads = 2")
    moved(metrics)
    x = metrics.stand_in("x")
    x.requests.clear()
    report = metrics.run_json()
    assert report["exit"] == 0, report
    # The account is one read, one post the other: too few for a timeline page (5 at least).
    assert [r.path for r in x.requests] == ["/2/users/me", "/2/tweets"]
    assert x.requests[1].query["ids"] == [metrics.ids("x")[0]]
    result = report["networks"]["x"]
    assert (result["due"], result["read"], result["written"]) == (2, 1, 1)
    assert any("1 due part(s) not read: max_reads = 2 reached" in n for n in result["notes"])


def test_a_deleted_part_is_not_found_and_gets_no_line(metrics: Metrics) -> None:
    bluesky = metrics.stand_in("bluesky")
    bluesky.appview.delete(metrics.ids("bluesky")[1])
    report = metrics.run_json()
    assert report["exit"] == 0, report
    assert (report["networks"]["bluesky"]["read"], report["networks"]["bluesky"]["not_found"]) == (
        1,
        1,
    )
    assert [line["part"] for line in by_network(metrics.lines())["bluesky"]] == [0]


def test_a_mastodon_before_4_3_is_read_one_by_one(metrics: Metrics) -> None:
    mastodon = metrics.stand_in("mastodon")
    mastodon.version = "4.2.10"
    moved(metrics)
    mastodon.requests.clear()
    report = metrics.run_json()
    assert report["exit"] == 0, report
    ids = metrics.ids("mastodon")
    assert [r.path for r in mastodon.requests] == [
        "/api/v2/instance",
        *(f"/api/v1/statuses/{status}" for status in ids),
    ]
    assert [line["likes"] for line in by_network(metrics.lines())["mastodon"]] == [5, 6]
    assert any("4.2.10, before 4.3" in n for n in report["networks"]["mastodon"]["notes"])
    # As such a server, the stand-in has no batch read at all.
    asked = f"{mastodon.url}/api/v1/statuses?id[]={ids[0]}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(asked, timeout=GENEROUS)  # noqa: S310 - the local stand-in
    refused.value.close()  # the answer's socket
    assert refused.value.code == 404


def test_a_mastodon_without_the_batch_call_is_read_one_by_one(metrics: Metrics) -> None:
    mastodon = metrics.stand_in("mastodon")
    mastodon.inject(Fault("status", "GET", "/api/v1/statuses", status=404, body=b"{}"))
    report = metrics.run_json()
    assert report["exit"] == 0, report
    assert report["networks"]["mastodon"]["written"] == 2
    assert any("read one by one" in n for n in report["networks"]["mastodon"]["notes"])


def test_commit_pushes_the_lines_as_receipts_are(metrics: Metrics) -> None:
    moved(metrics)
    proc = metrics.run("--commit")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    world = metrics.world
    file = next((metrics.work / "metrics").glob("*.jsonl")).relative_to(metrics.work)
    assert "committed " + file.as_posix() + "; pushed 1 commit to origin/main" in proc.stdout
    on_remote = git(world.remote, "show", f"main:{file.as_posix()}")
    assert on_remote == (metrics.work / file).read_text(encoding="utf-8")
    message = git(world.remote, "log", "-1", "--format=%an|%s", "main").strip()
    assert message == f"Clarion Test|Record engagement counts in {file.as_posix()} [skip ci]"
    # Nothing moved since: nothing to commit, nothing pushed.
    again = metrics.run("--commit")
    assert again.returncode == 0, again.stderr
    assert "nothing new to commit" in again.stdout


def test_a_refused_push_keeps_the_lines_off_the_receipts_branch(metrics: Metrics) -> None:
    # A protected branch: the remote refuses every push, as a ruleset would.
    hook = metrics.world.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'GH006: Protected branch update failed' >&2\nexit 1\n")
    hook.chmod(0o755)
    proc = metrics.run("--commit")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "The push to origin/main was refused by the remote" in proc.stderr
    assert "The metrics lines were not pushed and are kept only in this run's commit" in (
        proc.stderr
    )
    # clarion/receipts takes receipts only: lines there would stop the next publish run.
    branches = git(metrics.world.remote, "for-each-ref", "--format=%(refname)", "refs/heads/")
    assert branches.split() == ["refs/heads/main"]
    assert "Bluesky: 2 part(s) due, 2 read, 2 line(s) written" in proc.stdout
