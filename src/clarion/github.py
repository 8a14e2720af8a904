"""GitHub: the approval gate's questions to the API (pull requests, reviews, code owners)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from clarion.post import Post
from clarion.settings import Settings


def approval_gate(settings: Settings, env: Mapping[str, str]) -> Callable[[Post], str | None]:
    """Until approvals can be read from GitHub, nothing passes the gate unreviewed."""
    reason = (
        "held: require_approval is on, and this version of Clarion cannot yet confirm "
        "approvals on GitHub: set require_approval = false to publish without the gate"
    )
    return lambda _post: reason
