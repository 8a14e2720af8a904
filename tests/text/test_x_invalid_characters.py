"""twitter-text's invalid characters (U+FFFE, U+FEFF, U+FFFF): X refuses a post
holding one, so X's text rule says why, and the check reports it (the example
tests/examples/negative/x-invalid-character runs it through `clarion validate`)."""

from __future__ import annotations

import pytest

from clarion import networks
from clarion.text import x


@pytest.mark.parametrize(
    ("char", "named"),
    [
        ("\ufeff", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
        ("\ufffe", "U+FFFE (a noncharacter)"),
        ("\uffff", "U+FFFF (a noncharacter)"),
    ],
)
def test_each_invalid_character_is_named_with_where_it_is(char: str, named: str) -> None:
    text = f"First line\nSee the programme{char} online"
    measured = networks.get("x").measure(text, None, None)
    assert measured.invalid == (
        f'holds {named} after "See the programme", a character X refuses: delete it '
        "(most editors do not show it)"
    )
    assert x.has_invalid_characters(text)


def test_at_the_start_of_a_line() -> None:
    reason = x.invalid_reason("one\n\ufeffTwo")
    assert reason is not None
    assert "U+FEFF (ZERO WIDTH NO-BREAK SPACE) at the start of a line" in reason


def test_clean_text_and_other_networks_have_no_reason() -> None:
    assert networks.get("x").measure("Zero width joiner 👩‍💻 is fine", None, None).invalid is None
    for name in ("bluesky", "mastodon"):
        assert networks.get(name).measure("a\ufeffb", None, None).invalid is None
