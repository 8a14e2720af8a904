"""Post text as HTML: escaped, line breaks kept, only http(s) URLs made links."""

from __future__ import annotations

import pytest

from clarion.site.markup import linkify, text_html


def test_text_is_escaped_not_interpreted() -> None:
    html = text_html('<script>alert("x")</script> **bold** & <b>not bold</b>')
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "**bold**" in html  # no Markdown either
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html


def test_line_breaks_and_paragraphs_are_kept() -> None:
    assert text_html("one\ntwo\n\nthree") == "<p>one<br>two</p><p>three</p>"
    assert text_html("a\n \n\n\nb") == "<p>a</p><p>b</p>"
    assert text_html("  spaced   out  ") == "<p>  spaced   out  </p>"
    assert text_html("") == ""


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("see https://example.org.", "https://example.org"),
        ("(https://example.org/a)", "https://example.org/a"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)!", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("HTTPS://EXAMPLE.ORG/X, then", "HTTPS://EXAMPLE.ORG/X"),
        ("at https://example.org/?q=1&r=2: done", "https://example.org/?q=1&r=2"),
    ],
)
def test_urls_become_links_without_trailing_punctuation(text: str, url: str) -> None:
    escaped = url.replace("&", "&amp;")
    assert f'<a href="{escaped}">{escaped}</a>' in linkify(text)


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/file",
        "http://",
        "example.org without a scheme",
    ],
)
def test_only_web_urls_are_links(text: str) -> None:
    assert "<a " not in linkify(text)


def test_a_url_cannot_leave_its_attribute() -> None:
    html = linkify('https://example.org/"onmouseover="alert(1) and https://e.org/<b>')
    assert 'href="https://example.org/"' in html
    assert "onmouseover=&quot;" in html
    assert 'href="https://e.org/"' in html
    assert "&lt;b&gt;" in html
