"""Blobs: com.atproto.repo.uploadBlob, and the blobs a record references."""

from __future__ import annotations

from typing import Any

from clarion.sandbox.bluesky.cids import blob_cid
from clarion.sandbox.bluesky.limits import spend
from clarion.sandbox.bluesky.sessions import authed
from clarion.sandbox.bluesky.state import Blob, PdsState
from clarion.sandbox.bluesky.xrpc import XrpcError, invalid
from clarion.sandbox.server import Request, Response


def upload_blob(pds: PdsState, request: Request) -> Response:
    requester = authed(pds, request)
    headers = spend(pds.limiters, requester.did, ("blob-day", 1))
    if not request.header("Content-Type"):
        raise invalid("Request encoding (Content-Type) required but not provided")
    if len(request.body) > pds.blob_limit:
        raise XrpcError(413, "PayloadTooLarge", "request entity too large", headers)
    mime = request.header("Content-Type", "application/octet-stream").split(";")[0].strip()
    cid = blob_cid(request.body)
    pds.blobs[cid] = Blob(cid, mime, request.body)
    blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(request.body)}
    return Response.json({"blob": blob}, headers=headers)


def blob_refs(value: Any) -> list[str]:
    """The cids of every blob a record references."""
    found: list[str] = []
    if isinstance(value, dict):
        if value.get("$type") == "blob" and isinstance(value.get("ref"), dict):
            found.append(str(value["ref"].get("$link")))
        for item in value.values():
            found.extend(blob_refs(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(blob_refs(item))
    return found
