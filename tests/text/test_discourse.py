"""Discourse: a topic's body counted in code points against the forum's limits, and
its title as the forum cleans and measures it.

Each expectation is worked out by hand from Discourse's rules (Ruby's
`String#length` counts code points; lib/text_cleaner.rb cleans a title before
lib/validators/topic_title_length_validator.rb measures it), near the limits,
with the characters other networks count otherwise: emoji, CJK, links."""

from __future__ import annotations

import pytest

from clarion.networks import DiscourseAccount
from clarion.text import discourse

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧: 5 code points, 1 grapheme
FLAG = "\U0001f1e9\U0001f1ea"  # 🇩🇪: 2 code points
LINK = "https://example.org/" + "a" * 80  # 100 characters: a link counts as written

BODIES: list[tuple[str, str, int]] = [
    ("ascii at the limit", "a" * 32000, 32000),
    ("ascii over the limit", "a" * 32001, 32001),
    ("emoji are code points", "\U0001f44d" * 32000, 32000),
    ("a family is five", FAMILY * 6400, 32000),
    ("a flag is two", FLAG * 16000 + "!", 32001),
    ("CJK is one each", "日本語" * 10666 + "日本", 32000),
    ("links count as written", LINK * 320, 32000),
    ("markdown counts as written", "**bold** _it_ [a](b) # h" * 10, 240),
    ("trailing space is dropped", "a" * 32000 + " \n\n", 32000),
    ("unusual spaces count once each", "a\u00a0b\u3000c", 5),
    ("leading space counts", "  text", 6),
]


@pytest.mark.parametrize(
    ("text", "length"), [(t, n) for _, t, n in BODIES], ids=[i for i, _, _ in BODIES]
)
def test_the_body_is_counted_in_code_points(text: str, length: int) -> None:
    measured = discourse.measure(text, None, None)
    assert measured.length == length
    assert measured.limit == 32000
    assert (measured.length > measured.limit) == (length > 32000)


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("a" * 19, True),
        ("a" * 20, False),
        ("  " + "a" * 19 + "  ", True),  # the ends are not counted for the minimum
        ("\U0001f44d" * 20, False),
    ],
)
def test_a_topic_needs_twenty_characters(text: str, short: bool) -> None:
    invalid = discourse.measure(text, None, None).invalid
    assert (invalid is not None) == short
    if short:
        assert "min_first_post_length" in (invalid or "")


def test_the_accounts_figures_replace_the_defaults() -> None:
    account = DiscourseAccount(
        url="https://forum.example",
        username="clarion",
        category=4,
        min_topic_title_length=5,
        max_topic_title_length=30,
        min_first_post_length=3,
        max_post_length=100,
    )
    assert discourse.measure("a" * 101, None, account).limit == 100
    assert discourse.measure("abc", None, account).invalid is None
    assert discourse.measure_title("Hello", account).invalid is None
    assert discourse.measure_title("H" + "i" * 30, account).limit == 30


TITLES: list[tuple[str, str]] = [
    ("PyCon US 2027 call for proposals", "PyCon US 2027 call for proposals"),
    ("What is new?????", "What is new?"),
    ("Big news!!! Really", "Big news! Really"),
    ("Ends with periods...", "Ends with periods"),
    ("Space before the end !", "Space before the end!"),
    ("  many    spaces   inside  ", "many spaces inside"),
    ("a\u00a0non-breaking space", "a non-breaking space"),
    ("zero\u200bwidth spaces go", "zerowidth spaces go"),
    ("日本語のタイトルです、よろしく", "日本語のタイトルです、よろしく"),
]


@pytest.mark.parametrize(("title", "cleaned"), TITLES)
def test_the_title_is_measured_as_the_forum_cleans_it(title: str, cleaned: str) -> None:
    measured = discourse.measure_title(title, None)
    assert measured.text == cleaned
    assert measured.length == len(cleaned)
    assert measured.limit == 255


@pytest.mark.parametrize(
    ("title", "problem"),
    [
        ("Exactly 14 cha", "needs at least 15"),  # 14
        ("Exactly 15 char", None),  # 15
        ("Exactly 14 cha!!!!", None),  # !!!! becomes !: 15
        ("Exactly 15 char....", None),  # the periods go: 15
        ("Exactly 14 cha.", "needs at least 15"),  # the period goes: 14
        ("\U0001f389" * 15, "fewer than 10 different characters"),  # one emoji, 4 bytes
        ("aaaa bbbb aaaa bbbb", "fewer than 10 different characters"),
        ("A word " + "x" * 31 + " is long", "a word of 31 characters"),
        ("A word " + "x" * 30 + " is fine", None),
    ],
)
def test_a_title_the_forum_refuses_is_invalid(title: str, problem: str | None) -> None:
    invalid = discourse.measure_title(title, None).invalid
    if problem is None:
        assert invalid is None
    else:
        assert invalid is not None and problem in invalid


def test_non_ascii_characters_weigh_by_their_bytes() -> None:
    # 🎉 is F0 9F 8E 89: four distinct pieces, so a second emoji adds only its own.
    assert discourse.title_entropy("\U0001f389") == 4
    assert discourse.title_entropy("\U0001f389\U0001f38a") == 5  # F0 9F 8E shared
    assert discourse.title_entropy("abcabc") == 3


def test_a_long_title_is_over_the_limit() -> None:
    measured = discourse.measure_title("A" + "b" * 255, None)
    assert (measured.length, measured.limit) == (256, 255)
