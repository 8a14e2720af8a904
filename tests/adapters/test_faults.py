"""The fault-injection base: each kind looks to the client libraries as it does on the wire.

requests is what Mastodon.py and tweepy use, httpx what the atproto client uses.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
import requests

from clarion.adapters.http import tls
from clarion.sandbox.server import Fault, Hold, Request, Response, StandIn
from tests.timeouts import GENEROUS, GIVE_UP


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


def _requests_post(server: Echo, timeout: float = GENEROUS) -> requests.Response:
    return requests.post(f"{server.url}/thing", data=b"{}", timeout=timeout)


def _httpx_post(server: Echo, timeout: float = GENEROUS) -> httpx.Response:
    return httpx.post(f"{server.url}/thing", content=b"{}", timeout=timeout, verify=tls())


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
    # Nothing is answered before release(), which comes after the client gave up:
    # only its own timeout can have ended the call.
    hang = Fault("hang", "POST", "/thing")
    server.inject(hang)
    with pytest.raises(requests.ReadTimeout):
        _requests_post(server, timeout=GIVE_UP)
    assert hang.hold.arrived == 1
    hang.hold.release()
    hang = Fault("hang", "POST", "/thing")
    server.inject(hang)
    with pytest.raises(httpx.ReadTimeout):
        _httpx_post(server, timeout=GIVE_UP)
    hang.hold.release()
    assert server.handled == 2


def test_delay_holds_the_request_until_released(server: Echo) -> None:
    delay = Fault("delay", "POST", "/thing")
    server.inject(delay)
    answers: list[requests.Response] = []
    client = threading.Thread(target=lambda: answers.append(_requests_post(server)))
    client.start()
    delay.hold.wait()
    assert (server.handled, answers) == (0, [])  # held before it is handled
    delay.hold.release()
    client.join()
    assert answers[0].json() == {"handled": 1}


def test_one_hold_for_several_requests_and_stop_releases_it() -> None:
    hold = Hold()
    with Echo() as echo:
        assert isinstance(echo, Echo)
        for _ in range(2):
            echo.inject(Fault("delay", "POST", "/thing", hold=hold))
        answers: list[int] = []
        clients = [
            threading.Thread(target=lambda: answers.append(_requests_post(echo).status_code))
            for _ in range(2)
        ]
        for client in clients:
            client.start()
        hold.wait(2)
        assert echo.handled == 0
    for client in clients:  # stop() let both go on: a forgotten hold blocks nothing
        client.join()
    assert (echo.handled, answers) == (2, [200, 200])


def test_skip_lets_the_first_through_and_status_answers_instead(server: Echo) -> None:
    server.inject(Fault("status", "POST", "/thing", status=503, body=b"busy", skip=1))
    first = _requests_post(server)
    second = _requests_post(server)
    assert (first.status_code, first.json()) == (200, {"handled": 1})
    assert (second.status_code, second.content) == (503, b"busy")
    assert _requests_post(server).json() == {"handled": 2}  # the fault is used up
