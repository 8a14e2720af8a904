"""The small HTTP server every network stand-in is built on.

A stand-in subclasses `StandIn`, registers routes with `route`, and gets:
per-request latency (for benchmarks), a queue of injected faults (for the fault
tests), a log of every request, and start/stop on an ephemeral 127.0.0.1 port.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import html
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class FormField:
    """One field of a multipart/form-data body; a file has a filename."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None  # as the part's header gives it

    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


@dataclass
class Request:
    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    at: float = 0.0  # time.time() when it arrived, before any latency

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def form_data(self) -> dict[str, FormField] | None:
        """The fields of a multipart/form-data body (the last of a repeated name), or
        None if the body is not one."""
        content_type = self.header("Content-Type")
        if not content_type.lower().startswith("multipart/form-data"):
            return None
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + self.body)
        fields: dict[str, FormField] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(data, bytes):
                part_type = part.get("Content-Type")
                fields[name] = FormField(
                    data, part.get_filename(), None if part_type is None else str(part_type)
                )
        return fields

    def header(self, name: str, default: str = "") -> str:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return default


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        return cls(
            status,
            json.dumps(data).encode("utf-8"),
            {"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )

    @classmethod
    def page(cls, title: str, text: str) -> Response:
        """A post's web page, as a stand-in serves it at the address its receipts
        give: enough for a person following a sandbox receipt to see what went out."""
        body = (
            "<!doctype html><html><head><meta charset=utf-8>"
            f"<title>{html.escape(title)}</title></head><body>"
            f"<h1>{html.escape(title)}</h1><p style='white-space:pre-wrap'>{html.escape(text)}</p>"
            "</body></html>"
        )
        return cls(200, body.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


class Hold:
    """A gate that "hang" and "delay" faults keep requests at until the test opens it.

    One hold may serve several faults (the same moment on three networks):
    `wait(count)` returns once that many requests are held.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._arrived = 0
        self._released = False

    @property
    def arrived(self) -> int:
        """How many requests have reached the hold so far."""
        with self._changed:
            return self._arrived

    def wait(self, count: int = 1, timeout: float = 60.0) -> None:
        """Until `count` requests are held. The timeout only turns a request that
        never comes into a failure instead of a hung test."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._arrived >= count, timeout):
                raise TimeoutError(f"{self._arrived} of {count} requests reached the hold")

    def release(self) -> None:
        """Let every held request go on, and any that arrives later pass at once."""
        with self._changed:
            self._released = True
            self._changed.notify_all()

    def keep(self, seconds: float = 0.0) -> None:
        """Server side: count this request in, then wait until released."""
        with self._changed:
            self._arrived += 1
            self._changed.notify_all()
            self._changed.wait_for(lambda: self._released, seconds or None)


@dataclass
class Fault:
    """What to do to the next request that matches `method` and `path_prefix`.

    kind:
      "status"  answer `status` with `body`/`headers` instead of handling it;
      "lose"    handle the request (the server keeps its effect), then close the
                connection without answering (a proxy or server that went away:
                the client reads end-of-file, "closed without response");
      "reset"   abort the connection with a TCP RST without handling the request
                (the client reads ECONNRESET, "connection reset by peer");
      "hang"    handle the request, then hold the connection without answering
                until `hold` is released, then close it (the client times out:
                it is never answered while it waits);
      "delay"   hold the request until `hold` is released, then handle it
                normally (something happens "while" the request is on its way).

    A held request waits for the test, never for the clock: the test sees it
    arrive (`hold.wait()`, `hold.arrived`), does what must happen meanwhile, and
    calls `hold.release()`; stopping the stand-in releases every hold. `seconds`,
    if set, bounds the hold, for scripts and benchmarks; tests leave it at 0.
    """

    kind: str
    method: str = ""
    path_prefix: str = ""
    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    skip: int = 0  # let this many matching requests through first ("the second part")
    hold: Hold = field(default_factory=Hold, repr=False, compare=False)

    def matches(self, request: Request) -> bool:
        return (not self.method or self.method == request.method) and request.path.startswith(
            self.path_prefix
        )


Handler = Callable[[Request], Response]


class StandIn:
    """A network's HTTP API on 127.0.0.1. Subclasses register routes in `__init__`."""

    name = "stand-in"

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.requests: list[Request] = []
        self.faults: deque[Fault] = deque()
        self._holds: list[Hold] = []  # of faults taken, released on stop()
        self._routes: list[tuple[str, str, bool, Handler]] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- routes ----------------------------------------------------------------
    def route(self, method: str, path: str, handler: Handler, *, prefix: bool = False) -> None:
        self._routes.append((method, path, prefix, handler))

    def on(self, handler: Callable[[Self, Request], Response]) -> Handler:
        """A route's handler from a function of the stand-in and the request."""
        return lambda request: handler(self, request)

    def not_found(self, request: Request) -> Response:
        return Response.json({"error": "Not Found"}, 404)

    def dispatch(self, request: Request) -> Response:
        for method, path, prefix, handler in self._routes:
            if method == request.method and (
                request.path == path or (prefix and request.path.startswith(path))
            ):
                with self._lock:
                    return handler(request)
        return self.not_found(request)

    # -- what it received: each stand-in lists its own, for tests and describe() --
    def received(self) -> list[dict[str, Any]]:
        """Every post it took, in order, deleted ones flagged (`"deleted": True`)."""
        return []

    def live(self) -> list[dict[str, Any]]:
        """The posts that exist now (not deleted)."""
        return [post for post in self.received() if not post["deleted"]]

    # -- faults ----------------------------------------------------------------
    def inject(self, fault: Fault) -> None:
        self.faults.append(fault)

    def _take_fault(self, request: Request) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(request):
                    if fault.skip:
                        fault.skip -= 1
                        return None
                    self.faults.remove(fault)
                    self._holds.append(fault.hold)
                    return fault
        return None

    def release_holds(self) -> None:
        """Let every held request go on (the faults still queued too)."""
        with self._lock:
            holds = [*self._holds, *(fault.hold for fault in self.faults)]
        for hold in holds:
            hold.release()

    # -- life ------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("start() the stand-in first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> StandIn:
        stand_in = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # small answers go out at once, as real servers do

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                arrived = time.time()
                parts = urlsplit(self.path)
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    dict(self.headers.items()),
                    body,
                    arrived,
                )
                if stand_in.latency:
                    time.sleep(stand_in.latency)
                with stand_in._lock:
                    stand_in.requests.append(request)
                fault = stand_in._take_fault(request)
                if fault is not None and fault.kind == "delay":
                    fault.hold.keep(fault.seconds)
                    fault = None
                if fault is not None and fault.kind == "reset":
                    self._abort()
                    return
                if fault is not None and fault.kind == "status":
                    response = Response(fault.status, fault.body, dict(fault.headers))
                else:
                    response = stand_in.dispatch(request)
                if fault is not None and fault.kind == "hang":
                    fault.hold.keep(fault.seconds)
                if fault is not None and fault.kind in ("lose", "hang"):
                    self._drop()
                    return
                self.send_response(response.status)
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

            def _drop(self) -> None:
                """Close without answering: a FIN, which the client reads as end-of-file."""
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

            def _abort(self) -> None:
                """Abort with a RST, which the client reads as ECONNRESET.

                A zero linger makes close() send RST; shutdown() would send a FIN
                first (a clean close, not a reset), so the socket is closed at once,
                together with rfile, which holds a reference that delays the close.
                """
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.rfile.close()
                    self.connection.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() returns quickly
            name=f"{self.name}-stand-in",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release_holds()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
