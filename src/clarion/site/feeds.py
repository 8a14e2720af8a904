"""The archive's feeds: Atom 1.0 (RFC 4287) and JSON Feed 1.1, of the newest posts.

Each entry's HTML content comes from the caller (the `feed-entry.html`
template), so a feed reader sees what the templates say a post looks like.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from clarion.site.config import SiteConfig
from clarion.site.markup import absolute, entry_id, iso, site_id
from clarion.site.model import Entry

# Feeds carry the newest posts only: readers poll them, and the site keeps the rest.
FEED_LIMIT = 50

_ATOM = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_JSON_FEED = "https://jsonfeed.org/version/1.1"

ContentHTML = Callable[[Entry], str]


def atom_feed(entries: Sequence[Entry], config: SiteConfig, content_html: ContentHTML) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of `entries`."""
    ET.register_namespace("", _ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{_ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{_ATOM}}}feed")
    feed.set(_XML_LANG, "en")
    sub(feed, "id", site_id(config))
    sub(feed, "title", config.title)
    newest = max((e.updated for e in entries), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    sub(feed, "updated", iso(newest))
    author = sub(feed, "author")
    sub(author, "name", config.title)
    sub(feed, "link", rel="alternate", type="text/html", href=absolute(config, "index.html"))
    if config.url is not None:
        sub(feed, "link", rel="self", type="application/atom+xml", href=config.url + "feed.atom")
    sub(feed, "generator", "Clarion")
    for entry in entries:
        item = sub(feed, "entry")
        if entry.lang:
            item.set(_XML_LANG, entry.lang)
        sub(item, "id", entry_id(entry, config))
        sub(item, "title", entry.title, type="text")
        sub(item, "published", iso(entry.date))
        sub(item, "updated", iso(entry.updated))
        sub(item, "link", rel="alternate", type="text/html", href=absolute(config, entry.page))
        for copy in entry.copies:
            sub(item, "link", rel="related", type="text/html", href=copy.urls[0], title=copy.label)
        if entry.content_warning:
            sub(item, "summary", f"Content warning: {entry.content_warning}", type="text")
        sub(item, "content", content_html(entry), type="html")
    ET.indent(feed)  # whitespace between elements only: text content is untouched
    text = ET.tostring(feed, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n").encode()


def json_feed(entries: Sequence[Entry], config: SiteConfig, content_html: ContentHTML) -> bytes:
    """A JSON Feed 1.1 of `entries`; each item's `_clarion.copies` lists every
    network's URLs, part by part."""
    feed: dict[str, Any] = {
        "version": _JSON_FEED,
        "title": config.title,
        "home_page_url": absolute(config, "index.html"),
    }
    if config.url is not None:
        feed["feed_url"] = config.url + "feed.json"
    feed["language"] = "en"
    feed["authors"] = [{"name": config.title}]
    items = []
    for entry in entries:
        item: dict[str, Any] = {
            "id": entry_id(entry, config),
            "url": absolute(config, entry.page),
            "title": entry.title,
            "content_html": content_html(entry),
            "content_text": "\n\n".join(entry.parts),
            "date_published": iso(entry.date),
            "date_modified": iso(entry.updated),
        }
        if entry.copies:
            item["external_url"] = entry.copies[0].urls[0]
        if entry.content_warning:
            item["summary"] = f"Content warning: {entry.content_warning}"
        if entry.images:
            item["image"] = absolute(config, entry.images[0].target)
        if entry.lang:
            item["language"] = entry.lang
        item["_clarion"] = {
            "path": entry.rel,
            "copies": {c.network: list(c.urls) for c in entry.copies},
        }
        items.append(item)
    feed["items"] = items
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode()
