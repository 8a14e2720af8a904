"""One JSON object, as SPEC.md documents it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TextIO

from clarion.check.result import CheckResult, PostResult

# One encoder for the report: json.dumps with an option makes a new one at each call.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_CHUNK = 256  # posts encoded together


def report(result: CheckResult, out: TextIO) -> None:
    # A few hundred posts at a time: the whole document as one dict and one string
    # doubles the memory of a big tree, and json.dump's small writes, or an encoder
    # call per post, cost seconds.
    posts = result.posts
    write(result.ok, (encode(posts[i : i + _CHUNK]) for i in range(0, len(posts), _CHUNK)), out)


def encode(posts: Sequence[PostResult]) -> str:
    """The JSON objects of `posts`, separated as the report separates them, without
    the list's brackets: what `write` puts together."""
    # The encoder separates a list's items by ", ", as `write` does.
    return _ENCODE([post.as_json() for post in posts])[1:-1]


def write(ok: bool, encoded: Iterable[str], out: TextIO) -> None:
    """The report of posts encoded by `encode`, some posts at a time, in order."""
    out.write('{"ok": ' + json.dumps(ok) + ', "posts": [')
    first = True
    for chunk in encoded:
        if chunk:
            out.write(chunk if first else ", " + chunk)
            first = False
    out.write("]}\n")
