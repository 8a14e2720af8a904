"""XRPC plumbing: error answers in the shape `{"error": ..., "message": ...}`, and a
method's input (a JSON body, or query parameters)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clarion.sandbox.bluesky.lexicon import show
from clarion.sandbox.server import Request, Response


class XrpcError(Exception):
    """An error answer in the XRPC shape `{"error": ..., "message": ...}`."""

    def __init__(
        self, status: int, error: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = dict(headers or {})

    def response(self) -> Response:
        return Response.json(
            {"error": self.error, "message": self.message}, self.status, self.headers
        )


def invalid(message: str, error: str = "InvalidRequest") -> XrpcError:
    return XrpcError(400, error, message)


def body(request: Request, *required: str) -> dict[str, Any]:
    """The JSON object a procedure was sent, with each of the `required` keys."""
    try:
        found = request.json()
    except ValueError as exc:
        raise invalid(str(exc), "SyntaxError") from None
    if not isinstance(found, dict):
        raise invalid(f"Expected object value type (got {show(found)}) at $")
    for name in required:
        if name not in found:
            raise invalid(f'Missing required key "{name}" at $')
    return found


def param(request: Request, name: str) -> str:
    """A query's required parameter."""
    values = request.query.get(name)
    if not values:
        nsid = request.path.rsplit("/", 1)[1]
        raise invalid(f'Invalid {nsid} params: Missing required key "{name}"')
    return values[0]
