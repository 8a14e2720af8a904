"""The repository's settings: `[tool.clarion]` in pyproject.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clarion.errors import ConfigError

NETWORKS = ("bluesky", "mastodon", "x")
DEFAULT_MASTODON_LIMIT = 500


@dataclass(frozen=True)
class BlueskyAccount:
    handle: str
    service: str = "https://bsky.social"


@dataclass(frozen=True)
class MastodonAccount:
    instance: str
    max_characters: int = DEFAULT_MASTODON_LIMIT


@dataclass(frozen=True)
class XAccount:
    handle: str
    api: str = "https://api.x.com"


@dataclass(frozen=True)
class Settings:
    root: Path  # the repository root (where pyproject.toml is)
    posts: str = "posts"
    platforms: tuple[str, ...] = NETWORKS
    timezone: str = "UTC"
    require_approval: bool = True
    bluesky: BlueskyAccount | None = None
    mastodon: MastodonAccount | None = None
    x: XAccount | None = None
    git_author: str = "clarion[bot] <clarion@users.noreply.github.com>"
    # Networks: seconds to wait for an answer, tries per part, the first pause
    # between tries (doubling), and the longest rate-limit reset worth waiting for.
    timeout: float = 30.0
    retries: int = 4
    retry_backoff: float = 2.0
    max_retry_wait: float = 120.0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def posts_dir(self) -> Path:
        return self.root / self.posts

    @property
    def accounts(self) -> tuple[str, ...]:
        """The networks the repository has an account on."""
        return tuple(n for n in NETWORKS if getattr(self, n) is not None)

    @property
    def mastodon_limit(self) -> int:
        return self.mastodon.max_characters if self.mastodon else DEFAULT_MASTODON_LIMIT


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding a pyproject.toml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return start


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


def load_settings(root: Path) -> Settings:
    """Read `[tool.clarion]` from `root/pyproject.toml`; defaults where absent."""
    pyproject = root / "pyproject.toml"
    where = str(pyproject)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings(root=root)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    conf = _table(_table(data, "tool", where), "clarion", where)
    accounts = _table(conf, "accounts", where)
    try:
        bluesky = accounts.get("bluesky")
        mastodon = accounts.get("mastodon")
        x = accounts.get("x")
        platforms = tuple(conf.get("platforms", NETWORKS))
        unknown = [p for p in platforms if p not in NETWORKS]
        if unknown:
            raise ConfigError(
                f"{where}: [tool.clarion] platforms lists {', '.join(unknown)}; "
                f"known networks are {', '.join(NETWORKS)}"
            )
        settings = Settings(
            root=root,
            posts=str(conf.get("posts", "posts")),
            platforms=platforms,
            timezone=str(conf.get("timezone", "UTC")),
            require_approval=bool(conf.get("require_approval", True)),
            bluesky=BlueskyAccount(**bluesky) if bluesky is not None else None,
            mastodon=MastodonAccount(**mastodon) if mastodon is not None else None,
            x=XAccount(**x) if x is not None else None,
            git_author=str(conf.get("git_author", Settings.git_author)),
            timeout=float(conf.get("timeout", Settings.timeout)),
            retries=int(conf.get("retries", Settings.retries)),
            retry_backoff=float(conf.get("retry_backoff", Settings.retry_backoff)),
            max_retry_wait=float(conf.get("max_retry_wait", Settings.max_retry_wait)),
            extra=conf,
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: [tool.clarion.accounts]: {exc}") from None
    return settings
