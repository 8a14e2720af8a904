"""Reading the posts into the site's model (`collect`), and the rule for which
receipts the site may link (`receipt_url_allowed`).

A post is listed when it has at least one receipt with an id whose URL is a
post on that network's own host (it went out somewhere: see
`receipt_url_allowed`) and is not retracted — neither `retract: true` nor any
receipt marked `retracted:`, since a post taken back on one network was taken
back on purpose. Receipts are written by the publish run, not reviewed, so one
that points anywhere else is never linked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from clarion import networks
from clarion.errors import UsageError
from clarion.media.paths import MediaProblem, resolve_media
from clarion.media.sniff import sniff
from clarion.post import Post, discover, read_post
from clarion.settings import Settings
from clarion.site.config import former_instances
from clarion.site.model import Archive, Card, Entry, NetworkCopy, SiteImage, clean, is_web

_IMAGE_SUFFIX = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


# The alt text `clarion import` gives an image that had none.
_PLACEHOLDER = re.compile(r"Image imported from .+ without a description")


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
    if link is not None and is_web(link.url):
        title = clean(link.title.strip()) or urlsplit(link.url).netloc
        thumb = None
        if link.thumbnail is not None:
            thumb = _image(post, settings.root, link.thumbnail, title, warnings)
        card = Card(link.url, title, clean(link.description.strip()), thumb)

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
        parts=tuple(clean(p.text) for p in post.parts) or ("",),
        content_warning=clean(cw.strip()) if cw and cw.strip() else None,
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

    # Served over https; (): the account's own server, the setting `origin` names
    # (Mastodon's `instance`, with the former ones; a Discourse forum's `url`).
    hosts: tuple[str, ...]
    path: str
    example: str  # the shape, for the warning
    anyone: str = ""
    unchecked: str = ""  # why nothing can be linked without an account
    origin: str = "instance"


_RKEY = r"[A-Za-z0-9._:~-]{1,512}"
# Bluesky: a handle in the path is resolved to whoever holds it now, so it must
# be the configured one; a DID names the account for good, but the settings do not
# hold it, so any DID is accepted (imports without --handle link by DID).
# X: the name in the path is not checked, because X opens a status by its id
# whatever name precedes it, so checking it would guard nothing and would drop
# the history of a renamed account.
# Mastodon: no network-wide host; any server can run it, so only the configured
# instance can be trusted, and those the organisation named as its former ones
# ([tool.clarion.site] former_instances: an account left, or moved).
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
        "on the instance set in [tool.clarion.accounts.mastodon] instance, or on one "
        "listed in [tool.clarion.site] former_instances (an account left or moved from)",
    ),
    # Discourse: a forum is its own site; a topic is /t/<slug>/<id> there (the slug
    # ASCII, or percent-encoded where the forum encodes it).
    "discourse": _PostURL(
        hosts=(),
        origin="url",
        path=r"/t/[A-Za-z0-9%_-]{1,255}/\d{1,20}",
        example="<forum>/t/<slug>/<topic id>",
        unchecked="a Discourse forum is its own site, so its receipts are linked only on "
        "the forum set in [tool.clarion.accounts.discourse] url, or on one listed in "
        "[tool.clarion.site] former_forums (an account left or moved from)",
    ),
    # LinkedIn: a post's page is its URN under /feed/update/, whoever's page it is on.
    "linkedin": _PostURL(
        hosts=("www.linkedin.com", "linkedin.com"),
        path=r"/feed/update/urn:li:(?:share|ugcPost|activity):\d{1,25}/?",
        example="https://www.linkedin.com/feed/update/urn:li:share:<id>/",
    ),
}
_NOT_LINKABLE = "no receipt on its network"


def receipt_url_allowed(network: str, url: object, settings: Settings) -> bool:
    """Whether the site may link `url` as a receipt on `network`: the address of a
    post on the network's own host (for Mastodon, the configured instance or a
    former one), on https (or the instance's own scheme), with no user name,
    port, query or anything else a browser could read as another host."""
    rule = _POST_URLS.get(network)
    if rule is None or not isinstance(url, str):
        return False
    account = settings.account(network)
    origins = tuple(f"https://{host}" for host in rule.hosts)
    if not rule.hosts:
        own = getattr(account, rule.origin, None)
        former = former_instances(settings, rule.origin)
        instances = (own, *former)
        origins = tuple(origin for i in instances for origin in _origin(i))
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
    text = clean(alt.strip())
    if not text or _PLACEHOLDER.fullmatch(text):
        # The alt says the description is missing; the page shows no caption for it.
        return SiteImage(
            source, target, "Image without a description", info.width, info.height, False
        )
    return SiteImage(source, target, text, info.width, info.height)
