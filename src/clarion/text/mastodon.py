"""Mastodon's text rules: the length a server counts, mentions and URLs.

The server decides (app/validators/status_length_validator.rb): the spoiler
text and the status text joined, the status text first rewritten so that

- every URL with a scheme counts as 23 characters: Mastodon's own URL regex
  (config/initializers/twitter_regex.rb: twitter-text's with wider path and
  query characters and the schemes http, https, dat, dweb, ipfs, ipns, ssb,
  gopher, gemini), URLs without a scheme counting as written;
- every mention `@user@domain` counts as `@user` (Account::MENTION_RE);
- entities that overlap are dropped after the first, as twitter-text does;
- a text of only whitespace counts 0;

then counted in extended grapheme clusters (`regex`'s `\\X`).

Mastodon.py's `get_status_length` (the web composer's rule) gives the same
count for ordinary posts. It differs where the server is more lenient or
stricter (non-ASCII path characters, other schemes, a path ending in "="),
on a text of whitespace only, it counts the spoiler apart rather than joined
to the text, and its grapheme splitter (graphemeu) splits a flag emoji that
starts a line in two.
The top-level domains are twitter-text's list as twitter_text 3.0.0 ships it
(the server uses the list of its twitter-text gem, of the same vintage).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clarion.networks import MastodonAccount, Measured, get
from clarion.text.entities import grapheme_count, twitter_text_module

if TYPE_CHECKING:
    import regex

URL_LENGTH = 23


def length(text: str, spoiler: str | None = None) -> int:
    """The length Mastodon checks against the instance's character limit."""
    return _length(text, spoiler or "")


def mentions(text: str) -> list[str]:
    """The accounts mentioned in `text`, as written ("user" or "user@domain")."""
    return [name for _, _, name in _mentions(text)]


def urls(text: str) -> list[str]:
    """The URLs with a scheme that Mastodon links in `text`, in order."""
    return [text[start:end] for start, end in _urls(text)]


# --- counting ---------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _length(text: str, spoiler: str) -> int:
    if not text or text.isspace():
        countable = ""
    else:
        entities = [(start, end, "") for start, end in _urls(text)]
        entities += [(start, end, name) for start, end, name in _mentions(text)]
        countable = _rewrite(text, entities) if entities else text
    return grapheme_count(spoiler + countable)


def _rewrite(text: str, entities: list[tuple[int, int, str]]) -> str:
    """The text with each URL as 23 characters and each mention as "@user"."""
    entities.sort(key=lambda entity: entity[0])
    pieces = []
    done = 0
    for start, end, name in entities:
        if start < done:
            continue  # overlaps the one before (remove_overlapping_entities)
        pieces.append(text[done:start])
        pieces.append("@" + name.split("@")[0] if name else "x" * URL_LENGTH)
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


# --- URLs -------------------------------------------------------------------

# No part of a URL can hold these; a URL match begins at most one character
# before its run of other characters.
_SEPARATORS = "\t\n\v\f\r \x85"
_SEPARATOR = re.compile(f"[{_SEPARATORS}]")
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40


def _urls(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL with a scheme, as the server's extractor.

    Twitter::Extractor.extract_urls_with_indices(text,
    extract_url_without_protocol: false) with Mastodon's regex: matches
    without a scheme are skipped, but they still take their text. The regex is
    run on each run between separators that holds "://" (with the character
    before it): it cannot match anywhere else, nor across runs.
    """
    if "://" not in text:
        return []
    found: list[tuple[int, int]] = []
    position = 0
    size = len(text)
    backwards = text[::-1]  # the separator before a "://" is the first one here
    while (at := text.find("://", position)) != -1:
        before = _SEPARATOR.search(backwards, size - at)
        start = size - before.start() if before else 0
        after = _SEPARATOR.search(text, at)
        end = after.start() if after else size
        offset = max(start - 1, 0)
        found.extend((offset + s, offset + e) for s, e in _run_urls(text[offset:end]))
        position = end
    return found


@functools.lru_cache(maxsize=4096)
def _run_urls(run: str) -> tuple[tuple[int, int], ...]:
    patterns = _url_patterns()
    found: list[tuple[int, int]] = []
    for match in patterns.url.finditer(run):
        protocol, domain = match.group("protocol"), match.group("domain")
        if not protocol:
            continue
        start, end = match.span("url")
        url = match.group("url")
        tco = patterns.tco.match(url)
        if tco:
            if len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                continue
            url = tco.group(0)
            end = start + len(url)
        if not _valid_domain(len(url), domain):
            continue
        found.append((start, end))
    return tuple(found)


def _valid_domain(url_length: int, domain: str) -> bool:
    """Twitter::Extractor#is_valid_domain: IDNA (2003) encodable, not too long."""
    try:
        encoded = domain.encode("idna")
    except UnicodeError:
        return False
    return url_length + max(len(encoded) - len(domain), 0) <= _MAX_URL_LENGTH


@dataclass(frozen=True)
class _UrlPatterns:
    url: re.Pattern[str]
    tco: re.Pattern[str]


@functools.cache
def _url_patterns() -> _UrlPatterns:
    """Mastodon's REGEXEN[:valid_url], spelled for Python's `re`."""
    # The top-level domains, as twitter_text ships them (with their lookahead).
    gtld = twitter_text_module("regexp.valid_gtld").valid_gtld.pattern
    cctld = twitter_text_module("regexp.valid_cctld").valid_cctld.pattern

    directional = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
    invalid = "\ufffe\ufeff\uffff"
    punctuation = re.escape("!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~\\")
    spaces = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    control = "\x00-\x1f\x7f"
    domain_char = f"[^{directional}{punctuation}{spaces}{control}{invalid}]"
    subdomain = f"(?:(?:{domain_char}(?:[_-]|{domain_char})*)?{domain_char}\\.)"
    domain_name = f"(?:(?:{domain_char}(?:-|{domain_char})*)?{domain_char}\\.)"
    domain = f"(?:{subdomain}*{domain_name}(?:{gtld}|{cctld}|(?:xn--[0-9a-z]+)))"

    white_space = "\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    # twitter-text's path characters (with \p{Cyrillic} and \p{Pd} as ranges
    # Python knows) make the balanced parentheses of the path's last character.
    latin = (
        "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
        "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
    )
    cyrillic = "\u0400-\u052f\u1c80-\u1c88\u1d2b\u1d78\u2de0-\u2dff\ua640-\ua69f\ufe2e\ufe2f"
    dashes = (
        "\\-\u058a\u05be\u1400\u1806\u2010-\u2015\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d"
        "\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead"
    )
    old_path_char = f"[a-z{cyrillic}0-9!*';:=+,.$/%#\\[\\]{dashes}_~&|@{latin}]"
    old_parens = _balanced_parens(old_path_char)
    path_char = f"[^{white_space}<>()?]"
    parens = _balanced_parens(path_char)
    path_ending = f"(?:[^{white_space}()?!*\"'「」<>;:=,.$%\\[\\]~&|@]|{old_parens})"
    path = f"(?:(?:{path_char}*(?:{parens}{path_char}*)*{path_ending})|(?:{path_char}+/))"
    uchars = (
        "\xa0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
        "\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd"
        "\U00060000-\U0006fffd\U00070000-\U0007fffd\U00080000-\U0008fffd"
        "\U00090000-\U0009fffd\U000a0000-\U000afffd\U000b0000-\U000bfffd"
        "\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd"
        "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
    )
    query_char = f"[a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@^{uchars}]"
    query_ending = f"[a-z0-9_&=#/\\-{uchars}]"
    preceding = f"(?:[^A-Z0-9@\uff20$#\uff03{invalid}]|[{directional}]|^)"
    url = (
        f"({preceding})"
        "(?P<url>"
        "(?P<protocol>(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://)?"
        f"(?P<domain>{domain})"
        "(?::[0-9]+)?"
        f"(?:/{path}*)?"
        f"(?:\\?{query_char}*{query_ending})?"
        ")"
    )
    return _UrlPatterns(
        url=re.compile(url, re.IGNORECASE | re.MULTILINE),
        tco=re.compile(r"https?://t\.co/([a-z0-9]+)", re.IGNORECASE),
    )


def _balanced_parens(path_char: str) -> str:
    # One level of nested parentheses, as twitter-text allows.
    return f"\\((?:{path_char}+|(?:{path_char}*\\({path_char}+\\){path_char}*))\\)"


# --- mentions and hashtags ----------------------------------------------------

_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_END_MENTION = re.compile(f"[@\uff20]|[{_LATIN_ACCENTS}]|://", re.IGNORECASE)


def _mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, "user" or "user@domain") of each mention, as the server."""
    if "@" not in text and "\uff20" not in text:
        return []
    found = []
    for match in _mention().finditer(text):
        if _END_MENTION.match(text, match.end()):
            continue
        found.append((match.start(1) - 1, match.end(1), match.group(1)))
    return found


# Ruby's [[:word:]]: letters, marks, decimal digits, connector punctuation.
_WORD = r"[\p{L}\p{M}\p{Nd}\p{Pc}]"


@functools.cache
def _mention() -> regex.Pattern[str]:
    import regex

    username = r"(?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)"
    return regex.compile(rf"(?<![=/]|{_WORD})@({username}(?:@{_WORD}+(?:[.-]+{_WORD}+)*)?)")


def measure(text: str, spoiler: str | None, account: object) -> Measured:
    """Mastodon's rule, for the registry, against the instance's limit.

    Every part of a thread carries the spoiler on Mastodon, and it counts.
    """
    limit = (
        account.max_characters
        if isinstance(account, MastodonAccount)
        else get("mastodon").default_limit or 500
    )
    return Measured(text, length(text, spoiler), limit)
