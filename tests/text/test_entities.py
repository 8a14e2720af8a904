"""Mentions written in another network's syntax."""

from __future__ import annotations

import pytest

from clarion import networks
from clarion.text import foreign_mentions, mention_syntax

TEXT = "Thanks @pycon, @alice.bsky.social and @bob@fosstodon.org! Mail us at hi@example.org."


@pytest.mark.parametrize(
    ("network", "expected"),
    [
        ("x", ["@alice.bsky.social", "@bob@fosstodon.org"]),
        ("bluesky", ["@pycon", "@bob@fosstodon.org"]),
        ("mastodon", ["@pycon", "@alice.bsky.social"]),
    ],
)
def test_foreign_mentions(network: str, expected: list[str]) -> None:
    assert foreign_mentions(network, TEXT) == expected


def test_no_mentions() -> None:
    assert foreign_mentions("x", "no mentions, an address a@b.org and a path /@x") == []


def test_syntax() -> None:
    assert mention_syntax("@name") == networks.get("x").mention_syntax
    assert mention_syntax("@handle.example.com") == networks.get("bluesky").mention_syntax
    assert mention_syntax("@user@instance.social") == networks.get("mastodon").mention_syntax


def test_unknown_network() -> None:
    with pytest.raises(ValueError, match="unknown network"):
        foreign_mentions("myspace", "@tom")


# --- graphemes -----------------------------------------------------------------

JOINING_PROPERTIES = (
    r"[\r\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}"
    r"\p{Grapheme_Cluster_Break=SpacingMark}\p{Grapheme_Cluster_Break=Prepend}"
    r"\p{Grapheme_Cluster_Break=Regional_Indicator}\p{Grapheme_Cluster_Break=L}"
    r"\p{Grapheme_Cluster_Break=V}\p{Grapheme_Cluster_Break=T}]"
)


def test_code_points_said_to_stand_alone_never_join() -> None:
    import re

    import regex

    from clarion.text import entities

    every_code_point = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    alone = "".join(re.findall(f"[{entities._ALONE}]", every_code_point))
    assert len(alone) > 40_000
    assert regex.findall(JOINING_PROPERTIES, alone) == []


def test_grapheme_count_is_regex_x() -> None:
    import random

    import regex

    from clarion.text.entities import grapheme_count

    pool = [
        *"ab \r\n\t日本한국어",
        "\u0301", "\u200d", "\ufe0f", "\U0001f1fa", "\U0001f1f8", "\U0001f3fb", "👩", "💻",
        "\u1100", "\u1161", "\u11a8", "\uac00", "\u0915", "\u094d", "\u0937", "\u0600",
        "\u0e33", "\u302a", "\u3099", "\uff9e", "\U000e0067", "\U000e007f", "\U0001f3f4",
        "#", "\u20e3", "\u00ad", "\u200b",
    ]  # fmt: skip
    rnd = random.Random(3)  # noqa: S311 (reproducible test data)
    cluster = regex.compile(r"\X")
    for _ in range(20_000):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 12)))
        assert grapheme_count(text) == len(cluster.findall(text)), text
