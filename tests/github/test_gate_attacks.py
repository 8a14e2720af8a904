"""Ways around the approval gate, tried as someone with write access but no review
rights would: each was found in a review of the gate and held nothing before."""

from __future__ import annotations

from tests.github.gateworld import POST, RECEIPTS, GateWorld, with_receipts

SCHEDULED = POST.replace("lang: en", "lang: en\npublish_at: 2027-01-01T10:00:00+00:00")


def test_a_merge_commit_cannot_borrow_the_approval_of_its_branch(world: GateWorld) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    world.review(pr, "bob")
    world.merge(pr, resolution={"posts/sprint.md": POST.replace("Monday", "Friday, buy now")})
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "was given on another version than the one that would be sent" in reason


def test_a_later_unrelated_merge_cannot_rewrite_a_scheduled_post(world: GateWorld) -> None:
    world.approved_post(1, "sprint.md", SCHEDULED)
    assert world.judge("sprint.md") == [None]
    other = world.open_pr(2, "alice", {"posts/other.md": POST})
    world.review(other, "bob")
    world.merge(
        other,
        resolution={
            "posts/other.md": POST,
            "posts/sprint.md": SCHEDULED.replace("Monday", "Sunday"),
        },
    )
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "pull request #2" in reason
    assert "does not cover it" in reason


def test_a_merge_that_keeps_the_approved_post_is_not_a_change(world: GateWorld) -> None:
    world.approved_post(1, "sprint.md", SCHEDULED)
    other = world.open_pr(2, "alice", {"posts/other.md": POST})
    world.review(other, "bob")
    world.merge(other)
    assert world.judge("sprint.md", "other.md") == [None, None]


def test_text_hidden_in_a_fake_receipts_block_cannot_be_changed(world: GateWorld) -> None:
    # A double-quoted scalar continues at column 0 on a line that starts `published:`.
    hidden = '---\nlang: en\ncontent_warning: "Spoilers\npublished: the plot"\n---\nHello\n'
    world.approved_post(1, "sprint.md", hidden)
    assert world.judge("sprint.md") == [None]
    world.push_direct({"posts/sprint.md": hidden.replace("the plot", "buy my coin")})
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "pushed to main without a pull request" in reason


def test_a_file_named_with_glob_characters_has_only_its_own_history(world: GateWorld) -> None:
    sha = world.push_direct({"posts/*.md": POST.replace("Monday", "never")})
    world.approved_post(1, "sprint.md")  # newer, and its name matches the pattern
    [reason] = world.judge("*.md")
    assert reason == (
        f"posts/*.md was pushed to main without a pull request (commit {sha[:7]}): "
        "open a pull request for it and have a code owner approve it"
    )


def test_a_post_with_a_byte_order_mark_keeps_its_approval_after_receipts(
    world: GateWorld,
) -> None:
    bom = "\ufeff" + POST
    world.approved_post(1, "sprint.md", bom)
    world.push_direct(
        {"posts/sprint.md": "\ufeff" + with_receipts(POST)},
        author="clarion[bot]",
        message="Record receipts",
    )
    assert world.judge("sprint.md") == [None]


def test_crlf_line_ends_and_requoting_are_not_changes(world: GateWorld) -> None:
    world.approved_post(1, "sprint.md")
    world.push_direct({"posts/sprint.md": POST.replace("lang: en", "lang: 'en'")})
    world.push_direct({"posts/sprint.md": POST.replace("\n", "\r\n")})
    assert world.judge("sprint.md") == [None]


def test_a_code_owner_cannot_approve_text_they_pushed(world: GateWorld) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    world.push_to_pr(pr, {"posts/sprint.md": POST.replace("Monday", "Tuesday")}, author="bob")
    world.review(pr, "bob")
    world.merge(pr)
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "the owner approval by @bob does not count: they wrote the change" in reason


def test_an_owner_who_pushed_something_else_may_approve(world: GateWorld) -> None:
    pr = world.open_pr(1, "alice", {"posts/sprint.md": POST})
    world.push_to_pr(pr, {"posts/README.md": "# Posts, by bob\n"}, author="bob")
    world.review(pr, "bob")
    world.merge(pr)
    assert world.judge("sprint.md") == [None]


def test_receipts_removed_by_a_direct_push_hold_the_post(world: GateWorld) -> None:
    world.approved_post(1, "sprint.md")
    world.push_direct(
        {"posts/sprint.md": with_receipts(POST)}, author="clarion[bot]", message="Receipts"
    )
    world.push_direct({"posts/sprint.md": POST}, message="Post it again")
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "receipts it had were removed or changed by hand" in reason
    assert "bluesky part 1" in reason


def test_a_receipt_altered_by_a_direct_push_holds_the_post(world: GateWorld) -> None:
    world.approved_post(1, "sprint.md")
    world.push_direct({"posts/sprint.md": with_receipts(POST)}, message="Receipts")
    altered = with_receipts(POST).replace("post/3l", "post/3other")
    world.push_direct({"posts/sprint.md": altered}, message="Point elsewhere")
    [reason] = world.judge("sprint.md")
    assert reason is not None
    assert "removed or changed by hand" in reason


def test_settling_an_unknown_outcome_by_hand_is_allowed(world: GateWorld) -> None:
    unknown = RECEIPTS.replace("published:\n  bluesky:\n", "published:\n  x:\n").replace(
        '    - id: "at://did:plc:abc/app.bsky.feed.post/3l"\n'
        "      url: https://bsky.app/profile/example.test/post/3l\n",
        "    - outcome: unknown\n",
    )
    assert "outcome: unknown" in unknown
    head, _, rest = POST[4:].partition("\n---\n")
    world.approved_post(1, "sprint.md")
    world.push_direct({"posts/sprint.md": f"---\n{head}\n{unknown.rstrip()}\n---\n{rest}"})
    world.push_direct({"posts/sprint.md": POST}, message="Settle: it did not go out")
    assert world.judge("sprint.md") == [None]
