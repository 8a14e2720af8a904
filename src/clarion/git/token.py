"""The push token: how `GITHUB_TOKEN` reaches git, and how it stays out of messages.

The token reaches git only through the environment of the git process, as the
`http.<server>/.extraheader` that actions/checkout would have written: never in
`.git/config`, never on a command line, never in a message.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping

DEFAULT_SERVER_URL = "https://github.com"

# What git says when the remote wants (other) credentials.
_AUTH_FAILURE = (
    "Authentication failed",
    "could not read Username",
    "returned error: 401",
    "returned error: 403",
)

_URL_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def _basic_credentials(token: str) -> str:
    return base64.b64encode(f"x-access-token:{token}".encode()).decode("ascii")


def auth_config(environ: Mapping[str, str], token: str) -> dict[str, str]:
    """Git config entries, given through the environment, that send `token`."""
    server = (environ.get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL).rstrip("/")
    try:
        count = int(environ.get("GIT_CONFIG_COUNT") or 0)
    except ValueError:
        count = 0
    key = f"http.{server}/.extraheader"
    return {
        "GIT_CONFIG_COUNT": str(count + 2),
        # An empty value first clears any header inherited from .git/config
        # (a checkout left with persist-credentials: true), so exactly one
        # Authorization header is sent: ours.
        f"GIT_CONFIG_KEY_{count}": key,
        f"GIT_CONFIG_VALUE_{count}": "",
        f"GIT_CONFIG_KEY_{count + 1}": key,
        f"GIT_CONFIG_VALUE_{count + 1}": f"AUTHORIZATION: basic {_basic_credentials(token)}",
    }


def redact(text: str, token: str) -> str:
    """`text` with `token`, in any form git might show, and URL passwords masked."""
    if token:
        for secret in (token, _basic_credentials(token)):
            text = text.replace(secret, "***")
    return _URL_USERINFO.sub("***@", text)


def credentials_hint(output: str, token: str) -> str:
    """What to do, when git's `output` says the remote wanted other credentials; else ""."""
    if not any(sign in output for sign in _AUTH_FAILURE):
        return ""
    if not token:
        return (
            "\nThe remote wants credentials: set GITHUB_TOKEN to a token that may push "
            "to this repository (contents: write)."
        )
    return "\nThe remote refused GITHUB_TOKEN: it is expired, or lacks contents: write."
