"""Where Bluesky finds links, mentions and tags, as `RichText.detectFacets` of @atproto/api.

- links: `http(s)://` and everything up to the next whitespace, or a bare
  domain of letters and digits (no hyphen) whose top-level domain is in the
  IANA list (the `tlds` package), with its path; one trailing `.,;:!?` and
  then an unmatched `)` are left out; a bare domain links to `https://`.
  A scheme in capitals ("HTTPS://") is not linked, as in the app.
- tags: `#` (or its full-width form) after whitespace or at the start, up to whitespace or a
  zero-width character, not only digits and punctuation, trailing
  punctuation left out, at most 64 graphemes; and cashtags (`$ABC`, up to
  five characters) as tags "$ABC".
- mentions: `@handle.domain` after whitespace, `(` or at the start, whose
  top-level domain is known (or `.test`).

Each is found as (start, end, value) spans of the text as written, in order.

Where this differs from the app: a bare domain starting with "http"
("httpbin.org") is linked, as in the app, but to "https://httpbin.org" (the
app gives a URI without scheme).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clarion.text.bluesky_domains import is_valid_domain
from clarion.text.entities import grapheme_count

if TYPE_CHECKING:
    import regex

# JavaScript's \s (what @atproto/api's regexes mean by whitespace).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ZERO_WIDTH = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"

_SPACES = frozenset(
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)

# The regexes of @atproto/api start with "(^|\s|\()" (or "(^|\s)"): a match
# begins after whitespace, "(" or at the start. They are run from each place
# that can begin one (found with str.find or a short regex), which finds what
# their scan of the whole text finds, faster.

# MENTION_REGEX after its "@": \b is ASCII in JavaScript, hence re.ASCII.
_HANDLE = re.compile(r"[a-zA-Z0-9.-]+\b", re.ASCII)
# URL_REGEX (flags gim): "i" spelled out so that only ASCII letters match.
_URL = re.compile(
    rf"(^|[{_JS_SPACE}(])"
    rf"((?P<scheme>[hH][tT][tT][pP][sS]?://[^{_JS_SPACE}]+)"
    rf"|(?P<domain>[a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)+)[^{_JS_SPACE}]*)"
)
# What a link needs: a dot and a letter or digit, or "://" and something.
_LINK_HINT = re.compile(rf"\.[a-zA-Z0-9]|://[^{_JS_SPACE}]")
_SPACE = re.compile(f"[{_JS_SPACE}]")
_HASH = re.compile("[#\uff03]")
_BLANK = re.compile(f"[{_JS_SPACE}{_ZERO_WIDTH}]")
# CASHTAG_REGEX after its "$".
_TICKER = re.compile(rf"[A-Za-z][A-Za-z0-9]{{0,4}}(?=[{_JS_SPACE}]|\Z|[.,;:!?)\"'\u2019])")
_MAX_TAG_GRAPHEMES = 64


def _after_space(text: str, at: int, also: str = "") -> bool:
    return at == 0 or text[at - 1] in _SPACES or text[at - 1] in also


def _after_sign(text: str, sign: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """What `pattern` matches right after each `sign` that starts the text or follows
    whitespace or "(" (MENTION_REGEX's and CASHTAG_REGEX's start); the next sign is
    looked for after a match."""
    found = []
    at = text.find(sign)
    while at != -1:
        following = at + 1
        if _after_space(text, at, "("):
            match = pattern.match(text, following)
            if match:
                found.append(match)
                following = match.end()
        at = text.find(sign, following)
    return found


def mention_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, handle) of each mention, the handle without "@"."""
    found: list[tuple[int, int, str]] = []
    if "@" in text:
        for match in _after_sign(text, "@", _HANDLE):
            handle = match.group(0)
            if is_valid_domain(handle) or handle.endswith(".test"):
                found.append((match.start() - 1, match.end(), handle))
    return found


def link_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, URI) of each link; a bare domain's URI starts "https://"."""
    found: list[tuple[int, int, str]] = []
    position = 0
    size = len(text)
    backwards = ""  # the text reversed, to find the whitespace before a hint
    while (hint := _LINK_HINT.search(text, position)) is not None:
        # The run of non-whitespace holding the hint, and the character before.
        at = hint.start()
        if not backwards:
            backwards = text[::-1]
        before = _SPACE.search(backwards, size - at)
        start = size - before.start() if before else 0
        after = _SPACE.search(text, at)
        end = after.start() if after else size
        offset = max(start - 1, 0)
        found.extend((offset + s, offset + e, uri) for s, e, uri in _run_links(text[offset:end]))
        position = end
    return found


@functools.lru_cache(maxsize=4096)
def _run_links(run: str) -> tuple[tuple[int, int, str], ...]:
    # Cached: the same link tends to come back post after post.
    found = []
    for match in _URL.finditer(run):
        start, stop = match.span(2)
        uri = match.group(2)
        if not uri.startswith("http"):
            domain = match.group("domain")
            if not domain or not is_valid_domain(domain):
                continue
            uri = f"https://{uri}"
        elif match.group("scheme") is None:
            uri = f"https://{uri}"  # "httpbin.org": see the module docs
        if uri[-1] in ".,;:!?":
            uri = uri[:-1]
            stop -= 1
        if uri.endswith(")") and "(" not in uri:
            uri = uri[:-1]
            stop -= 1
        found.append((start, stop, uri))
    return tuple(found)


def tag_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, tag) of each tag (without "#") and cashtag ("$ABC")."""
    found = []
    if "#" in text or "\uff03" in text:
        end = 0
        for at in _hash_signs(text):
            if at < end or not _after_space(text, at):
                continue
            # TAG_REGEX cannot take whitespace nor a zero-width character: what
            # it matches after this "#" depends on the run up to one alone.
            blank = _BLANK.search(text, at + 1)
            length, tag = _run_tag(text[at + 1 : blank.start() if blank else len(text)])
            end = at + 1 + length
            if tag:
                found.append((at, at + 1 + len(tag), tag))
    if "$" in text:
        for match in _after_sign(text, "$", _TICKER):
            ticker = match.group(0).upper()
            found.append((match.start() - 1, match.start() + len(ticker), f"${ticker}"))
    return found


def _hash_signs(text: str) -> list[int]:
    """Where each "#" (or its full-width form) is, in order."""
    if "\uff03" in text:
        return [sign.start() for sign in _HASH.finditer(text)]
    found = []
    at = text.find("#")
    while at != -1:
        found.append(at)
        at = text.find("#", at + 1)
    return found


@functools.lru_cache(maxsize=4096)
def _run_tag(run: str) -> tuple[int, str]:
    """(the length TAG_REGEX matches of `run`, the text after a "#", 0 when it
    matches nothing; the tag it makes, "" when none). Cached: tags come back."""
    match = _tag_patterns().tag.match(run)
    if not match:
        return 0, ""
    tag = _tag_patterns().trailing_punctuation.sub("", match.group(0))
    if len(tag) > _MAX_TAG_GRAPHEMES and grapheme_count(tag) > _MAX_TAG_GRAPHEMES:
        tag = ""
    return match.end(), tag


@dataclass(frozen=True)
class _TagPatterns:
    tag: regex.Pattern[str]
    trailing_punctuation: regex.Pattern[str]


@functools.cache
def _tag_patterns() -> _TagPatterns:
    # \p{P}, which `re` lacks; imported when a text first has a "#".
    import regex

    blank = _JS_SPACE + _ZERO_WIDTH
    # TAG_REGEX after its "#": JavaScript's \d (with the u flag) is [0-9].
    return _TagPatterns(
        tag=regex.compile(rf"(?!\ufe0f)[^{blank}]*[^0-9{blank}\p{{P}}]+[^{blank}]*"),
        trailing_punctuation=regex.compile(r"\p{P}+\Z"),
    )
