"""`receipt_url_allowed`, the rule the site applies to each receipt, as a table:
a receipt's URL must be a post on its network's own host (the configured
instance for Mastodon), with nothing that could make a browser go elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from clarion.settings import BlueskyAccount, MastodonAccount, Settings, XAccount
from clarion.site.collect import receipt_url_allowed

CONFIGURED = Settings(
    root=Path(),
    account_tables={
        "bluesky": BlueskyAccount(handle="example.test"),
        "mastodon": MastodonAccount(instance="https://mastodon.example"),
        "x": XAccount(handle="example"),
    },
)
NO_ACCOUNTS = Settings(root=Path())

POST = "https://bsky.app/profile/example.test/post/3kabc"

ALLOWED = [
    ("bluesky", POST),
    ("bluesky", "https://bsky.app/profile/Example.Test/post/3kabc"),  # handles ignore case
    ("bluesky", "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3kabc"),
    ("bluesky", "https://bsky.app/profile/did:web:example.test/post/3kabc"),
    ("x", "https://x.com/example/status/1864012345678901234"),
    ("x", "https://twitter.com/example/status/1864012345678901234"),
    ("x", "https://x.com/OldName/status/1"),  # X opens a status by its id, whatever the name
    ("mastodon", "https://mastodon.example/@news/113456789"),
    ("mastodon", "https://mastodon.example/users/news/statuses/113456789"),
]

REFUSED = [
    ("bluesky", "https://evil.example/profile/example.test/post/3kabc"),
    ("bluesky", "http://bsky.app/profile/example.test/post/3kabc"),
    ("bluesky", "javascript:alert(1)"),
    ("bluesky", "https://bsky.app.evil.example/profile/example.test/post/3kabc"),
    ("bluesky", "https://bsky.app@evil.example/profile/example.test/post/3kabc"),
    ("bluesky", "https://user@bsky.app/profile/example.test/post/3kabc"),
    ("bluesky", "https://evil.example\\@bsky.app/profile/example.test/post/3kabc"),
    ("bluesky", "https://bsky.app:443/profile/example.test/post/3kabc"),
    ("bluesky", "https://bsky.app./profile/example.test/post/3kabc"),
    ("bluesky", "//bsky.app/profile/example.test/post/3kabc"),
    ("bluesky", "https://bsky.app/profile/someone-else.test/post/3kabc"),
    ("bluesky", "https://bsky.app/profile/example.test/post/3kabc/../../../evil"),
    ("bluesky", "https://bsky.app/profile/example.test/post/3kabc?redirect=https://evil.example"),
    ("bluesky", "https://bsky.app/profile/example.test"),
    ("bluesky", "https://bsky.app/profile/example.test/post/"),
    ("bluesky", POST + "\n"),
    ("bluesky", POST + " "),
    ("bluesky", "https://x.com/example/status/1"),  # another network's host
    ("x", "https://x.com@evil.example/example/status/1"),
    ("x", "https://x.com.evil.example/example/status/1"),
    ("x", "http://x.com/example/status/1"),
    ("x", "https://x.com:8443/example/status/1"),
    ("x", "https://evil.example\\@x.com/example/status/1"),
    ("x", "https://x.com/intent/post?text=hi"),
    ("x", "https://x.com/example/status/1#https://evil.example"),
    ("x", "https://x.com/example/status/abc"),
    ("x", "https://x.com/example"),
    ("x", "https://t.co/abc"),
    ("x", "javascript://x.com/%0aalert(1)"),
    ("x", "https://bsky.app/profile/example.test/post/3kabc"),
    ("mastodon", "https://mastodon.social/@news/1"),
    ("mastodon", "https://mastodon.example.evil.example/@news/1"),
    ("mastodon", "https://mastodon.example@evil.example/@news/1"),
    ("mastodon", "https://evil.example\\@mastodon.example/@news/1"),
    ("mastodon", "http://mastodon.example/@news/1"),
    ("mastodon", "https://mastodon.example:8443/@news/1"),
    ("mastodon", "data:text/html,<script>alert(1)</script>"),
    ("mastodon", "https://mastodon.example"),
    ("threads", "https://www.threads.net/@example/post/abc"),  # no such network here
]


@pytest.mark.parametrize(("network", "url"), ALLOWED)
def test_allowed_with_accounts(network: str, url: str) -> None:
    assert receipt_url_allowed(network, url, CONFIGURED)


@pytest.mark.parametrize(("network", "url"), REFUSED)
def test_refused_with_accounts(network: str, url: str) -> None:
    assert not receipt_url_allowed(network, url, CONFIGURED)


@pytest.mark.parametrize(
    ("network", "url", "allowed"),
    [
        ("bluesky", "https://bsky.app/profile/someone-else.test/post/3kabc", True),
        ("bluesky", "https://evil.example/profile/example.test/post/3kabc", False),
        ("bluesky", "https://bsky.app/profile/example.test", False),
        ("x", "https://x.com/anyone/status/1", True),
        ("x", "https://x.com.evil.example/anyone/status/1", False),
        # Mastodon has no network-wide host: with no instance, nothing can be checked.
        ("mastodon", "https://mastodon.example/@news/1", False),
        ("mastodon", "https://mastodon.social/@news/1", False),
    ],
)
def test_without_accounts_the_networks_own_hosts(network: str, url: str, allowed: bool) -> None:
    assert receipt_url_allowed(network, url, NO_ACCOUNTS) is allowed


@pytest.mark.parametrize(
    ("instance", "url", "allowed"),
    [
        ("https://Mastodon.Example/", "https://mastodon.example/@news/1", True),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/@news/1", True),
        ("http://127.0.0.1:8080", "http://127.0.0.1/@news/1", False),
        ("http://127.0.0.1:8080", "https://127.0.0.1:8080/@news/1", False),
        ("mastodon.example", "https://mastodon.example/@news/1", False),  # not a URL
    ],
)
def test_the_configured_instance_as_written(instance: str, url: str, allowed: bool) -> None:
    settings = Settings(
        root=Path(), account_tables={"mastodon": MastodonAccount(instance=instance)}
    )
    assert receipt_url_allowed("mastodon", url, settings) is allowed


@pytest.mark.parametrize("url", [None, 3, ["https://x.com/example/status/1"]])
def test_only_strings_are_urls(url: object) -> None:
    assert not receipt_url_allowed("x", url, CONFIGURED)
