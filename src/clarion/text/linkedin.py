"""LinkedIn: a post's text as the Posts API's `commentary`, and its length.

The Posts API takes the text in LinkedIn's "little" text format
(https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format):
the characters ``\\ | { } @ [ ] ( ) < > # * _ ~`` are reserved for its elements
(mentions, hashtags, templates) and "need to be escaped with a backslash, even if
those characters are not used in one of the supported elements". One left
unescaped that starts no element makes LinkedIn cut the commentary there,
silently: the post goes out, and everything from that character on is lost.

So `commentary` escapes every reserved character of the text, in links too (a
reader sees the text unescaped, and LinkedIn links the address it shows), except
the `#` of a hashtag: a hashtag is sent as the page's HashtagTemplate,
``{hashtag|\\#|tag}``, which LinkedIn shows as ``#tag`` and keeps clickable. A
mention in another network's syntax (``@name``) is plain text on LinkedIn, whose
mentions name a member's or an organisation's URN (``@[Name](urn:li:…)``).

The limit is 3000 characters of the text as written: a reader sees the text
unescaped, so an escape does not count twice. Characters are counted as
LinkedIn's services and its web composer count a string, in UTF-16 code units:
an emoji beyond the Basic Multilingual Plane counts 2, a CJK ideograph 1 (the
stricter reading of "characters", so a text that passes here is never cut).

`shown` is the way back: the text a reader sees of a commentary (escapes undone,
templates and elements as LinkedIn shows them, nothing after a character that
would cut it). The adapter compares posts it finds on the account by it.
"""

from __future__ import annotations

import re
import unicodedata

from clarion.networks import Measured

LIMIT = 3000  # characters of the commentary (the Posts API, `commentary`)
RESERVED = frozenset("\\|{}@[]()<>#*_~")
HASHTAG_SIGNS = ("#", "\uff03")  # the HashtagTemplate's sign: '#' (U+0023) or '＃' (U+FF03)

# An address, which a hashtag never starts inside (https://example.org/page#part).
_URL = re.compile(r"(?i)\b(?:https?|ftp)://\S+|\bwww\.\S+")
# Before a hashtag: the start, a space or punctuation that ends a word; not a
# letter, digit or mark (C#, page#2), nor what joins an address (&#, /#, =#).
_NOT_BEFORE_HASHTAG = frozenset("&/=#＃@_-.:?+%~\\")
_TEMPLATE = re.compile(r"\{hashtag\|\\?([#\uff03])\|((?:\\.|[^\\{}|])+)\}")
_MENTION = re.compile(r"@\[((?:\\.|[^\\\]])*)\]\((urn:li:(?:person|organization):[0-9A-Za-z_-]+)\)")


def measure(text: str, spoiler: str | None = None, account: object = None) -> Measured:
    """The text's length as LinkedIn counts it (what a reader sees), out of 3000."""
    return Measured(text=text, length=length(text), limit=LIMIT)


def length(text: str) -> int:
    """UTF-16 code units of the text as written."""
    return len(text.encode("utf-16-le")) // 2


def commentary(text: str) -> str:
    """The text in the little format: every reserved character escaped, each
    hashtag sent as LinkedIn's hashtag template."""
    tags = dict(hashtags(text))
    out: list[str] = []
    at = 0
    while at < len(text):
        end = tags.get(at)
        if end is not None:
            sign = escape(text[at])  # "#" is reserved, "＃" is not
            out.append("{hashtag|" + sign + "|" + escape(text[at + 1 : end]) + "}")
            at = end
            continue
        char = text[at]
        out.append("\\" + char if char in RESERVED else char)
        at += 1
    return "".join(out)


def escape(text: str) -> str:
    """Every reserved character of `text` escaped with a backslash."""
    return "".join("\\" + char if char in RESERVED else char for char in text)


def hashtags(text: str) -> list[tuple[int, int]]:
    """(start, end) of each hashtag of `text`: a sign (#, ＃) after the start, a space
    or punctuation, then letters, marks, digits and underscores, at least one a
    letter; never inside an address."""
    if "#" not in text and "\uff03" not in text:
        return []
    inside = [(m.start(), m.end()) for m in _URL.finditer(text)]
    found = []
    for at, char in enumerate(text):
        if char not in HASHTAG_SIGNS or any(start <= at < end for start, end in inside):
            continue
        if at and (_tag_char(text[at - 1]) or text[at - 1] in _NOT_BEFORE_HASHTAG):
            continue
        end = at + 1
        while end < len(text) and _tag_char(text[end]):
            end += 1
        tag = text[at + 1 : end]
        if any(unicodedata.category(c).startswith("L") for c in tag):
            found.append((at, end))
    return found


def _tag_char(char: str) -> bool:
    return char == "_" or unicodedata.category(char)[0] in "LMN"


def shown(little: str) -> str:
    """What a reader sees of the commentary `little`: escapes undone, a hashtag
    template as its hashtag, a mention as the name it shows; it ends where a
    reserved character that starts no element would make LinkedIn cut it."""
    out: list[str] = []
    at = 0
    while at < len(little):
        char = little[at]
        if char == "\\" and at + 1 < len(little):
            out.append(little[at + 1])
            at += 2
            continue
        if char not in RESERVED:
            out.append(char)
            at += 1
            continue
        template = _TEMPLATE.match(little, at)
        if template:
            out.append(template[1] + _unescape(template[2]))
            at = template.end()
            continue
        mention = _MENTION.match(little, at)
        if mention:
            out.append(_unescape(mention[1]))
            at = mention.end()
            continue
        tag = _hashtag_element(little, at)
        if tag:
            out.append(little[at:tag])
            at = tag
            continue
        break  # LinkedIn cuts the commentary here
    return "".join(out)


def _hashtag_element(little: str, at: int) -> int:
    """The end of the HashtagElement (#tag) at `at`, or 0."""
    if little[at] != "#":
        return 0
    end = at + 1
    while end < len(little) and _tag_char(little[end]) and little[end] != "_":
        end += 1
    return end if end > at + 1 else 0


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)
