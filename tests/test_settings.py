"""The settings: every key known, misspellings named with the nearest key, the
schema file kept equal to the one the code builds from the registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clarion.errors import ConfigError
from clarion.settings import load_settings
from clarion.settings_schema import settings_schema

ROOT = Path(__file__).parents[1]


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_schema_file_is_the_one_the_code_builds() -> None:
    written = json.loads((ROOT / "schema" / "settings.schema.json").read_text(encoding="utf-8"))
    assert written == settings_schema(), "regenerate schema/settings.schema.json"


def test_this_repositorys_settings_are_valid() -> None:
    settings = load_settings(ROOT)
    assert settings.require_approval is True


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            "[tool.clarion]\nrequire_aproval = false\n",
            "[tool.clarion] has an unknown key require_aproval: did you mean require_approval?",
        ),
        (
            "[tool.clarion.accounts.bsky]\nhandle = 'a'\n",
            "[tool.clarion.accounts] has an unknown network: no network is called bsky: "
            "did you mean bluesky?",
        ),
        (
            "[tool.clarion.accounts.mastodon]\ninstance = 'https://a.example'\nmax_chars = 3\n",
            "[tool.clarion.accounts.mastodon] has an unknown key max_chars: "
            "did you mean max_characters?",
        ),
        (
            "[tool.clarion]\nplatforms = ['twitter']\n",
            "no network is called twitter: X was formerly Twitter, write x",
        ),
        (
            "[tool.clarion]\nplatforms = ['mastadon']\n",
            "no network is called mastadon: did you mean mastodon?",
        ),
        ("[tool.clarion]\nretries = 'four'\n", "[tool.clarion.retries]: 'four' is not of type"),
        ("[tool.clarion.accounts.x]\napi = 'https://api.x.com'\n", "'handle' is a required"),
    ],
)
def test_a_wrong_setting_is_named_with_the_fix(tmp_path: Path, toml: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, toml))
    assert expected in caught.value.message


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    toml = "[tool.clarion]\nrequire_aproval = false\ntimezon = 'UTC'\n"
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, toml))
    assert "require_aproval" in caught.value.message
    assert "timezon: did you mean timezone?" in caught.value.message


def test_the_post_schema_file_lists_every_registered_network() -> None:
    from clarion.post.schema import with_networks

    path = ROOT / "schema" / "post.schema.json"
    written = json.loads(path.read_text(encoding="utf-8"))
    assert with_networks(json.loads(path.read_text(encoding="utf-8"))) == written, (
        "regenerate schema/post.schema.json: "
        "json.dumps(with_networks(json.load(open(path))), indent=2, ensure_ascii=False)"
    )
