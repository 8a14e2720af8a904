"""A post's body into thread parts: a line holding only `---` (and spaces or
tabs) separates them, each part is trimmed and placed at its first line that is
not blank."""

from __future__ import annotations

import pytest

from clarion.post.frontmatter import split_parts

CASES: list[tuple[str, list[tuple[str, int]]]] = [
    ("One part.\n", [("One part.", 5)]),
    ("", [("", 5)]),
    ("\n\n  \nLate start\nsecond line\n", [("Late start\nsecond line", 8)]),
    ("First\n\n---\n\nSecond\n", [("First", 5), ("Second", 9)]),
    ("First\n--- \t\nSecond", [("First", 5), ("Second", 7)]),
    ("---\nAfter a leading separator\n", [("", 5), ("After a leading separator", 6)]),
    ("Before a trailing one\n---", [("Before a trailing one", 5), ("", 7)]),
    ("A\n---\n---\nB\n", [("A", 5), ("", 7), ("B", 8)]),
    (
        "Not separators:\n----\n -- -\n ---\n---x\n",
        [("Not separators:\n----\n -- -\n ---\n---x", 5)],
    ),
    ("\u2028\nBlank by Unicode above\n", [("Blank by Unicode above", 6)]),
    ("  indented text\n---\n\t\n\ttabbed\n", [("indented text", 5), ("tabbed", 8)]),
    ("CW text 🎉\n---\n日本語\n", [("CW text 🎉", 5), ("日本語", 7)]),
]


@pytest.mark.parametrize(("body", "expected"), CASES)
def test_parts(body: str, expected: list[tuple[str, int]]) -> None:
    assert [(part.text, part.line) for part in split_parts(body, 5)] == expected
