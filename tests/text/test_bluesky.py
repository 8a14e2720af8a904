"""Bluesky: the text sent, its facets (UTF-8 byte offsets), graphemes and bytes."""

from __future__ import annotations

from typing import Any

import pytest

from clarion.text import bluesky, bluesky_detection

# What the app finds in each text: (kind, value) or ("link", uri, shown).
# Computed with @atproto/api 0.21 (RichText.detectFacetsWithoutResolution)
# and social-app's toShortUrl under Node's WHATWG URL, then written down here.
DETECTED: list[tuple[str, list[tuple[str, ...]]]] = [
    ("@handle.com middle end", [("mention", "handle.com")]),
    ("parenthetical (@handle.com)", [("mention", "handle.com")]),
    ("not@right", []),
    ("@handle.com!@#$chars", [("mention", "handle.com")]),
    ("@full123-chars.test", [("mention", "full123-chars.test")]),
    ("@Alice.BSKY.social caps", [("mention", "Alice.BSKY.social")]),
    ("@alice.bsky.social.", [("mention", "alice.bsky.social")]),
    ("start https://middle.com end", [("link", "https://middle.com", "middle.com")]),
    (
        "https://start.com/foo/bar?baz=bux#hash middle end",
        [("link", "https://start.com/foo/bar?baz=bux#hash", "start.com/foo/bar?baz=...")],
    ),
    (
        "start middle.com/foo/bar?baz=bux#hash end",
        [("link", "https://middle.com/foo/bar?baz=bux#hash", "middle.com/foo/bar?baz=bux#hash")],
    ),
    ("a trailing bsky.app: colon", [("link", "https://bsky.app", "bsky.app")]),
    ("not.. a..url ..here", []),
    ("e.g.", []),
    ("website.com.jpg", []),
    (
        "punctuation https://foo.com, https://bar.com/whatever; https://baz.com.",
        [
            ("link", "https://foo.com", "foo.com"),
            ("link", "https://bar.com/whatever", "bar.com/whatever"),
            ("link", "https://baz.com", "baz.com"),
        ],
    ),
    ("parenthentical (https://foo.com)", [("link", "https://foo.com", "foo.com")]),
    (
        "except for https://foo.com/thing_(cool)",
        [("link", "https://foo.com/thing_(cool)", "foo.com/thing_(cool)")],
    ),
    ("HTTPS://EXAMPLE.COM shouts", []),
    ("my-site.com has a hyphen", []),
    ("file.py is Paraguay", [("link", "https://file.py", "file.py")]),
    ("#a #b #c", [("tag", "a"), ("tag", "b"), ("tag", "c")]),
    ("#1 #12 #a1", [("tag", "a1")]),
    ("#tag!! and #tag's", [("tag", "tag"), ("tag", "tag's")]),
    ("it is #日本語 and #🍣", [("tag", "日本語"), ("tag", "🍣")]),
    ("#tag\u200bzw", [("tag", "tag")]),
    ("x#nottag", []),
    ("\uff03fullwidth", [("tag", "fullwidth")]),
    (
        "#" + "a" * 64 + " #" + "b" * 65,  # a tag is at most 64 graphemes
        [("tag", "a" * 64)],
    ),
    ("$AAPL and $TSLA. $5 $ABCDEF", [("tag", "$AAPL"), ("tag", "$TSLA")]),
    (
        "🇺🇸 https://example.com/a/very/long/path/indeed 👨\u200d👩\u200d👧 #タグ "
        "@alice.bsky.social",
        [
            ("link", "https://example.com/a/very/long/path/indeed", "example.com/a/very/long/..."),
            ("tag", "タグ"),
            ("mention", "alice.bsky.social"),
        ],
    ),
    (
        "https://ß.de/ü?q=ü#frag",
        [("link", "https://ß.de/ü?q=ü#frag", "xn--zca.de/%C3%BC?q=%C3...")],
    ),
    ("https://A.COM:443/x", [("link", "https://A.COM:443/x", "a.com/x")]),
    ("https://example.com:8080/", [("link", "https://example.com:8080/", "example.com:8080")]),
    ("https://日本.jp/パス", [("link", "https://日本.jp/パス", "xn--wgv71a.jp/%E3%83%91%E3...")]),
    ("https://127.1/", [("link", "https://127.1/", "127.0.0.1")]),
    ("https://u:p@a.com/", [("link", "https://u:p@a.com/", "a.com")]),
    ("https://a.com/./b/../c", [("link", "https://a.com/./b/../c", "a.com/c")]),
    ("https://example.com/", [("link", "https://example.com/", "example.com")]),
    (
        "https://example.com/exactly15chr",
        [("link", "https://example.com/exactly15chr", "example.com/exactly15chr")],
    ),
    (
        "https://example.com/exactly16chars",
        [("link", "https://example.com/exactly16chars", "example.com/exactly16chars")],
    ),
]


def _detected(text: str) -> list[tuple[str, ...]]:
    found: list[tuple[int, tuple[str, ...]]] = []
    for start, _, handle in bluesky_detection.mention_spans(text):
        found.append((start, ("mention", handle)))
    for start, end, uri in bluesky_detection.link_spans(text):
        found.append((start, ("link", uri, bluesky.to_short_url(text[start:end]))))
    for start, _, tag in bluesky_detection.tag_spans(text):
        found.append((start, ("tag", tag)))
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


@pytest.mark.parametrize(("text", "expected"), DETECTED)
def test_detects_what_the_app_detects(text: str, expected: list[tuple[str, ...]]) -> None:
    assert _detected(text) == [tuple(item) for item in expected]


def _facet_text(sent: str, facet: dict[str, Any]) -> str:
    index = facet["index"]
    return sent.encode("utf-8")[index["byteStart"] : index["byteEnd"]].decode("utf-8")


@pytest.mark.parametrize(("text", "expected"), DETECTED)
def test_facets_cover_what_is_shown(text: str, expected: list[tuple[str, ...]]) -> None:
    prepared = bluesky.prepare(text)
    shown = [_facet_text(prepared.text, facet) for facet in prepared.facets]
    wanted = []
    for item in expected:
        if item[0] == "link":
            wanted.append(item[2])
        elif item[0] == "tag" and item[1].startswith("$"):
            wanted.append(item[1])
        elif item[0] == "tag":
            wanted.append(prepared.text[prepared.text.index(item[1]) - 1 :][: len(item[1]) + 1])
    assert shown == wanted
    raw = prepared.text.encode("utf-8")
    for mention in prepared.mentions:
        assert raw[mention.byte_start : mention.byte_end].decode() == "@" + mention.handle


def test_a_post_with_emoji_and_cjk() -> None:
    text = (
        "🇺🇸 https://example.com/a/very/long/path/indeed 👨‍👩‍👧 #タグ @alice.bsky.social 日本 $aapl."
    )
    prepared = bluesky.prepare(text)
    assert prepared.text == (
        "🇺🇸 example.com/a/very/long/... 👨‍👩‍👧 #タグ @alice.bsky.social 日本 $aapl."
    )
    assert prepared.facets == (
        {
            "index": {"byteStart": 9, "byteEnd": 36},
            "features": [
                {
                    "$type": "app.bsky.richtext.facet#link",
                    "uri": "https://example.com/a/very/long/path/indeed",
                }
            ],
        },
        {
            "index": {"byteStart": 56, "byteEnd": 63},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "タグ"}],
        },
        {
            "index": {"byteStart": 90, "byteEnd": 95},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "$AAPL"}],
        },
    )
    assert prepared.mentions == (bluesky.Mention(64, 82, "alice.bsky.social"),)
    assert prepared.bytes == len(prepared.text.encode()) == 96
    # flag, space, the link (27), space, family, space, tag (3), space, mention
    # (18), space, 日本 (2), space, $aapl. (6)
    assert prepared.graphemes == 1 + 1 + 27 + 1 + 1 + 1 + 3 + 1 + 18 + 1 + 2 + 1 + 6


def test_links_after_a_shortened_link_move_with_it() -> None:
    text = "https://example.com/a/long/path/to/somewhere and https://b.org/x #end"
    prepared = bluesky.prepare(text)
    assert prepared.text == "example.com/a/long/path/... and b.org/x #end"
    assert [_facet_text(prepared.text, f) for f in prepared.facets] == [
        "example.com/a/long/path/...",
        "b.org/x",
        "#end",
    ]
    assert prepared.facets[1]["features"][0]["uri"] == "https://b.org/x"


def test_a_bare_domain_is_not_shortened() -> None:
    text = "see example.com/a/long/path/to/somewhere"
    prepared = bluesky.prepare(text)
    assert prepared.text == text
    uri = prepared.facets[0]["features"][0]["uri"]
    assert uri == "https://example.com/a/long/path/to/somewhere"


def test_a_mention_inside_a_link_is_dropped() -> None:
    prepared = bluesky.prepare("https://a.com/(@b.bsky.social)")
    assert prepared.mentions == ()
    assert len(prepared.facets) == 1


@pytest.mark.parametrize(
    ("text", "graphemes"),
    [
        ("", 0),
        ("plain ascii", 11),
        ("a\r\nb", 3),
        ("👨‍👩‍👧‍👦", 1),
        ("🇺🇸🇫🇷", 2),
        ("e\u0301", 1),
        ("👍🏽", 1),
        ("#️⃣", 1),
        ("한국어", 3),
        ("\u1100\u1161\u11a8", 1),  # a Hangul syllable in jamo
    ],
)
def test_graphemes(text: str, graphemes: int) -> None:
    assert bluesky.grapheme_count(text) == graphemes
    assert bluesky.prepare(text).graphemes == graphemes


def test_limits() -> None:
    assert not bluesky.prepare("a" * 300).too_long
    assert bluesky.prepare("a" * 301).too_long
    assert not bluesky.prepare("👍🏽" * 300).too_long  # 300 graphemes, 2400 bytes
    assert bluesky.prepare("👨‍👩‍👧‍👦" * 200).too_long  # 200 graphemes, 5000 bytes
    # A long link counts as its short form.
    long_link = "https://example.com/" + "x" * 400
    assert bluesky.prepare(long_link).graphemes == len("example.com/xxxxxxxxxxxx...")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://example.com", "example.com"),
        ("http://example.com/", "example.com"),
        ("https://example.com/12345678901234", "example.com/12345678901234"),
        ("https://example.com/123456789012345", "example.com/123456789012..."),
        ("https://example.com/?q=1#f", "example.com?q=1#f"),
        ("https://example.com?", "example.com"),
        ("https://EXAMPLE.com:443/Path", "example.com/Path"),
        ("https://example.com:8443", "example.com:8443"),
        ("https://example.com\\a\\b", "example.com/a/b"),
        ("https://example.com/a^b{c}", "example.com/a^b%7Bc%7D"),
        ("https://0x7f.1/", "127.0.0.1"),
        ("https://[::1]/", "https://[::1]/"),  # not shortened (module docs)
        ("https://%20/", "https://%20/"),  # the parser refuses it: as is
        ("example.com/long/path/here/and/more", "example.com/long/path/here/and/more"),
    ],
)
def test_to_short_url(url: str, shown: str) -> None:
    assert bluesky.to_short_url(url) == shown


def test_public_lists() -> None:
    text = "Hi @alice.bsky.social, see example.com and #python!"
    assert bluesky.mentions(text) == ["alice.bsky.social"]
    assert bluesky.links(text) == ["https://example.com"]
    assert bluesky.hashtags(text) == ["python"]


def test_domains() -> None:
    assert bluesky.is_valid_domain("example.com")
    assert bluesky.is_valid_domain("example.みんな")
    assert not bluesky.is_valid_domain("example.COM")
    assert not bluesky.is_valid_domain("localhost")
