"""Post text, links and dates as the pages and feeds write them.

`text_html` and `linkify` escape the text themselves (they build HTML around
it), so the templates mark their output safe; everything else here returns
plain text for the templates to escape.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from urllib.parse import quote

from clarion.site.config import SiteConfig
from clarion.site.model import Entry, is_web

_PARAGRAPH = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
# A link is an explicit http(s) URL, as every network links it; quotes and
# angle brackets end it, so a URL can never break out of an attribute.
_URL = re.compile(r"https?://[^\s<>\"'`\u00a0\u2000-\u200b\u2028\u2029\u3000]+", re.IGNORECASE)
_TRAILING = ".,:;!?…'\")]}>*_"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
# Feed ids when the site has no URL: names of the posts' file paths in a fixed namespace.
_ID_NAMESPACE = uuid.UUID("5d6f6b1e-7c39-4c55-9a1e-0c1a7a2f6c0e")

# Month names spelled out here: strftime's %B follows the process's locale.
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


# --------------------------------------------------------------------------- text


def linkify(text: str) -> str:
    """`text` as HTML: escaped, with each http(s) URL a link to itself."""
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(text):
        url = _trim_url(match.group())
        if not is_web(url):
            continue
        start, end = match.start(), match.start() + len(url)
        out.append(_esc(text[pos:start]))
        out.append(f'<a href="{_esc(url)}">{_esc(url)}</a>')
        pos = end
    out.append(_esc(text[pos:]))
    return "".join(out)


def text_html(text: str) -> str:
    """One thread part as HTML: a paragraph per blank-line-separated block, and
    `<br>` for each line break inside it, so the text reads as it was written."""
    paragraphs = [p for p in _PARAGRAPH.split(text) if p.strip()]
    if not paragraphs:
        return ""
    return "".join(
        "<p>" + "<br>".join(linkify(line) for line in p.split("\n")) + "</p>" for p in paragraphs
    )


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


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


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """ "1 post", "1,024 posts"; "2 replies" with `nouns` given."""
    return f"{n} {noun}" if n == 1 else f"{n:,} {nouns or noun + 's'}"


# --------------------------------------------------------------------------- links


def href(path: str) -> str:
    """A site path as it goes into an href: each segment percent-encoded."""
    return quote(path, safe="/")


def relative_link(here: str, target: str) -> str:
    """The link from the page `here` to `target`, both site paths ("posts/2026/a.html")."""
    folder = here.split("/")[:-1]
    parts = target.split("/")
    same = 0
    while same < len(folder) and same < len(parts) - 1 and folder[same] == parts[same]:
        same += 1
    return "../" * (len(folder) - same) + "/".join(parts[same:])


def link(here: str, target: str) -> str:
    """`target` (a site path, maybe with a #fragment) as an href on the page `here`."""
    path, mark, fragment = target.partition("#")
    return href(relative_link(here, path)) + mark + fragment


def absolute(config: SiteConfig, path: str) -> str:
    """A site path for a feed: absolute under `url`, else relative to the site root
    (where the feeds are, so a reader resolving against the feed's address finds it)."""
    if config.url is not None and path == "index.html":
        return config.url  # the address people know, not its file name
    return (config.url or "") + href(path)


def entry_id(entry: Entry, config: SiteConfig) -> str:
    # An Atom id must be an absolute IRI: the page's URL when the site has one,
    # else a name-based UUID of the post's page, stable across builds.
    if config.url is not None:
        return absolute(config, entry.page)
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, entry.page)}"


def site_id(config: SiteConfig) -> str:
    return config.url or f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, config.title)}"


# --------------------------------------------------------------------------- dates


def iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local(when: dt.datetime, config: SiteConfig) -> dt.datetime:
    return when.astimezone(config.timezone)


def shown_date(when: dt.datetime, config: SiteConfig) -> str:
    """How a date reads on the pages: "2 November 2026, 10:00 CET"."""
    moment = local(when, config)
    zone = moment.tzname() or config.timezone_name
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M} {zone}"
