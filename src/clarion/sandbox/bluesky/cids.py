"""Content ids as a PDS computes them: from a record's DAG-CBOR, or a blob's bytes."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import libipld


def cid_bytes(cid: str) -> bytes:
    """The binary form of a CID in its string form; ValueError if it is not one."""
    _, raw = libipld.decode_multibase(cid)
    libipld.decode_cid(raw)
    return raw


def _ipld(value: Any) -> Any:
    """A record in its JSON form (`$link`, `$bytes`) as the IPLD data libipld encodes.

    libipld takes a link as the CID's bytes: it writes any bytes that parse as a
    CID as a link (tag 42), so a `$bytes` value holding exactly a CID would come
    out a link. Post records hold no `$bytes`.
    """
    if isinstance(value, float):
        raise ValueError("floats are not allowed in atproto records")  # noqa: TRY004
    if isinstance(value, list):
        return [_ipld(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {"$link"}:
            return cid_bytes(value["$link"])
        if set(value) == {"$bytes"}:
            return base64.b64decode(value["$bytes"] + "=" * (-len(value["$bytes"]) % 4))
        return {key: _ipld(item) for key, item in value.items()}
    return value


def dag_cbor(value: Any) -> bytes:
    """The DAG-CBOR encoding of a record in its JSON form (`$link` and `$bytes` included)."""
    return libipld.encode_dag_cbor(_ipld(value))


def _cid(codec: int, data: bytes) -> str:
    # CIDv1, the codec, then the multihash: sha2-256 (0x12) of 32 bytes (0x20).
    return libipld.encode_cid(bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(data).digest())


def record_cid(record: Any) -> str:
    """The CIDv1 (dag-cbor, sha-256) a PDS gives this record: `bafyrei...`."""
    return _cid(0x71, dag_cbor(record))


def blob_cid(data: bytes) -> str:
    """The CIDv1 (raw, sha-256) a PDS gives an uploaded blob: `bafkrei...`."""
    return _cid(0x55, data)
