"""Mastodon: the length a server counts (StatusLengthValidator)."""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable

import pytest

from clarion.text import mastodon


@pytest.mark.parametrize(
    ("text", "spoiler", "expected"),
    [
        ("hello", None, 5),
        ("", None, 0),
        ("   \n ", None, 0),  # whitespace only counts nothing
        ("https://example.com/a/very/long/path/that/goes/on", None, 23),
        ("see https://example.com and http://foo.bar/baz?x=1#y", None, 4 + 23 + 5 + 23),
        ("example.com without a scheme", None, 28),
        ("@alice@mastodon.social hi", None, 9),
        ("@bob hi @carol@example.org.", None, 15),
        ("@Alice@exämple.org", None, 6),
        ("mail me@example.com", None, 19),
        ("https://example.com/@alice@example.org", None, 23),
        ("x https://t.co/abc", None, 25),
        ("👨‍👩‍👧 family", None, 8),
        ("a\n🇺🇸 flag at line start", None, 22),
        ("e\u0301", None, 1),
        ("(https://example.com/a_(b))", None, 25),
        ("https://example.com.", None, 24),
        ("https://example.com/a=", None, 24),  # "=" does not end a path
        ("日本語 https://日本.jp/パス", None, 27),  # the path takes any non-space
        ("gemini://x.org/a", None, 23),
        ("text", "spoiler", 11),
        ("", "spoiler only", 12),
        ("🇺", "🇸", 1),  # spoiler and text are counted joined
    ],
)
def test_length(text: str, spoiler: str | None, expected: int) -> None:
    assert mastodon.length(text, spoiler) == expected


def test_mentions_and_urls() -> None:
    text = "Hi @alice@mastodon.social and @bob, see https://example.com/x."
    assert mastodon.mentions(text) == ["alice@mastodon.social", "bob"]
    assert mastodon.urls(text) == ["https://example.com/x"]
    assert mastodon.urls("no scheme example.com") == []


def _get_status_length() -> Callable[..., int]:
    pytest.importorskip("grapheme", reason="Mastodon.py needs graphemeu to count")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mastodon import Mastodon
    counter: Callable[..., int] = Mastodon.get_status_length
    return counter


def test_mastodon_py_differs_where_documented() -> None:
    get_status_length = _get_status_length()
    # graphemeu splits a flag at the start of a line; the server does not.
    assert get_status_length("a\n🇺🇸") == 4
    assert mastodon.length("a\n🇺🇸") == 3
    # The composer's URL regex stops at non-ASCII; the server's does not.
    assert get_status_length("https://example.com/パス") == 25
    assert mastodon.length("https://example.com/パス") == 23


def test_same_as_mastodon_py_on_ordinary_posts() -> None:
    get_status_length = _get_status_length()
    words = [
        "hello",
        "world",
        "Mastodon",
        "café",
        "naïve",
        "日本語",
        "中文",
        "한국어",
        "2026",
        "#tag",
        "x",
        "(see)",
        "it's",
        "a-b",
        "—",
        "…",
        "!",
        "?",
        ",",
        ".",
    ]
    emoji = ["🎉", "👍🏽", "👨‍👩‍👧", "❤️", "🇺🇸", "#️⃣", "🐍"]
    links = [
        "https://example.com",
        "https://example.com/path/to/page",
        "http://foo.bar/baz?x=1&y=2",
        "https://sub.example.org/a_(b)",
        "https://t.co/abc123",
        "https://www.python.org/downloads/release/python-3140/",
    ]
    people = ["@alice", "@alice@mastodon.social", "@Bob_99@fosstodon.org", "@c@example.co.uk"]
    rnd = random.Random(500)  # noqa: S311 (reproducible test data)
    for _ in range(1500):
        parts = []
        for _ in range(rnd.randint(1, 30)):
            pool = rnd.choice([words, words, emoji, links, people])
            parts.append(rnd.choice(pool))
        text = rnd.choice(["hi ", "", "Note: "]) + " ".join(parts)
        # A flag right after a line break is the documented difference.
        text = text.replace("\n", " ")
        spoiler = rnd.choice(["", "CW: spoilers", "politics"])
        assert mastodon.length(text, spoiler) == get_status_length(text, spoiler), text
