"""The Threads adapter's calls to Meta's Graph API (graph.threads.net): the token
where Meta documents it, answers read as JSON, refusals turned into adapter errors
(`threads_errors`), and the reads that may be tried again here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from clarion.adapters.base import AdapterError, NotSent
from clarion.adapters.threads_errors import graph_error, refusal, transport


class GraphCalls:
    """The calls of one adapter: its client (None until it connects), its token,
    how many times a read is tried again, and how it waits."""

    _client: httpx.Client | None
    _token: str
    retries: int
    _sleep: Callable[[float], None]

    def _connected(self) -> httpx.Client:
        if self._client is None:
            raise AdapterError("ThreadsAdapter.connect() must be called first")
        return self._client

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One call, the token as Meta documents it: `access_token`, in the query of a
        GET or DELETE and in the form of a POST. Raises httpx.TransportError."""
        client = self._connected()
        if method == "POST":
            return client.request(
                method,
                path,
                params=dict(params or {}),
                data={**(data or {}), "access_token": self._token},
            )
        return client.request(method, path, params={**(params or {}), "access_token": self._token})

    def _read(self, path: str, params: Mapping[str, str], doing: str) -> Mapping[str, Any]:
        try:
            response = self._request("GET", path, params=params)
        except httpx.TransportError as exc:
            raise NotSent(f"Threads: {doing} failed ({transport(exc)})", retryable=True) from None
        return self._json(response, doing)

    def _read_retrying(self, path: str, params: Mapping[str, str], doing: str) -> Mapping[str, Any]:
        """A read tried again here after a network or server failure, `retries` times."""
        attempt = 0
        while True:
            try:
                return self._read(path, params, doing)
            except NotSent as exc:
                attempt += 1
                if not exc.retryable or attempt > self.retries:
                    raise
                self._sleep(min(exc.retry_after or 0.2 * attempt, 5.0))

    def _json(self, response: httpx.Response, doing: str) -> Mapping[str, Any]:
        if response.status_code >= 400:
            raise refusal(graph_error(response), response, doing)
        return self._body(response, doing)

    @staticmethod
    def _body(response: httpx.Response, doing: str) -> Mapping[str, Any]:
        try:
            answer = response.json()
        except ValueError:
            raise NotSent(f"Threads answered {doing} with no JSON", retryable=True) from None
        return answer if isinstance(answer, dict) else {}
