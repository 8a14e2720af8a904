"""One JSON object, as SPEC.md documents it."""

from __future__ import annotations

import json
from typing import TextIO

from clarion.check.result import CheckResult

# One encoder for the report: json.dumps with an option makes a new one at each call.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_CHUNK = 256  # posts encoded together


def report(result: CheckResult, out: TextIO) -> None:
    # A few hundred posts at a time: the whole document as one dict and one string
    # doubles the memory of a big tree, and json.dump's small writes, or an encoder
    # call per post, cost seconds. The encoder separates a list's items by ", ",
    # as here.
    out.write('{"ok": ' + json.dumps(result.ok) + ', "posts": [')
    posts = result.posts
    for start in range(0, len(posts), _CHUNK):
        chunk = _ENCODE([post.as_json() for post in posts[start : start + _CHUNK]])
        out.write((", " if start else "") + chunk[1:-1])
    out.write("]}\n")
