"""What the adapters that speak HTTP themselves, with httpx, share (Threads,
LinkedIn, Discourse): the client they open, reading an answer's JSON whatever it
holds, `Retry-After`, and telling a request that never left from one whose
answer was lost."""

from __future__ import annotations

import functools
import ssl
import threading
from collections.abc import Mapping
from typing import Any

import httpx

from clarion import __version__

USER_AGENT = f"clarion/{__version__}"


_TLS_LOCK = threading.Lock()


def tls() -> ssl.SSLContext:
    """The one TLS context of every client this process opens (httpx's defaults:
    certifi's CA bundle, or SSL_CERT_FILE/SSL_CERT_DIR). Each client would
    otherwise load the CA bundle again: 40 ms of CPU each, paid by every network
    before its first request. Connections share it safely."""
    with _TLS_LOCK:
        return _tls()


@functools.cache
def _tls() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def client(
    base_url: str,
    *,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """A client of one API, saying it is Clarion."""
    return httpx.Client(
        base_url=base_url,
        timeout=timeout,
        verify=tls(),
        headers={**(headers or {}), "User-Agent": USER_AGENT},
        transport=transport,
    )


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The answer's JSON object; None when it holds none (no JSON, a proxy's HTML page,
    a list)."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def retry_after(response: httpx.Response) -> float | None:
    """The seconds an answer's `Retry-After` gives; None when it gives none."""
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def never_sent(exc: httpx.RequestError) -> bool:
    """True when the request surely never reached the server (no connection was made)."""
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.UnsupportedProtocol)
