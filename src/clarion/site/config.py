"""`[tool.clarion.site]`: the archive's title, the address it is served at, the
folder of the organisation's own templates, and the Mastodon instances of
accounts left or moved from (`former_instances`), whose receipts stay linked."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from clarion.errors import ConfigError
from clarion.settings import Settings
from clarion.site.model import clean

_SITE_KEYS = ("title", "url", "templates", "former_instances", "former_forums")


@dataclass(frozen=True)
class SiteConfig:
    """`[tool.clarion.site]`, read and checked."""

    title: str
    url: str | None  # absolute http(s), ends with "/"; None: relative links only
    timezone: dt.tzinfo = dt.UTC  # how dates read on the pages (the repository's zone)
    timezone_name: str = "UTC"
    # The organisation's templates, each replacing Clarion's of the same name;
    # None: Clarion's own only.
    templates: Path | None = None


def site_config(settings: Settings) -> SiteConfig:
    """Read `[tool.clarion.site]`; raises ConfigError for a value that cannot work."""
    where = f"{settings.root / 'pyproject.toml'}: [tool.clarion.site]"
    table = settings.extra.get("site", {})
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table with `title` and `url`")
    unknown = sorted(str(k) for k in table if k not in _SITE_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(_SITE_KEYS)}"
        )
    title = table.get("title", settings.root.resolve().name or "Archive")
    if not isinstance(title, str) or not title.strip():
        raise ConfigError(f'{where}: title must be a non-empty string, e.g. title = "Our news"')
    url = table.get("url")
    if url is not None:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"{where}: url must be the absolute http(s) address the site is served at, "
                'e.g. url = "https://example.org/news/"'
            )
        if parts.query or parts.fragment:
            raise ConfigError(f"{where}: url must not have a ?query or #fragment")
        url = url if url.endswith("/") else url + "/"
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(settings.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{settings.root / 'pyproject.toml'}: [tool.clarion] timezone "
            f"{settings.timezone!r} is not a known time zone (e.g. UTC, Europe/Amsterdam)"
        ) from None
    templates = _templates(settings.root, table.get("templates"), where)
    for key, what, example in (
        ("former_instances", "Mastodon instances", "https://mastodon.social"),
        ("former_forums", "Discourse forums", "https://discuss.example.org"),
    ):
        former = table.get(key, [])
        if not isinstance(former, list) or not all(
            isinstance(i, str) and urlsplit(i).scheme in ("http", "https") and urlsplit(i).netloc
            for i in former
        ):
            raise ConfigError(
                f'{where}: {key} must list the addresses of {what}, e.g. {key} = ["{example}"]'
            )
    return SiteConfig(clean(title.strip()), url, zone, settings.timezone, templates)


# The account setting naming the server a network's posts live on, and the
# `[tool.clarion.site]` key listing the servers of accounts left or moved from.
FORMER_SERVERS = {"instance": "former_instances", "url": "former_forums"}


def former_instances(settings: Settings, origin: str = "instance") -> tuple[str, ...]:
    """`[tool.clarion.site] former_instances` (Mastodon instances; `origin` "instance")
    or `former_forums` (Discourse forums; `origin` "url"): the servers of accounts the
    organisation left (`clarion sunset` lists them there) or moved from. Their
    receipts stay linked once the account's settings are gone."""
    table = settings.extra.get("site", {})
    key = FORMER_SERVERS.get(origin, "")
    found = table.get(key, []) if isinstance(table, Mapping) and key else []
    return tuple(i for i in found if isinstance(i, str)) if isinstance(found, list) else ()


def _templates(root: Path, value: object, where: str) -> Path | None:
    """The templates folder: relative to the repository and inside it, since the
    site is built from what the repository holds and nothing else."""
    if value is None:
        return None
    example = 'e.g. templates = "site/templates"'
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: templates must be a folder in the repository, {example}")
    if Path(value).is_absolute():
        raise ConfigError(
            f"{where}: templates {value!r} must be relative to the repository root, {example}"
        )
    folder = (root / value).resolve()
    if not folder.is_relative_to(root.resolve()):
        raise ConfigError(f"{where}: templates {value!r} leaves the repository, {example}")
    if not folder.is_dir():
        raise ConfigError(
            f"{where}: templates {value!r} is not a folder in the repository: create it, with "
            "templates named as Clarion's (base.html, post.html, ...), or remove the setting"
        )
    return folder
