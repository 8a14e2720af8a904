"""One JSON object, as SPEC.md documents it."""

from __future__ import annotations

import json
from typing import TextIO

from clarion.check.result import CheckResult


def report(result: CheckResult, out: TextIO) -> None:
    # A post at a time: the whole document as one dict and one string doubles
    # the memory of a big tree, and json.dump's small writes cost seconds.
    out.write('{"ok": ' + json.dumps(result.ok) + ', "posts": [')
    for index, post in enumerate(result.posts):
        out.write((", " if index else "") + json.dumps(post.as_json(), ensure_ascii=False))
    out.write("]}\n")
