"""The decisions of `clarion watch`, in process, as tables: what becomes of the issue,
and what the state keeps."""

from __future__ import annotations

import dataclasses

import pytest

from clarion.watch.issue import Change, Found, decide, issue_body, state_from_body
from clarion.watch.model import Finding, Kind, NetworkResult, WatchReport
from clarion.watch.state import dumps, loads

LABEL = Finding("bluesky", Kind.LABELLED, "labelled 'spam'", "posts/a.md", 0, "at://a", key="s")
GONE = Finding("x", Kind.DELETED, "not found on X (deleted)", "posts/b.md", 1, "17")


def report(*findings: Finding, failed: bool = False) -> WatchReport:
    networks = [NetworkResult("bluesky"), NetworkResult("x")]
    if failed:
        networks[1].failure = "X: the API did not answer"
    return WatchReport(list(findings), networks)


NEW = dataclasses.replace(LABEL, new=True)


@pytest.mark.parametrize(
    ("found", "run", "body", "expected"),
    [
        # No issue yet.
        (None, report(), "b", Change("none")),
        (None, report(NEW), "b", Change("create", "b")),
        (None, report(LABEL), "b", Change("create", "b")),  # found before the workflow ran
        (None, report(failed=True), "b", Change("none")),  # a failure alone opens nothing
        # An open issue.
        (Found(1, True, "b", ""), report(LABEL), "b", Change("none")),
        (Found(1, True, "old", ""), report(LABEL), "b", Change("update", "b")),
        (Found(1, True, "old", ""), report(), "b", Change("close", "b")),
        (Found(1, True, "old", ""), report(failed=True), "b", Change("update", "b")),
        # A closed issue: reopened only for something new.
        (Found(1, False, "old", ""), report(NEW), "b", Change("reopen", "b")),
        (Found(1, False, "old", ""), report(LABEL), "b", Change("update", "b")),
        (Found(1, False, "b", ""), report(LABEL), "b", Change("none")),
        (Found(1, False, "b", ""), report(), "b", Change("none")),
    ],
)
def test_what_becomes_of_the_issue(
    found: Found | None, run: WatchReport, body: str, expected: Change
) -> None:
    assert decide(found, run, body) == expected


def test_the_state_is_sorted_one_finding_a_line_and_reads_back() -> None:
    kept = [(GONE, "2026-12-02T06:00:00Z"), (LABEL, "2026-12-01T06:00:00Z")]
    text = dumps(kept)
    assert text.splitlines()[0] == '{"findings": ['
    assert text.splitlines()[1].startswith('  {"network": "bluesky"')
    assert text.endswith("\n]}\n")
    assert loads(text, "watch.json") == sorted(kept, key=lambda k: k[0].network)
    assert dumps([]) == '{"findings": []}\n'


def test_the_issue_body_remembers_the_state_whatever_the_details_say() -> None:
    odd = Finding("mastodon", Kind.SENSITIVE, "--> <!-- @team -- end", "posts/c.md", 0, "9")
    kept = [(LABEL, "2026-12-01T06:00:00Z"), (odd, "2026-12-03T06:00:00Z")]
    body = issue_body(report(LABEL, odd), kept)
    assert state_from_body(body) == kept
    assert state_from_body("no state here") is None
    assert state_from_body(body.replace('"findings"', '"nothing"')) is None
