"""The repository's records: com.atproto.repo.createRecord, putRecord, getRecord,
listRecords and deleteRecord, with content ids computed as a PDS computes them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from clarion import tid
from clarion.sandbox.bluesky.blobs import blob_refs
from clarion.sandbox.bluesky.cids import record_cid
from clarion.sandbox.bluesky.lexicon import (
    POST,
    PROFILE,
    PROFILE_KEY,
    Invalid,
    is_cid,
    show,
    validate_post,
    validate_profile,
)
from clarion.sandbox.bluesky.limits import spend
from clarion.sandbox.bluesky.sessions import authed
from clarion.sandbox.bluesky.state import Account, PdsState, StoredRecord
from clarion.sandbox.bluesky.xrpc import XrpcError, body, invalid, param
from clarion.sandbox.server import Request, Response

_RECORD_KEY = re.compile(r"^[a-zA-Z0-9_~.:-]{1,512}$")


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _repo_account(pds: PdsState, requester: Account, repo: str) -> Account:
    account = pds.find_account(repo)
    if account is None:
        raise XrpcError(403, "AccountNotFound", "Account not found")
    if account.did != requester.did:
        raise XrpcError(401, "AuthenticationRequired", "Authentication Required")
    return account


def _typed_record(record: object, collection: str) -> dict[str, object]:
    """The input record, its `$type` the collection's (set when absent), or refused."""
    if not isinstance(record, dict):
        raise invalid("Input/record must be an object")
    record.setdefault("$type", collection)
    if record["$type"] != collection:
        raise invalid(f"Invalid $type: expected {collection}, got {record['$type']}")
    return record


def create_record(pds: PdsState, request: Request) -> Response:
    found = body(request, "repo", "collection", "record")
    requester = authed(pds, request)
    headers = spend(pds.limiters, requester.did, ("write-hour", 3), ("write-day", 3))
    account = _repo_account(pds, requester, str(found["repo"]))
    collection = str(found["collection"])
    record = _typed_record(found["record"], collection)
    rkey = found.get("rkey") or tid.now(pds.clock_id)
    if not _RECORD_KEY.match(rkey) or rkey in (".", ".."):
        raise invalid(f"Invalid record key (got {show(rkey)}) at $.rkey")
    status = _checked(pds, collection, rkey, record, found.get("validate"))
    uri = f"at://{account.did}/{collection}/{rkey}"
    stored = pds.records.get(uri)
    if stored is not None and not stored.deleted:
        # The reference PDS adds the key to its repository tree, which throws
        # "There is already a value at key"; that surfaces as a bare 500.
        raise XrpcError(500, "InternalServerError", "Internal Server Error", headers)
    try:
        cid = record_cid(record)
    except ValueError as exc:
        raise invalid(f"Invalid record: {exc}") from None
    pds.records.pop(uri, None)  # a deleted record's key can be used again
    pds.records[uri] = StoredRecord(uri, cid, record, _now_iso())
    rev = tid.now(pds.clock_id)
    return Response.json(
        {
            "uri": uri,
            "cid": cid,
            "commit": {"cid": record_cid({"rev": rev, "data": cid}), "rev": rev},
            "validationStatus": status,
        },
        headers=headers,
    )


def put_record(pds: PdsState, request: Request) -> Response:
    """Create or replace the record under a key. `swapRecord` (when sent) is the cid the
    record must have now, or null for "there must be none"; otherwise `InvalidSwap`.
    A record put again unchanged is a no-op, answered without a commit."""
    found = body(request, "repo", "collection", "rkey", "record")
    swap = found.get("swapRecord")
    if swap is not None and (not isinstance(swap, str) or not is_cid(swap)):
        raise invalid(f"Invalid CID string (got {show(swap)}) at $.swapRecord")
    requester = authed(pds, request)
    headers = spend(pds.limiters, requester.did, ("write-hour", 2), ("write-day", 2))
    account = _repo_account(pds, requester, str(found["repo"]))
    collection = str(found["collection"])
    record = _typed_record(found["record"], collection)
    rkey = str(found["rkey"])
    if not _RECORD_KEY.match(rkey) or rkey in (".", ".."):
        raise invalid(f"Invalid record key (got {show(rkey)}) at $.rkey")
    status = _checked(pds, collection, rkey, record, found.get("validate"))
    uri = f"at://{account.did}/{collection}/{rkey}"
    current = pds.records.get(uri)
    if current is not None and current.deleted:
        current = None
    try:
        cid = record_cid(record)
    except ValueError as exc:
        raise invalid(f"Invalid record: {exc}") from None
    answer: dict[str, Any] = {"uri": uri, "cid": cid}
    if current is not None and current.cid == cid:
        return Response.json(answer | {"validationStatus": status}, headers=headers)
    if "swapRecord" in found and swap != (current.cid if current is not None else None):
        was = current.cid if current is not None else "null"
        raise XrpcError(400, "InvalidSwap", f"Record was at {was}", headers)
    pds.records.pop(uri, None)
    pds.records[uri] = StoredRecord(uri, cid, record, _now_iso())
    rev = tid.now(pds.clock_id)
    answer["commit"] = {"cid": record_cid({"rev": rev, "data": cid}), "rev": rev}
    return Response.json(answer | {"validationStatus": status}, headers=headers)


def _checked(
    pds: PdsState, collection: str, rkey: str, record: dict[str, Any], validate: object
) -> str:
    """The record checked as the PDS checks it before writing: no floats, its key and
    its lexicon (for the collections it knows, unless `validate` is false), its blobs
    uploaded. Returns the `validationStatus`."""
    floating = _first_float(record, "$.record")
    if floating:
        raise invalid(
            "Expected one of null, boolean, integer, string, cid, bytes, array or object "
            f"value type (got {floating[1]}) at {floating[0]}"
        )
    status = "unknown"
    if collection in (POST, PROFILE) and validate is not False:
        if collection == POST and not tid.is_tid(rkey):
            raise invalid(
                f"Invalid record key for {POST}: Invalid TID string (got {show(rkey)}) at $"
            )
        if collection == PROFILE and rkey != PROFILE_KEY:
            raise invalid(
                f"Invalid record key for {PROFILE}: Expected {show(PROFILE_KEY)} "
                f"(got {show(rkey)}) at $"
            )
        try:
            (validate_post if collection == POST else validate_profile)(record)
        except Invalid as exc:
            raise invalid(f"Invalid {collection} record: {exc}") from None
        status = "valid"
    for ref in blob_refs(record):
        if ref not in pds.blobs:
            raise invalid(f"Could not find blob: {ref}", "BlobNotFound")
    return status


def get_record(pds: PdsState, request: Request) -> Response:
    repo = param(request, "repo")
    collection = param(request, "collection")
    rkey = param(request, "rkey")
    account = pds.find_account(repo)
    if account is None:
        raise invalid("Could not locate record")
    uri = f"at://{account.did}/{collection}/{rkey}"
    stored = pds.records.get(uri)
    wanted_cid = request.query.get("cid", [None])[0]
    if stored is None or stored.deleted or (wanted_cid and wanted_cid != stored.cid):
        raise invalid(f"Could not locate record: {uri}", "RecordNotFound")
    return Response.json({"uri": uri, "cid": stored.cid, "value": stored.value})


def list_records(pds: PdsState, request: Request) -> Response:
    repo = param(request, "repo")
    collection = param(request, "collection")
    limit = int(request.query.get("limit", ["50"])[0])
    if not 1 <= limit <= 100:
        raise invalid("Params/limit must be between 1 and 100")
    cursor = request.query.get("cursor", [""])[0]
    reverse = request.query.get("reverse", ["false"])[0] == "true"
    account = pds.find_account(repo)
    if account is None:
        raise invalid(f"Could not find repo: {repo}")
    prefix = f"at://{account.did}/{collection}/"
    found = sorted(
        (r for r in pds.records.values() if r.uri.startswith(prefix) and not r.deleted),
        key=lambda r: r.rkey,
        reverse=not reverse,  # newest key first, unless reversed
    )
    if cursor:
        found = [r for r in found if (r.rkey > cursor if reverse else r.rkey < cursor)]
    page = found[:limit]
    answer: dict[str, Any] = {
        "records": [{"uri": r.uri, "cid": r.cid, "value": r.value} for r in page]
    }
    if len(page) == limit:
        answer["cursor"] = page[-1].rkey
    return Response.json(answer)


def delete_record(pds: PdsState, request: Request) -> Response:
    found = body(request, "repo", "collection", "rkey")
    requester = authed(pds, request)
    headers = spend(pds.limiters, requester.did, ("write-hour", 1), ("write-day", 1))
    account = _repo_account(pds, requester, str(found["repo"]))
    uri = f"at://{account.did}/{found['collection']}/{found['rkey']}"
    stored = pds.records.get(uri)
    if stored is None or stored.deleted:
        return Response.json({}, headers=headers)  # deleting nothing is a no-op
    stored.deleted = True
    rev = tid.now(pds.clock_id)
    return Response.json(
        {"commit": {"cid": record_cid({"rev": rev, "deleted": uri}), "rev": rev}},
        headers=headers,
    )


def _first_float(value: Any, path: str) -> tuple[str, float] | None:
    """Where the record holds a float (atproto data has none), and the float."""
    if isinstance(value, float):
        return path, value
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        items = [(f"{path}.{key}", item) for key, item in value.items()]
    elif isinstance(value, list):
        items = [(f"{path}[{n}]", item) for n, item in enumerate(value)]
    for where, item in items:
        found = _first_float(item, where)
        if found:
            return found
    return None
