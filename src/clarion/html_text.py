"""Mastodon's HTML as the plain text it shows.

Statuses come as HTML (`content`): the importer turns an exported status back
into a post's text, and the adapter compares a status on the server with the
text it would send. Standard library only, so either may import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html.parser import HTMLParser
from urllib.parse import urlsplit


def html_to_text(html: str, mentions: Sequence[str] = (), *, with_domain: bool = False) -> str:
    """Mastodon's HTML as the plain text it shows: paragraphs apart by a blank
    line, `<br>` a line break, a link its address, a mention `@user@domain`.

    With `with_domain`, a local mention (`@pycon`, shown without its server) gets
    its server from the link (`@pycon@fosstodon.org`): text leaving its instance,
    as an imported archive does, must say whose account it names.
    """
    parser = _TextParser(mentions, with_domain=with_domain)
    parser.feed(html)
    parser.close()
    return parser.text()


_BLOCKS = frozenset({"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5"})


class _TextParser(HTMLParser):
    def __init__(self, mentions: Sequence[str], *, with_domain: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.mentions = list(mentions)
        self.with_domain = with_domain
        self.out: list[str] = []
        self.link: tuple[str, list[str]] | None = None  # (href, classes) of an open <a>
        self.link_text: list[str] = []
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._emit("\n")
        elif tag in _BLOCKS:
            self._emit("\n\n")
            self.pre += tag == "pre"
        elif tag == "li":
            self._emit("\n")
        elif tag == "a" and self.link is None:
            values = dict(attrs)
            self.link = (values.get("href") or "", (values.get("class") or "").split())
            self.link_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._emit("\n\n")
            self.pre -= tag == "pre" and self.pre > 0
        elif tag == "a" and self.link is not None:
            href, classes = self.link
            self.link = None
            self.out.append(self._link(href, classes, "".join(self.link_text)))

    def handle_data(self, data: str) -> None:
        if not self.pre:
            data = data.replace("\n", " ")
        if self.link is not None:
            self.link_text.append(data)
        else:
            self.out.append(data)

    def _emit(self, text: str) -> None:
        (self.link_text if self.link is not None else self.out).append(text)

    def _link(self, href: str, classes: list[str], text: str) -> str:
        text = text.strip()
        if "hashtag" in classes:
            return text
        if "mention" in classes or (text.startswith("@") and "u-url" in classes):
            return self._full_mention(text, href)
        if href.startswith(("https://", "http://")):
            return href
        return text

    def _full_mention(self, text: str, href: str) -> str:
        if text.count("@") >= 2:
            return text
        user = text.lstrip("@")
        matches = [m for m in self.mentions if m.lstrip("@").split("@")[0] == user]
        host = urlsplit(href).hostname or ""
        exact = [m for m in matches if m.endswith("@" + host)]
        if len(exact) == 1:
            return "@" + exact[0].lstrip("@")
        if len(matches) == 1 and matches[0].count("@") - matches[0].startswith("@") >= 1:
            return "@" + matches[0].lstrip("@")
        if self.with_domain and host and user:
            return f"@{user}@{host}"
        if len(matches) == 1:
            return "@" + matches[0].lstrip("@")
        return text

    def text(self) -> str:
        joined = "".join(self.out)
        lines = [line.strip(" \t") for line in joined.split("\n")]
        # Paragraph marks next to each other make one blank line, never more.
        result: list[str] = []
        for line in lines:
            if line or (result and result[-1]):
                result.append(line)
        return "\n".join(result).strip()
