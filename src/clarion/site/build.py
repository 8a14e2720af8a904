"""The archive site: every published post as static HTML, with Atom and JSON feeds.

The site is the organisation's record on its own terms, so it is built from the
post files alone and reads the same in ten years: no JavaScript, no web fonts,
no external resource, CSS inline. A post is listed when it has at least one
receipt with an id whose URL is a post on that network's own host (it went out
somewhere: see `receipt_url_allowed`) and is not retracted — neither
`retract: true` nor any receipt marked `retracted:`, since a post taken back on
one network was taken back on purpose. Receipts are written by the publish run,
not reviewed, so one that points anywhere else is never linked.

The same files give the same bytes: the only times in the output are the
posts' own (their first receipt, their edits), and every list has a fixed
order. That keeps Pages deployments quiet and lets a test compare two builds.

Layout of the output (paths relative to OUTDIR):

    index.html               newest first, grouped per year
    years/2026.html          one per year, when there are more posts than the index shows
    posts/2026/cfp.html      one per post, mirroring the posts folder
    media/<sha256>.png       images, named by content (shared images are stored once)
    feed.atom, feed.json     the newest posts (Atom 1.0, JSON Feed 1.1)
    .clarion-site            marks the folder as Clarion's to replace on the next build
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import html
import json
import os
import posixpath
import re
import stat
import tempfile
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

from clarion import networks
from clarion.errors import ConfigError, UsageError
from clarion.media.paths import MediaProblem, resolve_media
from clarion.media.sniff import sniff
from clarion.post import Post, discover, read_post
from clarion.settings import Settings

__all__ = [
    "FEED_LIMIT",
    "INDEX_LIMIT",
    "MARKER",
    "Archive",
    "Entry",
    "SiteConfig",
    "SiteResult",
    "atom_feed",
    "build_site",
    "collect",
    "json_feed",
    "linkify",
    "receipt_url_allowed",
    "relative_link",
    "render",
    "site_config",
    "text_html",
    "write_site",
]

MARKER = ".clarion-site"
MARKER_TEXT = "This folder is built by `clarion site`: the next build replaces everything in it.\n"
# The index lists every post up to this many; past it, it shows the newest
# INDEX_LATEST and each year gets its own page.
INDEX_LIMIT = 60
INDEX_LATEST = 20
# Feeds carry the newest posts only: readers poll them, and the site keeps the rest.
FEED_LIMIT = 50
TITLE_LENGTH = 80

_IMAGE_SUFFIX = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
_ATOM = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_JSON_FEED = "https://jsonfeed.org/version/1.1"
# Feed ids when the site has no URL: names of the posts' file paths in a fixed namespace.
_ID_NAMESPACE = uuid.UUID("5d6f6b1e-7c39-4c55-9a1e-0c1a7a2f6c0e")
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
# What neither HTML nor XML 1.0 may carry (C0 controls but tab and newline, DEL,
# the two non-characters XML names): dropped from post text before it is written.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_PARAGRAPH = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
# A link is an explicit http(s) URL, as every network links it; quotes and
# angle brackets end it, so a URL can never break out of an attribute.
_URL = re.compile(r"https?://[^\s<>\"'`\u00a0\u2000-\u200b\u2028\u2029\u3000]+", re.IGNORECASE)
_TRAILING = ".,:;!?…'\")]}>*_"
_CLOSERS = {")": "(", "]": "[", "}": "{"}


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class SiteConfig:
    """`[tool.clarion.site]`: the title, and the absolute URL the site is served at."""

    title: str
    url: str | None  # absolute http(s), ends with "/"; None: relative links only
    timezone: dt.tzinfo = dt.UTC  # how dates read on the pages (the repository's zone)
    timezone_name: str = "UTC"


_SITE_KEYS = ("title", "url")


def site_config(settings: Settings) -> SiteConfig:
    """Read `[tool.clarion.site]`; raises ConfigError for a value that cannot work."""
    where = f"{settings.root / 'pyproject.toml'}: [tool.clarion.site]"
    table = settings.extra.get("site", {})
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table with `title` and `url`")
    unknown = sorted(str(k) for k in table if k not in _SITE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: title, url")
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
    return SiteConfig(_clean(title.strip()), url, zone, settings.timezone)


# --------------------------------------------------------------------------- the posts


@dataclass(frozen=True)
class SiteImage:
    source: Path  # inside the repository, links resolved
    target: str  # site path: media/<digest><suffix>
    alt: str
    width: int
    height: int


@dataclass(frozen=True)
class Card:
    url: str
    title: str
    description: str
    thumbnail: SiteImage | None


@dataclass(frozen=True)
class NetworkCopy:
    network: str
    urls: tuple[str, ...]  # one per thread part that has a receipt, in order

    @property
    def label(self) -> str:
        return networks.display(self.network)


@dataclass(frozen=True)
class Entry:
    """One post as the site shows it."""

    rel: str  # the post file, relative to the repository: its identity
    page: str  # its page, relative to the site root: posts/2026/cfp.html
    date: dt.datetime  # UTC: the earliest receipt, else publish_at
    updated: dt.datetime  # UTC: the latest receipt or edit
    edited: dt.datetime | None
    lang: str | None
    parts: tuple[str, ...]
    content_warning: str | None
    images: tuple[SiteImage, ...]
    card: Card | None
    copies: tuple[NetworkCopy, ...]

    @property
    def title(self) -> str:
        """A short name for the post: its first line, or its content warning."""
        if self.content_warning:
            return _truncate(f"Content warning: {self.content_warning}")
        first = next((line.strip() for line in self.parts[0].split("\n") if line.strip()), "")
        return _truncate(first) or "Untitled post"


@dataclass(frozen=True)
class Archive:
    entries: tuple[Entry, ...]  # newest first
    warnings: tuple[str, ...] = ()  # "posts/x.md: ...": things left out, and why
    left_out: Mapping[str, int] = field(default_factory=dict)  # reason -> number of posts


def collect(settings: Settings) -> Archive:
    """The posts the site lists, newest first. Never raises for a bad post file:
    it is left out and named in `warnings`."""
    entries: list[Entry] = []
    warnings: list[str] = []
    left_out: dict[str, int] = {}
    unchecked: dict[str, int] = {}  # network -> receipts with no host to check them against
    posts_dir = settings.posts_dir
    if not posts_dir.is_dir():
        raise UsageError(
            f"there is no {settings.posts} folder in {settings.root}: run clarion in "
            "the repository, or set [tool.clarion] posts in pyproject.toml"
        )
    for path in discover(posts_dir):
        post = read_post(path, settings.root)
        if post.error is not None:
            where = f"{post.rel}:{post.error.line}" if post.error.line else post.rel
            warnings.append(f"{where}: left out, the file cannot be read: {post.error.message}")
            left_out["unreadable"] = left_out.get("unreadable", 0) + 1
            continue
        published = _published(post)
        reason = _left_out_because(post, published)
        if reason is not None:
            left_out[reason] = left_out.get(reason, 0) + 1
            continue
        published = _linkable(post, published, settings, warnings, unchecked)
        if not any(e.get("id") is not None for es in published.values() for e in es):
            left_out[_NOT_LINKABLE] = left_out.get(_NOT_LINKABLE, 0) + 1
            continue
        entry = _entry(post, published, settings, posts_dir, warnings)
        if entry is None:
            left_out["no date"] = left_out.get("no date", 0) + 1
            continue
        entries.append(entry)
    for network, count in sorted(unchecked.items()):
        warnings.append(f"{count} {network} receipt(s) not linked: {_POST_URLS[network].unchecked}")
    entries.sort(key=lambda e: (-e.date.timestamp(), e.rel))
    return Archive(tuple(entries), tuple(warnings), left_out)


def _published(post: Post) -> dict[str, list[Mapping[str, Any]]]:
    """`published:` as written, entries that are mappings, per known network."""
    published = post.data.get("published")
    result: dict[str, list[Mapping[str, Any]]] = {}
    if not isinstance(published, Mapping):
        return result
    for network in networks.names():
        entries = published.get(network)
        if isinstance(entries, list):
            result[network] = [e for e in entries if isinstance(e, Mapping)]
    return result


def _left_out_because(post: Post, published: Mapping[str, list[Mapping[str, Any]]]) -> str | None:
    if post.retract or any("retracted" in e for es in published.values() for e in es):
        return "retracted"
    if not any(e.get("id") is not None for es in published.values() for e in es):
        return "not published"
    return None


def _utc(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.astimezone(dt.UTC) if when.tzinfo is not None else None


def _entry(
    post: Post,
    published: Mapping[str, list[Mapping[str, Any]]],
    settings: Settings,
    posts_dir: Path,
    warnings: list[str],
) -> Entry | None:
    sent = [_utc(e.get("at")) for es in published.values() for e in es]
    times = [t for t in sent if t is not None]
    edits = [_utc(e.get("edited")) for es in published.values() for e in es]
    edit_times = [t for t in edits if t is not None]
    date = min(times) if times else None
    if date is None and post.publish_at is not None:
        date = post.publish_at.astimezone(dt.UTC)
    if date is None:
        warnings.append(f"{post.rel}: left out, its receipts have no readable `at` time")
        return None
    edited = max(edit_times) if edit_times else None
    updated = max([date, *times, *edit_times])

    copies = []
    for network, entries in published.items():
        urls = tuple(str(e["url"]) for e in entries if e.get("id") is not None)
        if urls:
            copies.append(NetworkCopy(network, urls))

    images = []
    for ref in post.media:
        image = _image(post, settings.root, ref.path, ref.alt, warnings)
        if image is not None:
            images.append(image)
    card = None
    link = post.link
    if link is not None and _is_web(link.url):
        title = _clean(link.title.strip()) or urlsplit(link.url).netloc
        thumb = None
        if link.thumbnail is not None:
            thumb = _image(post, settings.root, link.thumbnail, title, warnings)
        card = Card(link.url, title, _clean(link.description.strip()), thumb)

    page_rel = post.path.absolute().relative_to(posts_dir.absolute()).with_suffix(".html")
    lang = post.lang if post.lang and _LANG.fullmatch(post.lang) else None
    cw = post.content_warning
    return Entry(
        rel=post.rel,
        page="posts/" + page_rel.as_posix(),
        date=date,
        updated=updated,
        edited=edited,
        lang=lang,
        parts=tuple(_clean(p.text) for p in post.parts) or ("",),
        content_warning=_clean(cw.strip()) if cw and cw.strip() else None,
        images=tuple(images),
        card=card,
        copies=tuple(copies),
    )


# --------------------------------------------------------------------------- receipts


@dataclass(frozen=True)
class _PostURL:
    """Where a network shows one post. `path` is matched whole after the origin;
    in it, {account} stands for the configured account's handle, or for `anyone`
    when no account is configured (the history of a network the organisation left)."""

    hosts: tuple[str, ...]  # served over https; () = the configured `instance` only
    path: str
    example: str  # the shape, for the warning
    anyone: str = ""
    unchecked: str = ""  # why nothing can be linked without an account


_RKEY = r"[A-Za-z0-9._:~-]{1,512}"
# Bluesky: a handle in the path is resolved to whoever holds it now, so it must
# be the configured one; a DID names the account for good, but the settings do not
# hold it, so any DID is accepted (imports without --handle link by DID).
# X: the name in the path is not checked, because X opens a status by its id
# whatever name precedes it, so checking it would guard nothing and would drop
# the history of a renamed account.
# Mastodon: no network-wide host; any server can run it, so only the configured
# instance can be trusted.
_POST_URLS: Mapping[str, _PostURL] = {
    "bluesky": _PostURL(
        hosts=("bsky.app",),
        path=rf"/profile/(?:{{account}}|did:[a-z]+:[A-Za-z0-9._:%-]{{1,2048}})/post/{_RKEY}",
        example="https://bsky.app/profile/<handle or DID>/post/<record key>",
        anyone=r"[A-Za-z0-9.-]{1,253}",
    ),
    "x": _PostURL(
        hosts=("x.com", "twitter.com"),
        path=r"/\w{1,50}/status/\d{1,20}",
        example="https://x.com/<name>/status/<id>",
    ),
    "mastodon": _PostURL(
        hosts=(),
        path=r"/[A-Za-z0-9@._~/%:+-]+",
        example="<instance>/@<name>/<id>",
        unchecked="Mastodon has no network-wide host, so its receipts are linked only "
        "on the instance set in [tool.clarion.accounts.mastodon] instance",
    ),
}
_NOT_LINKABLE = "no receipt on its network"


def receipt_url_allowed(network: str, url: object, settings: Settings) -> bool:
    """Whether the site may link `url` as a receipt on `network`: the address of a
    post on the network's own host (the configured instance for Mastodon), on
    https (or the instance's own scheme), with no user name, port, query or
    anything else a browser could read as another host."""
    rule = _POST_URLS.get(network)
    if rule is None or not isinstance(url, str):
        return False
    account = settings.account(network)
    origins = tuple(f"https://{host}" for host in rule.hosts)
    if not rule.hosts:
        origins = _origin(getattr(account, "instance", None))
    if not origins:
        return False
    handle = getattr(account, "handle", None)
    handle = handle.strip().lstrip("@") if isinstance(handle, str) else ""
    name = f"(?i:{re.escape(handle)})" if handle else rule.anyone
    path = rule.path.replace("{account}", name)
    pattern = "(?:" + "|".join(map(re.escape, origins)) + ")" + path
    return re.fullmatch(pattern, url, re.ASCII) is not None


def _origin(instance: object) -> tuple[str, ...]:
    """The configured instance as scheme://host[:port] in lower case; () when it is
    not an http(s) URL."""
    if not isinstance(instance, str):
        return ()
    parts = urlsplit(instance.strip())
    try:
        port = parts.port
    except ValueError:
        return ()
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in ("http", "https") or not host or parts.username is not None:
        return ()
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}[scheme]
    return (f"{scheme}://{host}" + (f":{port}" if port not in (None, default) else ""),)


def _linkable(
    post: Post,
    published: Mapping[str, list[Mapping[str, Any]]],
    settings: Settings,
    warnings: list[str],
    unchecked: dict[str, int],
) -> dict[str, list[Mapping[str, Any]]]:
    """`published` without the receipts the site may not link; each is named in
    `warnings`, or counted in `unchecked` when the network has nothing to check
    it against. Entries without an id (`outcome: unknown`) are kept as they are."""
    kept: dict[str, list[Mapping[str, Any]]] = {}
    for network, entries in published.items():
        rule = _POST_URLS.get(network)
        kept[network] = []
        for entry in entries:
            url = entry.get("url")
            if entry.get("id") is None or receipt_url_allowed(network, url, settings):
                kept[network].append(entry)
            elif rule is not None and rule.unchecked and settings.account(network) is None:
                unchecked[network] = unchecked.get(network, 0) + 1
            else:
                shown = repr(url) if isinstance(url, str) else "with no url"
                expected = rule.example if rule is not None else "the site knows no such address"
                warnings.append(
                    f"{post.rel}: {network} receipt {shown} not linked: it is not a post's "
                    f"address on the network ({expected})"
                )
    return kept


def _image(post: Post, root: Path, rel: str, alt: str, warnings: list[str]) -> SiteImage | None:
    """The image `rel` names, ready to copy; None (and a warning) when it cannot be used."""
    try:
        source = resolve_media(post.path, root, rel)
        data = source.read_bytes()
    except MediaProblem as exc:
        warnings.append(f"{post.rel}: image {rel} left out: {exc.message}")
        return None
    except OSError as exc:
        warnings.append(f"{post.rel}: image {rel} left out: cannot read it ({exc.strerror})")
        return None
    info = sniff(data)
    if info is None:
        warnings.append(f"{post.rel}: image {rel} left out: it is not a PNG, JPEG, GIF or WebP")
        return None
    digest = hashlib.sha256(data).hexdigest()[:32]
    target = f"media/{digest}{_IMAGE_SUFFIX[info.mime]}"
    text = _clean(alt.strip()) or "Image without a description"
    return SiteImage(source, target, text, info.width, info.height)


def _is_web(url: object) -> bool:
    """An absolute http(s) URL: the only kind the site links to."""
    if not isinstance(url, str) or _UNWRITABLE.search(url) or any(c.isspace() for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _clean(text: str) -> str:
    return _UNWRITABLE.sub("", text)


def _truncate(text: str, limit: int = TITLE_LENGTH) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


# --------------------------------------------------------------------------- rendering


def render(archive: Archive, config: SiteConfig) -> dict[str, bytes]:
    """Every page and feed of the site: path relative to the site root -> bytes.
    Images are not included: copy `image.source` to `image.target` for each."""
    entries = archive.entries
    years = _by_year(entries, config)
    year_pages = len(entries) > INDEX_LIMIT
    site = _Site(config, tuple(years), year_pages)
    files: dict[str, bytes] = {}
    files["index.html"] = site.index(entries).encode()
    if year_pages:
        for year, items in years.items():
            files[f"years/{year}.html"] = site.year(year, items).encode()
    for i, entry in enumerate(entries):
        newer = entries[i - 1] if i > 0 else None
        older = entries[i + 1] if i + 1 < len(entries) else None
        files[entry.page] = site.post(entry, newer, older).encode()
    files["feed.atom"] = atom_feed(entries[:FEED_LIMIT], config)
    files["feed.json"] = json_feed(entries[:FEED_LIMIT], config)
    return files


def _local(entry_date: dt.datetime, config: SiteConfig) -> dt.datetime:
    return entry_date.astimezone(config.timezone)


def _by_year(entries: Iterable[Entry], config: SiteConfig) -> dict[int, list[Entry]]:
    years: dict[int, list[Entry]] = {}
    for entry in entries:
        years.setdefault(_local(entry.date, config).year, []).append(entry)
    return years


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Month names spelled out here: strftime's %B follows the process's locale.
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _shown_date(when: dt.datetime, config: SiteConfig) -> str:
    local = _local(when, config)
    zone = local.tzname() or config.timezone_name
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H:%M} {zone}"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _href(path: str) -> str:
    """A site path as it goes into an href: each segment percent-encoded."""
    return quote(path, safe="/")


def linkify(text: str) -> str:
    """`text` as HTML: escaped, with each http(s) URL a link to itself."""
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(text):
        url = _trim_url(match.group())
        if not _is_web(url):
            continue
        start, end = match.start(), match.start() + len(url)
        out.append(_esc(text[pos:start]))
        out.append(f'<a href="{_esc(url)}">{_esc(url)}</a>')
        pos = end
    out.append(_esc(text[pos:]))
    return "".join(out)


def _trim_url(url: str) -> str:
    """Sentence punctuation after a URL is the sentence's; a closing bracket is the
    URL's when it closes one opened inside it (Wikipedia's `Foo_(bar)`)."""
    while url and url[-1] in _TRAILING:
        last = url[-1]
        opener = _CLOSERS.get(last)
        if opener is not None and url.count(opener) >= url.count(last):
            break
        url = url[:-1]
    return url


def text_html(text: str) -> str:
    """One thread part as HTML: a paragraph per blank-line-separated block, and
    `<br>` for each line break inside it, so the text reads as it was written."""
    paragraphs = [p for p in _PARAGRAPH.split(text) if p.strip()]
    if not paragraphs:
        return ""
    return "".join(
        "<p>" + "<br>".join(linkify(line) for line in p.split("\n")) + "</p>" for p in paragraphs
    )


class _Site:
    """The HTML pages; every link is relative to the page it is on, so the site
    works at any address and from a folder on disk."""

    def __init__(self, config: SiteConfig, years: Sequence[int], year_pages: bool) -> None:
        self.config = config
        self.years = years
        self.year_pages = year_pages

    # -- pages ---------------------------------------------------------------------------

    def index(self, entries: Sequence[Entry]) -> str:
        config = self.config
        here = "index.html"
        shown = entries if not self.year_pages else entries[:INDEX_LATEST]
        body = [f"<h1>{_esc(config.title)}</h1>"]
        level = 2
        if not entries:
            body.append("<p>Nothing has been published yet.</p>")
        elif self.year_pages:
            body.append(f"<p>{_count(len(entries), 'post')}, newest first.</p>")
            body.append('<section aria-labelledby="years">')
            body.append('<h2 id="years">Posts by year</h2>')
            body.append(self._year_list(here, entries))
            body.append("</section>")
            body.append('<h2 id="latest">Latest posts</h2>')
            level = 3
        else:
            body.append(f"<p>{_count(len(entries), 'post')}, newest first.</p>")
        for year, items in _by_year(shown, config).items():
            body.append(f'<section aria-labelledby="y{year}">')
            body.append(f'<h{level} id="y{year}">{year}</h{level}>')
            body.extend(self._summary(here, e, level + 1) for e in items)
            body.append("</section>")
        if self.year_pages and shown:
            oldest = _local(shown[-1].date, config).year
            body.append(
                f'<p class="more"><a href="{self._link(here, f"years/{oldest}.html")}">'
                f"More from {oldest}</a></p>"
            )
        return self._page(here, config.title, "\n".join(body), current="index")

    def year(self, year: int, items: Sequence[Entry]) -> str:
        here = f"years/{year}.html"
        body = [f"<h1>{year}</h1>", f"<p>{_count(len(items), 'post')}, newest first.</p>"]
        months: dict[int, list[Entry]] = {}
        for entry in items:
            months.setdefault(_local(entry.date, self.config).month, []).append(entry)
        for month, group in months.items():
            name = MONTHS[month - 1]
            body.append(f'<section aria-labelledby="m{month}">')
            body.append(f'<h2 id="m{month}">{name} {year}</h2>')
            body.extend(self._summary(here, e, 3) for e in group)
            body.append("</section>")
        position = self.years.index(year)
        links = []
        if position > 0:
            newer = self.years[position - 1]
            links.append(
                f'<a rel="next" href="{self._link(here, f"years/{newer}.html")}">Newer: {newer}</a>'
            )
        if position + 1 < len(self.years):
            older = self.years[position + 1]
            links.append(
                f'<a rel="prev" href="{self._link(here, f"years/{older}.html")}">Older: {older}</a>'
            )
        if links:
            listed = "".join(f"<li>{link}</li>" for link in links)
            body.append(f'<nav class="neighbours" aria-label="Other years"><ul>{listed}</ul></nav>')
        return self._page(here, f"{year} — {self.config.title}", "\n".join(body), current=year)

    def post(self, entry: Entry, newer: Entry | None, older: Entry | None) -> str:
        here = entry.page
        date = self._time(entry.date)
        lang = _lang_attr(entry.lang)
        body = [f'<article class="post"{lang}>', "<header>", f"<h1>{date}</h1>"]
        if entry.edited is not None:
            body.append(f'<p class="meta">Edited {self._time(entry.edited)}</p>')
        body.append("</header>")
        body.append(self._content(here, entry, whole=True))
        body.append(self._copies(entry, heading=True))
        body.append("</article>")
        links = []
        if newer is not None:
            links.append(
                f'<a rel="next" href="{self._link(here, newer.page)}">Newer: '
                f"{_esc(newer.title)}</a>"
            )
        if older is not None:
            links.append(
                f'<a rel="prev" href="{self._link(here, older.page)}">Older: '
                f"{_esc(older.title)}</a>"
            )
        if links:
            items = "".join(f"<li>{link}</li>" for link in links)
            body.append(f'<nav class="neighbours" aria-label="More posts"><ul>{items}</ul></nav>')
        title = f"{entry.title} — {self.config.title}"
        return self._page(here, title, "\n".join(body), current=None)

    # -- pieces --------------------------------------------------------------------------

    def _summary(self, here: str, entry: Entry, level: int) -> str:
        """An entry in a list: its date (the link to its page), its first part, where it is."""
        link = self._link(here, entry.page)
        lang = _lang_attr(entry.lang)
        out = [
            f"<article{lang}>",
            f'<h{level} class="when"><a href="{link}">{self._time(entry.date)}</a></h{level}>',
            self._content(here, entry, whole=False),
        ]
        notes = []
        if len(entry.parts) > 1:
            notes.append(f'<a href="{link}">Read the thread ({len(entry.parts)} parts)</a>')
        if entry.images:
            notes.append(f'<a href="{link}">{_count(len(entry.images), "image")}</a>')
        if notes:
            out.append(f'<p class="meta">{" · ".join(notes)}</p>')
        out.append(self._copies(entry, heading=False))
        out.append("</article>")
        return "\n".join(out)

    def _content(self, here: str, entry: Entry, *, whole: bool) -> str:
        """The text (all parts, or the first), images and card; behind a
        disclosure when the post has a content warning, as Mastodon shows it."""
        attachments = [self._figure(here, image) for image in entry.images] if whole else []
        if whole and entry.card is not None:
            attachments.append(self._card(here, entry.card))
        first = f'<div class="text" dir="auto">{text_html(entry.parts[0])}</div>'
        if whole and len(entry.parts) > 1:
            items = [f"<li>{first}{''.join(attachments)}</li>"]
            items.extend(
                f'<li><div class="text" dir="auto">{text_html(p)}</div></li>'
                for p in entry.parts[1:]
            )
            label = f"A thread of {len(entry.parts)} parts"
            inner = f'<ol class="thread" aria-label="{label}">{"".join(items)}</ol>'
        else:
            inner = first + "".join(attachments)
        if entry.content_warning:
            return (
                f'<details class="cw"><summary>Content warning: '
                f"{_esc(entry.content_warning)}</summary>{inner}</details>"
            )
        return inner

    def _figure(self, here: str, image: SiteImage) -> str:
        # The caption repeats the alt text for everyone who can see the image;
        # hidden from screen readers, which already read it once as the alt.
        return (
            f'<figure><img src="{self._link(here, image.target)}" alt="{_esc(image.alt)}" '
            f'width="{image.width}" height="{image.height}" loading="lazy">'
            f'<figcaption aria-hidden="true">{_esc(image.alt)}</figcaption></figure>'
        )

    def _card(self, here: str, card: Card) -> str:
        thumb = ""
        if card.thumbnail is not None:
            t = card.thumbnail
            thumb = (
                f'<img src="{self._link(here, t.target)}" alt="{_esc(t.alt)}" '
                f'width="{t.width}" height="{t.height}" loading="lazy">'
            )
        description = f"<p>{_esc(card.description)}</p>" if card.description else ""
        host = _esc(urlsplit(card.url).netloc)
        return (
            f'<aside class="card" aria-label="Link">{thumb}<div>'
            f'<p class="card-title"><a href="{_esc(card.url)}">{_esc(card.title)}</a></p>'
            f'{description}<p class="meta">{host}</p></div></aside>'
        )

    def _copies(self, entry: Entry, *, heading: bool) -> str:
        if not entry.copies:
            return ""
        items = []
        for copy in entry.copies:
            first = f'<a href="{_esc(copy.urls[0])}">{_esc(copy.label)}</a>'
            if len(copy.urls) > 1 and heading:
                parts = ", ".join(
                    f'<a href="{_esc(u)}" aria-label="{_esc(copy.label)}, part {n}">{n}</a>'
                    for n, u in enumerate(copy.urls, 1)
                )
                first += f" <span>(parts {parts})</span>"
            items.append(f"<li>{first}</li>")
        if heading:
            return (
                f'<footer class="copies"><h2>On the networks</h2><ul>{"".join(items)}</ul></footer>'
            )
        return f'<footer class="copies"><span>Posted on</span> <ul>{"".join(items)}</ul></footer>'

    def _year_list(self, here: str, entries: Sequence[Entry]) -> str:
        counts = {year: len(items) for year, items in _by_year(entries, self.config).items()}
        items = "".join(
            f'<li><a href="{self._link(here, f"years/{year}.html")}">{year}</a> '
            f"({_count(n, 'post')})</li>"
            for year, n in counts.items()
        )
        return f'<ul class="years">{items}</ul>'

    def _time(self, when: dt.datetime) -> str:
        return f'<time datetime="{_iso(when)}">{_esc(_shown_date(when, self.config))}</time>'

    def _link(self, here: str, target: str) -> str:
        """`target` (a site path, maybe with a #fragment) relative to the page `here`,
        ready for an attribute."""
        path, mark, fragment = target.partition("#")
        return _esc(_href(relative_link(here, path)) + mark + fragment)

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one _Site per build, few folders
    def _nav(self, folder: str, current: int | str | None) -> str:
        """The archive's navigation as seen from a page in `folder`."""
        here = f"{folder}/page" if folder else "page"
        nav: list[tuple[int | str, str, str]] = [("index", "index.html", "Latest")]
        if self.year_pages:
            nav.append(("years", "index.html#years", "By year"))
        nav.append(("feed", "feed.atom", "Feed"))
        items = []
        for key, target, label in nav:
            mark = ' aria-current="page"' if key == current else ""
            items.append(f'<li><a href="{self._link(here, target)}"{mark}>{label}</a></li>')
        return f'<nav aria-label="Archive"><ul>{"".join(items)}</ul></nav>'

    def _page(self, here: str, title: str, body: str, *, current: int | str | None) -> str:
        config = self.config
        head = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_esc(title)}</title>",
            '<meta name="generator" content="Clarion">',
            '<meta name="color-scheme" content="light dark">',
        ]
        if config.url is not None:
            head.append(f'<link rel="canonical" href="{_esc(_absolute(config, here))}">')
        head.extend(
            [
                f'<link rel="alternate" type="application/atom+xml" title="{_esc(config.title)}" '
                f'href="{self._link(here, "feed.atom")}">',
                f'<link rel="alternate" type="application/feed+json" '
                f'title="{_esc(config.title)}" href="{self._link(here, "feed.json")}">',
                f"<style>{CSS}</style>",
                "</head>",
            ]
        )
        page = [
            *head,
            "<body>",
            '<a class="skip" href="#main">Skip to content</a>',
            '<header class="site">',
            f'<p class="site-title"><a href="{self._link(here, "index.html")}">'
            f"{_esc(config.title)}</a></p>",
            self._nav(posixpath.dirname(here), current),
            "</header>",
            '<main id="main" tabindex="-1">',
            body,
            "</main>",
            '<footer class="site">',
            f'<p>Subscribe: <a href="{self._link(here, "feed.atom")}">Atom feed</a> · '
            f'<a href="{self._link(here, "feed.json")}">JSON Feed</a></p>',
            "<p>An archive kept with Clarion: every post lives as a file in Git.</p>",
            "</footer>",
            "</body>",
            "</html>",
            "",
        ]
        return "\n".join(page)


def relative_link(here: str, target: str) -> str:
    """The link from the page `here` to `target`, both site paths ("posts/2026/a.html")."""
    folder = here.split("/")[:-1]
    parts = target.split("/")
    same = 0
    while same < len(folder) and same < len(parts) - 1 and folder[same] == parts[same]:
        same += 1
    return "../" * (len(folder) - same) + "/".join(parts[same:])


def _lang_attr(lang: str | None) -> str:
    return f' lang="{_esc(lang)}"' if lang else ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n:,} {noun}s"


# --------------------------------------------------------------------------- feeds


def _absolute(config: SiteConfig, path: str) -> str:
    """A site path for a feed: absolute under `url`, else relative to the site root
    (where the feeds are, so a reader resolving against the feed's address finds it)."""
    if config.url is not None and path == "index.html":
        return config.url  # the address people know, not its file name
    return (config.url or "") + _href(path)


def _entry_id(entry: Entry, config: SiteConfig) -> str:
    # An Atom id must be an absolute IRI: the page's URL when the site has one,
    # else a name-based UUID of the post's page, stable across builds.
    if config.url is not None:
        return _absolute(config, entry.page)
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, entry.page)}"


def feed_html(entry: Entry, config: SiteConfig) -> str:
    """The post as an HTML fragment for feed readers: the text of each part,
    images with their alt text, the card, and the links to each network's copy."""
    out = []
    if entry.content_warning:
        out.append(f"<p><strong>Content warning: {_esc(entry.content_warning)}</strong></p>")
    for n, part in enumerate(entry.parts):
        if n:
            out.append("<hr>")
        out.append(text_html(part))
        if n == 0:
            for image in entry.images:
                src = _esc(_absolute(config, image.target))
                out.append(
                    f'<figure><img src="{src}" alt="{_esc(image.alt)}" width="{image.width}" '
                    f'height="{image.height}"><figcaption>{_esc(image.alt)}</figcaption></figure>'
                )
            if entry.card is not None:
                card = entry.card
                out.append(
                    f'<p><a href="{_esc(card.url)}">{_esc(card.title)}</a>'
                    + (f"<br>{_esc(card.description)}" if card.description else "")
                    + "</p>"
                )
    if entry.copies:
        links = ", ".join(f'<a href="{_esc(c.urls[0])}">{_esc(c.label)}</a>' for c in entry.copies)
        out.append(f"<p>Posted on {links}.</p>")
    return "".join(out)


def atom_feed(entries: Sequence[Entry], config: SiteConfig) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of `entries`."""
    ET.register_namespace("", _ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{_ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{_ATOM}}}feed")
    feed.set(_XML_LANG, "en")
    sub(feed, "id", config.url or f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, config.title)}")
    sub(feed, "title", config.title)
    newest = max((e.updated for e in entries), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    sub(feed, "updated", _iso(newest))
    author = sub(feed, "author")
    sub(author, "name", config.title)
    sub(feed, "link", rel="alternate", type="text/html", href=_absolute(config, "index.html"))
    if config.url is not None:
        sub(feed, "link", rel="self", type="application/atom+xml", href=config.url + "feed.atom")
    sub(feed, "generator", "Clarion")
    for entry in entries:
        item = sub(feed, "entry")
        if entry.lang:
            item.set(_XML_LANG, entry.lang)
        sub(item, "id", _entry_id(entry, config))
        sub(item, "title", entry.title, type="text")
        sub(item, "published", _iso(entry.date))
        sub(item, "updated", _iso(entry.updated))
        sub(item, "link", rel="alternate", type="text/html", href=_absolute(config, entry.page))
        for copy in entry.copies:
            sub(item, "link", rel="related", type="text/html", href=copy.urls[0], title=copy.label)
        if entry.content_warning:
            sub(item, "summary", f"Content warning: {entry.content_warning}", type="text")
        sub(item, "content", feed_html(entry, config), type="html")
    ET.indent(feed)  # whitespace between elements only: text content is untouched
    text = ET.tostring(feed, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n").encode()


def json_feed(entries: Sequence[Entry], config: SiteConfig) -> bytes:
    """A JSON Feed 1.1 of `entries`; each item's `_clarion.copies` lists every
    network's URLs, part by part."""
    feed: dict[str, Any] = {
        "version": _JSON_FEED,
        "title": config.title,
        "home_page_url": _absolute(config, "index.html"),
    }
    if config.url is not None:
        feed["feed_url"] = config.url + "feed.json"
    feed["language"] = "en"
    feed["authors"] = [{"name": config.title}]
    items = []
    for entry in entries:
        item: dict[str, Any] = {
            "id": _entry_id(entry, config),
            "url": _absolute(config, entry.page),
            "title": entry.title,
            "content_html": feed_html(entry, config),
            "content_text": "\n\n".join(entry.parts),
            "date_published": _iso(entry.date),
            "date_modified": _iso(entry.updated),
        }
        if entry.copies:
            item["external_url"] = entry.copies[0].urls[0]
        if entry.content_warning:
            item["summary"] = f"Content warning: {entry.content_warning}"
        if entry.images:
            item["image"] = _absolute(config, entry.images[0].target)
        if entry.lang:
            item["language"] = entry.lang
        item["_clarion"] = {
            "path": entry.rel,
            "copies": {c.network: list(c.urls) for c in entry.copies},
        }
        items.append(item)
    feed["items"] = items
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode()


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class SiteResult:
    outdir: Path
    posts: int
    pages: int  # HTML pages
    images: int  # image files in the site
    written: int  # files whose bytes changed
    removed: int  # files of an earlier build that are gone now
    warnings: tuple[str, ...]
    left_out: Mapping[str, int]
    config: SiteConfig


def build_site(settings: Settings, outdir: Path) -> SiteResult:
    """Build the site of `settings`' repository into `outdir` (see the module doc)."""
    config = site_config(settings)
    if not settings.posts_dir.is_dir():
        raise UsageError(
            f"there is no {settings.posts} folder in {settings.root}: run clarion in "
            "the repository, or set [tool.clarion] posts in pyproject.toml"
        )
    _claim(outdir)  # before the work: a wrong folder is refused at once
    archive = collect(settings)
    files = render(archive, config)
    images: dict[str, Path] = {}
    for entry in archive.entries:
        for image in entry.images:
            images[image.target] = image.source
        if entry.card is not None and entry.card.thumbnail is not None:
            images[entry.card.thumbnail.target] = entry.card.thumbnail.source
    written, removed = write_site(outdir, files, images)
    return SiteResult(
        outdir=outdir,
        posts=len(archive.entries),
        pages=sum(1 for name in files if name.endswith(".html")),
        images=len(images),
        written=written,
        removed=removed,
        warnings=archive.warnings,
        left_out=archive.left_out,
        config=config,
    )


def _claim(outdir: Path) -> None:
    """Make `outdir` a Clarion site folder, or refuse: it must be missing, empty,
    or hold the marker of an earlier build (everything else in it is replaced)."""
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"{outdir} is not a folder: give the folder to build the site in")
    if outdir.is_dir() and not (outdir / MARKER).is_file() and any(outdir.iterdir()):
        raise UsageError(
            f"{outdir} is not empty and holds no earlier Clarion site (no {MARKER} file): "
            "clarion site replaces everything in its folder, so give a new or empty one "
            "(e.g. _site)"
        )
    outdir.mkdir(parents=True, exist_ok=True)
    marker = outdir / MARKER
    if not marker.is_file() or marker.is_symlink():
        _put(outdir, MARKER, MARKER_TEXT.encode(), set())


def write_site(
    outdir: Path, files: Mapping[str, bytes], images: Mapping[str, Path]
) -> tuple[int, int]:
    """Write `files` and copy `images` into `outdir`, then delete whatever an earlier
    build left that is no longer part of the site. Each file is replaced whole
    (written aside, then renamed over), and one whose bytes are unchanged is not
    touched. Returns (files written, files removed)."""
    _claim(outdir)
    made: set[str] = set()
    written = 0
    wanted = {MARKER}
    for name, data in sorted(files.items()):
        wanted.add(name)
        written += _put(outdir, name, data, made)
    for name, source in sorted(images.items()):
        wanted.add(name)
        written += _put(outdir, name, source.read_bytes(), made)
    removed = _prune(outdir, wanted)
    return written, removed


def _put(outdir: Path, name: str, data: bytes, made: set[str]) -> int:
    """Write `data` at site path `name`; 1 when the file changed, 0 when it was already so."""
    folder = _folder(outdir, posixpath.dirname(name), made)
    path = folder / posixpath.basename(name)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None:
        if not stat.S_ISREG(mode):  # a link or folder in the way: never written through
            _remove(path)
        else:
            with contextlib.suppress(OSError):
                if path.stat().st_size == len(data) and path.read_bytes() == data:
                    return 0
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".clarion-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # served as they are: readable by the web server
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return 1


def _folder(outdir: Path, rel: str, made: set[str]) -> Path:
    """`outdir/rel`, each level a real folder: a symlink or file in the way is removed,
    so nothing is ever written outside `outdir`."""
    folder = outdir
    done = ""
    for segment in [s for s in rel.split("/") if s]:
        done = f"{done}/{segment}" if done else segment
        folder = folder / segment
        if done in made:
            continue
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            _remove(folder)
        folder.mkdir(exist_ok=True)
        made.add(done)
    return folder


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        for child in path.iterdir():
            _remove(child)
        path.rmdir()
    else:
        path.unlink()


def _prune(outdir: Path, wanted: set[str]) -> int:
    """Delete files under `outdir` that are not `wanted` (without following links),
    then the folders left empty; a top-level `.git` is left alone. Returns the
    number of files deleted."""
    removed = 0
    for top, dirs, names in _walk(outdir):
        for name in names:
            rel = posixpath.join(top, name) if top else name
            if rel not in wanted:
                (outdir / rel).unlink()
                removed += 1
        for name in dirs:
            rel = posixpath.join(top, name) if top else name
            folder = outdir / rel
            if not any(folder.iterdir()):
                folder.rmdir()
    return removed


# A site folder that is also a Git checkout (a gh-pages branch) keeps its history.
_KEEP = ".git"


def _walk(outdir: Path) -> list[tuple[str, list[str], list[str]]]:
    """(folder relative to outdir, its subfolders, its other entries), deepest first."""
    found = []
    for top, dirs, names in os.walk(outdir, topdown=True, followlinks=False):
        rel = Path(top).relative_to(outdir).as_posix()
        rel = "" if rel == "." else rel
        if not rel and _KEEP in dirs:
            dirs.remove(_KEEP)
        real_dirs = [d for d in dirs if not Path(top, d).is_symlink()]
        links = [d for d in dirs if Path(top, d).is_symlink()]
        found.append((rel, sorted(real_dirs), sorted(names + links)))
    found.reverse()
    return found


# --------------------------------------------------------------------------- style

# Inline, so a page is one file that needs nothing else. System fonts; contrast
# above WCAG AA (7:1 for body text in both schemes); no motion.
CSS = """\
:root{color-scheme:light dark;--bg:#fdfdfc;--fg:#1b1c20;--muted:#4b4f58;--link:#0a4bb0;\
--line:#d4d7dd;--soft:#f1f3f6;--focus:#b34700}
@media (prefers-color-scheme:dark){:root{--bg:#15161a;--fg:#ececf0;--muted:#b5b9c2;\
--link:#9cc2ff;--line:#3a3e47;--soft:#1f2229;--focus:#ffb870}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);\
font:1.0625rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",\
"DejaVu Sans",sans-serif}
a{color:var(--link);text-underline-offset:.15em}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
main:focus{outline:none}
.skip{position:absolute;left:1rem;top:-4rem;padding:.5rem 1rem;background:var(--fg);\
color:var(--bg);font-weight:600;z-index:1}
.skip:focus{top:1rem}
header.site,main,footer.site{max-width:48rem;margin:0 auto;padding:0 1.25rem}
header.site{padding-top:1.25rem;padding-bottom:.75rem;border-bottom:1px solid var(--line);\
display:flex;flex-wrap:wrap;gap:.25rem 1.5rem;align-items:baseline;justify-content:space-between}
.site-title{margin:0;font-weight:700;font-size:1.15rem}
.site-title a{color:var(--fg);text-decoration:none}
nav ul,.years,.copies ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;\
gap:.25rem 1rem}
nav a[aria-current]{color:var(--fg);font-weight:600;text-decoration:none}
h1{font-size:1.8rem;line-height:1.25;margin:1.5rem 0 .5rem}
h2{font-size:1.35rem;margin:2rem 0 .25rem}
h3{font-size:1.1rem}
.post h1{font-size:1.25rem;font-weight:600;color:var(--muted)}
.when{font-size:1rem;font-weight:600;margin:0 0 .4rem}
.when a{color:var(--muted)}
main>section>article,main>article:not(.post){padding:1rem 0;border-bottom:1px solid var(--line)}
.text p{margin:0 0 .75rem;white-space:pre-wrap;overflow-wrap:anywhere}
.post .text{font-size:1.125rem}
.thread{margin:0;padding-left:1.75rem}
.thread>li{padding:.25rem 0 .5rem}
.thread>li+li{border-top:1px dashed var(--line);padding-top:.75rem}
.thread>li::marker{color:var(--muted);font-weight:600}
figure{margin:.75rem 0}
figure img{display:block;max-width:100%;height:auto;border-radius:.5rem;\
border:1px solid var(--line)}
figcaption{margin-top:.35rem;color:var(--muted);font-size:.9rem}
.card{display:flex;gap:1rem;align-items:center;margin:.75rem 0;padding:.75rem 1rem;\
border:1px solid var(--line);border-radius:.5rem;background:var(--soft)}
.card img{width:6rem;height:auto;border-radius:.25rem;flex:none}
.card p{margin:.1rem 0}
.card-title{font-weight:600}
.meta,.copies{color:var(--muted);font-size:.95rem}
.copies{display:flex;flex-wrap:wrap;gap:.25rem .75rem;margin:.5rem 0 0}
.post .copies{display:block;margin-top:1.5rem;padding-top:.75rem;border-top:1px solid var(--line)}
.post .copies h2{font-size:1rem;margin:0 0 .35rem;color:var(--fg)}
details.cw{margin:.25rem 0 .75rem;padding:.5rem .75rem;border:1px solid var(--line);\
border-radius:.5rem}
details.cw summary{cursor:pointer;font-weight:600}
details.cw[open] summary{margin-bottom:.5rem}
.neighbours ul{justify-content:space-between;margin:2rem 0;gap:.75rem 2rem}
.neighbours li{max-width:100%}
footer.site{margin-top:3rem;padding-top:1rem;padding-bottom:2rem;\
border-top:1px solid var(--line);color:var(--muted);font-size:.9rem}
@media (max-width:30rem){body{font-size:1rem}h1{font-size:1.5rem}.card{flex-direction:column;\
align-items:flex-start}}
@media print{.skip,header.site nav,footer.site,.neighbours{display:none}a{color:inherit}}
"""
