"""YAML errors explained in words, at the line to fix; each post's problems in line order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clarion.post.frontmatter import FrontMatterError, load
from tests.conftest import Run

# (front matter lines, the line to fix, words the message must hold). Line 1 is
# the opening '---'; the front matter starts on line 2.
CASES = {
    "tab-indent": ("lang: en\nmedia:\n\t- path: a.png", 4, ["tab", "spaces"]),
    "tab-in-item": ("media:\n  - path: a.png\n\t  alt: x", 4, ["tab", "spaces"]),
    "unclosed-list": ("platforms: [bluesky, x\nlang: en", 2, ["'['", "not closed", "']'"]),
    "unclosed-list-last": ("lang: en\nplatforms: [bluesky, x", 3, ["'['", "not closed"]),
    "unclosed-mapping": ("mastodon: {visibility: unlisted\nlang: en", 2, ["'{'", "'}'"]),
    "unclosed-double-quote": (
        'lang: en\ncontent_warning: "spoilers\nplatforms: [x]',
        3,
        ["quote", "not closed"],
    ),
    "unclosed-single-quote": (
        "lang: en\ncontent_warning: 'spoilers\nplatforms: [x]",
        3,
        ["quote", "not closed"],
    ),
    "colon-in-value": ("title: PyCon: the call\nlang: en", 2, ["': '", "quotes"]),
    "no-space-after-colon": ("lang:en\nplatforms: [x]", 2, ["space after", "colon"]),
    "indented-too-far": ("lang: en\n  platforms: [x]", 3, ["indent"]),
    "item-keys-misaligned": ("media:\n  - path: a.png\n   alt: x", 4, ["indent"]),
    "at-sign-starts-value": ("lang: en\ncontent_warning: @someone", 3, ["'@'", "quotes"]),
    "backtick-starts-value": ("lang: en\ntitle: `code`", 3, ["'`'", "quotes"]),
    "star-starts-value": ("lang: en\ntitle: *bold*", 3, ["'*'", "quotes"]),
    "text-after-closing-bracket": ("platforms: [x]]\nlang: en", 2, ["']'"]),
    "text-after-quote": ('lang: en\ntitle: "a" b', 3, ["quote"]),
    "line-not-a-key": ("lang: en\nx:\n  body: |\n  text", 5, ["key", "indent"]),
    "item-where-key-expected": ("lang: en\n- x", 3, ["'- '", "key"]),
    "item-on-the-keys-line": ("platforms: - x", 2, ["'- '", "own line"]),
    "backslash-in-double-quotes": ('title: "C:\\path"\nlang: en', 2, ["backslash", "single"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_yaml_errors_are_explained_at_the_line_to_fix(case: str) -> None:
    front, line, words = CASES[case]
    with pytest.raises(FrontMatterError) as caught:
        load(f"---\n{front}\n---\nHello\n".encode())
    error = caught.value
    assert error.code == "yaml-invalid", error.message
    assert error.line == line, error.message
    assert error.message.startswith("the front matter is not valid YAML: "), error.message
    for word in words:
        assert word in error.message, error.message
    # In words, not libyaml's own ("did not find expected ...", "while scanning").
    for jargon in ("did not find expected", "while scanning", "cannot start any token", "stream"):
        assert jargon not in error.message


def test_problems_are_in_line_order(repo: Path, clarion: Run) -> None:
    post = repo / "posts" / "a.md"
    # The checks find these in another order: the schedule (line 3), the
    # template's text (line 9), then X's count of part 1 (line 5).
    post.write_text(
        "---\nlang: en\npublish_at: 2026-12-01T15:00:00\n---\n"
        + "word " * 60
        + "\n\n---\n\nWrite your announcement here.\n",
        encoding="utf-8",
    )
    proc = clarion("validate", "--format", "json", cwd=repo)
    (result,) = json.loads(proc.stdout)["posts"]
    where = [(p["line"], p["column"]) for p in result["problems"]]
    assert len(where) == 3, where
    assert where == sorted(where), where
    text = clarion("validate", cwd=repo).stdout.splitlines()[:-1]
    lines = [int(line.split(":")[1]) for line in text]
    assert lines == sorted(lines), text
