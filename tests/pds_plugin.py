"""pytest plugin: the reference Bluesky PDS on 127.0.0.1, for the tests marked `pds`.

The session fixture `pds` starts `scripts/pds.sh start` (the PDS and a PLC
directory from @atproto/dev-env), waits for its ready line, and stops it at the
end of the session. Where the PDS is not installed (`scripts/pds.sh install`)
the tests that use it are skipped, unless CLARION_REQUIRE_PDS=1 (as in CI),
which makes that a failure so they cannot be skipped unnoticed.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
PDS_SCRIPT = ROOT / "scripts" / "pds.sh"

# scripts/pds.sh start exits with this when the PDS is not installed.
NOT_INSTALLED = 3
NOT_INSTALLED_REASON = "real Bluesky PDS not installed: run scripts/pds.sh install"
REQUIRE_ENV = "CLARION_REQUIRE_PDS"

# Start-up takes a few seconds; a cold disk after an install takes longer.
READY_TIMEOUT = 120.0
STOP_TIMEOUT = 10.0
HTTP_TIMEOUT = 30.0

# The PDS allows 3 to 18 characters before the service domain.
HANDLE_FRONT_MAX = 18
SUFFIX_HEX_BYTES = 3


@dataclass(frozen=True)
class Account:
    """An account on the test PDS, made by `Pds.create_account`."""

    handle: str
    password: str
    did: str
    email: str


@dataclass(frozen=True)
class Pds:
    """A running PDS: where it is, and how to make accounts on it."""

    url: str
    """Base URL of the PDS, e.g. http://127.0.0.1:PORT (no trailing slash)."""
    plc_url: str
    public_url: str
    """What the PDS calls itself in DID documents (http://localhost:PORT): the
    atproto client moves to it after logging in."""
    handle_domain: str
    admin_password: str
    invite_required: bool

    def create_account(self, handle_prefix: str) -> Account:
        """Create an account whose handle starts with `handle_prefix` (shortened if need be).

        A random suffix makes the handle unique, so a test may call this with
        the same prefix as often as it likes.
        """
        front = _handle_front(handle_prefix)
        handle = f"{front}{self.handle_domain}"
        email = f"{front}@example.com"
        password = secrets.token_urlsafe(16)
        body: dict[str, Any] = {"handle": handle, "email": email, "password": password}
        if self.invite_required:
            body["inviteCode"] = self._invite_code()
        made = self.xrpc("com.atproto.server.createAccount", body)
        return Account(handle=made["handle"], password=password, did=made["did"], email=email)

    def xrpc(
        self,
        nsid: str,
        body: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Call an XRPC method of the PDS: a procedure (POST) with a body, else a query (GET)."""
        return _xrpc(self.url, nsid, body, headers)

    def _invite_code(self) -> str:
        admin = base64.b64encode(f"admin:{self.admin_password}".encode()).decode()
        made = self.xrpc(
            "com.atproto.server.createInviteCode",
            {"useCount": 1},
            headers={"Authorization": f"Basic {admin}"},
        )
        return str(made["code"])


def _xrpc(
    url: str, nsid: str, body: dict[str, Any] | None, headers: dict[str, str] | None
) -> dict[str, Any]:
    # Without a body it is a query (GET), with one a procedure (POST).
    response = requests.request(
        "GET" if body is None else "POST",
        f"{url}/xrpc/{nsid}",
        json=body,
        headers=headers,
        timeout=HTTP_TIMEOUT,
    )
    if not response.ok:
        raise RuntimeError(f"{nsid} failed: HTTP {response.status_code}: {response.text}")
    answer: dict[str, Any] = response.json()
    return answer


def _handle_front(prefix: str) -> str:
    suffix = secrets.token_hex(SUFFIX_HEX_BYTES)
    room = HANDLE_FRONT_MAX - len(suffix) - 1
    cleaned = re.sub(r"[^a-z0-9]+", "-", prefix.lower()).strip("-")[:room].strip("-")
    return f"{cleaned or 'user'}-{suffix}"


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 requires it)", pytrace=False)
    pytest.skip(reason)


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    # Keeps draining stdout after the ready line, so the server never blocks on a full pipe.
    for line in stream:
        lines.put(line)
    lines.put(None)


def _tail(log: Path, count: int = 30) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-count:])


def _wait_until_ready(
    process: subprocess.Popen[str], lines: queue.Queue[str | None], log: Path
) -> dict[str, Any]:
    deadline = time.monotonic() + READY_TIMEOUT
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            code = process.wait()
            if code == NOT_INSTALLED:
                _unavailable(NOT_INSTALLED_REASON)
            pytest.fail(f"the PDS exited with {code} before it was ready:\n{_tail(log)}")
        try:
            ready = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(ready, dict) and "pds" in ready:
            return ready
    pytest.fail(f"the PDS was not ready after {READY_TIMEOUT:.0f} s:\n{_tail(log)}")


def _stop(process: subprocess.Popen[str], reader: threading.Thread) -> None:
    # Closing stdin asks start.mjs to shut down cleanly (and remove its data).
    if process.stdin is not None:
        process.stdin.close()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    # The reader sees the end of stdout once the process is gone.
    reader.join(timeout=STOP_TIMEOUT)
    if process.stdout is not None:
        process.stdout.close()


@pytest.fixture(scope="session")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pds]:
    """The reference Bluesky PDS on 127.0.0.1, for the whole session."""
    if _UNGROUPED:
        pytest.fail(
            f"pytest-xdist did not put the pds tests on one worker ({_UNGROUPED[0]} has no"
            " @pds): with this pytest its --dist loadgroup groups nothing (pytest-xdist#1386)",
            pytrace=False,
        )
    log = tmp_path_factory.mktemp("pds") / "pds.log"
    with log.open("w", encoding="utf-8") as log_file:
        try:
            process = subprocess.Popen(
                ["bash", str(PDS_SCRIPT), "start"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                text=True,
            )
        except FileNotFoundError:
            _unavailable(f"{NOT_INSTALLED_REASON} (bash is missing)")
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        ready = _wait_until_ready(process, lines, log)
        url = str(ready["pds"])
        described = _xrpc(url, "com.atproto.server.describeServer", None, None)
        yield Pds(
            url=url,
            plc_url=str(ready["plc"]),
            public_url=str(ready["pds_public_url"]),
            handle_domain=str(described["availableUserDomains"][0]),
            admin_password=str(ready["admin_password"]),
            invite_required=bool(described.get("inviteCodeRequired", False)),
        )
    finally:
        _stop(process, reader)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One PDS per session: under pytest-xdist (--dist loadgroup) every test that
    # needs it runs on the same worker.
    for item in items:
        if item.get_closest_marker("pds") is not None:
            item.add_marker(pytest.mark.xdist_group("pds"))


@pytest.hookimpl(trylast=True)  # after pytest-xdist named the groups
def pytest_collection_finish(session: pytest.Session) -> None:
    # pytest-xdist 3.8 groups by a suffix of the node id, which pytest 9.2 no
    # longer lets it set (pytest-xdist#1386): the group is silently lost and
    # each worker starts a PDS of its own. The `pds` fixture says so instead.
    if getattr(session.config, "workerinput", None) is not None and session.config.getvalue(
        "loadgroup"
    ):
        _UNGROUPED.extend(
            i.nodeid
            for i in session.items
            if i.get_closest_marker("pds") and "@pds" not in i.nodeid
        )


_UNGROUPED: list[str] = []
