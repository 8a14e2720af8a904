"""`clarion validate` on posts for a Discourse forum: a topic needs `title:`, counted
against the forum's limits (the account's figures when it gives them), and the
thread's parts are one body, counted together; each problem names its file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clarion.cli import main

PYPROJECT = """\
[tool.clarion]
platforms = ["discourse"]
require_approval = false

[tool.clarion.accounts.discourse]
url = "https://forum.example.org"
username = "newsdesk"
category = 7
"""
LIMITED = PYPROJECT + "min_topic_title_length = 40\nmax_post_length = 100\n"
TITLE = "title: PyCon US 2027 call for proposals\n"
BODY = "The PyCon US 2027 call for proposals is open!\n\n---\n\nSend yours by March."


def validate(
    tmp_path: Path, front: str, body: str = BODY, settings: str = PYPROJECT
) -> dict[str, Any]:
    (tmp_path / "pyproject.toml").write_text(settings, encoding="utf-8")
    posts = tmp_path / "posts"
    posts.mkdir(exist_ok=True)
    (posts / "post.md").write_text(f"---\nlang: en\n{front}---\n{body}\n", encoding="utf-8")
    return {"front": front}


def report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(["-C", str(tmp_path), "validate", "--format", "json"])
    [post] = json.loads(capsys.readouterr().out)["posts"]
    return dict(post)


def codes(post: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(p["severity"], p["code"], p["line"]) for p in post["problems"]]


@pytest.mark.parametrize(
    ("front", "settings", "expected", "words"),
    [
        (TITLE, PYPROJECT, [], ""),
        ("", PYPROJECT, [("error", "discourse-title-missing", 2)], "add `title: ...`"),
        (
            "platforms: [discourse]\n",
            PYPROJECT,
            [("error", "discourse-title-missing", 3)],  # where the post names the forum
            "needs a title",
        ),
        ("title: Too short\n", PYPROJECT, [("error", "discourse-title-invalid", 3)], "at least 15"),
        (
            "title: What is new????????\n",  # the forum keeps one "?": 12 characters
            PYPROJECT,
            [("error", "discourse-title-invalid", 3)],
            "is 12 characters",
        ),
        (
            f"title: {'Longer words ' * 20}\n",
            PYPROJECT,
            [("error", "discourse-title-too-long", 3)],
            "259/255 characters",
        ),
        (
            "title: aaaa bbbb aaaa bbbb\n",
            PYPROJECT,
            [("error", "discourse-title-invalid", 3)],
            "fewer than 10 different characters",
        ),
        (TITLE, LIMITED, [("error", "discourse-title-invalid", 3)], "at least 40"),
    ],
    ids=[
        "fine",
        "missing",
        "missing-named-at-platforms",
        "short",
        "short-once-cleaned",
        "long",
        "unclear",
        "forum-limit",
    ],
)
def test_a_topic_needs_a_title_within_the_forums_limits(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    front: str,
    settings: str,
    expected: list[tuple[str, str, int]],
    words: str,
) -> None:
    validate(tmp_path, front, settings=settings)
    post = report(tmp_path, capsys)
    assert [c for c in codes(post) if c[1] != "discourse-too-long"] == expected
    if words:
        assert words in post["problems"][0]["message"]
        assert post["problems"][0]["message"].startswith("Discourse: ")


def test_the_parts_are_one_body_counted_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    validate(tmp_path, TITLE)
    [part] = report(tmp_path, capsys)["networks"]["discourse"]["parts"]
    assert part["text"] == ("The PyCon US 2027 call for proposals is open!\n\nSend yours by March.")
    assert (part["length"], part["limit"]) == (67, 32000)


def test_a_body_over_the_forums_limit_says_the_parts_are_joined(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_title = "title: PyCon US 2027 call for proposals, open today\n"
    validate(tmp_path, long_title, body="\n\n---\n\n".join(["word " * 15] * 2), settings=LIMITED)
    post = report(tmp_path, capsys)
    [problem] = post["problems"]
    assert (problem["code"], problem["line"]) == ("discourse-too-long", 5)
    assert "the text is 150/100 characters" in problem["message"]
    assert "its 2 parts are joined into one Discourse post" in problem["message"]


def test_a_body_too_short_for_a_topic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    validate(tmp_path, TITLE, body="Short.")
    [problem] = report(tmp_path, capsys)["problems"]
    assert problem["code"] == "discourse-too-short"
    assert "needs at least 20" in problem["message"]


def test_no_account_is_the_one_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = '[tool.clarion]\nplatforms = ["discourse"]\n'
    validate(tmp_path, "platforms: [discourse]\n", settings=settings)
    assert [c[1] for c in codes(report(tmp_path, capsys))] == ["no-account"]


def test_a_published_topic_is_history_and_only_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = (
        'published:\n  discourse:\n    - id: "12"\n'
        "      url: https://forum.example.org/t/t/12\n      at: 2026-12-01T15:00:04Z\n"
    )
    validate(tmp_path, "title: Too short\n" + published)
    post = report(tmp_path, capsys)
    assert post["ok"] is True
    assert codes(post) == [("warning", "discourse-title-invalid", 3)]


def test_the_preview_shows_the_title_as_the_forum_keeps_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    validate(tmp_path, "title: PyCon US 2027 call for proposals!!!\n")
    main(["-C", str(tmp_path), "preview", str(tmp_path / "posts" / "post.md"), "--format", "json"])
    [post] = json.loads(capsys.readouterr().out)["posts"]
    view = post["networks"]["discourse"]
    assert "the title: PyCon US 2027 call for proposals!" in view["notes"]
    assert [part["text"] for part in view["parts"]] == [
        "The PyCon US 2027 call for proposals is open!\n\nSend yours by March."
    ]


def test_clarion_new_asks_for_the_topics_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    assert main(["-C", str(tmp_path), "new", "forum-news"]) == 0
    [created] = (tmp_path / "posts").rglob("forum-news.md")
    text = created.read_text(encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("title: "))
    capsys.readouterr()
    main(["-C", str(tmp_path), "validate", "--format", "json"])
    [post] = json.loads(capsys.readouterr().out)["posts"]
    assert ("error", "template-text", line) in codes(post)
    filled = text.replace("Write the topic's title here", "Our spring sprint starts on Monday")
    filled = filled.split("\n---\n", 1)[0] + "\n---\nOur spring sprint starts on Monday: come!\n"
    created.write_text(filled, encoding="utf-8")
    main(["-C", str(tmp_path), "validate", "--format", "json"])
    [post] = json.loads(capsys.readouterr().out)["posts"]
    assert post["ok"], post["problems"]


def test_the_farewell_to_a_forum_has_a_title_and_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "posts").mkdir()
    assert main(["-C", str(tmp_path), "sunset", "discourse"]) == 0
    assert "is valid" in capsys.readouterr().out
    [farewell] = (tmp_path / "posts").rglob("leaving-discourse.md")
    assert "\ntitle: We no longer post on Discourse\n" in farewell.read_text(encoding="utf-8")
