"""The approval gate: with `require_approval`, only reviewed posts go out.

A post is published only if the last commit that changed it (outside
`published:`) reached the default branch through a merged pull request approved
by a code owner of its path who is not its author. The GitHub API is found from
`GITHUB_API_URL` and `GITHUB_REPOSITORY`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from clarion.post import Post
from clarion.settings import Settings

Gate = Callable[[Post], "str | None"]


def gate_from_env(settings: Settings, env: Mapping[str, str]) -> Gate:
    """A gate answering None (go) or why the post is held."""
    repository = env.get("GITHUB_REPOSITORY")
    token = env.get("GITHUB_TOKEN")
    if not repository or not token:
        reason = (
            "require_approval is on and approvals are read from GitHub, but "
            "GITHUB_REPOSITORY and GITHUB_TOKEN are not set (run in the publish workflow, "
            "or set require_approval = false in [tool.clarion] to publish without review)"
        )
        return lambda _post: reason
    from clarion.github import approval_gate

    return approval_gate(settings, env)
