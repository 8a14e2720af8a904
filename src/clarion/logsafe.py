"""Untrusted text (from a post, a server's answer) printed in a log stays data.

In GitHub Actions the runner reads `::command::` and `##[command]` at the start of
any output line as workflow commands (`::add-mask::`, `::set-output`,
`::stop-commands::`...). Text that comes from a post passes through `untrusted`
before it is printed, which breaks those markers with an invisible word joiner
so the line reads the same to a person and means nothing to the runner.
"""

from __future__ import annotations

import os

_JOINER = "\u2060"


def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def untrusted(text: str) -> str:
    """`text` made safe to print: one line per line, no workflow command inside."""
    if not in_actions():
        return text
    return neutralise(text)


def neutralise(text: str) -> str:
    return text.replace("::", f":{_JOINER}:").replace("##[", f"#{_JOINER}#[")
