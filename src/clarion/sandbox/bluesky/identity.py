"""Identity: an account's DID document, and handle resolution
(com.atproto.identity.resolveHandle)."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from clarion.sandbox.bluesky.lexicon import show
from clarion.sandbox.bluesky.state import Account, PdsState
from clarion.sandbox.bluesky.xrpc import invalid, param
from clarion.sandbox.server import Request, Response

SERVICE_DOMAINS = (".test",)  # handles this PDS is authoritative for, as a dev-env PDS

_HANDLE = re.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)


def valid_handle(handle: str) -> bool:
    """Whether `handle` is a handle's shape (a domain name)."""
    return bool(_HANDLE.match(handle))


def did_doc(account: Account, service: str) -> dict[str, Any]:
    """The account's DID document, naming the PDS at `service` as its home."""
    key = base64.b32encode(hashlib.sha256(account.did.encode()).digest()).decode().lower()
    return {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
            "https://w3id.org/security/suites/secp256k1-2019/v1",
        ],
        "id": account.did,
        "alsoKnownAs": [f"at://{account.handle}"],
        "verificationMethod": [
            {
                "id": f"{account.did}#atproto",
                "type": "Multikey",
                "controller": account.did,
                "publicKeyMultibase": "zQ3sh" + key[:44],
            }
        ],
        "service": [
            {
                "id": "#atproto_pds",
                "type": "AtprotoPersonalDataServer",
                "serviceEndpoint": service,
            }
        ],
    }


def resolve_handle(pds: PdsState, request: Request) -> Response:
    handle = param(request, "handle").lower()
    if not _HANDLE.match(handle):
        raise invalid(
            "Invalid com.atproto.identity.resolveHandle params: "
            f"Invalid handle (got {show(handle)})"
        )
    account = pds.find_account(handle)
    if account is not None:
        return Response.json({"did": account.did})
    if handle.endswith(SERVICE_DOMAINS):
        raise invalid("Unable to resolve handle", "HandleNotFound")
    # A real PDS would ask DNS and the handle's web server; a stand-in knows no one else.
    raise invalid("Unable to resolve handle")
