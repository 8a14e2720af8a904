"""The repository's settings: `clarion.toml`, or `[tool.clarion]` in pyproject.toml.

An announcements repository that is no Python project keeps them in
`clarion.toml`, whose top-level keys are those of `[tool.clarion]`; the same
schema checks both. Only one of the two may hold them: two sources of truth
(require_approval true in one, false in the other) would be a trap.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clarion import networks, settings_schema
from clarion.errors import ConfigError
from clarion.networks import BlueskyAccount, MastodonAccount, XAccount

__all__ = [
    "SETTINGS_FILE",
    "BlueskyAccount",
    "MastodonAccount",
    "Settings",
    "XAccount",
    "find_root",
    "load_settings",
]

DEFAULT_MASTODON_LIMIT = 500
SETTINGS_FILE = "clarion.toml"


@dataclass(frozen=True)
class Settings:
    root: Path  # the repository root (where clarion.toml or pyproject.toml is)
    posts: str = "posts"
    platforms: tuple[str, ...] = field(default_factory=networks.names)
    timezone: str = "UTC"
    require_approval: bool = True
    # Each network's [tool.clarion.accounts.NAME], as its registry entry's account type.
    account_tables: Mapping[str, Any] = field(default_factory=dict)
    git_author: str = "clarion[bot] <clarion@users.noreply.github.com>"
    # Networks: seconds to wait for an answer, tries per part, the first pause
    # between tries (doubling), and the longest rate-limit reset worth waiting for.
    timeout: float = 30.0
    retries: int = 4
    retry_backoff: float = 2.0
    max_retry_wait: float = 120.0
    extra: Mapping[str, Any] = field(default_factory=dict)
    # The file the settings came from (clarion.toml or pyproject.toml); None: defaults.
    source: Path | None = None

    @property
    def posts_dir(self) -> Path:
        return self.root / self.posts

    @property
    def accounts(self) -> tuple[str, ...]:
        """The networks the repository has an account on, in the registry's order."""
        return tuple(n for n in networks.names() if n in self.account_tables)

    def account(self, network: str) -> Any | None:
        """The account settings of `network`; None when the repository has none there."""
        return self.account_tables.get(network)

    def table(self, name: str = "") -> str:
        """How a person finds table `name` ("accounts.x"; "" for the top level) in the
        file that holds the settings, for messages: `clarion.toml [accounts.x]` or
        `pyproject.toml [tool.clarion.accounts.x]`."""
        if self.source is not None and self.source.name == SETTINGS_FILE:
            return f"{SETTINGS_FILE} [{name}]" if name else SETTINGS_FILE
        return f"pyproject.toml [{_dotted('tool.clarion', name)}]"


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding a clarion.toml or a pyproject.toml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file() or (folder / "pyproject.toml").is_file():
            return folder
    return start


def _dotted(*parts: str) -> str:
    return ".".join(p for p in parts if p)


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


def _read_toml(path: Path) -> dict[str, Any] | None:
    """`path` parsed; None when there is no such file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _in_clarion_toml(message: str) -> str:
    """A message of the settings schema, which names `[tool.clarion...]` tables, as
    it reads for clarion.toml, where the same keys are at the top level."""
    message = message.replace("[tool.clarion] has ", "the top level has ")
    message = message.replace("[tool.clarion] ", "")
    return message.replace("[tool.clarion.", "[")


def load_settings(root: Path) -> Settings:
    """Read `root/clarion.toml`, else `[tool.clarion]` of `root/pyproject.toml`;
    defaults where absent."""
    pyproject = root / "pyproject.toml"
    own = root / SETTINGS_FILE
    data = _read_toml(own)
    if data is not None:
        if _has_tool_clarion(pyproject):
            raise ConfigError(
                f"{own}: the settings are in {SETTINGS_FILE} and in [tool.clarion] of "
                f"{pyproject}: keep them in one place (move what pyproject.toml says into "
                f"{SETTINGS_FILE}, or delete {SETTINGS_FILE})"
            )
        try:
            settings_schema.check(data, str(own))
        except ConfigError as exc:
            raise ConfigError(_in_clarion_toml(exc.message)) from None
        return _settings(root, own, data, prefix="")
    project = _read_toml(pyproject)
    if project is None:
        return Settings(root=root)
    conf = _table(_table(project, "tool", str(pyproject)), "clarion", str(pyproject))
    settings_schema.check(conf, str(pyproject))
    return _settings(root, pyproject, conf, prefix="tool.clarion")


def _has_tool_clarion(pyproject: Path) -> bool:
    """Whether `pyproject` holds a [tool.clarion] table (beside clarion.toml, an
    unreadable pyproject.toml is some other project's business, not an error)."""
    try:
        project = _read_toml(pyproject)
    except ConfigError:
        return False
    tool = project.get("tool") if project is not None else None
    return isinstance(tool, Mapping) and "clarion" in tool


def _settings(root: Path, source: Path, conf: Mapping[str, Any], prefix: str) -> Settings:
    where = str(source)
    top = f"[{prefix}] " if prefix else ""
    accounts = _table(conf, "accounts", where)
    try:
        known = networks.names()
        tables: dict[str, Any] = {}
        for name, table in accounts.items():
            entry = networks.find(name)
            header = f"[{_dotted(prefix, 'accounts', name)}]"
            if entry is None:
                why = settings_schema.unknown_network(name)
                raise ConfigError(f"{where}: {header}: {why}")
            if not isinstance(table, Mapping):
                raise ConfigError(f"{where}: {header} must be a table")
            tables[name] = entry.account_type(**table)
        platforms = tuple(conf.get("platforms", known))
        unknown = [p for p in platforms if p not in known]
        if unknown:
            raise ConfigError(
                f"{where}: {top}platforms lists "
                + "; ".join(f"{p}: {settings_schema.unknown_network(p)}" for p in unknown)
            )
        settings = Settings(
            root=root,
            posts=str(conf.get("posts", "posts")),
            platforms=platforms,
            timezone=str(conf.get("timezone", "UTC")),
            require_approval=bool(conf.get("require_approval", True)),
            account_tables=tables,
            git_author=str(conf.get("git_author", Settings.git_author)),
            timeout=float(conf.get("timeout", Settings.timeout)),
            retries=int(conf.get("retries", Settings.retries)),
            retry_backoff=float(conf.get("retry_backoff", Settings.retry_backoff)),
            max_retry_wait=float(conf.get("max_retry_wait", Settings.max_retry_wait)),
            extra=conf,
            source=source,
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: [{_dotted(prefix, 'accounts')}]: {exc}") from None
    return settings
