"""X's text rules: the weighted length of twitter-text v3, mentions and URLs.

X counts a post the way the twitter-text library does (configuration v3): every
code point weighs 2 except those in a few "light" ranges (Latin, Greek,
Cyrillic, general punctuation...) which weigh 1; a URL, with or without a
scheme, weighs 23 whatever its length; an emoji sequence (a ZWJ family, a flag,
a keycap, a skin tone) weighs 2 as a whole. The limit is 280.

The counting is that of the PyPI package twitter-text-parser 3.0.0 (module
`twitter_text`), the library's own URL regexes and emoji data, with one
correction and without its slow paths:

- A bare © or ® (without the emoji presentation selector U+FE0F) is text on X,
  which counts it 1 (twemoji-parser, which twitter-text uses, does not take
  them for emoji); twitter_text counts it 2 as an emoji. "©️" stays an emoji.
- `twitter_text/__init__.py` imports pkg_resources and parses its 400 KB emoji
  file at import (0.3 s, and warnings). Only its URL modules are loaded here
  (`clarion.text.entities.twitter_text_module`: under a private alias, so the
  package's `__init__` never runs), when a text first holds a possible URL;
  its emoji file is read by this module, when a text first holds non-ASCII.
- `parse_tweet` costs about 1 ms a post: its emoji regex is an alternation of
  thousands of sequences tried at every position, its URL regex is tried at
  every position, and it weighs code points one by one. Here the same emoji
  data (read from the same file) is matched at candidate positions only, the
  URL extractor runs only on the whitespace-separated runs that hold a dot
  followed by something, and code points are weighed by runs with a regex.

tests/text/test_x.py checks the result against every weighted-length case of
twitter-text's conformance data and against `parse_tweet` itself (with the
©/® correction) on thousands of generated texts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from clarion.networks import Measured
from clarion.text.entities import twitter_text_dir, twitter_text_module

MAX_WEIGHTED_LENGTH = 280


@dataclass(frozen=True)
class Weighting:
    """A twitter-text weighting configuration (config/v3.json in twitter-text)."""

    max_weighted_length: int = MAX_WEIGHTED_LENGTH
    scale: int = 100
    default_weight: int = 200
    # (first code point, last code point, weight); the first range that holds
    # a code point gives its weight.
    ranges: tuple[tuple[int, int, int], ...] = (
        (0, 4351, 100),
        (8192, 8205, 100),
        (8208, 8223, 100),
        (8242, 8247, 100),
    )
    emoji_parsing: bool = True
    url_length: int = 23

    def __post_init__(self) -> None:
        # The counts are cached by text and weighting: hashed once here, not at each count.
        fields = (self.max_weighted_length, self.scale, self.default_weight, self.ranges)
        object.__setattr__(self, "_hash", hash((*fields, self.emoji_parsing, self.url_length)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined, no-any-return]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Weighting:
        """From twitter-text's JSON configuration (`maxWeightedTweetLength`, ...)."""
        return cls(
            max_weighted_length=int(config["maxWeightedTweetLength"]),
            scale=int(config["scale"]),
            default_weight=int(config["defaultWeight"]),
            ranges=tuple(
                (int(r["start"]), int(r["end"]), int(r["weight"])) for r in config["ranges"]
            ),
            emoji_parsing=bool(config.get("emojiParsingEnabled", False)),
            url_length=int(config["transformedURLLength"]),
        )


V3 = Weighting()
"""What X uses today."""
V2 = replace(V3, emoji_parsing=False)
"""The previous configuration: an emoji counts code point by code point."""


def weighted_length(text: str, weighting: Weighting = V3) -> int:
    """The length X counts for `text` against its limit of 280."""
    return _weighted_length(text, weighting)


def has_invalid_characters(text: str) -> bool:
    """Whether `text` holds a character X refuses (U+FFFE, U+FEFF, U+FFFF)."""
    return _INVALID.search(text) is not None


def urls(text: str) -> list[str]:
    """The URLs X links in `text`, with or without a scheme, in order."""
    return [url for _, url in _url_entities(_normalize(text))]


def mentions(text: str) -> list[str]:
    """The screen names (without "@") that X links in `text`, in order.

    twitter-text's rule: "@" (or its full-width form) after a character that
    cannot be part of a name (or after "RT"), then 1-20 of [A-Za-z0-9_]; not
    when followed by another "@", a Latin accented letter or "://", and not a
    list ("@user/list").
    """
    if "@" not in text and "\uff20" not in text:
        return []
    names = []
    for match in _MENTION_OR_LIST.finditer(text):
        if match.group(2) or _END_MENTION.match(text, match.end()):
            continue
        names.append(match.group(1))
    return names


# --- weighing ---------------------------------------------------------------

_INVALID = re.compile("[\ufffe\ufeff\uffff]")
_LINE_ENDINGS = re.compile("\r\n|\r")


def _normalize(text: str) -> str:
    # parse_tweet counts the NFC form with every line ending turned into "\n".
    text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = _LINE_ENDINGS.sub("\n", text)
    return text


@functools.lru_cache(maxsize=4096)
def _weighted_length(text: str, weighting: Weighting) -> int:
    text = _normalize(text)
    weigh = _weigher(weighting)
    total = weigh(text)
    spans: dict[int, tuple[int, int]] = {}  # start -> (length, weight)
    if weighting.emoji_parsing and not text.isascii():
        emoji_weight = weighting.default_weight
        spans = {start: (length, emoji_weight) for start, length in _emoji_spans(text)}
    url_weight = weighting.url_length * weighting.scale
    for start, url in _url_entities(text):
        # A URL wins over an emoji that starts at the same place; the last URL
        # found at a place wins (parse_tweet keys both by their start).
        spans[start] = (len(url), url_weight)
    if spans:
        # parse_tweet walks the text and jumps over each entity it lands on;
        # an entity that starts inside one already jumped over is not one.
        end = 0
        for start in sorted(spans):
            if start < end:
                continue
            length, weight = spans[start]
            end = start + length
            total += weight - weigh(text[start:end])
    # parse_tweet divides as a float and truncates.
    return int(total / weighting.scale)


@functools.cache
def _weigher(weighting: Weighting) -> Callable[[str], int]:
    """A function giving the summed weights of the code points of a string.

    Each weight other than the default gets one regex of its code points, and
    the string is weighed by the lengths of the runs it finds: a few runs per
    post instead of one step per code point.
    """
    default = weighting.default_weight
    classes: dict[int, list[tuple[int, int]]] = {}
    for first, last, weight in _effective_ranges(weighting.ranges):
        if weight != default:
            classes.setdefault(weight, []).append((first, last))
    runs = [
        (weight - default, re.compile(f"[{''.join(_class_range(r) for r in spans)}]+"))
        for weight, spans in classes.items()
    ]
    ascii_weights = {_code_point_weight(c, weighting) for c in range(128)}
    ascii_weight = ascii_weights.pop() if len(ascii_weights) == 1 else None

    def weigh(text: str) -> int:
        if ascii_weight is not None and text.isascii():
            return ascii_weight * len(text)
        total = default * len(text)
        for delta, pattern in runs:
            total += delta * sum(map(len, pattern.findall(text)))
        return total

    return weigh


def _effective_ranges(
    ranges: tuple[tuple[int, int, int], ...],
) -> list[tuple[int, int, int]]:
    """The ranges cut so that none overlaps, the first listed winning."""
    taken: list[tuple[int, int]] = []
    result: list[tuple[int, int, int]] = []
    for first, last, weight in ranges:
        pieces = [(first, last)]
        for t_first, t_last in taken:
            pieces = [
                piece
                for p_first, p_last in pieces
                for piece in (
                    (p_first, min(p_last, t_first - 1)),
                    (max(p_first, t_last + 1), p_last),
                )
                if piece[0] <= piece[1]
            ]
        result.extend((p_first, p_last, weight) for p_first, p_last in pieces)
        taken.append((first, last))
    return result


def _class_range(span: tuple[int, int]) -> str:
    first, last = span
    return re.escape(chr(first)) + "-" + re.escape(chr(last))


def _code_point_weight(code_point: int, weighting: Weighting) -> int:
    for first, last, weight in weighting.ranges:
        if first <= code_point <= last:
            return weight
    return weighting.default_weight


# --- emoji ------------------------------------------------------------------

# X does not take these for emoji unless U+FE0F follows (see the module docs).
_TEXT_BY_DEFAULT = frozenset("\u00a9\u00ae")


@dataclass(frozen=True)
class _EmojiTable:
    sequences: frozenset[str]  # emoji of two code points or more
    lengths: Mapping[str, tuple[int, ...]]  # first code point -> lengths, longest first
    singles: frozenset[str]  # emoji of one code point
    ascii_seconds: frozenset[str]  # what follows the ASCII start of a sequence
    candidates: re.Pattern[str]  # where an emoji can start or continue a keycap


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    """(start, length) of each emoji, as twitter_text's emoji regex finds them.

    That regex is the sequences longest first, then the single code points,
    tried left to right without overlap: at each place the longest sequence
    that is there wins, else a single emoji code point.
    """
    table = _emoji_table()
    spans = []
    end = 0
    for candidate in table.candidates.finditer(text):
        at = candidate.start()
        if at < end:
            continue
        # A keycap starts with an ASCII character; the scan stops on the
        # non-ASCII code point after it (keeping the scan a single character
        # class, which `re` searches fast).
        if (
            at > end
            and text[at] in table.ascii_seconds
            and text[at - 1].isascii()
            and text[at - 1] in table.lengths
        ):
            length = _emoji_at(text, at - 1, table)
            if length:
                spans.append((at - 1, length))
                end = at - 1 + length
                if at < end:
                    continue
        length = _emoji_at(text, at, table)
        if length:
            spans.append((at, length))
            end = at + length
    return spans


def _emoji_at(text: str, at: int, table: _EmojiTable) -> int:
    """The length of the emoji twitter_text's regex finds at `at`, or 0."""
    first = text[at]
    for size in table.lengths.get(first, ()):
        if text[at : at + size] in table.sequences:
            return size
    return 1 if first in table.singles else 0


@functools.cache
def _emoji_table() -> _EmojiTable:
    sequences, singles = _read_emoji_test(twitter_text_dir() / "regexp" / "emoji-test.txt")
    singles -= _TEXT_BY_DEFAULT
    lengths: dict[str, set[int]] = {}
    ascii_seconds: set[str] = set()
    for sequence in sequences:
        lengths.setdefault(sequence[0], set()).add(len(sequence))
        if sequence[0].isascii():
            ascii_seconds.add(sequence[1])
        # Text that is all ASCII is skipped without looking for emoji, and
        # only the first code point of a sequence may be ASCII (a keycap).
        if any(c.isascii() for c in sequence[1:]):
            raise RuntimeError(f"twitter_text emoji data changed: {sequence!r}")
    if any(single.isascii() for single in singles):
        raise RuntimeError("twitter_text emoji data changed: an ASCII emoji")
    bmp = sorted(
        c for c in set(lengths) | singles | ascii_seconds if not c.isascii() and ord(c) <= 0xFFFF
    )
    # Astral code points are nearly all emoji: taking all of them keeps the
    # class small (a long list of astral ranges is slow in `re`).
    return _EmojiTable(
        sequences=frozenset(sequences),
        lengths={c: tuple(sorted(sizes, reverse=True)) for c, sizes in lengths.items()},
        singles=frozenset(singles),
        ascii_seconds=frozenset(ascii_seconds),
        candidates=re.compile(f"[{_char_class(bmp)}\U00010000-\U0010ffff]"),
    )


def _char_class(chars: list[str]) -> str:
    """A regex character class body for sorted `chars`, merged into ranges."""
    parts = []
    i = 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        parts.append(
            re.escape(chars[i]) if i == j else f"{re.escape(chars[i])}-{re.escape(chars[j])}"
        )
        i = j + 1
    return "".join(parts)


def _read_emoji_test(path: Path) -> tuple[set[str], set[str]]:
    """The emoji that twitter_text's `regexp/emoji.py` builds its regex from.

    Its reading: the lines after the 32-line header up to "# Status Counts",
    every code point line outside the "Component" group (skin tones and hair
    alone), whatever its status.
    """
    sequences: set[str] = set()
    singles: set[str] = set()
    group = ""
    for line in path.read_text(encoding="utf-8").splitlines()[32:]:
        if line == "# Status Counts":
            break
        if line.startswith("# group:"):
            group = line.split(":")[-1].strip()
        elif line[:1] in _HEX_DIGITS and group != "Component" and _CODE_POINTS.match(line):
            emoji = "".join(chr(int(cp, 16)) for cp in line.split(";")[0].split())
            (sequences if len(emoji) > 1 else singles).add(emoji)
    return sequences, singles


_HEX_DIGITS = frozenset("0123456789ABCDEF")
_CODE_POINTS = re.compile("[0-9A-F]{3,}")


# --- URLs -------------------------------------------------------------------


@dataclass(frozen=True)
class _UrlExtractor:
    extract: Callable[[str], list[dict[str, Any]]]  # twitter_text's extract_urls_with_indices
    separator: re.Pattern[str]  # a character no URL can hold
    dot: re.Pattern[str]  # a dot followed by something that can be a top-level domain


def _url_entities(text: str) -> list[tuple[int, str]]:
    """(start, url) of each URL, as twitter_text's `extract_urls_with_indices`.

    A URL holds a dot followed by its top-level domain and no whitespace of
    twitter-text's list, and its match begins at most one character before it.
    So the extractor, run on each whitespace-separated run holding such a dot
    (with the character before it), finds what it finds in the whole text:
    its regex, tried at each place of the text, can only match there.
    """
    if "." not in text:
        return []
    extractor = _url_extractor()
    found: list[tuple[int, str]] = []
    reversed_text = ""
    size = len(text)
    position = 0
    while (dot := extractor.dot.search(text, position)) is not None:
        at = dot.start()
        if not reversed_text:
            reversed_text = text[::-1]
        before = extractor.separator.search(reversed_text, size - at)
        start = size - before.start() if before else 0
        after = extractor.separator.search(text, at)
        end = after.start() if after else size
        offset = max(start - 1, 0)
        found.extend((offset + at, url) for at, url in _run_urls(text[offset:end]))
        position = end
    return found


@functools.lru_cache(maxsize=4096)
def _run_urls(run: str) -> tuple[tuple[int, str], ...]:
    # Cached: the same link tends to come back post after post.
    entities = _url_extractor().extract(run)
    return tuple((entity["indices"][0], entity["url"]) for entity in entities)


@functools.cache
def _url_extractor() -> _UrlExtractor:
    extract_urls = twitter_text_module("extract_urls")
    # A pure function (a domain to its punycode), called for every URL: this
    # copy of the module is ours alone, so caching it changes nothing else.
    cached = functools.lru_cache(maxsize=1024)(extract_urls.idna_to_ascii)
    extract_urls.idna_to_ascii = cached  # type: ignore[attr-defined]
    spaces = twitter_text_module("regexp.spaces_group").spaces_group
    return _UrlExtractor(
        extract=cast(
            "Callable[[str], list[dict[str, Any]]]", extract_urls.extract_urls_with_indices
        ),
        separator=re.compile(f"[{spaces}]"),
        dot=re.compile(rf"\.[^{spaces}]"),
    )


# --- mentions ---------------------------------------------------------------

# twitter-text's validMentionOrList and endMentionMatch.
_MENTION_OR_LIST = re.compile(
    r"(?:^|[^a-zA-Z0-9_!#$%&*@\uff20]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?)"
    r"[@\uff20]([a-zA-Z0-9_]{1,20})(/[a-zA-Z][a-zA-Z0-9_-]{0,24})?"
)
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_END_MENTION = re.compile(f"[@\uff20]|[{_LATIN_ACCENTS}]|://")


def invalid_reason(text: str) -> str | None:
    """Why X refuses `text` for the characters it holds (twitter-text's invalid
    characters: U+FFFE, U+FEFF, U+FFFF), in words; None when it holds none."""
    found = _INVALID.search(text)
    if found is None:
        return None
    char = found.group()
    name = unicodedata.name(char, "a noncharacter")
    line_start = text.rfind("\n", 0, found.start()) + 1
    before = text[max(line_start, found.start() - 20) : found.start()]
    where = f' after "{before}"' if before else " at the start of a line"
    return (
        f"holds U+{ord(char):04X} ({name}){where}, a character X refuses: delete it "
        "(most editors do not show it)"
    )


def measure(text: str, spoiler: str | None, account: object) -> Measured:
    """X's rule, for the registry: twitter-text v3 weighted length against 280,
    and the characters X refuses."""
    return Measured(text, weighted_length(text), MAX_WEIGHTED_LENGTH, invalid=invalid_reason(text))
