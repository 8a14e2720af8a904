"""`clarion sunset NETWORK`: leave a network cleanly, keeping its history.

Three things, each safe to run again:

* the farewell: a post for that network only (`platforms: [NETWORK]`, `pin:
  true`) naming the profiles on the networks that stay, from the registry and
  the account settings; an existing one is never overwritten;
* the settings, rewritten with their comments kept: the network leaves the
  default `platforms` (new posts stop going there); the account's table stays,
  marked, because the farewell goes out from it; a network whose posts live on
  the account's own server (no `post_hosts` in the registry: Mastodon) has that
  server kept in `[tool.clarion.site] former_instances`, so the archive site
  still links its history once the account's settings are removed;
* the checklist of what the network's API cannot do, printed for a person.

Posts already out on the network are history: they stay valid when its account
is removed (`clarion.check.checks`), and on the site.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clarion import networks
from clarion.errors import ConfigError, UsageError
from clarion.logsafe import untrusted
from clarion.networks import Network
from clarion.settings import Settings
from clarion.site.config import FORMER_SERVERS

SETTINGS_FILE = "clarion.toml"  # its keys are those of [tool.clarion], at top level


@dataclass(frozen=True)
class Staying:
    """A network the organisation keeps posting on, and its profile's address."""

    network: Network
    profile: str | None  # None: its settings do not say enough to name it


def run(settings: Settings, name: str) -> int:
    leaving = _network(name)
    account = settings.account(leaving.name)
    where = _settings_file(settings.root)
    if account is None:
        raise UsageError(
            f"this repository has no {leaving.display} account "
            f"({_table(where, f'accounts.{leaving.name}')} in {where.name}): there is no "
            "account to say farewell from"
        )
    # The networks new posts go to: those in the default platforms with an account
    # (one left earlier keeps its account until its farewell is out, but not its place).
    staying = [
        Staying(entry, entry.profile_url(settings.account(entry.name)))
        for entry in networks.all_networks()
        if entry.name != leaving.name
        and entry.name in settings.accounts
        and entry.name in settings.platforms
    ]
    path = settings.posts_dir / f"{dt.datetime.now(dt.UTC):%Y}" / f"leaving-{leaving.name}.md"
    rel = path.relative_to(settings.root).as_posix()
    lines = [f"Leaving {leaving.display}."]
    if path.exists():
        lines.append(f"  kept {rel}: the farewell is already there")
    else:
        site = settings.extra.get("site")
        archive = site.get("url") if isinstance(site, dict) else None
        parts = farewell(leaving, staying, account, archive if isinstance(archive, str) else None)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_post(leaving, parts, where), encoding="utf-8")
        lines.append(
            f"  wrote {rel}: the farewell, for {leaving.display} only, "
            + ("pinned once published" if leaving.can_pin else "to pin by hand once published")
            + "; edit it as you like, then merge it"
        )
    lines.extend(f"  {where.name}: {change}" for change in _leave_settings(where, leaving, rel))
    for entry in staying:
        if entry.profile is None:
            lines.append(
                f"  {entry.network.display} is not named in the farewell: its account "
                f"settings do not give its profile's address ({entry.network.profile}); "
                "add the address to the farewell yourself"
            )
    lines += _validated(settings, path)
    lines += ["", f"What {leaving.display}'s API cannot do, for a person:"]
    lines += [
        f"  {n}. {step}"
        for n, step in enumerate(checklist(leaving, account, staying, rel, where), 1)
    ]
    print(untrusted("\n".join(lines)))
    return 0


def _network(name: str) -> Network:
    entry = networks.find(name.strip().lower())
    if entry is None:
        from clarion.settings_schema import unknown_network

        raise UsageError(f"clarion sunset {name}: {unknown_network(name)}")
    return entry


# -- the farewell ---------------------------------------------------------------------------


def farewell(
    leaving: Network, staying: Sequence[Staying], account: Any, archive: str | None
) -> list[str]:
    """The farewell's parts. Its lines go into one part while they fit the network's
    limit, as the network counts it; a line that does not fit starts the next part
    of a thread. A blank line separates the greeting, the addresses and the close."""
    named = [s for s in staying if s.profile is not None]
    greeting = f"We no longer post on {leaving.display}." + (
        " You can find us here:" if named else ""
    )
    close = "This account stays, so that no one else can take its name" + (
        f"; everything we posted is kept at {archive}." if archive else "."
    )
    groups = [[greeting], [f"{s.network.display}: {s.profile}" for s in named], [close]]
    lines = [(number, line) for number, group in enumerate(groups) for line in group]
    parts: list[list[tuple[int, str]]] = [[]]
    for line in lines:
        measured = leaving.measure(_joined([*parts[-1], line]), None, account)
        too_long = measured.length > measured.limit or (
            measured.bytes is not None
            and measured.byte_limit is not None
            and measured.bytes > measured.byte_limit
        )
        if parts[-1] and too_long:
            parts.append([line])
        else:
            parts[-1].append(line)
    return [_joined(part) for part in parts]


def _joined(lines: Sequence[tuple[int, str]]) -> str:
    """Lines of one part: a line break within a group, a blank line between groups."""
    text = ""
    for n, (group, line) in enumerate(lines):
        if n:
            text += "\n" if group == lines[n - 1][0] else "\n\n"
        text += line
    return text


def _post(leaving: Network, parts: Sequence[str], where: Path) -> str:
    """The farewell's file: for that network only, pinned, with a word for the editor."""
    pin = (
        "pinned once published"
        if leaving.can_pin
        else f"{leaving.display}'s API cannot pin: pin it by hand once published"
    )
    header = (
        f"# Written by clarion sunset {leaving.name}: the farewell, for {leaving.display} "
        f"only ({pin}).\n"
        f"# Once it is published, {_table(where, f'accounts.{leaving.name}')} can be "
        "removed: the posts already out stay valid and on the site.\n"
    )
    body = "\n\n---\n\n".join(parts)
    # A network whose posts need a title (a Discourse topic) gets one.
    title = f"title: We no longer post on {leaving.display}\n" if leaving.needs_title else ""
    front = f"platforms: [{leaving.name}]\nlang: en\n{title}pin: true\n"
    return f"---\n{header}{front}---\n{body}\n"


def _validated(settings: Settings, path: Path) -> list[str]:
    """What the check says of the farewell as it is now."""
    from clarion.check.checks import check_post
    from clarion.check.result import ERROR
    from clarion.post import read_post

    result = check_post(read_post(path, settings.root), settings)
    if result.ok:
        return [f"  clarion validate: {result.path} is valid"]
    return [f"  clarion validate: fix {result.path} before merging it:"] + [
        f"    line {p.line}: {p.message}" for p in result.problems if p.severity == ERROR
    ]


# -- the settings -----------------------------------------------------------------------------


def _settings_file(root: Path) -> Path:
    """Where the settings are: clarion.toml when the repository has one, else pyproject.toml."""
    own = root / SETTINGS_FILE
    return own if own.is_file() else root / "pyproject.toml"


def _table(where: Path, name: str) -> str:
    """How the settings' table `name` ("accounts.x") is written in `where`."""
    return f"[{name}]" if where.name == SETTINGS_FILE else f"[tool.clarion.{name}]"


def _key(where: Path, key: str) -> str:
    """How a top-level key of the settings is named in messages."""
    return key if where.name == SETTINGS_FILE else f"[tool.clarion] {key}"


def _leave_settings(where: Path, leaving: Network, farewell_rel: str) -> list[str]:
    """Take `leaving` out of the default platforms and keep what its history needs;
    the file is rewritten with its comments and layout kept. Returns what changed."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError
    from tomlkit.items import Table

    try:
        text = where.read_text(encoding="utf-8")
        doc = tomlkit.parse(text)
        conf: Any = doc if where.name == SETTINGS_FILE else doc["tool"]["clarion"]
        account = conf["accounts"][leaving.name]
    except (OSError, TOMLKitError, KeyError) as exc:
        raise ConfigError(f"{where}: cannot rewrite it: {exc}") from None
    said: list[str] = []
    platforms = _key(where, "platforms")
    if "platforms" not in conf:
        # No `platforms` meant every network: now every network but this one.
        rest = tomlkit.item([n for n in networks.names() if n != leaving.name])
        rest.comment(f"{leaving.name} left: clarion sunset")
        # First in its table (tomlkit has no public insert): where a person reads it.
        conf.value._insert_at(0, "platforms", rest)
        said.append(f"{platforms} set to every network but {leaving.name}")
    elif leaving.name in conf["platforms"]:
        conf["platforms"].remove(leaving.name)
        said.append(f"{leaving.name} removed from {platforms}: new posts stop going there")
    else:
        said.append(f"{leaving.name} was already not in {platforms}")
    table = _table(where, f"accounts.{leaving.name}")
    note = f"left: remove this table once {farewell_rel} is published"
    if isinstance(account, Table) and account.trivia.comment.lstrip("# ") != note:
        account.comment(note)
        said.append(f"{table} kept and marked: the farewell goes out from it")
    for setting, key in FORMER_SERVERS.items():
        server = account.get(setting)
        if leaving.post_hosts or not isinstance(server, str):
            continue
        # Its posts live on the account's own server: the site needs it to link them.
        if "site" not in conf:
            site = tomlkit.table()
            site.add(key, tomlkit.array())
            site.add(tomlkit.nl())
            conf.add("site", site)
        former = conf["site"].setdefault(key, tomlkit.array())
        if str(server) not in former:
            former.append(str(server))
            said.append(
                f"{server} added to {_table(where, 'site')} {key}: the archive "
                f"site keeps linking the {leaving.display} posts once {table} is removed"
            )
    if tomlkit.dumps(doc) != text:
        # A table added last ends the file, without the blank line left after it.
        where.write_text(tomlkit.dumps(doc).rstrip("\n") + "\n", encoding="utf-8")
    return said


# -- the checklist ----------------------------------------------------------------------------


def checklist(
    leaving: Network, account: Any, staying: Sequence[Staying], farewell_rel: str, where: Path
) -> list[str]:
    """What only a person can do when leaving: the network's API cannot."""
    from clarion.commands.importing import KINDS

    name = leaving.display
    handle = getattr(account, "handle", "") or ""
    handle = f" @{handle.lstrip('@')}" if handle else ""
    homes = [f"{s.network.display} ({s.profile})" for s in staying if s.profile]
    kinds = [kind for kind, network in KINDS.items() if network == leaving.name]
    secrets = ", ".join(leaving.secrets) or "its credentials"
    return [
        f"Keep the account: do not delete it. Deleting it frees the name{handle} for anyone, "
        "who could then speak as you to everyone who still follows or links to it.",
        f"Pin the farewell ({farewell_rel}) once it is published"
        + (
            ": publishing pins it (pin: true); check that it did."
            if leaving.can_pin
            else f": {name}'s API cannot pin, so pin it by hand."
        ),
        "Point the bio to the new home"
        + (f": {', '.join(homes)}." if homes else ", and say the account is no longer used."),
        "Do not protect the posts or make the account private: public, every link to them "
        "keeps working and what was said stays checkable.",
        "Keep two-factor sign-in on, with the recovery codes where the team can find them: "
        "an account no one watches is a target.",
        f"Once the farewell is out, revoke the tokens Clarion used on {name} (the app's "
        f"access) and remove its secrets ({secrets}) from the repository's publish environment.",
        f"Sign in to {name} now and then (a reminder in the team's calendar), so the account "
        "is not removed as inactive.",
        f"Request {name}'s archive of the account and import it into posts/archive/: "
        + (
            f"clarion import {kinds[0]} PATH."
            if kinds
            else f"Clarion has no importer for {name} yet; keep the export safe."
        ),
        f"Then remove {_table(where, f'accounts.{leaving.name}')} from {where.name}: "
        "the posts already out stay valid and on the archive site.",
    ]
