"""Smart-HTTP git for tests: `git http-backend` behind a tiny HTTP server on
127.0.0.1, with the caller deciding which requests are authorised."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from tests import housekeeping

# Given the request's Authorization headers and path: may it be served?
Authorise = Callable[[list[str], str], bool]


def _backend(
    handler: BaseHTTPRequestHandler, root: Path, global_config: str
) -> tuple[int, list[tuple[str, str]], bytes]:
    url = urlsplit(handler.path)
    body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
    cgi = {
        "PATH": os.environ.get("PATH", ""),
        "GIT_PROJECT_ROOT": str(root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": global_config,
        **housekeeping.config_env({}),
        "REQUEST_METHOD": handler.command,
        "PATH_INFO": url.path,
        "QUERY_STRING": url.query,
        "CONTENT_TYPE": handler.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_USER": "x-access-token",  # authenticated: receive-pack is allowed
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_CONTENT_ENCODING": handler.headers.get("Content-Encoding", ""),
        "GIT_PROTOCOL": handler.headers.get("Git-Protocol", ""),
    }
    proc = subprocess.run(
        ["git", "http-backend"], input=body, env=cgi, capture_output=True, check=False
    )
    head, _, payload = proc.stdout.partition(b"\r\n\r\n")
    status, headers = 200, []
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.split()[0])
        elif name:
            headers.append((name, value.strip()))
    return status, headers, payload


@contextmanager
def serve_git(
    root: Path,
    authorise: Authorise,
    *,
    realm: str = "git",
    global_config: str = os.devnull,
    outage: list[int] | None = None,
) -> Iterator[str]:
    """Serve the bare repositories under `root`; yields the base URL. While
    `outage[0]` is above zero, each push is answered 503 and counts it down."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.answer()

        def do_POST(self) -> None:
            self.answer()

        def answer(self) -> None:
            if not authorise(self.headers.get_all("Authorization") or [], self.path):
                self.send_response(401)
                self.send_header("WWW-Authenticate", f'Basic realm="{realm}"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if outage and outage[0] > 0 and "receive-pack" in self.path:
                outage[0] -= 1
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, headers, payload = _backend(self, root, global_config)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
