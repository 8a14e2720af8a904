"""The real Bluesky PDS of tests/pds_plugin.py: it runs, on 127.0.0.1 only, and
takes what Clarion's Bluesky adapter sends, through the atproto client's own calls."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.images import grey_png
from tests.pds_plugin import NOT_INSTALLED_REASON, Account, Pds

if TYPE_CHECKING:
    from atproto import Client  # type: ignore[import-untyped]

# atproto is imported by the tests that use it: it costs 1.5 s of CPU, which
# collecting this module would otherwise take on every worker of every run.

ROOT = Path(__file__).resolve().parents[2]
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def tid(micros: int, clock_id: int = 0) -> str:
    """A record key in atproto's TID form: 53 bits of microseconds, 10 of clock id."""
    value = (micros << 10) | clock_id
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -5, -5))


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as in /proc/net/tcp*) with a listening socket on `port`."""
    found = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_tid_matches_the_spec_example() -> None:
    assert tid(0) == "2222222222222"
    assert len(tid(time.time_ns() // 1000)) == 13


@pytest.mark.pds
def test_listens_on_loopback_only(pds: Pds) -> None:
    for url in (pds.url, pds.plc_url):
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1"
        assert parts.port is not None
        assert listening_addresses(parts.port) == {"0100007F"}  # 127.0.0.1, and nothing else


@pytest.mark.pds
def test_accounts_get_valid_unique_handles(pds: Pds) -> None:
    first = pds.create_account("A very long prefix, with spaces!")
    second = pds.create_account("A very long prefix, with spaces!")

    assert first.did.startswith("did:plc:")
    assert first.handle.endswith(pds.handle_domain)
    assert first.handle.startswith("a-very-long")
    assert first.handle != second.handle
    assert first.did != second.did


@pytest.mark.pds
def test_post_with_an_image_through_the_atproto_client(pds: Pds) -> None:
    from atproto import Client  # type: ignore[import-untyped]

    account = pds.create_account("clarion")
    client = Client(base_url=pds.url)
    try:
        post_with_an_image(client, account)
    finally:
        client.request.close()


def post_with_an_image(client: Client, account: Account) -> None:
    from atproto import models  # type: ignore[import-untyped]
    from atproto_client.exceptions import AtProtocolError  # type: ignore[import-untyped]

    session = client.com.atproto.server.create_session(
        models.ComAtprotoServerCreateSession.Data(
            identifier=account.handle, password=account.password
        )
    )
    assert (session.did, session.handle) == (account.did, account.handle)
    # login() is the public way to give the client a session; the profile lookup
    # it would make needs an app view, which this PDS lacks.
    client.login(account.handle, account.password, fetch_bsky_profile=False)

    image = grey_png(4, 3)
    # `content=`, as the adapter does: httpx deprecates raw bytes as `data`.
    blob = client.com.atproto.repo.upload_blob(
        None, content=image, headers={"Content-Type": "image/png"}
    ).blob
    assert blob.mime_type == "image/png"
    assert blob.size == len(image)

    rkey = tid(time.time_ns() // 1000)
    record = models.AppBskyFeedPost.Record(
        text="Hello from Clarion's tests",
        created_at=client.get_current_time_iso(),
        langs=["en"],
        embed=models.AppBskyEmbedImages.Main(
            images=[models.AppBskyEmbedImages.Image(alt="A grey rectangle", image=blob)]
        ),
    )
    created = client.com.atproto.repo.create_record(
        models.ComAtprotoRepoCreateRecord.Data(
            repo=account.did, collection="app.bsky.feed.post", rkey=rkey, record=record
        )
    )
    assert created.uri == f"at://{account.did}/app.bsky.feed.post/{rkey}"

    got = client.com.atproto.repo.get_record(
        models.ComAtprotoRepoGetRecord.Params(
            repo=account.did, collection="app.bsky.feed.post", rkey=rkey
        )
    )
    assert got.cid == created.cid
    assert got.value.text == "Hello from Clarion's tests"
    assert got.value.embed.images[0].image.cid.encode() == blob.cid.encode()

    stored = client.com.atproto.sync.get_blob(
        models.ComAtprotoSyncGetBlob.Params(did=account.did, cid=blob.cid.encode())
    )
    assert stored == image

    # The same record key twice is refused: what makes a retried publish safe.
    with pytest.raises(AtProtocolError):
        client.com.atproto.repo.create_record(
            models.ComAtprotoRepoCreateRecord.Data(
                repo=account.did, collection="app.bsky.feed.post", rkey=rkey, record=record
            )
        )


def run_fixture_alone(tmp_path: Path, *, require: bool) -> subprocess.CompletedProcess[str]:
    """Run one `pds` test in a fresh pytest whose PDS home is an empty folder."""
    env = {k: v for k, v in os.environ.items() if k != "CLARION_REQUIRE_PDS"}
    env["CLARION_PDS_HOME"] = str(tmp_path / "nothing-installed")
    if require:
        env["CLARION_REQUIRE_PDS"] = "1"
    test = f"{Path(__file__).relative_to(ROOT)}::test_listens_on_loopback_only"
    # Its own basetemp: pytest prunes old ones, which must not include ours.
    basetemp = f"--basetemp={tmp_path / 'basetemp'}"
    return subprocess.run(
        # -n 0: one test needs no pytest-xdist workers (pyproject's addopts start them).
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", basetemp, test],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_without_the_install_the_pds_tests_skip(tmp_path: Path) -> None:
    result = run_fixture_alone(tmp_path, require=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert NOT_INSTALLED_REASON in result.stdout


def test_ci_turns_the_skip_into_a_failure(tmp_path: Path) -> None:
    result = run_fixture_alone(tmp_path, require=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error" in result.stdout
    assert NOT_INSTALLED_REASON in result.stdout
    assert "CLARION_REQUIRE_PDS=1" in result.stdout
