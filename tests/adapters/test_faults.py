"""The fault-injection base: each kind looks to the client libraries as it does on the wire.

requests is what Mastodon.py and tweepy use, httpx what the atproto client uses.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import requests

from clarion.sandbox.server import Fault, Request, Response, StandIn

TIMEOUT = 0.3


class Echo(StandIn):
    """One route that counts what it handled."""

    def __init__(self) -> None:
        super().__init__()
        self.handled = 0
        self.route("POST", "/thing", self._thing)

    def _thing(self, request: Request) -> Response:
        self.handled += 1
        return Response.json({"handled": self.handled})


@pytest.fixture(scope="module")
def running() -> Iterator[Echo]:
    with Echo() as server:
        assert isinstance(server, Echo)
        yield server


@pytest.fixture
def server(running: Echo) -> Iterator[Echo]:
    running.faults.clear()
    running.handled = 0
    yield running
    assert not running.faults, "a fault never fired"


def _requests_post(server: Echo) -> requests.Response:
    return requests.post(f"{server.url}/thing", data=b"{}", timeout=TIMEOUT)


def _httpx_post(server: Echo) -> httpx.Response:
    return httpx.post(f"{server.url}/thing", content=b"{}", timeout=TIMEOUT)


def test_reset_is_a_connection_reset_not_a_clean_close(server: Echo) -> None:
    server.inject(Fault("reset", "POST", "/thing"))
    with pytest.raises(requests.ConnectionError) as caught:
        _requests_post(server)
    # ProtocolError('Connection aborted.', ConnectionResetError(104, ...))
    assert isinstance(caught.value.args[0].args[1], ConnectionResetError)
    server.inject(Fault("reset", "POST", "/thing"))
    with pytest.raises(httpx.ReadError, match="reset by peer"):
        _httpx_post(server)
    assert server.handled == 0  # reset before handling


def test_lose_handles_then_closes_without_an_answer(server: Echo) -> None:
    server.inject(Fault("lose", "POST", "/thing"))
    with pytest.raises(requests.ConnectionError, match="without response"):
        _requests_post(server)
    server.inject(Fault("lose", "POST", "/thing"))
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        _httpx_post(server)
    assert server.handled == 2  # the effect is kept


def test_hang_is_a_read_timeout(server: Echo) -> None:
    server.inject(Fault("hang", "POST", "/thing", seconds=TIMEOUT * 4))
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        _requests_post(server)
    assert time.monotonic() - started < TIMEOUT * 3
    server.inject(Fault("hang", "POST", "/thing", seconds=TIMEOUT * 4))
    with pytest.raises(httpx.ReadTimeout):
        _httpx_post(server)
    assert server.handled == 2


def test_skip_lets_the_first_through_and_status_answers_instead(server: Echo) -> None:
    server.inject(Fault("status", "POST", "/thing", status=503, body=b"busy", skip=1))
    first = _requests_post(server)
    second = _requests_post(server)
    assert (first.status_code, first.json()) == (200, {"handled": 1})
    assert (second.status_code, second.content) == (503, b"busy")
    assert _requests_post(server).json() == {"handled": 2}  # the fault is used up
