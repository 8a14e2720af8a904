"""The gate's promise as a property: after approval, every edit that changes what
is sent holds the post, and every edit that does not leaves it free to go.

Random edits (seeded, so a failure names its seed and replays) are applied to
approved posts, by direct pushes or inside the resolution of a later merge
commit, alone or two and three at a time; then one publish run judges them all.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.github.gateworld import PNG, GateWorld, with_receipts

POSTS = 24


def post_text(i: int) -> str:
    return (
        "---\n"
        "lang: en\n"
        "media:\n"
        f"  - path: media/{i}.png\n"
        f"    alt: Picture number {i}\n"
        "---\n"
        f"Post number {i} says hello. #Clarion\n"
        "\n---\n\n"
        "And a second part.\n"
    )


@dataclass(frozen=True)
class Edit:
    name: str
    changes: bool  # whether what is sent changes
    apply: Callable[[str, int], str]


def _front(text: str, line: str) -> str:
    """`line` added as the first line of the front matter, whatever was done before."""
    start = text.index("---") + len("---")
    start = text.index("\n", start) + 1
    return text[:start] + line + "\n" + text[start:]


EDITS = (
    # What is sent changes.
    Edit("body", True, lambda t, i: t.replace("says hello", "says goodbye")),
    Edit("lang", True, lambda t, i: re.sub(r"lang: (['\"]?)en\1", "lang: nl", t)),
    Edit("alt", True, lambda t, i: t.replace("Picture number", "Photo number")),
    Edit("new part", True, lambda t, i: t + "\n---\nA third part.\n"),
    Edit("warning", True, lambda t, i: _front(t, "content_warning: spoilers")),
    Edit("x body", True, lambda t, i: _front(t, "x:\n  body: Only on X")),
    Edit("platforms", True, lambda t, i: _front(t, "platforms: [x]")),
    Edit(
        "quoted text behind published:",
        True,
        lambda t, i: _front(t, 'content_warning: "a\npublished: b"'),
    ),
    Edit("image path", True, lambda t, i: t.replace(f"media/{i}.png", f"media/{i + 1}.png")),
    # What is sent stays the same.
    Edit("receipts", False, lambda t, i: with_receipts(t) if "published:" not in t else t),
    Edit("crlf", False, lambda t, i: t.replace("\r\n", "\n").replace("\n", "\r\n")),
    Edit("bom", False, lambda t, i: t if t.startswith("\ufeff") else "\ufeff" + t),
    Edit("requote", False, lambda t, i: t.replace("lang: en", "lang: 'en'", 1)),
    Edit("comment", False, lambda t, i: _front(t, "# reviewed on Monday")),
    Edit("blank lines", False, lambda t, i: t + "\n\n"),
    Edit("part spacing", False, lambda t, i: t.replace("\n---\n\n", "\n---\n\n\n", 1)),
)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_only_edits_that_change_what_is_sent_are_held(world: GateWorld, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - replayable test data, not secrets
    files: dict[str, str | bytes | None] = {}
    for i in range(POSTS):
        files[f"posts/{i}.md"] = post_text(i)
        files[f"posts/media/{i}.png"] = PNG + bytes([i])
    files[f"posts/media/{POSTS}.png"] = PNG + b"extra"
    pr = world.open_pr(1, "alice", files)
    world.review(pr, "bob")
    world.merge(pr)

    expected: dict[str, bool] = {}  # post → held
    direct: dict[str, str | bytes | None] = {}
    through_merge: dict[str, str | bytes | None] = {}
    plan = []
    for i in range(POSTS):
        name = f"{i}.md"
        edits = rng.sample(EDITS, rng.randint(1, 3))
        text = post_text(i)
        for edit in edits:
            text = edit.apply(text, i)
        changes = any(e.changes for e in edits)
        if rng.random() < 0.15:  # the image itself, replaced in place
            direct[f"posts/media/{i}.png"] = PNG + b"replaced" + bytes([i])
            changes = True
        expected[name] = changes
        (through_merge if rng.random() < 0.3 else direct)[f"posts/{name}"] = text
        plan.append(f"{name}: {[e.name for e in edits]}")
    if direct:
        world.push_direct(direct, message="Edits straight to main")
    if through_merge:
        other = world.open_pr(2, "alice", {"posts/README.md": "# Posts\n\nUnrelated.\n"})
        world.review(other, "bob")
        world.merge(
            other, resolution={**through_merge, "posts/README.md": "# Posts\n\nUnrelated.\n"}
        )

    names = list(expected)
    verdicts = world.judge(*names)
    wrong = [
        f"{plan[i]} expected {'held' if expected[n] else 'go'}, got {verdicts[i]!r}"
        for i, n in enumerate(names)
        if (verdicts[i] is not None) != expected[n]
    ]
    assert not wrong, f"seed {seed}:\n" + "\n".join(wrong)
    assert any(expected.values())
    assert not all(expected.values())


def test_a_rename_keeps_the_approval_and_a_copy_does_not(world: GateWorld) -> None:
    pr = world.open_pr(1, "alice", {"posts/0.md": post_text(0), "posts/media/0.png": PNG})
    world.review(pr, "bob")
    world.merge(pr)
    world.push_direct({"posts/0.md": None, "posts/moved.md": post_text(0)}, message="Rename")
    world.push_direct({"posts/copy.md": post_text(0)}, message="Copy")
    moved, copy = world.judge("moved.md", "copy.md")
    assert moved is None
    assert copy is not None
    assert "posts/copy.md was pushed to main without a pull request" in copy


def test_a_post_replaced_by_a_symbolic_link_is_held(world: GateWorld) -> None:
    pr = world.open_pr(1, "alice", {"posts/0.md": post_text(0), "posts/media/0.png": PNG})
    world.review(pr, "bob")
    world.merge(pr)
    world.sync()
    target = world.work / "posts" / "elsewhere.md"
    target.write_text(post_text(0), encoding="utf-8")
    (world.work / "posts" / "0.md").unlink()
    (world.work / "posts" / "0.md").symlink_to("elsewhere.md")
    [reason] = world.judge("0.md")
    assert reason is not None
    assert "a post cannot be a symbolic link" in reason
