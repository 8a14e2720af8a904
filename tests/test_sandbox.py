"""The sandbox reads as the repository's own accounts, and its receipts stay on
127.0.0.1: each link opens the post on the stand-in that took it, never a real site."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from clarion import networks
from clarion.adapters.base import Outgoing, OutgoingPart
from clarion.adapters.http import tls
from clarion.networks import BlueskyAccount, MastodonAccount, XAccount
from clarion.sandbox.networks import Sandbox
from clarion.settings import Settings
from tests.timeouts import GENEROUS

HANDLES = {"bluesky": "news.example.org", "mastodon": "newsdesk", "x": "newsdesk"}

SETTINGS = """\
platforms = ["bluesky", "mastodon", "x"]

[accounts.bluesky]
handle = "news.example.org"

[accounts.mastodon]
instance = "https://social.example.org"
handle = "newsdesk"

[accounts.x]
handle = "newsdesk"
"""

POST = """\
---
lang: en
example: true
---
Our winter sprint starts today: come and help!
"""


def _settings(root: Path) -> Settings:
    return Settings(
        root=root,
        account_tables={
            "bluesky": BlueskyAccount(handle=HANDLES["bluesky"]),
            "mastodon": MastodonAccount(
                instance="https://social.example.org", handle=HANDLES["mastodon"]
            ),
            "x": XAccount(handle=HANDLES["x"]),
        },
    )


def test_each_receipt_opens_the_post_on_its_stand_in_under_the_configured_handle(
    tmp_path: Path,
) -> None:
    with Sandbox(settings=_settings(tmp_path)) as box:
        settings = box.settings(_settings(tmp_path))
        for name, stand_in in box.stand_ins.items():
            text = f"A sandbox post on {networks.display(name)}"
            part = OutgoingPart(index=0, text=text)
            adapter = networks.get(name).adapter_module().from_settings(settings, box.env)
            adapter.connect()
            try:
                # A network that needs a title (a Discourse topic) gets one.
                title = f"A sandbox topic on {networks.display(name)}"
                receipt = adapter.send_part(
                    Outgoing(
                        key="posts/p.md",
                        network=name,
                        parts=(part,),
                        title=title if networks.get(name).needs_title else None,
                    ),
                    part,
                    root=None,
                    parent=None,
                )
            finally:
                adapter.close()
            assert receipt.url.startswith(f"{stand_in.url}/"), (name, receipt.url)
            if name in HANDLES:
                assert HANDLES[name] in receipt.url, (name, receipt.url)
            page = httpx.get(receipt.url, timeout=GENEROUS, verify=tls())
            assert page.status_code == 200, (name, receipt.url)
            assert text in page.text, name


def test_the_sandbox_names_no_real_site(tmp_path: Path) -> None:
    (tmp_path / "clarion.toml").write_text(SETTINGS)
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "sprint.md").write_text(POST)
    run = subprocess.run(
        [sys.executable, "-m", "clarion", "publish", "--sandbox", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    urls = [sent["url"] for sent in json.loads(run.stdout)["sent"]]
    assert len(urls) == 3
    assert all(url.startswith("http://127.0.0.1:") for url in urls), urls
    for name, handle in HANDLES.items():
        assert any(handle in url for url in urls), name
    for real in ("bsky.app", "x.com", "social.example.org"):
        assert real not in run.stdout + run.stderr
