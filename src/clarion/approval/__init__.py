"""The approval gate: with `require_approval`, only what a code owner approved goes out.

A post goes out only if what it would send (`clarion.post.content`) is exactly its
content at a commit of a pull request that a code owner of its path (and of
each image) approved, that pull request was merged into the default branch,
and no later commit, merge commits included, changed that content. The
approver must be neither the author nor anyone who pushed a change to it.

- `codeowners`: CODEOWNERS as GitHub reads it;
- `client`: the GitHub API questions, through PyGithub;
- `history`: where a post's content came from, walked in git;
- `judge`: the rule itself, a pure function of the facts;
- `gate`: gathers the facts for each post and words the answer.
"""

from __future__ import annotations

from clarion.approval.gate import Gate, approval_gate

__all__ = ["Gate", "approval_gate"]
