"""LinkedIn: the commentary sent (the little text format) and its length.

Near-limit texts are counted as LinkedIn counts them (3000 characters of what a
reader sees, an escape not counted twice), and every text comes back unchanged
from what a reader is shown of its commentary: nothing of it is ever cut."""

from __future__ import annotations

import random

import pytest

from clarion.text import linkedin
from clarion.text.linkedin import LIMIT, RESERVED, commentary, hashtags, length, measure, shown

EMOJI = "🐍"  # U+1F40D: two UTF-16 code units
FAMILY = "👨‍👩‍👧"  # three emoji joined by two ZWJ: 8 code units
CJK = "語"
URL = "https://us.pycon.org/2027/a_(b)~c#part"


def filled(tail: str, total: int) -> str:
    """`tail` after as many "a" as make `total` characters as LinkedIn counts them."""
    return "a" * (total - length(tail)) + tail


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("hello", 5),
        (EMOJI, 2),
        (FAMILY, 8),
        ("e\u0301", 2),  # a combining mark is a character of its own
        (CJK * 3, 3),
        ("🇺🇸", 4),
        (URL, len(URL)),  # a link counts as written: no shortening
        ("\\ | { } @ [ ] ( ) < > # * _ ~", 29),  # escapes do not count
        ("#Clarion and ＃タグ", 16),
        (filled(EMOJI, LIMIT), LIMIT),
        (filled(EMOJI, LIMIT + 1), LIMIT + 1),
        (filled(CJK * 10, LIMIT), LIMIT),
        (CJK * LIMIT, LIMIT),
        (CJK * (LIMIT + 1), LIMIT + 1),
        (filled(" " + URL, LIMIT), LIMIT),
        (filled("(" * 100, LIMIT), LIMIT),  # 100 escapes, sent as 200 characters
        (filled("#tag " * 50, LIMIT + 1), LIMIT + 1),
        ("_" * LIMIT, LIMIT),  # sent as 6000 characters, counted 3000
    ],
)
def test_length_counts_the_text_as_a_reader_sees_it(text: str, expected: int) -> None:
    measured = measure(text, None, None)
    assert measured.length == expected
    assert measured.limit == LIMIT == 3000
    assert measured.text == text
    assert (measured.length > measured.limit) == (expected > LIMIT)
    # What LinkedIn is sent shows as exactly this text: nothing is cut.
    assert shown(commentary(text)) == text


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("plain text", "plain text"),
        ("(parenthesis)", "\\(parenthesis\\)"),
        ("a\\b", "a\\\\b"),
        ("snake_case and *stars* ~tilde~", "snake\\_case and \\*stars\\* \\~tilde\\~"),
        ("<b>|{}[]</b>", "\\<b\\>\\|\\{\\}\\[\\]\\</b\\>"),
        ("mail me@example.org or @alice", "mail me\\@example.org or \\@alice"),
        ("#Python is fun", "{hashtag|\\#|Python} is fun"),
        ("end with #Python.", "end with {hashtag|\\#|Python}."),
        ("#PyCon_2027!", "{hashtag|\\#|PyCon\\_2027}!"),
        ("＃タグ", "{hashtag|＃|タグ}"),
        ("(#inside)", "\\({hashtag|\\#|inside}\\)"),
        ("C# and F#", "C\\# and F\\#"),  # after a letter: not a hashtag
        ("issue #123", "issue \\#123"),  # no letter: not a hashtag
        ("##double", "\\#\\#double"),  # a sign after a sign: no hashtag
        ("&#39;", "&\\#39;"),
        (
            "see https://example.org/a_(b)#frag now",
            "see https://example.org/a\\_\\(b\\)\\#frag now",
        ),
        ("www.example.org/#/route", "www.example.org/\\#/route"),
        ("emoji 🐍 #ok", "emoji 🐍 {hashtag|\\#|ok}"),
    ],
)
def test_commentary_escapes_reserved_characters_and_keeps_hashtags(text: str, sent: str) -> None:
    assert commentary(text) == sent
    assert shown(sent) == text


def test_hashtags_are_found_where_a_reader_would_click_them() -> None:
    text = "#one two#three (#four) https://x.org/#five #6 #सत्यमेव"
    assert [text[a:b] for a, b in hashtags(text)] == ["#one", "#four", "#सत्यमेव"]


@pytest.mark.parametrize(
    ("little", "reader_sees"),
    [
        ("Hello (world)", "Hello "),  # cut at the first unescaped reserved character
        ("Hello \\(world\\)", "Hello (world)"),
        ("a_b", "a"),
        ("tag #Python and more", "tag #Python and more"),  # a HashtagElement
        ("{hashtag|#|Tech} {hashtag|\\#|Py}", "#Tech #Py"),
        ("Hello @[Acme Corp](urn:li:organization:1234)!", "Hello Acme Corp!"),
        ("@alice", ""),  # not a mention element: cut
        ("trailing \\", "trailing "),
    ],
)
def test_shown_is_what_linkedin_shows_of_a_commentary(little: str, reader_sees: str) -> None:
    assert shown(little) == reader_sees


def test_any_text_survives_the_trip() -> None:
    """Random texts of reserved characters, hashtags, links, emoji and CJK: each is
    shown exactly as written once sent, and counted as written."""
    pieces = [
        *sorted(RESERVED),
        " ",
        "\n",
        "a",
        "Z",
        "9",
        EMOJI,
        FAMILY,
        CJK,
        "#tag",
        "＃タグ",
        "#x_y",
        "https://e.org/a_(b)",
        "@bob",
        "{hashtag|\\#|t}",
        "@[N](urn:li:person:1)",
        "\\(",
    ]
    rng = random.Random(11)  # noqa: S311 - a repeatable sample, not a secret
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        sent = commentary(text)
        assert shown(sent) == text, (text, sent)
        assert linkedin.measure(text).length == length(text)
