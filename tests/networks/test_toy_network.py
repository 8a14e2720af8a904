"""Adding a network is adding its entry: a toy one registered here is checked,
counted, published and recorded by the same code as the real ones."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion import networks
from clarion.cli import main
from clarion.commands import checked_posts
from clarion.commands.publish import FileSink, adapter_factories
from clarion.publish import Publisher, plan
from clarion.settings import load_settings
from tests.networks import toy

PYPROJECT = """\
[tool.clarion]
platforms = ["toy"]
require_approval = false

[tool.clarion.accounts.toy]
name = "club"
"""


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    networks.register(toy.ENTRY)
    toy.RECEIVED.clear()
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "posts").mkdir()
    yield tmp_path
    networks.unregister("toy")


def write(repo: Path, name: str, body: str, front: str = "lang: en\n") -> Path:
    path = repo / "posts" / name
    path.write_text(f"---\n{front}---\n{body}\n", encoding="utf-8")
    return path


def test_the_toy_networks_rule_counts_its_posts(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, "long.md", "This is far too long for a toy.")
    write(repo, "short.md", "Hi toys!", "lang: en\ntoy:\n  body: Hi toy!\n")
    assert main(["-C", str(repo), "validate", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    by_path = {post["path"]: post for post in report["posts"]}
    [problem] = by_path["posts/long.md"]["problems"]
    assert problem["code"] == "toy-too-long"
    assert problem["message"].startswith("Toy: the text is 31/20 letters")
    assert by_path["posts/short.md"]["networks"]["toy"]["parts"][0]["text"] == "Hi toy!"


def test_a_misspelt_toy_is_named(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "typo.md", "Hi", "lang: en\nplatforms: [tpy]\n")
    assert main(["-C", str(repo), "validate"]) == 1
    assert "no network is called tpy: did you mean toy?" in capsys.readouterr().out


def test_the_toy_network_is_published_through_its_adapter(repo: Path) -> None:
    post = write(repo, "hello.md", "Hello, toys!\n\n---\n\nSecond part.")
    settings = load_settings(repo)
    jobs, report = plan(
        checked_posts(settings, []),
        dt.datetime.now(dt.UTC),
        settings.platforms,
        settings.root,
        include_examples=False,
    )
    Publisher(adapter_factories(settings, {}), FileSink(None)).run(jobs, report)
    assert toy.RECEIVED == [("club", "Hello, toys!"), ("club", "Second part.")]
    text = post.read_text(encoding="utf-8")
    assert "published:\n  toy:\n" in text
    assert "url: https://toy.example/club/2" in text
