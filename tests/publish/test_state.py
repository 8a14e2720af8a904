"""Where a post stands, decided in process: a table of posts, check results and clocks,
and what plan, status and the dry run make of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clarion.check.result import ERROR, PostResult
from clarion.post import Post
from clarion.post.frontmatter import load, split_parts
from clarion.publish import JobKind, State, effective_state, plan

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
BEFORE = "2026-12-06T11:00:00+00:00"
AFTER = "2026-12-06T13:00:00+00:00"

RECEIPT = (
    '    - id: "1"\n      url: https://x.com/example/status/1\n      at: 2026-12-01T10:00:00Z\n'
)
UNKNOWN = "    - outcome: unknown\n      at: 2026-12-01T10:00:00Z\n"
RETRACTED = RECEIPT + "      retracted: 2026-12-02T10:00:00Z\n"


def post(front: str = "", body: str = "Hello", *, x: str | None = None) -> Post:
    published = f"published:\n  x:\n{x}" if x is not None else ""
    raw = f"---\nplatforms: [x, mastodon]\n{front}{published}---\n{body}\n".encode()
    doc = load(raw)
    return Post(Path("/repo/posts/p.md"), "posts/p.md", doc, tuple(split_parts(doc.body, 1)))


def result(*, ok: bool = True) -> PostResult:
    checked = PostResult("posts/p.md")
    if not ok:
        checked.add(ERROR, "x-too-long", "X: the text is 300/280 weighted characters", 5, 1)
    return checked


CASES = [
    # (name, post, valid, examples included, network, state, job, message part)
    ("new and due", post(), True, False, "x", State.DUE, JobKind.SEND, ""),
    (
        "scheduled later",
        post(f"publish_at: {AFTER}\n"),
        True,
        False,
        "x",
        State.SCHEDULED,
        None,
        "",
    ),
    (
        "scheduled in the past is due",
        post(f"publish_at: {BEFORE}\n"),
        True,
        False,
        "x",
        State.DUE,
        JobKind.SEND,
        "",
    ),
    ("invalid and due", post(), False, False, "x", State.INVALID, None, "not sent: line 5"),
    (
        "invalid and scheduled is invalid",
        post(f"publish_at: {AFTER}\n"),
        False,
        False,
        "x",
        State.INVALID,
        None,
        "not sent",
    ),
    ("published", post(x=RECEIPT), True, False, "x", State.PUBLISHED, None, ""),
    (
        "published, invalid now: history",
        post(x=RECEIPT),
        False,
        False,
        "x",
        State.PUBLISHED,
        None,
        "",
    ),
    (
        "a thread part left",
        post(body="One\n---\nTwo", x=RECEIPT),
        True,
        False,
        "x",
        State.DUE,
        JobKind.SEND,
        "",
    ),
    ("outcome unknown", post(x=UNKNOWN), True, False, "x", State.NEEDS_PERSON, None, ""),
    ("example", post("example: true\n"), True, False, "x", State.EXAMPLE, None, "example: true"),
    ("example in a dry run", post("example: true\n"), True, True, "x", State.DUE, JobKind.SEND, ""),
    (
        "retract what went out",
        post("retract: true\n", x=RECEIPT),
        True,
        False,
        "x",
        State.DUE,
        JobKind.RETRACT,
        "",
    ),
    (
        "retracted already",
        post("retract: true\n", x=RETRACTED),
        True,
        False,
        "x",
        State.RETRACTED,
        None,
        "",
    ),
    (
        "retract before it went out",
        post("retract: true\n"),
        True,
        False,
        "x",
        State.RETRACTED,
        None,
        "",
    ),
    (
        "retract with an unknown part",
        post("retract: true\n", x=UNKNOWN),
        True,
        False,
        "x",
        State.NEEDS_PERSON,
        None,
        "outcome: unknown",
    ),
    (
        "edit where the network cannot",
        post("edit: true\n", x=RECEIPT),
        True,
        False,
        "x",
        State.PUBLISHED,
        None,
        "X cannot edit",
    ),
    (
        "edit an invalid correction",
        post("edit: true\n", x=RECEIPT),
        False,
        False,
        "x",
        State.INVALID,
        None,
        "not corrected",
    ),
]


@pytest.mark.parametrize(
    ("given", "valid", "examples", "network", "state", "job", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_effective_state(
    given: Post,
    valid: bool,
    examples: bool,
    network: str,
    state: State,
    job: JobKind | None,
    message: str,
) -> None:
    standing = effective_state(given, result(ok=valid), network, NOW, include_examples=examples)
    assert (standing.state, standing.job) == (state, job)
    assert message in standing.message


def test_edit_where_the_network_can_is_a_job() -> None:
    receipt = RECEIPT.replace("x.com/example/status", "mastodon.example/@a")
    text = f"---\nplatforms: [mastodon]\nedit: true\npublished:\n  mastodon:\n{receipt}---\nHi\n"
    doc = load(text.encode())
    edited = Post(Path("/repo/posts/p.md"), "posts/p.md", doc, tuple(split_parts(doc.body, 1)))
    standing = effective_state(edited, result(), "mastodon", NOW, include_examples=False)
    assert (standing.state, standing.job) == (State.PUBLISHED, JobKind.EDIT)


def test_plan_holds_what_the_gate_holds_and_asks_once_per_post() -> None:
    asked: list[str] = []

    def gate(p: Post) -> str | None:
        asked.append(p.rel)
        return "not approved"

    jobs, report = plan(
        [(post(), result())], NOW, ("x",), Path("/repo"), include_examples=False, gate=gate
    )
    assert jobs == []
    assert {n: o.state for n, o in report.posts[0].networks.items()} == {
        "x": State.HELD,
        "mastodon": State.HELD,
    }
    assert asked == ["posts/p.md"]


def test_plan_never_asks_the_gate_about_what_is_not_due() -> None:
    def gate(_p: Post) -> str | None:
        raise AssertionError("asked")

    jobs, report = plan(
        [(post(f"publish_at: {AFTER}\n"), result()), (post(), result(ok=False))],
        NOW,
        ("x",),
        Path("/repo"),
        include_examples=False,
        gate=gate,
    )
    assert jobs == []
    assert [o.networks["x"].state for o in report.posts] == [State.INVALID, State.SCHEDULED]
    assert report.failed


def test_a_thread_sent_to_x_as_one_post_is_published_with_one_receipt() -> None:
    single = post("x:\n  thread: single\n", body="One\n---\nTwo", x=RECEIPT)
    standing = effective_state(single, result(), "x", NOW, include_examples=False)
    assert (standing.state, standing.job) == (State.PUBLISHED, None)
    assert single.is_history("x")
