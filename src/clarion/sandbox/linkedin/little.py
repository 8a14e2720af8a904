"""The "little" text format as LinkedIn reads a post's commentary: where it cuts it.

https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format:
a commentary is a sequence of elements: text, a mention
``@[Name](urn:li:person:…|urn:li:organization:…)``, a hashtag ``#tag``, and the
HashtagTemplate ``{hashtag|#|tag}`` (its sign '#' or '＃'). The characters
``\\ | { } @ [ ] ( ) < > # * _ ~`` are reserved for them and "need to be escaped
with a backslash, even if those characters are not used in one of the supported
elements". A reserved character that is not escaped and starts no element ends
what LinkedIn keeps: the post is made, without an error, holding the commentary
up to that character (the page's own warning, and what publishers report of the
live API: a caption like "Va al repo (durable)" published as "Va al repo ").

This module reads the grammar on its own, apart from the text rule Clarion sends
with (`clarion.text.linkedin`), so that a test of the two is a test of one against
the documentation, not of a function against itself.
"""

from __future__ import annotations

import re

RESERVED = frozenset("\\|{}@[]()<>#*_~")

_MENTION = re.compile(r"@\[((?:\\.|[^\\\]\[])*)\]\(urn:li:(?:person|organization):[0-9A-Za-z_-]+\)")
_TEMPLATE = re.compile(r"\{hashtag\|\\?(#|\uff03)\|((?:\\.|[^\\{}|\s])+)\}")
# A HashtagElement: '#' and the letters, marks and digits of the tag (the '_' of
# a tag is reserved, so an element ends before one).
_HASHTAG = re.compile(r"#[^\W_]+")


def kept(commentary: str) -> str:
    """The commentary as LinkedIn keeps it: up to the first reserved character that
    is neither escaped nor the start of an element."""
    at = 0
    while at < len(commentary):
        char = commentary[at]
        if char == "\\":
            if at + 1 == len(commentary):
                return commentary[:at]  # a lone backslash escapes nothing
            at += 2
            continue
        if char not in RESERVED:
            at += 1
            continue
        element = _MENTION.match(commentary, at) or _TEMPLATE.match(commentary, at)
        element = element or _HASHTAG.match(commentary, at)
        if element is None:
            return commentary[:at]
        at = element.end()
    return commentary


def shown(commentary: str) -> str:
    """What a reader sees of a commentary LinkedIn kept: escapes undone, a template
    as its hashtag, a mention as its name."""
    out: list[str] = []
    at = 0
    while at < len(commentary):
        mention = _MENTION.match(commentary, at)
        template = _TEMPLATE.match(commentary, at)
        if commentary[at] == "\\" and at + 1 < len(commentary):
            out.append(commentary[at + 1])
            at += 2
        elif mention:
            out.append(_unescape(mention[1]))
            at = mention.end()
        elif template:
            out.append(template[1] + _unescape(template[2]))
            at = template.end()
        else:
            out.append(commentary[at])
            at += 1
    return "".join(out)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)
