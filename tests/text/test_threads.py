"""Threads: 500 characters counted as Meta counts them (an emoji as its UTF-8 bytes),
at most 5 links; checked on a table of texts at and around the limits, then through
`clarion validate` and against the stand-in, which refuses what the check refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clarion.adapters.http import tls
from clarion.cli import main
from clarion.sandbox.threads import ThreadsStandIn
from clarion.text import threads

FAMILY = "👨\u200d👩\u200d👧"  # 4 + 3 + 4 + 3 + 4 bytes
FLAG = "🇺🇸"  # two regional indicators, 8 bytes
KEYCAP = "1\ufe0f\u20e3"  # 1 + 3 + 3
HEART = "\u2764\ufe0f"  # 3 + 3
THUMB_TONE = "👍🏽"  # 4 + 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("", 0),
        ("a" * 500, 500),
        ("a" * 501, 501),
        ("line\r\nbreak", 10),  # CR LF is one character
        ("👍", 4),
        ("👍" * 125, 500),
        ("👍" * 125 + "a", 501),
        ("a" * 496 + "👍", 500),
        ("a" * 497 + "👍", 501),
        (FAMILY, 18),
        (FLAG, 8),
        (KEYCAP, 7),
        (HEART, 6),
        ("\u2764", 1),  # without U+FE0F: text, not an emoji
        ("©", 1),
        ("©\ufe0f", 5),
        (THUMB_TONE, 8),
        ("日本語", 3),  # ideographs are characters, not emoji
        ("漢" * 500, 500),
        ("漢" * 501, 501),
        ("한국어", 3),
        ("e\u0301", 1),  # a letter and its combining accent: one character
        ("https://example.org/a/very/long/path", 36),  # links count in full
        ("x " + FAMILY * 26 + "y", 3 + 26 * 18),
    ],
)
def test_length_as_meta_counts(text: str, expected: int) -> None:
    assert threads.length(text) == expected


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("no links", 0),
        ("www.facebook.com", 1),  # Meta's own example: a link without a scheme counts
        ("https://a.org and https://a.org again", 1),  # the same URL counts once
        ("a.org b.org c.org d.org e.org", 5),
        ("a.org b.org c.org d.org e.org https://f.org/x", 6),
        ("mail me@example.org", 0),
        ("v1.2 and 3.14", 0),
    ],
)
def test_links_as_meta_counts(text: str, count: int) -> None:
    assert len(threads.links(text)) == count
    refused = threads.too_many_links(text)
    assert (refused is not None) == (count > 5)


def test_measure_says_why_more_than_five_links_fail() -> None:
    measured = threads.measure("a.org b.org c.org d.org e.org f.org", None, None)
    assert measured.limit == 500
    assert measured.invalid_code == "too-many-links"
    assert measured.invalid is not None
    assert measured.invalid.startswith("has 6 different links (a.org, b.org")
    assert "remove 1" in measured.invalid


PYPROJECT = """\
[tool.clarion]
platforms = ["threads"]
require_approval = false

[tool.clarion.accounts.threads]
user_id = "1"
media_base_url = "https://media.example.org"
"""


def validate(tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "posts").mkdir(exist_ok=True)
    (tmp_path / "posts" / "post.md").write_text(f"---\nlang: en\n---\n{body}\n", encoding="utf-8")
    main(["-C", str(tmp_path), "validate", "--format", "json"])
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    [post] = report["posts"]  # type: ignore[misc]
    return post  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        ("👍" * 125, []),
        ("👍" * 126, ["threads-too-long"]),
        ("漢" * 500, []),
        ("a" * 490 + " " + FAMILY, ["threads-too-long"]),  # 491 + 18
        ("a.org b.org c.org d.org e.org", []),
        ("a.org b.org c.org d.org e.org f.org", ["threads-too-many-links"]),
    ],
)
def test_validate_counts_as_threads_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, codes: list[str]
) -> None:
    post = validate(tmp_path, body, capsys)
    problems = post["problems"]
    assert [p["code"] for p in problems if p["severity"] == "error"] == codes  # type: ignore[attr-defined]
    [part] = post["networks"]["threads"]["parts"]  # type: ignore[index]
    assert part["length"] == threads.length(body)
    assert part["limit"] == 500


def test_the_stand_in_refuses_exactly_what_the_check_refuses(tmp_path: Path) -> None:
    """Every near-limit text: the stand-in takes a container's text if and only if the
    rule does (one rule, Meta's, on both sides of the wire)."""
    import httpx

    texts = [
        "👍" * 125,
        "👍" * 126,
        "a" * 500,
        "a" * 501,
        "漢" * 500,
        FAMILY * 27 + "a" * 14,
        FAMILY * 27 + "a" * 15,
        "a.org b.org c.org d.org e.org",
        "a.org b.org c.org d.org e.org f.org",
    ]
    with ThreadsStandIn() as stand_in:
        account, env = stand_in.sandbox_settings()
        with httpx.Client(base_url=f"{stand_in.url}/v1.0", verify=tls()) as client:
            for text in texts:
                answer = client.post(
                    f"/{account.user_id}/threads",
                    data={"media_type": "TEXT", "text": text, "access_token": env[next(iter(env))]},
                )
                measured = threads.measure(text, None, None)
                takes = measured.length <= measured.limit and measured.invalid is None
                assert (answer.status_code == 200) == takes, (text, answer.text)
