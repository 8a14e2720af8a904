"""Threads' images in the check: the types and sizes it takes, and the warning that
its default image address (the repository's raw files on GitHub) answers only for a
public repository, from the pull request's event where there is one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clarion.cli import main
from clarion.media.public import fetch_warning, repository_private
from tests.adapters.test_x import gif, png

PYPROJECT = """\
[tool.clarion]
platforms = ["threads"]
require_approval = false

[tool.clarion.accounts.threads]
user_id = "1"
media_base_url = "{base}"
"""


def problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *, base: str = "", data: bytes = b""
) -> list[dict[str, object]]:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(base=base), encoding="utf-8")
    (tmp_path / "posts").mkdir(exist_ok=True)
    (tmp_path / "posts" / "pic.png").write_bytes(data or png(4, 4))
    (tmp_path / "posts" / "post.md").write_text(
        "---\nlang: en\nmedia:\n  - path: pic.png\n    alt: A blue square\n---\nA picture\n",
        encoding="utf-8",
    )
    main(["-C", str(tmp_path), "validate", "--format", "json"])
    [post] = json.loads(capsys.readouterr().out)["posts"]
    found: list[dict[str, object]] = post["problems"]
    return found


def event(tmp_path: Path, private: bool) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"repository": {"full_name": "o/r", "private": private}}))
    return str(path)


def test_without_media_base_url_the_check_warns_that_only_a_public_repository_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    [warning] = problems(tmp_path, capsys)
    assert (warning["code"], warning["severity"], warning["line"]) == (
        "threads-media-url",
        "warning",
        3,
    )
    assert "works only for a public repository" in str(warning["message"])
    assert "set media_base_url" in str(warning["message"])


def test_in_a_private_repositorys_pull_request_it_says_the_post_will_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_PATH", event(tmp_path, private=True))
    [warning] = problems(tmp_path, capsys)
    assert "this repository is private" in str(warning["message"])
    assert "the post will fail there" in str(warning["message"])


def test_a_public_repository_or_a_media_base_url_needs_no_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_PATH", event(tmp_path, private=False))
    assert problems(tmp_path, capsys) == []
    monkeypatch.delenv("GITHUB_EVENT_PATH")
    assert problems(tmp_path, capsys, base="https://media.example.org/repo") == []


def test_threads_takes_jpeg_and_png_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [error] = problems(tmp_path, capsys, base="https://m.example.org", data=gif())
    assert error["code"] == "media-type-unsupported"
    assert "Threads does not accept" in str(error["message"])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"repository": {"private": True}}, True),
        ({"repository": {"private": False}}, False),
        ({"repository": {}}, None),
        ([], None),
    ],
)
def test_the_repositorys_visibility_comes_from_the_event(
    tmp_path: Path, content: object, expected: bool | None
) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(content))
    assert repository_private({"GITHUB_EVENT_PATH": str(path)}) is expected
    assert repository_private({"GITHUB_EVENT_PATH": str(tmp_path / "missing.json")}) is None
    assert repository_private({}) is None
    assert (fetch_warning("Threads", "", {"GITHUB_EVENT_PATH": str(path)}) is None) is (
        expected is False
    )
