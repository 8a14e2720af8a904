"""`clarion init [DIR]`: adopt Clarion in a repository, then say what is left to do."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

from clarion import __version__
from clarion import networks as registry
from clarion.adopt.files import plan, write
from clarion.adopt.next_steps import next_steps
from clarion.adopt.options import Adoption, action_ref, parse_networks, parse_owners
from clarion.adopt.repository import prepare
from clarion.settings import SETTINGS_FILE, load_settings

_WIDTH = 88


def run(target: Path, networks: str | None, owners: Sequence[str], action: str | None) -> int:
    # Everything the command line says is checked before anything is written.
    ref = action_ref(action, __version__)
    chosen_owners = parse_owners(owners)
    parse_networks(networks, registry.names())
    repo = prepare(target)

    # Settings already there (a second run, or [tool.clarion] in pyproject.toml)
    # decide the posts folder and, unless --networks says, the networks.
    existing = (repo.root / SETTINGS_FILE).is_file() or (repo.root / "pyproject.toml").is_file()
    settings = load_settings(repo.root) if existing else None
    settings_elsewhere = (
        settings is not None
        and settings.source is not None
        and settings.source.name == "pyproject.toml"
        and "clarion" in _tool_tables(settings.source)
    )
    configured = settings.accounts if settings is not None and settings.source else ()
    adoption = Adoption(
        networks=parse_networks(networks, configured or registry.names()),
        owners=chosen_owners,
        action=ref,
        posts=settings.posts if settings is not None else "posts",
    )

    written = write(repo.root, plan(repo, adoption, settings_elsewhere=settings_elsewhere))

    if repo.created:
        print(f"Made a new Git repository in {repo.root} (branch {repo.default_branch}).")
    print(
        f"Clarion {__version__} in {repo.root}, for {', '.join(adoption.networks)}, "
        f"its workflows calling {ref.action}@{ref.ref}:"
    )
    for path in written.created:
        print(f"  created  {path}")
    for path, why in written.skipped:
        print(f"  skipped  {path}: {why}")
    print(
        "Nothing was overwritten."
        if written.created
        else "Nothing was written: every file is there already, and none was overwritten."
    )
    print("\nNext steps:")
    for number, step in enumerate(next_steps(repo, adoption, written), start=1):
        for index, line in enumerate(step.split("\n")):
            print(_layout(line, f"{number:>2}. " if index == 0 else "    "))
    return 0


def _layout(line: str, lead: str) -> str:
    """A line of a step: a command as it is (to be copied), a list item or prose
    wrapped."""
    if line.startswith("$ "):
        return f"{lead}  {line[2:]}"
    if line.startswith("- "):
        return _fill(line, lead, " " * (len(lead) + 2))
    return _fill(line, lead, " " * 4)


def _fill(text: str, lead: str, indent: str) -> str:
    # Addresses and names stay whole: never broken at a hyphen.
    return textwrap.fill(
        text,
        _WIDTH,
        initial_indent=lead,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _tool_tables(pyproject: Path) -> dict[str, object]:
    import tomllib

    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    tool = data.get("tool")
    return tool if isinstance(tool, dict) else {}
