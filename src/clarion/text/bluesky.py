"""Bluesky's text rules: the text actually sent, its facets, and its length.

Bluesky links nothing by itself: a post carries "facets", byte ranges of its
UTF-8 text marked as a link, a mention or a tag. `prepare` does what the
official app (bluesky-social/social-app) does with what a person types:

1. Detection, as `RichText.detectFacets` of @atproto/api: links, tags and
   cashtags, mentions (`clarion.text.bluesky_detection`, with the top-level
   domains of `clarion.text.bluesky_domains`). The handle is resolved to a DID
   when sending, so mentions are listed apart from `facets`.
2. Link shortening, as the app's `shortenLinks` with `toShortUrl`
   (`clarion.text.bluesky_short_urls`): a `http(s)://` link is shown as its
   host plus path, query and fragment, cut to 13 characters and "..." when
   that is longer than 15; the facet still points at the full URL.
   Clarion shortens because a post should look as if made in the app, and
   because Bluesky counts graphemes of what is sent: a long URL would
   otherwise eat the 300-grapheme limit. A bare domain is left as written.

Limits: 300 graphemes (extended grapheme clusters, `regex`'s `\\X`, as ICU
counts them) and 3000 UTF-8 bytes of the text sent.

Where this differs from the app, on purpose or by necessity (detection and
shortening name their own differences):
- a facet partly over a link (a mention inside a URL's path) is dropped
  rather than squeezed by the shortening (the app's RichText.delete also
  miscounts bytes there, which is not copied either).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clarion.networks import Measured
from clarion.text.bluesky_detection import link_spans, mention_spans, tag_spans
from clarion.text.bluesky_domains import is_valid_domain
from clarion.text.bluesky_short_urls import to_short_url
from clarion.text.entities import grapheme_count

# Detection and shortening live in their own modules; callers find their names here too.
__all__ = [
    "LINK",
    "MAX_BYTES",
    "MAX_GRAPHEMES",
    "TAG",
    "BlueskyText",
    "Mention",
    "grapheme_count",
    "hashtags",
    "is_valid_domain",
    "links",
    "measure",
    "mentions",
    "prepare",
    "to_short_url",
]

MAX_GRAPHEMES = 300
MAX_BYTES = 3000

LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"


@dataclass(frozen=True)
class Mention:
    """An `@handle` in the sent text: its DID is looked up when sending."""

    byte_start: int
    byte_end: int
    handle: str


@dataclass(frozen=True)
class BlueskyText:
    """What is sent to Bluesky for one post."""

    text: str
    # app.bsky.richtext.facet objects (links and tags), by byteStart.
    facets: tuple[dict[str, Any], ...]
    mentions: tuple[Mention, ...]
    graphemes: int
    bytes: int

    @property
    def too_long(self) -> bool:
        return self.graphemes > MAX_GRAPHEMES or self.bytes > MAX_BYTES


def prepare(text: str) -> BlueskyText:
    """The text Bluesky receives for `text`, with its facets and length."""
    links = link_spans(text)
    others: list[tuple[int, int, str, str]] = []  # start, end, kind, value
    for start, end, handle in mention_spans(text):
        others.append((start, end, "mention", handle))
    for start, end, tag in tag_spans(text):
        others.append((start, end, TAG, tag))
    # A facet partly over a link (a mention inside its path) cannot follow the
    # shortening: dropped. One around a link (a tag holding one) follows it.
    others = [
        item
        for item in others
        if all(_encloses(item, link) or not _overlap(item, link) for link in links)
    ]

    sent, entities, shift = _shorten(text, links)

    def moved(position: int) -> int:
        change = 0
        for old, new_delta in shift:
            if position >= old:
                change = new_delta
        return position + change

    entities.extend((moved(start), moved(end), kind, value) for start, end, kind, value in others)
    entities.sort(key=lambda entity: entity[0])

    ascii_text = sent.isascii()
    facets: list[dict[str, Any]] = []
    mentions: list[Mention] = []
    for start, end, kind, value in entities:
        if ascii_text:
            byte_start, byte_end = start, end
        else:
            byte_start = len(sent[:start].encode("utf-8"))
            byte_end = byte_start + len(sent[start:end].encode("utf-8"))
        if kind == "mention":
            mentions.append(Mention(byte_start, byte_end, value))
            continue
        feature = {"$type": kind, "uri": value} if kind == LINK else {"$type": kind, "tag": value}
        facets.append(
            {"index": {"byteStart": byte_start, "byteEnd": byte_end}, "features": [feature]}
        )
    return BlueskyText(
        text=sent,
        facets=tuple(facets),
        mentions=tuple(mentions),
        graphemes=grapheme_count(sent),
        bytes=len(sent.encode("utf-8")),
    )


def _shorten(
    text: str, links: list[tuple[int, int, str]]
) -> tuple[str, list[tuple[int, int, str, str]], list[tuple[int, int]]]:
    """The text with its links shortened, left to right: (the text sent, a link
    facet's (start, end, LINK, URI) for each, and (old position, change in length
    from there) to map every later position to the new text)."""
    pieces: list[str] = []
    shift: list[tuple[int, int]] = []
    done = 0
    delta = 0
    entities: list[tuple[int, int, str, str]] = []
    for start, end, uri in links:
        shown = to_short_url(text[start:end])
        pieces.append(text[done:start])
        new_start = start + delta
        pieces.append(shown)
        entities.append((new_start, new_start + len(shown), LINK, uri))
        delta += len(shown) - (end - start)
        shift.append((end, delta))
        done = end
    pieces.append(text[done:])
    return "".join(pieces), entities, shift


def mentions(text: str) -> list[str]:
    """The handles Bluesky links in `text` (without "@"), in order."""
    return [handle for _, _, handle in mention_spans(text)]


def links(text: str) -> list[str]:
    """The URIs Bluesky links in `text`, in order."""
    return [uri for _, _, uri in link_spans(text)]


def hashtags(text: str) -> list[str]:
    """The tags Bluesky makes of `text` (without "#"; cashtags as "$ABC")."""
    return [tag for _, _, tag in tag_spans(text)]


def _overlap(item: tuple[int, int, str, str], link: tuple[int, int, str]) -> bool:
    return item[0] < link[1] and link[0] < item[1]


def _encloses(item: tuple[int, int, str, str], link: tuple[int, int, str]) -> bool:
    return item[0] <= link[0] and link[1] <= item[1]


def measure(text: str, spoiler: str | None, account: object) -> Measured:
    """Bluesky's rule, for the registry: graphemes and bytes of the text as sent.

    The text sent depends on its links alone (`prepare` without the facets,
    which the counts do not need: half its cost).
    """
    sent = _shorten(text, link_spans(text))[0]
    return Measured(sent, grapheme_count(sent), MAX_GRAPHEMES, len(sent.encode("utf-8")), MAX_BYTES)
