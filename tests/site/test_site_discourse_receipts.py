"""The archive site links a Discourse receipt only on the configured forum, at a
topic's address there; without the account, nothing can vouch for the forum."""

from __future__ import annotations

from pathlib import Path

import pytest

from clarion.networks import DiscourseAccount
from clarion.settings import Settings
from clarion.site.collect import receipt_url_allowed

FORUM = DiscourseAccount(url="https://discuss.example.org/", username="psf", category=7)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://discuss.example.org/t/pycon-us-2027-call-for-proposals/1234", True),
        ("https://discuss.example.org/t/topic/9", True),
        ("https://discuss.example.org/t/%E6%97%A5%E6%9C%AC/12", True),  # an encoded slug
        ("https://evil.example/t/pycon-us-2027-call-for-proposals/1234", False),
        ("https://discuss.example.org.evil.example/t/a/1", False),
        ("https://discuss.example.org/t/a/1?next=https://evil.example", False),
        ("https://discuss.example.org/u/psf", False),
        ("https://user@discuss.example.org/t/a/1", False),
        ("javascript:alert(1)", False),
    ],
)
def test_a_topic_on_the_configured_forum_is_linked(tmp_path: Path, url: str, allowed: bool) -> None:
    settings = Settings(root=tmp_path, account_tables={"discourse": FORUM})
    assert receipt_url_allowed("discourse", url, settings) is allowed


def test_without_the_account_no_forum_is_trusted(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path)
    url = "https://discuss.example.org/t/pycon-us-2027-call-for-proposals/1234"
    assert receipt_url_allowed("discourse", url, settings) is False


def test_a_mastodon_former_instance_does_not_vouch_for_a_forum(tmp_path: Path) -> None:
    settings = Settings(
        root=tmp_path,
        extra={"site": {"former_instances": ["https://discuss.example.org"]}},
    )
    url = "https://discuss.example.org/t/pycon-us-2027-call-for-proposals/1234"
    assert receipt_url_allowed("discourse", url, settings) is False
