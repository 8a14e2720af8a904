"""The shared parts of the importers: the front matter written, text cleaning, threads, languages."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from clarion.importers import (
    IMAGE,
    Entry,
    Harvest,
    LinkCard,
    Media,
    Part,
    join_threads,
    language,
    parse_iso,
)
from clarion.importers.sources import safe_name
from clarion.importers.writing import clean_text, render, write_all
from clarion.post.frontmatter import load, split_parts
from clarion.settings import load_settings
from tests.importers.exports import png

AWKWARD = [
    "",
    " leading and trailing ",
    "no",
    "yes",
    "~",
    "null",
    "0x1F",
    "1e3",
    "- item",
    "key: value",
    "# comment",
    "a #b",
    "&anchor *alias !tag |block >folded %directive @at `tick",
    "'single' \"double\" \\back\\slash",
    "tab\there\nnewline\r\nreturn",
    "NEL\x85 LS\u2028 PS\u2029 BOM\ufeff C1\x80\x9f DEL\x7f",
    "bell\x07 escape\x1b vertical\x0b form\x0c",
    "emoji 🧵🐍 CJK 日本語 RTL עברית combining é",
    "\ufffd\ufffe\uffff",
    "---",
    "...",
]


AT = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def written(*, title: str = "Title", url: str = "https://e.org/") -> dict[str, Any]:
    """The front matter of a post file for an entry with this link card, read back."""
    entry = Entry(
        "x", (Part("1", "https://x.com/a/status/1", AT, "Text"),), link=LinkCard(url, title)
    )
    doc = load(render(entry, "x-archive", [], []).encode())
    return dict(doc.data)


@pytest.mark.parametrize("value", AWKWARD)
def test_strings_read_back_exactly(value: str) -> None:
    assert written(title=value)["link"] == {"url": "https://e.org/", "title": value}


def test_strings_read_back_exactly_for_random_text() -> None:
    rng = random.Random(7)  # noqa: S311 - a repeatable spread of text, not a secret
    pool = [chr(c) for c in range(0x250)] + ["\u2028", "\u2029", "\ufeff", "🧵", "\U0010fffd"]
    for _ in range(300):
        value = "".join(rng.choice(pool) for _ in range(rng.randint(0, 40))).replace("\0", "")
        assert written(title=value)["link"]["title"] == value


def test_a_lone_surrogate_becomes_a_replacement_character() -> None:
    # json.loads("\"\\ud800\"") gives one; a YAML file cannot hold it, even escaped.
    assert written(title="a\ud800b")["link"]["title"] == "a\ufffdb"


@pytest.mark.parametrize(
    "url",
    [
        "https://x.com/example/status/1",
        "https://e.org/a?b=c&d=e#frag",
        "https://e.org/with:colon:",
        "https://e.org/with space",
        "https://e.org/'quote'",
        "https://e.org/[brackets]",
        "https://e.org/{braces}",
        "https://e.org/a,b",
        "https://e.org/a #b",
    ],
)
def test_urls_read_back_exactly(url: str) -> None:
    assert written(url=url)["link"] == {"url": url, "title": "Title"}


def test_a_note_is_one_comment_line_whatever_it_holds() -> None:
    note = "alt: line one\nline two\r\u2028three\x85four"
    entry = Entry("x", (Part("1", "https://x.com/a/status/1", AT, "Text"),), notes=(note,))
    text = render(entry, "x-archive", [], [])
    assert "# alt: line one line two  three four\n---\nText\n" in text
    assert set(load(text.encode()).data) == {"platforms", "published"}


def test_clean_text_keeps_the_thread_whole() -> None:
    body = clean_text("one\r\n---\r\ntwo\n--- \t\n---x\n\0three")
    assert body.text == "one\n- - -\ntwo\n- - -\n---x\nthree"
    assert body.dashes == 2
    assert len(split_parts(body.text, 1)) == 1


def test_threads_follow_the_first_answer() -> None:
    # (id, parent): 1 ← 2 ← 3, and 4 answers 2 as well: a branch starts its own thread.
    items = [("1", None), ("2", "1"), ("3", "2"), ("4", "2"), ("5", "99"), ("6", "6")]
    threads = join_threads(items, lambda i: i[0], lambda i: i[1])
    assert [[i[0] for i in t] for t in threads] == [["1", "2", "3"], ["4"], ["5"], ["6"]]


def test_posts_answering_in_a_circle_are_kept() -> None:
    items = [("a", "b"), ("b", "a"), ("c", None)]
    threads = join_threads(items, lambda i: i[0], lambda i: i[1])
    assert sorted(i[0] for t in threads for i in t) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ("en", "en"),
        ("pt-BR", "pt-BR"),
        ("pt_BR", "pt-BR"),
        ("in", "id"),
        ("iw", "he"),
        ("und", None),
        ("zxx", None),
        ("qme", None),
        ("qht", None),
        ("", None),
        ("english", None),
        (None, None),
    ],
)
def test_language(code: object, tag: str | None) -> None:
    assert language(code) == tag


def test_parse_iso() -> None:
    assert parse_iso("2024-02-03T04:05:06.123456789Z") == dt.datetime(
        2024, 2, 3, 4, 5, 6, 123456, tzinfo=dt.UTC
    )
    assert parse_iso("2024-02-03T05:05:06+01:00") == dt.datetime(2024, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    assert parse_iso("yesterday") is None


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("123-abc.jpg", "123-abc.jpg"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\win.ini", "win.ini"),
        (".hidden", "hidden"),
        ("spaces and ümlauts.png", "spaces_and__mlauts.png"),
        ("", "file"),
    ],
)
def test_safe_name(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_five_images_on_one_part_attach_four(repo: Path) -> None:
    data = png(1, 1)
    media = tuple(Media(IMAGE, f"1-{i}.png", f"Image {i}", lambda: data) for i in range(5))
    at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    entry = Entry("x", (Part("1", "https://x.com/a/status/1", at, "Five", media),))
    tally = write_all(Harvest([entry], {}), load_settings(repo), "x", "x-archive")
    post = load((repo / "posts/archive/2020/2020-01-01-x-1.md").read_bytes())
    assert len(post.data["media"]) == 4
    assert tally.not_attached == 1
    assert tally.images == 5
