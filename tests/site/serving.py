"""A built site served over HTTP on 127.0.0.1, for the browser tests."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _Recording(SimpleHTTPRequestHandler):
    failed: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # A browser asks for /favicon.ico whatever the page says: not the page's request.
        if int(code) >= 400 and self.path != "/favicon.ico":
            self.failed.append(f"{code} {self.path}")


@contextmanager
def served(directory: Path) -> Iterator[tuple[str, list[str]]]:
    """`directory` over HTTP on 127.0.0.1: its base URL, and the requests that
    failed (filled in as the browser asks)."""
    failed: list[str] = []
    handler = type("Handler", (_Recording,), {"failed": failed})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", failed
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
