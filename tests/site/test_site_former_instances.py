"""`[tool.clarion.site] former_instances`: the Mastodon instances of accounts left
(`clarion sunset` lists them) or moved from, whose receipts the site still links,
with or without a Mastodon account configured now."""

from __future__ import annotations

from pathlib import Path

import pytest

from clarion.errors import ConfigError
from clarion.settings import MastodonAccount, Settings
from clarion.site.collect import receipt_url_allowed
from clarion.site.config import site_config

FORMER = {"site": {"former_instances": ["https://old.example", "http://127.0.0.1:8080/"]}}
LEFT = Settings(root=Path(), extra=FORMER)
MOVED = Settings(
    root=Path(),
    account_tables={"mastodon": MastodonAccount(instance="https://new.example")},
    extra=FORMER,
)


@pytest.mark.parametrize(
    ("settings", "url", "allowed"),
    [
        (LEFT, "https://old.example/@news/1", True),
        (LEFT, "https://Old.Example/@news/1", False),  # receipts are written as served
        (LEFT, "http://127.0.0.1:8080/@news/1", True),
        (LEFT, "https://new.example/@news/1", False),
        (LEFT, "https://old.example.evil.example/@news/1", False),
        (LEFT, "https://old.example@evil.example/@news/1", False),
        (LEFT, "http://old.example/@news/1", False),
        (MOVED, "https://new.example/@news/2", True),
        (MOVED, "https://old.example/@news/1", True),
        (MOVED, "https://other.example/@news/1", False),
    ],
)
def test_receipts_on_a_former_instance_stay_linked(
    settings: Settings, url: str, allowed: bool
) -> None:
    assert receipt_url_allowed("mastodon", url, settings) is allowed


def test_former_instances_are_for_mastodon_only() -> None:
    assert not receipt_url_allowed("x", "https://old.example/example/status/1", LEFT)


@pytest.mark.parametrize("value", ["https://old.example", ["old.example"], [3]])
def test_former_instances_must_be_addresses(tmp_path: Path, value: object) -> None:
    settings = Settings(root=tmp_path, extra={"site": {"former_instances": value}})
    with pytest.raises(ConfigError, match="former_instances must list the addresses"):
        site_config(settings)


FORUMS = Settings(root=Path(), extra={"site": {"former_forums": ["https://forum.example"]}})


@pytest.mark.parametrize(
    ("network", "url", "allowed"),
    [
        ("discourse", "https://forum.example/t/our-news/42", True),
        ("discourse", "https://other.example/t/our-news/42", False),
        # A forum left vouches for topics only, an instance left for statuses only.
        ("mastodon", "https://forum.example/@news/1", False),
        ("discourse", "https://old.example/t/our-news/42", False),
    ],
)
def test_topics_on_a_former_forum_stay_linked(network: str, url: str, allowed: bool) -> None:
    both = Settings(root=Path(), extra={"site": {**FORUMS.extra["site"], **FORMER["site"]}})
    assert receipt_url_allowed(network, url, both) is allowed


def test_former_forums_must_be_addresses(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, extra={"site": {"former_forums": ["forum.example"]}})
    with pytest.raises(ConfigError, match="former_forums must list the addresses"):
        site_config(settings)
