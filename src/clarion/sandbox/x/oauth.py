"""OAuth 1.0a as X checks it: an HMAC-SHA1 signature over the RFC 5849 base
string, with the sandbox's fixed credentials, a fresh timestamp and an unspent
nonce."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qsl, quote, unquote

from clarion.sandbox.server import Request
from clarion.sandbox.x.rules import TIMESTAMP_SKEW

# The only credentials the stand-in accepts (what `sandbox_settings` hands out):
# public, fixed values that open nothing but this local server.
SANDBOX_API_KEY = "clarion-sandbox-x-api-key"
SANDBOX_API_SECRET = "clarion-sandbox-x-api-secret"  # noqa: S105
SANDBOX_ACCESS_TOKEN = "1864000000000000001-clarion-sandbox-access-token"  # noqa: S105
SANDBOX_ACCESS_TOKEN_SECRET = "clarion-sandbox-x-access-token-secret"  # noqa: S105


def _encode(value: str) -> str:
    """RFC 5849 3.6 percent-encoding: everything but RFC 3986 unreserved characters."""
    return quote(value, safe="")


def signature_base_string(method: str, base_uri: str, params: list[tuple[str, str]]) -> str:
    """RFC 5849 3.4.1: method & base string URI & normalized parameters."""
    encoded = sorted((_encode(k), _encode(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in encoded)
    return "&".join((method.upper(), _encode(base_uri), _encode(normalized)))


def hmac_sha1_signature(base_string: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{_encode(consumer_secret)}&{_encode(token_secret)}".encode()
    digest = hmac.new(key, base_string.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def parse_oauth_header(value: str) -> dict[str, str] | None:
    """The parameters of an `Authorization: OAuth k="v", …` header, decoded."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "oauth":
        return None
    params: dict[str, str] = {}
    for item in rest.split(","):
        name, sep, raw = item.strip().partition("=")
        if not sep:
            continue
        params[unquote(name.strip())] = unquote(raw.strip().strip('"'))
    return params


def signed(request: Request, nonces: set[tuple[str, str]]) -> bool:
    """Whether `request` carries a valid signature with the sandbox credentials;
    its nonce is spent in `nonces` when it does."""
    params = parse_oauth_header(request.header("Authorization"))
    if params is None:
        return False
    if (
        params.get("oauth_consumer_key") != SANDBOX_API_KEY
        or params.get("oauth_token") != SANDBOX_ACCESS_TOKEN
        or params.get("oauth_signature_method") != "HMAC-SHA1"
        or params.get("oauth_version", "1.0") != "1.0"
    ):
        return False
    nonce, stamp = params.get("oauth_nonce", ""), params.get("oauth_timestamp", "")
    if not nonce or not stamp.isdigit() or abs(time.time() - int(stamp)) > TIMESTAMP_SKEW:
        return False
    signature = params.pop("oauth_signature", "")
    params.pop("realm", None)
    pairs = [(k, v) for k, v in params.items() if k.startswith("oauth_")]
    pairs += [(k, v) for k, values in request.query.items() for v in values]
    if "application/x-www-form-urlencoded" in request.header("Content-Type"):
        pairs += parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
    host = request.header("Host").lower()
    base = signature_base_string(request.method, f"http://{host}{request.path}", pairs)
    expected = hmac_sha1_signature(base, SANDBOX_API_SECRET, SANDBOX_ACCESS_TOKEN_SECRET)
    if not hmac.compare_digest(signature, expected):
        return False
    if (nonce, stamp) in nonces:  # a replayed request
        return False
    nonces.add((nonce, stamp))
    return True
