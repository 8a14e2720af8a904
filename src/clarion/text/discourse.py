"""Discourse's text rules: a topic's body and its title, counted as the forum counts.

A post becomes one topic: its parts joined into the body (`raw`, which Discourse
renders as Markdown) under the title of its front matter. The forum checks both
against its site settings (config/site_settings.yml, "posting"):

- the body: at most `max_post_length` characters (32000 by default) and, for a
  topic's first post, at least `min_first_post_length` (20); Ruby's
  `String#length`, so code points, of the raw after the forum normalised its
  unusual spaces and dropped trailing whitespace (app/models/post_validator.rb
  `stripped_length`, lib/validators/stripped_length_validator.rb,
  lib/post_creator.rb);
- the title: between `min_topic_title_length` (15) and `max_topic_title_length`
  (255) characters, measured after the forum cleaned it up
  (lib/text_cleaner.rb `clean_title`: runs of "!" or "?" become one, periods at
  the end go, spaces before a final "!" or "?" go, runs of spaces become one,
  unusual spaces become spaces, the ends are trimmed, zero-width spaces go;
  app/models/topic.rb `before_validation`, lib/validators/topic_title_length_validator.rb);
  and it must "seem a complete sentence" (lib/text_sentinel.rb: enough distinct
  characters, no word longer than `title_max_word_length`, 30).

The account's settings may give the forum's own figures
(`[tool.clarion.accounts.discourse]`, keys named as the forum's site settings);
at publish time the adapter reads them from the forum and refuses a post that
exceeds them before sending anything.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clarion.networks import Measured

MAX_POST_LENGTH = 32000
MIN_FIRST_POST_LENGTH = 20
MIN_TOPIC_TITLE_LENGTH = 15
MAX_TOPIC_TITLE_LENGTH = 255
TITLE_MIN_ENTROPY = 10  # site setting title_min_entropy
TITLE_MAX_WORD_LENGTH = 30  # site setting title_max_word_length

# lib/text_cleaner.rb: the spaces Discourse turns into a plain space.
_UNUSUAL_SPACES = re.compile("[\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
# Ruby's \s: the ASCII whitespace only.
_TRAILING_SPACE = re.compile(r"[ \t\r\n\f\v]+\Z")


def body(raw: str) -> str:
    """The body as the forum keeps it: unusual spaces made plain, trailing
    whitespace dropped (lib/post_creator.rb, TextCleaner.normalize_whitespaces)."""
    return _TRAILING_SPACE.sub("", _UNUSUAL_SPACES.sub(" ", raw))


def body_length(raw: str) -> int:
    """The length Discourse checks against `max_post_length`: code points."""
    return len(body(raw))


def clean_title(title: str) -> str:
    """`TextCleaner.clean_title` with the default site settings (title_prettify on,
    English): what the forum stores and measures.

    Case changes (all capitals lowered, the first word capitalised) are left out:
    they do not change the length.
    """
    text = re.sub(r"!+", "!", title)
    text = re.sub(r"\?+", "?", text)
    text = re.sub(r"([^.])\.+(\s*)\Z", r"\1\2", text)
    text = re.sub(r"\s+([!?]\s*)\Z", r"\1", text)
    text = re.sub(r" +", " ", text)
    text = _UNUSUAL_SPACES.sub(" ", text)
    text = text.strip(" \t\r\n\f\v\x00")
    return text.replace("\u200b", "")


def title_entropy(title: str) -> int:
    """lib/text_sentinel.rb `entropy`: the distinct pieces of the title's
    quoted-printable form, so a plain ASCII character counts once and any other
    once per distinct byte of its UTF-8."""
    pieces: set[str] = set()
    for char in title.strip():
        if " " < char <= "~" and char != "=":
            pieces.add(char)
        else:
            pieces.update(f"{byte:02X}" for byte in char.encode("utf-8"))
    return len(pieces)


def title_problem(title: str, min_length: int = MIN_TOPIC_TITLE_LENGTH) -> str | None:
    """Why Discourse would find the cleaned `title` unclear, worded to follow "the
    title"; None when it takes it (lib/validators/quality_title_validator.rb).

    The distinct characters needed are title_min_entropy, or 70% of the shortest
    title where the forum allows titles shorter than that
    (TextSentinel.title_sentinel)."""
    least = TITLE_MIN_ENTROPY if min_length > TITLE_MIN_ENTROPY else int(min_length * 0.7)
    if title_entropy(title) < least:
        return (
            f"has fewer than {least} different characters: Discourse refuses it "
            'as unclear ("is it a complete sentence?"); write the title out'
        )
    longest = max((len(w) for w in re.split(r"\s|/|-|\.", title)), default=0)
    if longest > TITLE_MAX_WORD_LENGTH:
        return (
            f"has a word of {longest} characters: Discourse refuses words longer than "
            f"{TITLE_MAX_WORD_LENGTH} in a title; break it up"
        )
    return None


def _limits(account: object) -> tuple[int, int, int, int]:
    """(min title, max title, min body, max body) from the account's settings."""
    from clarion.networks import DiscourseAccount

    if isinstance(account, DiscourseAccount):
        return (
            account.min_topic_title_length,
            account.max_topic_title_length,
            account.min_first_post_length,
            account.max_post_length,
        )
    return MIN_TOPIC_TITLE_LENGTH, MAX_TOPIC_TITLE_LENGTH, MIN_FIRST_POST_LENGTH, MAX_POST_LENGTH


def measure(text: str, spoiler: str | None, account: object) -> Measured:
    """Discourse's rule for a topic's body, for the registry."""
    from clarion.networks import Measured

    _, _, least, most = _limits(account)
    length = body_length(text)
    invalid = None
    if len(body(text).strip()) < least:
        invalid = (
            f"is {len(body(text).strip())} characters: the first post of a Discourse topic "
            f"needs at least {least} (the forum's min_first_post_length); say more"
        )
    return Measured(text, length, most, invalid=invalid, invalid_code="too-short")


def measure_title(title: str, account: object) -> Measured:
    """Discourse's rule for a topic's title: the cleaned title against the forum's
    limits; `invalid` when it is too short or unclear."""
    from clarion.networks import Measured

    least, most, _, _ = _limits(account)
    cleaned = clean_title(title)
    invalid = None
    if len(cleaned) < least:
        invalid = (
            f"is {len(cleaned)} characters: a Discourse topic title needs at least {least} "
            "(the forum's min_topic_title_length); make it longer"
        )
    else:
        invalid = title_problem(cleaned, least)
    return Measured(cleaned, len(cleaned), most, invalid=invalid)
