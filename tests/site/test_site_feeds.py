"""The Atom feed (RFC 4287) and the JSON Feed 1.1 of the archive."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from tests.site.htmlcheck import Page
from tests.site.siterepo import LEFT_OUT, PUBLISHED, make_repo, receipt_url, run_site

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
SITE = "https://news.example.org/archive/"


def atom(out: Path) -> ET.Element:
    return ET.parse(out / "feed.atom").getroot()  # noqa: S314 - our own output


def json_feed(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    return data


def is_absolute_iri(value: str) -> bool:
    return re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value) is not None


def test_atom_has_what_rfc_4287_requires(built_site: Path) -> None:
    feed = atom(built_site)
    assert feed.tag == f"{A}feed"
    # atom:feed: exactly one id, title, updated; an author (no entry has its own).
    for tag in ("id", "title", "updated"):
        assert len(feed.findall(f"{A}{tag}")) == 1, tag
    assert feed.findtext(f"{A}id") == SITE
    assert feed.findtext(f"{A}author/{A}name") == "Example Foundation news"
    assert RFC3339.fullmatch(feed.findtext(f"{A}updated") or "")
    self_link = feed.find(f"{A}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == SITE + "feed.atom"
    entries = feed.findall(f"{A}entry")
    assert len(entries) == len(PUBLISHED)
    ids = []
    for entry in entries:
        for tag in ("id", "title", "updated"):
            assert len(entry.findall(f"{A}{tag}")) == 1, tag
        ids.append(entry.findtext(f"{A}id") or "")
        assert RFC3339.fullmatch(entry.findtext(f"{A}updated") or "")
        assert RFC3339.fullmatch(entry.findtext(f"{A}published") or "")
        alternate = entry.findall(f"{A}link[@rel='alternate']")
        assert len(alternate) == 1
        assert ids[-1] == alternate[0].get("href")
        content = entry.find(f"{A}content")
        assert content is not None
        assert content.get("type") == "html"
        # The escaped HTML is itself well formed.
        assert not Page(content.text or "").errors
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(SITE + "posts/") for i in ids)
    updated = [entry.findtext(f"{A}updated") or "" for entry in entries]
    assert feed.findtext(f"{A}updated") == max(updated)


def test_atom_entries_link_each_network_copy(built_site: Path) -> None:
    entries = atom(built_site).findall(f"{A}entry")
    release = next(e for e in entries if "Clarion 1.0" in (e.findtext(f"{A}title") or ""))
    related = {
        link.get("title"): link.get("href") for link in release.findall(f"{A}link[@rel='related']")
    }
    assert related == {
        "Bluesky": "https://bsky.app/profile/example.test/post/clarion-1-0-release-1",
        "Mastodon": "https://mastodon.example/@news/clarion-1-0-release-1",
        "X": receipt_url("x", "clarion-1-0-release", 1),
    }
    content = release.findtext(f"{A}content") or ""
    assert f'src="{SITE}media/' in content  # images by absolute URL
    assert 'alt="A wide banner fading' in content


def test_atom_content_keeps_html_in_the_text_as_text(built_site: Path) -> None:
    entries = atom(built_site).findall(f"{A}entry")
    entry = next(e for e in entries if "html-in-text" in (e.findtext(f"{A}id") or ""))
    content = entry.findtext(f"{A}content") or ""
    # Once unescaped by the XML parser, the HTML still shows the tags as text.
    assert "&lt;script&gt;" in content
    assert "<script>" not in content
    assert Page(content).all("script") == []
    assert "<script>" in (entry.findtext(f"{A}title") or "")  # type="text": literal
    assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_content_warning_is_the_title_and_summary(built_site: Path) -> None:
    entries = atom(built_site).findall(f"{A}entry")
    entry = next(e for e in entries if "security" in (e.findtext(f"{A}id") or ""))
    assert entry.findtext(f"{A}title") == "Content warning: Security advisory"
    assert entry.findtext(f"{A}summary") == "Content warning: Security advisory"


def test_json_feed_1_1(built_site: Path) -> None:
    feed = json_feed(built_site)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Example Foundation news"
    assert feed["home_page_url"] == SITE
    assert feed["feed_url"] == SITE + "feed.json"
    items = feed["items"]
    assert len(items) == len(PUBLISHED)
    atom_ids = [e.findtext(f"{A}id") for e in atom(built_site).findall(f"{A}entry")]
    assert [item["id"] for item in items] == atom_ids  # the same post, the same id
    for item in items:
        assert isinstance(item["id"], str)
        assert item["id"]
        assert item["url"].startswith(SITE + "posts/")
        assert item["content_html"]
        assert item["content_text"]
        dt.datetime.fromisoformat(item["date_published"])
        assert item["_clarion"]["copies"]
    thread = next(i for i in items if i["_clarion"]["path"].endswith("pycon-cfp-thread.md"))
    assert len(thread["_clarion"]["copies"]["bluesky"]) == 3
    assert "First time speaking?" in thread["content_text"]
    text = json.dumps(feed)
    assert all(words not in text for words in LEFT_OUT.values())


def test_without_url_feeds_are_relative_with_stable_ids(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", url=None)
    out = tmp_path / "site"
    assert run_site(repo, out).returncode == 0
    feed = atom(out)
    assert feed.find(f"{A}link[@rel='self']") is None
    ids = [e.findtext(f"{A}id") or "" for e in feed.findall(f"{A}entry")]
    assert all(i.startswith("urn:uuid:") for i in ids)
    assert all(is_absolute_iri(i) for i in [*ids, feed.findtext(f"{A}id") or ""])
    hrefs = [link.get("href") or "" for link in feed.iter(f"{A}link")]
    assert "posts/2026/clarion-1-0-release.html" in hrefs
    data = json_feed(out)
    assert "feed_url" not in data
    assert [item["id"] for item in data["items"]] == ids
    # Built again elsewhere: the same ids.
    other = make_repo(tmp_path / "elsewhere", url=None)
    assert run_site(other, tmp_path / "site2").returncode == 0
    assert [e.findtext(f"{A}id") for e in atom(tmp_path / "site2").findall(f"{A}entry")] == ids


def test_empty_archive_still_gives_valid_feeds(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "posts").mkdir(parents=True)
    (repo / "pyproject.toml").write_text('[tool.clarion]\nposts = "posts"\n', encoding="utf-8")
    out = tmp_path / "site"
    proc = run_site(repo, out)
    assert proc.returncode == 0, proc.stderr
    feed = atom(out)
    assert feed.findall(f"{A}entry") == []
    assert feed.findtext(f"{A}updated") == "1970-01-01T00:00:00Z"
    assert json_feed(out)["items"] == []
    assert "Nothing has been published yet." in (out / "index.html").read_text(encoding="utf-8")
