"""What `clarion init` was asked for: the networks, the code owners, and the
reference of Clarion's action that the workflows call."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from clarion import networks
from clarion.errors import UsageError

# Where Clarion lives: the workflows call `<this>/action@REF`, and
# schema/post.schema.json's `$id` is published from it.
CLARION_REPOSITORY = "clarion-social/clarion"

# Who approves posts when --owners is not given: a placeholder the next steps
# ask to replace (an unknown team approves nothing, so the gate holds posts).
PLACEHOLDER_OWNER = "@your-org/communications"

SHA = re.compile(r"[0-9a-f]{40}")
# GitHub's CODEOWNERS owners.
_OWNER = re.compile(
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+"
)


@dataclass(frozen=True)
class ActionRef:
    """`uses: <repository>/action@<ref>`: a full commit SHA, or the tag of the
    version that wrote the workflows, to be pinned afterwards."""

    ref: str
    version: str
    repository: str = CLARION_REPOSITORY

    @property
    def pinned(self) -> bool:
        return SHA.fullmatch(self.ref) is not None

    @property
    def tag(self) -> str:
        return f"v{self.version}"

    @property
    def action(self) -> str:
        return f"{self.repository}/action"

    @property
    def uses(self) -> str:
        """The value of `uses:`, with the version as a comment after a SHA
        (Dependabot updates both)."""
        if self.pinned:
            return f"{self.action}@{self.ref} # {self.tag}"
        return f"{self.action}@{self.ref}"


def action_ref(given: str | None, version: str) -> ActionRef:
    if given is None:
        return ActionRef(f"v{version}", version)
    if not SHA.fullmatch(given):
        raise UsageError(
            f"--action-ref {given}: give a full commit SHA (40 hexadecimal digits, "
            "lowercase), which no one can move as a tag or a branch can be moved; "
            f"`git ls-remote https://github.com/{CLARION_REPOSITORY} refs/tags/v{version}` "
            f"prints the commit of v{version}"
        )
    return ActionRef(given, version)


def parse_networks(given: str | None, default: Sequence[str]) -> tuple[str, ...]:
    """The networks named in `--networks a,b` (registry order), or `default`."""
    if given is None:
        return tuple(default)
    names = [n.strip().lower() for n in given.replace(" ", ",").split(",") if n.strip()]
    if not names:
        raise UsageError("--networks names no network: give them comma-separated, e.g. bluesky,x")
    known = networks.names()
    for name in names:
        if name not in known:
            guess = networks.suggest(name)
            hint = f": did you mean {guess}?" if guess else ""
            raise UsageError(
                f"--networks: no network is called {name}{hint} (known: {', '.join(known)})"
            )
    return tuple(n for n in known if n in names)


def parse_owners(given: Iterable[str]) -> tuple[str, ...]:
    """`--owners` values (each may list several, comma- or space-separated)."""
    owners: list[str] = []
    for value in given:
        for owner in value.replace(",", " ").split():
            if not _OWNER.fullmatch(owner):
                raise UsageError(
                    f"--owners {owner}: an owner is @org/team, @user or an email address, "
                    "as in CODEOWNERS"
                )
            if owner not in owners:
                owners.append(owner)
    return tuple(owners)


@dataclass(frozen=True)
class Adoption:
    """Everything `clarion init` writes depends on these, and nothing else."""

    networks: tuple[str, ...]
    owners: tuple[str, ...]  # empty: the placeholder, to be replaced
    action: ActionRef
    posts: str = "posts"

    @property
    def owners_text(self) -> str:
        return " ".join(self.owners) if self.owners else PLACEHOLDER_OWNER
