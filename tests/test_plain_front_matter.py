"""Front matter of one plain `key: value` a line is read without libyaml
(`clarion.post.plain_front_matter`): wherever that reader takes a front matter,
it gives what the YAML reader gives, data, positions and their order alike."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest

from clarion.post.frontmatter import FrontMatterError, decode, load, load_yaml, split
from clarion.post.plain_front_matter import read_plain

TESTS = Path(__file__).parent
ROOT = TESTS.parent
FILES = sorted(
    [
        *(TESTS / "examples").rglob("*.md"),
        *(TESTS / "receipts" / "golden").rglob("*.md"),
        *(TESTS / "reporters").rglob("*.md"),
        *(ROOT / "posts").rglob("*.md"),
    ]
)


def _exact(value: Any) -> Any:
    """`value` with the order of every mapping and the type of every scalar kept."""
    if isinstance(value, dict):
        return [(_exact(k), _exact(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_exact(v) for v in value]
    return (type(value).__name__, repr(value))


def _yaml_reader(front: str) -> Any:
    try:
        doc = load_yaml(front, "", 1)
    except FrontMatterError as exc:
        return ("error", exc.code, exc.line, exc.column)
    return _exact(doc.data), list(doc.keys.items()), list(doc.values.items())


def _plain_reader(front: str) -> Any:
    found = read_plain(front, 2)
    if found is None:
        return None
    data, keys, values = found
    return _exact(data), list(keys.items()), list(values.items())


def _same_where_taken(front: str) -> bool:
    """Whether the plain reader took `front`, asserting it read it as libyaml does."""
    plain = _plain_reader(front)
    if plain is not None:
        assert plain == _yaml_reader(front), front
    return plain is not None


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_post_file_of_the_tests(path: Path) -> None:
    try:
        front = split(decode(path.read_bytes()))[0]
    except FrontMatterError:
        return
    _same_where_taken(front)


def test_the_usual_posts_are_taken() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_validate
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    rnd = random.Random(1)  # noqa: S311 (reproducible test data)
    for index in range(300):
        front = split(bench_validate.make_post(rnd, index))[0]
        assert _same_where_taken(front), front
    usual = (
        "# a comment\nlang: en\n\ntitle: 'PyCon: the call'\npin: true\n"
        'content_warning: "Spoilers #1"\nmastodon: {visibility: unlisted, x: 1}\n'
        "platforms: []\nexample: yes\n"
    )
    assert _same_where_taken(usual)


def test_the_document_is_the_yaml_readers() -> None:
    raw = b"---\nlang: en\nplatforms: [x, bluesky]\n---\nHello\n\n---\n\nworld\n"
    front, body, body_line = split(decode(raw))
    assert read_plain(front, 2) is not None
    assert load(raw) == load_yaml(front, body, body_line)


# Pieces of front matter lines: keys, separators, values and near misses.
KEYS = ["lang", "title", "platforms", "null", "true", "on", "a-b", "_x", "x1", "Title", "1a"]
KEYS += ["k" * 1024, "K" * 1025]  # libyaml takes a key of at most 1024 characters
SEPARATORS = [": ", ":  ", ":", ": \t", "\t: ", " : "]
VALUES = [
    "en",
    "PyCon US 2027",
    "it's",
    'say "hi"',
    "2027-01-10T09:00:00+01:00",
    "12",
    "-3",
    "0x1F",
    "0o17",
    "1e3",
    ".5",
    ".inf",
    "-.inf",
    ".nan",
    "~",
    "null",
    "Null",
    "true",
    "False",
    "yes",
    "a: b",
    "a:b",
    "a:",
    "a #b",
    "a#b",
    "#b",
    "a ",
    "",
    "&anchor x",
    "*alias",
    "!tag x",
    "!!str 1",
    "|",
    ">",
    "%x",
    "@x",
    "`x",
    "? x",
    "- x",
    "-x",
    ":x",
    "[x, bluesky]",
    "[x,bluesky]",
    "[ x ]",
    "[]",
    "[x, ]",
    "[x, [y]]",
    "[x, 1, true, null, 1.5, a/b]",
    "[x] y",
    "{visibility: unlisted}",
    "{a: b, a: c}",
    "{a: 1, b: true}",
    "{}",
    "{a: {b: c}}",
    "{null: x}",
    "{" + "v" * 1024 + ": x}",
    "{" + "v" * 1025 + ": x}",
    "'quoted'",
    "'it''s'",
    "'a' b",
    '"double"',
    '"esc\\n"',
    '"a" # c',
    "a, b",
    "[a",
    "a]",
    "{a",
    "a [b] {c}",
    "Grüße 🎉 日本",
    "a\u2028b",
    "a\x85b",
    "a\tb",
    "a\x7fb",
    "a\ufeffb",
    "é: x",
    "x # comment",
    "--- x",
    "... x",
]
OTHER_LINES = [
    "",
    "# comment",
    "#",
    "  indented: x",
    "- item",
    "\tx: y",
    "...",
    "key",
    "# c\u2028x: y",
]


# The values taken alone, to build front matter that is mostly taken whole.
TAKEN = [value for value in VALUES if read_plain(f"k: {value}", 2) is not None]


def _front(rnd: random.Random) -> str:
    """A front matter whose lines are mostly of the plain shape, one in ten a near miss."""
    lines = []
    for key in rnd.sample(KEYS, rnd.randint(0, 6)):
        if rnd.random() < 0.05:
            lines.append(rnd.choice(OTHER_LINES))
        elif rnd.random() < 0.1:
            lines.append(key + rnd.choice(SEPARATORS) + rnd.choice(VALUES))
        else:
            lines.append(key + rnd.choice(SEPARATORS[:2]) + rnd.choice(TAKEN))
    return "\n".join(lines) + rnd.choice(["\n", "", "\n\n"])


@pytest.mark.parametrize("seed", range(4))
def test_generated_front_matter(seed: int) -> None:
    rnd = random.Random(seed)  # noqa: S311 (reproducible test data)
    taken = sum(_same_where_taken(_front(rnd)) for _ in range(3000))
    assert taken > 500  # the comparison is not empty
