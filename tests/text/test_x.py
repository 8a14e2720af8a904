"""X: twitter-text v3 weighted length, against the conformance data and the library."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from clarion.text import x
from tests.text.conftest import conformance_cases


def _library() -> Any:
    # twitter_text imports pkg_resources (a warning) and parses its emoji file.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import twitter_text
        import twitter_text.config
        import twitter_text.regexp.emoji
    return twitter_text


LIBRARY_CONFIGS = {
    "v3": lambda lib: lib.config.config["version3"],
    # The library's v2 lacks the key parse_tweet reads: v2 has no emoji parsing.
    "v2": lambda lib: dict(lib.config.config["version2"], emoji_parsing_enabled=False),
}
BARE_TEXT_SYMBOL = re.compile("[\u00a9\u00ae](?!\ufe0f)")


def reference(text: str, version: str = "v3") -> int:
    """parse_tweet's weighted length, with X's count of a bare © or ® (1).

    © and ® weigh 1 as code points; "¬" weighs the same, is no emoji, and
    plays the same part in every URL regex, so it stands in for them.
    """
    lib = _library()
    options = LIBRARY_CONFIGS[version](lib)
    return int(lib.parse_tweet(BARE_TEXT_SYMBOL.sub("\u00ac", text), options).weightedLength)


# --- the conformance data ------------------------------------------------------

# twitter-text's own test suites (Java, Ruby, JS) count the plain weighted
# counter section with config/v2.json and every other weighted-length section
# of validate.yml with config/v3.json. The sections are found in the data.
V2_SECTIONS = frozenset({"WeightedTweetsCounterTest"})


def _weighted_sections(data: dict[str, Any]) -> set[str]:
    return {
        name
        for name, cases in data.items()
        if cases
        and isinstance(cases[0].get("expected"), dict)
        and "weightedLength" in cases[0]["expected"]
    }


def test_v3_json_is_the_default_weighting(v3_config: dict[str, Any]) -> None:
    assert x.Weighting.from_config(v3_config) == x.V3
    assert x.V3.max_weighted_length == x.MAX_WEIGHTED_LENGTH == 280


def test_the_weighted_length_sections_are_found(validate_yml: dict[str, Any]) -> None:
    sections = _weighted_sections(validate_yml)
    assert len(sections) >= 3, sections
    assert sections >= V2_SECTIONS
    assert sum(len(validate_yml[s]) for s in sections) >= 40  # 44 cases in the data as shipped


@pytest.mark.parametrize("case", conformance_cases("validate.yml", _weighted_sections))
def test_weighted_length(case: tuple[str, dict[str, Any]]) -> None:
    # v2 is v3 without emoji parsing (twitter-text's config/v2.json); that V3 is
    # what v3.json says is test_v3_json_is_the_default_weighting's.
    section, data = case
    weighting = x.V2 if section in V2_SECTIONS else x.V3
    assert x.weighted_length(data["text"], weighting) == data["expected"]["weightedLength"]


def test_v2_is_v3_without_emoji_parsing() -> None:
    assert replace(x.V3, emoji_parsing=False) == x.V2


@pytest.mark.parametrize(
    "case", conformance_cases("validate.yml", lambda _: ["UnicodeDirectionalMarkerCounterTest"])
)
def test_validity(case: tuple[str, dict[str, Any]]) -> None:
    _, data = case
    length = x.weighted_length(data["text"])
    valid = not x.has_invalid_characters(data["text"]) and 0 < length <= 280
    assert valid == data["expected"]["valid"]


# --- X's own corrections -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u00a9", 1),  # a bare © is text on X
        ("\u00ae", 1),
        ("\u00a9 2026 Example\u00ae", 15),
        ("\u00a9\ufe0f", 2),  # with U+FE0F it is an emoji
        ("\u00ae\ufe0f", 2),
        ("\u00a9\ufe0e", 3),  # text presentation: © (1) + U+FE0E (2)
        ("\u2122", 2),  # ™ weighs 2 either way
    ],
)
def test_copyright_and_registered_signs(text: str, expected: int) -> None:
    assert x.weighted_length(text) == expected


def test_the_library_counts_a_bare_copyright_sign_as_two() -> None:
    # What the correction is about: remove this test when the library changes.
    assert _library().parse_tweet("\u00a9").weightedLength == 2


# --- identical to the library --------------------------------------------------------


def test_emoji_table_is_the_librarys() -> None:
    lib = _library()
    sequences = set()
    singles = set()
    for entry in lib.regexp.emoji.emoji_list:
        emoji = "".join(chr(int(cp, 16)) for cp in entry.codepoint.split())
        (sequences if len(emoji) > 1 else singles).add(emoji)
    table = x._emoji_table()
    assert table.sequences == sequences
    assert table.singles == singles - {"\u00a9", "\u00ae"}
    # The code points of the single-emoji class the library's regex ends with
    # (built from ranges it computes), all of them.
    single_class = re.compile(f"[{lib.regexp.emoji.single_codepoint_emoji_raw}]")
    every_code_point = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert set(single_class.findall(every_code_point)) == singles
    assert lib.regexp.emoji.emoji.pattern.endswith(
        f"|[{lib.regexp.emoji.single_codepoint_emoji_raw}]"
    )


def _generator(seed: int) -> Callable[[], str]:
    lib = _library()
    emoji = [
        "".join(chr(int(cp, 16)) for cp in e.codepoint.split()) for e in lib.regexp.emoji.emoji_list
    ]
    pools = [
        list("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789"),
        [*" .,;:!?-_/@#$%&*()[]'\"~+=|<>`^\\\n\t", "\r\n", "\r", "..", "://"],
        list("日本語中文한국어のトークも歓迎します。、「」"),
        emoji,
        # emoji parts: ZWJ, presentation selectors, keycap, skin tone, regional
        # indicators (a flag, half a flag), tags, text-by-default symbols
        [
            "\u200d",
            "\ufe0f",
            "\ufe0e",
            "\u20e3",
            "\U0001f3fb",
            "\U0001f1fa",
            "\U0001f1f8",
            "\U000e0067",
            "\U000e007f",
            "\u00a9",
            "\u00ae",
            "\u2122",
            "\u203c",
            "#",
            "*",
            "1",
        ],
        [
            "https://example.com",
            "http://t.co/abc",
            "https://t.co/" + "a" * 45,
            "example.com",
            "www.example.org/path?x=1&y=2",
            "http://日本語.jp/パス",
            "foo.bar",
            "a.b.co.uk",
            "https://example.com/(paren)",
            "xn--abc.com",
            "example.COM",
            "https://例え.テスト",
            "http://foo.com:8080/a",
            "me@example.com",
            "-example.com",
            "test.みんな",
            ".com",
            "ftp://x.org",
            "https://example.com/\u00a9",
            "\u00a9.com",
            "@user",
            "#tag",
        ],
        list(
            "éèüñçÀßœøåЖжΩω\u0301\u0308\u202a\u202c\u2066\u200e\ufeff\ufffe\u3000\u00a0\u2014\u2013\u2026\u201c\u201d\u2018\u2019€£"
        ),
    ]
    rnd = random.Random(seed)  # noqa: S311 (reproducible test data)

    def generate() -> str:
        return "".join(rnd.choice(rnd.choice(pools)) for _ in range(rnd.randint(0, 40)))

    return generate


@pytest.mark.parametrize("version", ["v3", "v2"])
def test_same_as_parse_tweet_on_generated_texts(version: str) -> None:
    weighting = x.V3 if version == "v3" else x.V2
    generate = _generator(seed=20261201)
    texts = [generate() for _ in range(2500)]
    mismatches = [
        (text, x.weighted_length(text, weighting), reference(text, version))
        for text in texts
        if x.weighted_length(text, weighting) != reference(text, version)
    ]
    assert mismatches == []


def test_same_as_parse_tweet_on_long_texts() -> None:
    generate = _generator(seed=7)
    texts = [" ".join(generate() for _ in range(8)) for _ in range(150)]
    assert [x.weighted_length(t) for t in texts] == [reference(t) for t in texts]


def test_typical_post() -> None:
    post = (
        "Big news 🎉 PyCon US 2027 call for proposals is open! Submit your talk by Dec 1. "
        "日本語のトークも歓迎します。 Details: https://us.pycon.org/2027/speaking/ — see you in "
        "Long Beach 🏖️👩‍💻 #PyCon2027 @pycon Questions? Ask us."
    )
    assert x.weighted_length(post) == reference(post) == 208


# --- mentions and URLs ---------------------------------------------------------------


@pytest.mark.parametrize(
    "case", conformance_cases("extract.yml", lambda _: ["mentions", "mentions_with_indices"])
)
def test_mentions(case: tuple[str, dict[str, Any]]) -> None:
    section, data = case
    expected = data["expected"]
    if section == "mentions_with_indices":
        expected = [m["screen_name"] for m in expected]
    assert x.mentions(data["text"]) == expected


def test_lists_are_not_mentions() -> None:
    assert x.mentions("@username/list-name and @other") == ["other"]


@pytest.mark.parametrize("case", conformance_cases("extract.yml", lambda _: ["urls"]))
def test_urls(case: tuple[str, dict[str, Any]]) -> None:
    _, data = case
    assert x.urls(data["text"]) == data["expected"]


def test_invalid_characters() -> None:
    assert x.has_invalid_characters("a\ufeffb")
    assert not x.has_invalid_characters("a b")


# --- loading -----------------------------------------------------------------------


def test_twitter_text_package_init_never_runs() -> None:
    # Its __init__ imports pkg_resources and parses the emoji file (0.3 s).
    code = (
        "import sys\n"
        "from clarion.text import x\n"
        "assert x.weighted_length('a https://example.com 😀 ©') == 30\n"
        "assert x.urls('see example.com') == ['example.com']\n"
        "assert 'twitter_text' not in sys.modules, 'twitter_text imported'\n"
        "assert 'pkg_resources' not in sys.modules, 'pkg_resources imported'\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)
