"""The files `clarion init` writes, and the writing, which never overwrites.

Each file is planned with its text, or with the reason it is not written even
though it is absent (another file already does its job). Writing creates a
file only where nothing is (not even a dangling link), inside the repository,
and lists what it left alone: running init again writes nothing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from clarion import networks
from clarion.adopt.options import Adoption
from clarion.adopt.repository import Repository
from clarion.adopt.settings_file import clarion_toml
from clarion.adopt.templates import render
from clarion.errors import UsageError
from clarion.settings import SETTINGS_FILE

WORKFLOWS = ("check.yml", "preview-comment.yml", "publish.yml", "pages.yml")
# Where GitHub looks for CODEOWNERS, first found wins.
CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
_PLAIN = re.compile(r"[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*")


@dataclass(frozen=True)
class Planned:
    path: str  # relative to the repository, with /
    text: str
    instead: str | None = None  # why it is not written, though absent


@dataclass
class Written:
    created: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)

    def was_created(self, path: str) -> bool:
        return path in self.created


def action_input(secret: str) -> str:
    """The action's input for a secret's variable: CLARION_X_API_KEY → x-api-key."""
    return secret.removeprefix("CLARION_").lower().replace("_", "-")


def schema_url() -> str:
    """The post schema's published address (its `$id`), for editors."""
    from clarion.post.schema import schema_path

    found: str = json.loads(schema_path().read_text(encoding="utf-8"))["$id"]
    return found


def _yaml_plain(value: str) -> str:
    return value if _PLAIN.fullmatch(value) else json.dumps(value)


def _publish_inputs(adoption: Adoption) -> str:
    return "\n".join(
        f"          {action_input(secret)}: ${{{{ secrets.{secret} }}}}"
        for name in adoption.networks
        for secret in networks.get(name).secrets
    )


def template_values(repo: Repository, adoption: Adoption) -> Mapping[str, str]:
    return {
        "ACTION": adoption.action.uses,
        "BRANCH": _yaml_plain(repo.default_branch),
        "POSTS": adoption.posts,
        "OWNERS": adoption.owners_text,
        "PLATFORMS": ", ".join(adoption.networks),
        # A network that needs a title (a Discourse topic) gets one, the others none.
        "TITLE": "title: Our announcements now come from our own repository\n"
        if any(networks.get(name).needs_title for name in adoption.networks)
        else "",
        "PUBLISH_INPUTS": _publish_inputs(adoption),
        "SCHEMA_URL": schema_url(),
        "REPOSITORY": adoption.action.repository,
        "TAG": adoption.action.tag,
    }


def plan(repo: Repository, adoption: Adoption, *, settings_elsewhere: bool) -> list[Planned]:
    """Every file, in the order it is reported. `settings_elsewhere`: pyproject.toml
    holds [tool.clarion], so no clarion.toml is written beside it."""
    if not _PLAIN.fullmatch(adoption.posts) or adoption.posts.startswith("."):
        raise UsageError(
            f"the posts folder {adoption.posts!r} goes into the workflows and CODEOWNERS: "
            "name it with letters, digits, '.', '_' and '-' only"
        )
    values = template_values(repo, adoption)
    posts = adoption.posts
    codeowners = next((p for p in CODEOWNERS_PLACES if os.path.lexists(repo.root / p)), None)
    dependabot = ".github/dependabot.yaml"
    return [
        Planned(
            SETTINGS_FILE,
            clarion_toml(adoption),
            "the settings are in pyproject.toml [tool.clarion]" if settings_elsewhere else None,
        ),
        Planned(f"{posts}/README.md", render("posts-README.md", values)),
        Planned(f"{posts}/example.md", render("example.md", values)),
        Planned(
            "CODEOWNERS",
            render("CODEOWNERS", values),
            f"GitHub reads {codeowners}" if codeowners and codeowners != "CODEOWNERS" else None,
        ),
        *(Planned(f".github/workflows/{name}", render(name, values), None) for name in WORKFLOWS),
        Planned(
            ".github/dependabot.yml",
            render("dependabot.yml", values),
            f"{dependabot} exists" if os.path.lexists(repo.root / dependabot) else None,
        ),
    ]


def _inside(root: Path, rel: str) -> bool:
    """Whether root/rel stays inside root, through whatever folders exist (a
    folder that is a link elsewhere would take the file out)."""
    existing = root / rel
    while not existing.exists() and existing != root:
        existing = existing.parent
    return existing.resolve().is_relative_to(root.resolve())


def _create(target: Path, text: str, path: str, written: Written) -> bool:
    """Write `text` to `target` only if nothing is there; say why not otherwise."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where a folder should be, no permission
        written.skipped.append((path, f"it cannot be written: {exc.strerror}"))
        return False
    try:
        with target.open("x", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except FileExistsError:  # made meanwhile: still never overwritten
        written.skipped.append((path, "it exists"))
        return False
    except OSError as exc:
        written.skipped.append((path, f"it cannot be written: {exc.strerror}"))
        return False
    return True


def write(root: Path, planned: list[Planned]) -> Written:
    written = Written()
    for item in planned:
        target = root / item.path
        if item.instead is not None:
            written.skipped.append((item.path, item.instead))
        elif os.path.lexists(target):
            written.skipped.append((item.path, "it exists"))
        elif not _inside(root, item.path):
            written.skipped.append((item.path, "its folder leads out of the repository"))
        elif _create(target, item.text, item.path, written):
            written.created.append(item.path)
    return written
