"""The text rules look for entities only where one can be, and cache what comes
back post after post: on generated texts full of near misses they find exactly
what the networks' own patterns find scanning the whole text."""

from __future__ import annotations

import random
import re

import pytest

from clarion.text import bluesky, bluesky_detection
from clarion.text.bluesky_domains import is_valid_domain
from clarion.text.entities import grapheme_count

# Pieces that start, end or break an entity, or almost do.
PIECES = [
    *"   \n\t.,;:!?()#$@/-_'\"",
    "\u00a0",
    "\u3000",
    "\u200b",
    "\u200d",
    "\u2060",
    "\ufe0f",
    "\uff03",
    "\uff20",
    "é",
    "日本",
    "🎉",
    "🇩🇪",
    "1",
    "42",
    "a",
    "Tag",
    "FOSS",
    "http",
    "https://",
    "HTTPS://",
    "://",
    "example.com",
    "example.org/blog?x=1",
    "docs.example.org/en/latest/changelog.html#version-2-4",
    "bsky.app",
    "alice.bsky.social",
    "file.py",
    "my-site.com",
    "e.g.",
    "x.test",
    "ß.de",
    "(cool)",
    "AAPL",
    "a" * 70,
]


def texts(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)  # noqa: S311 (reproducible test data)
    return ["".join(rnd.choices(PIECES, k=rnd.randint(0, 24))) for _ in range(count)]


# @atproto/api's URL_REGEX and TAG_REGEX as the app runs them: over the whole text.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_URL = re.compile(
    rf"(^|[{_JS_SPACE}(])"
    rf"((?P<scheme>[hH][tT][tT][pP][sS]?://[^{_JS_SPACE}]+)"
    rf"|(?P<domain>[a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)+)[^{_JS_SPACE}]*)"
)


def whole_text_links(text: str) -> list[tuple[int, int, str]]:
    found = []
    for match in _URL.finditer(text):
        start, stop = match.span(2)
        uri = match.group(2)
        if not uri.startswith("http"):
            if not is_valid_domain(match.group("domain") or ""):
                continue
            uri = f"https://{uri}"
        elif match.group("scheme") is None:
            uri = f"https://{uri}"
        if uri[-1] in ".,;:!?":
            uri, stop = uri[:-1], stop - 1
        if uri.endswith(")") and "(" not in uri:
            uri, stop = uri[:-1], stop - 1
        found.append((start, stop, uri))
    return found


def whole_text_tags(text: str) -> list[tuple[int, int, str]]:
    import regex

    blank = _JS_SPACE + "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
    tag_regex = regex.compile(
        rf"(?:^|[{_JS_SPACE}])[#\uff03]((?!\ufe0f)[^{blank}]*[^0-9{blank}\p{{P}}]+[^{blank}]*)"
    )
    found = []
    for match in tag_regex.finditer(text):
        tag = regex.sub(r"\p{P}+\Z", "", match.group(1))
        if tag and grapheme_count(tag) <= 64:
            start = match.start(1) - 1
            found.append((start, start + 1 + len(tag), tag))
    return found


@pytest.mark.parametrize("seed", range(4))
def test_bluesky_links_as_found_in_the_whole_text(seed: int) -> None:
    for text in texts(seed, 1500):
        assert bluesky_detection.link_spans(text) == whole_text_links(text), text


@pytest.mark.parametrize("seed", range(4))
def test_bluesky_tags_as_found_in_the_whole_text(seed: int) -> None:
    for text in texts(100 + seed, 1500):
        found = bluesky_detection.tag_spans(text)
        tags = [span for span in found if text[span[0]] != "$"]  # cashtags aside
        assert tags == whole_text_tags(text), text


def test_bluesky_counts_what_prepare_sends() -> None:
    for text in texts(200, 3000):
        prepared = bluesky.prepare(text)
        measured = bluesky.measure(text, None, None)
        assert (measured.text, measured.length, measured.bytes) == (
            prepared.text,
            prepared.graphemes,
            prepared.bytes,
        ), text


@pytest.mark.parametrize("seed", range(3))
def test_mastodon_urls_as_found_in_the_whole_text(seed: int) -> None:
    # The server's extractor (_run_urls) run on the whole text, not on the runs around "://".
    from clarion.text import mastodon

    for text in texts(300 + seed, 1500):
        assert mastodon._urls(text) == list(mastodon._run_urls(text)), text


@pytest.mark.parametrize("seed", range(3))
def test_x_urls_as_found_in_the_whole_text(seed: int) -> None:
    # twitter_text's extractor (_run_urls) run on the whole text, not on the runs around dots.
    from clarion.text import x

    for text in texts(400 + seed, 1500):
        assert x._url_entities(text) == list(x._run_urls(text)), text
