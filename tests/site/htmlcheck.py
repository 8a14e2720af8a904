"""Reading the site's HTML back with the standard library's parser, strictly
enough to catch an unclosed or stray tag."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)


class Page(HTMLParser):
    """Every element with its attributes, the text of the page, and any nesting error."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.errors: list[str] = []
        self.doctype = ""
        self._stack: list[Element] = []
        self.text: list[str] = []
        self.feed(source)
        self.close()
        if self._stack:
            self.errors.append(f"unclosed: {[e.tag for e in self._stack]}")

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in VOID:
            self._stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if not self._stack or self._stack[-1].tag != tag:
            self.errors.append(f"</{tag}> closes {self._stack[-1].tag if self._stack else None}")
            return
        self._stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for element in self._stack:
            element.text.append(data)

    def all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]

    def one(self, tag: str) -> Element:
        found = self.all(tag)
        assert len(found) == 1, f"{len(found)} <{tag}>"
        return found[0]

    @property
    def plain(self) -> str:
        return "".join(self.text)
