"""The site's HTML, from Jinja2 templates: Clarion's own (the `templates` folder
beside this module), each replaceable by the organisation's template of the
same name in the folder `[tool.clarion.site] templates` names.

Autoescape is on for every template, the organisation's too: post text, titles
and URLs are escaped wherever a template prints them, unless a template says
otherwise (`|safe`). Clarion's templates stay reachable as "clarion/NAME", so an
organisation's base.html can extend "clarion/base.html" and replace one block.
Jinja2 is imported here only, on the site's path: `clarion validate` never loads it.
"""

from __future__ import annotations

import functools
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from markupsafe import Markup

from clarion.errors import ConfigError
from clarion.site import feeds
from clarion.site.config import SiteConfig
from clarion.site.engagement import PAGE as ENGAGEMENT_PAGE
from clarion.site.engagement import EngagementPage
from clarion.site.markup import MONTHS, absolute, iso, link, local, plural, shown_date, text_html
from clarion.site.model import Archive, Entry

# The index lists every post up to this many; past it, it shows the newest
# INDEX_LATEST and each year gets its own page.
INDEX_LIMIT = 60
INDEX_LATEST = 20

SHIPPED = Path(__file__).with_name("templates")


def render(
    archive: Archive, config: SiteConfig, engagement: EngagementPage | None = None
) -> dict[str, bytes]:
    """Every page and feed of the site: path relative to the site root -> bytes.
    Images are not included: copy `image.source` to `image.target` for each."""
    templates = Templates(config)
    entries = archive.entries
    years = by_year(entries, config)
    year_pages = len(entries) > INDEX_LIMIT
    common = {"year_pages": year_pages, "current": None, "engagement_page": engagement is not None}
    files: dict[str, bytes] = {}
    if engagement is not None:
        files[ENGAGEMENT_PAGE] = templates.page(
            "engagement.html",
            ENGAGEMENT_PAGE,
            {
                **common,
                "current": "engagement",
                "engagement": engagement,
                "pages": {entry.rel: entry.page for entry in entries},
            },
        )

    shown = entries[:INDEX_LATEST] if year_pages else entries
    files["index.html"] = templates.page(
        "index.html",
        "index.html",
        {
            **common,
            "current": "index",
            "entries": entries,
            "groups": list(by_year(shown, config).items()),
            "year_counts": [(year, len(items)) for year, items in years.items()],
            "more": local(shown[-1].date, config).year if year_pages and shown else None,
        },
    )
    if year_pages:
        order = list(years)
        for i, (year, items) in enumerate(years.items()):
            months: dict[int, list[Entry]] = {}
            for entry in items:
                months.setdefault(local(entry.date, config).month, []).append(entry)
            files[f"years/{year}.html"] = templates.page(
                "year.html",
                f"years/{year}.html",
                {
                    **common,
                    "year": year,
                    "entries": items,
                    "months": list(months.items()),
                    "newer": order[i - 1] if i > 0 else None,
                    "older": order[i + 1] if i + 1 < len(order) else None,
                },
            )
    for i, entry in enumerate(entries):
        files[entry.page] = templates.page(
            "post.html",
            entry.page,
            {
                **common,
                "entry": entry,
                "newer": entries[i - 1] if i > 0 else None,
                "older": entries[i + 1] if i + 1 < len(entries) else None,
            },
        )
    newest = entries[: feeds.FEED_LIMIT]
    files["feed.atom"] = feeds.atom_feed(newest, config, templates.feed_html)
    files["feed.json"] = feeds.json_feed(newest, config, templates.feed_html)
    return files


def by_year(entries: Iterable[Entry], config: SiteConfig) -> dict[int, list[Entry]]:
    """`entries` by the year they went out in the repository's time zone, in order."""
    years: dict[int, list[Entry]] = {}
    for entry in entries:
        years.setdefault(local(entry.date, config).year, []).append(entry)
    return years


class _InsideLoader(jinja2.FileSystemLoader):
    """The organisation's templates folder, where a link to a file elsewhere is
    refused: like post and media paths, templates cannot leave the repository."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.folder = folder.resolve()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.folder):
            raise jinja2.TemplateError(f"{template} is a link to a file outside {self.folder}")
        return source, filename, uptodate


class _Compiled(jinja2.BytecodeCache):
    """Templates compiled once a process, kept in memory. Jinja2 keys each by its
    name and file and compiles it again if its source changed (an organisation's
    template edited between two builds). Compiling Clarion's templates costs a
    build 0.14 s of CPU; a process that builds more than once (the tests, the
    fork server they run clarion from) pays it once."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with self._lock:
            code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[bucket.key] = code


_COMPILED = _Compiled()


class Templates:
    """The templates of one build, with the filters and globals they use."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        shipped = jinja2.FileSystemLoader(SHIPPED)
        own = [_InsideLoader(config.templates)] if config.templates else []
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader([jinja2.PrefixLoader({"clarion": shipped}), *own, shipped]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,  # a misspelt name is an error, not blank
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            bytecode_cache=_COMPILED,
        )
        self.env.filters.update(
            text_html=lambda text: Markup(text_html(text)),  # noqa: S704 - it escapes the text
            iso=iso,
            shown_date=functools.partial(shown_date, config=config),
            plural=plural,
            month_name=lambda month: MONTHS[month - 1],
        )
        self.env.globals.update(site=config, absolute=functools.partial(absolute, config))

    def page(self, name: str, here: str, context: Mapping[str, Any]) -> bytes:
        """The page `here` (a site path) from template `name`."""
        values = {**context, "here": here, "link": functools.partial(link, here)}
        return self._render(name, values).encode()

    def feed_html(self, entry: Entry) -> str:
        """`entry` as an HTML fragment for feed readers."""
        return self._render("feed-entry.html", {"entry": entry}).strip()

    def _render(self, name: str, context: Mapping[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(context)
        except Exception as exc:
            problem = self._problem(exc)
            if problem is None:
                raise
            raise ConfigError(problem) from None

    def _problem(self, exc: Exception) -> str | None:
        """What went wrong in the organisation's templates, where, and what to do;
        None for a failure that is not theirs (a bug in Clarion's own)."""
        folder = self.config.templates
        if folder is None:
            return None
        places = [(f.filename, f.lineno or 0) for f in traceback.extract_tb(exc.__traceback__)]
        if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
            places.append((exc.filename, exc.lineno))
        theirs = [(name, n) for name, n in places if Path(name).is_relative_to(folder)]
        if not theirs and not isinstance(exc, jinja2.TemplateError):
            return None
        filename, line = theirs[-1] if theirs else (None, 0)
        where = f"{filename}:{line}" if filename else f"the site's templates in {folder}"
        own = Path(filename).relative_to(folder).as_posix() if filename else ""
        base = own if (SHIPPED / own).is_file() else "base.html"
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f"there is no template {exc.name}"
        elif isinstance(exc, jinja2.TemplateError):
            message = exc.message or type(exc).__name__
        else:
            message = f"{type(exc).__name__}: {exc}"
        return (
            f"{where}: {message}. Fix the template, or delete it to use Clarion's own of that "
            f'name; an override can extend Clarion\'s: {{% extends "clarion/{base}" %}}'
        )
