"""`clarion site` links a receipt only where its URL is a post on its network's own
host (the configured instance for Mastodon), and lists a post only when one of
its receipts is: made-up receipts that no one reviewed never reach the pages or
the feeds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest

from tests.site.htmlcheck import Page
from tests.site.siterepo import make_repo, run_site

A = "{http://www.w3.org/2005/Atom}"

RECEIPT = """\
  {network}:
    - id: "{ident}"
      url: {url}
      at: {at}
"""

# Receipts that must never become a link, one post each: (network, URL).
REFUSED = [
    ("bluesky", "https://evil.example/profile/example.test/post/3kabc"),
    ("bluesky", "javascript:alert(1)"),
    ("bluesky", "http://bsky.app/profile/example.test/post/3kabc"),
    ("bluesky", "https://bsky.app.evil.example/profile/example.test/post/3kabc"),
    ("bluesky", "https://bsky.app@evil.example/profile/example.test/post/3kabc"),
    ("bluesky", "//evil.example/profile/example.test/post/3kabc"),
    ("bluesky", "https://bsky.app/profile/someone-else.test/post/3kabc"),  # not our account
    ("bluesky", "https://bsky.app/profile/example.test"),  # not a post
    ("x", "https://x.com@evil.example/example/status/1"),
    ("x", "https://x.com.evil.example/example/status/1"),
    ("x", "https://twitter.com.evil.example/example/status/1"),
    ("x", "http://x.com/example/status/1"),
    ("x", "https://x.com:8443/example/status/1"),
    ("x", "https://evil.example\\@x.com/example/status/1"),  # browsers read \ as /
    ("x", "https://x.com/intent/post?text=hello"),  # not a post
    ("x", "javascript://x.com/%0aalert(1)"),
    ("mastodon", "https://mastodon.social/@news/1"),  # another instance than the configured one
    ("mastodon", "https://mastodon.example.evil.example/@news/1"),
    ("mastodon", "http://mastodon.example/@news/1"),
    ("mastodon", "https://evil.example/@news/1"),
    ("mastodon", "data:text/html,<script>alert(1)</script>"),
]

# Receipts the site links, one post each: (network, URL).
ACCEPTED = [
    ("bluesky", "https://bsky.app/profile/example.test/post/3kgood"),
    ("bluesky", "https://bsky.app/profile/did:plc:abc123/post/3kgood"),  # imported without --handle
    ("x", "https://x.com/example/status/1864012345678901234"),
    ("x", "https://twitter.com/example/status/1864012345678901235"),
    ("mastodon", "https://mastodon.example/@news/113456789"),
]

GOOD_MASTODON = "https://mastodon.example/@news/42"


def receipt(network: str, url: str, n: int, at: str = "2026-06-01T12:00:00Z") -> str:
    # A JSON string is a YAML double-quoted scalar: any URL is written as it is.
    return RECEIPT.format(network=network, ident=f"{network}-{n}", url=json.dumps(url), at=at)


def write_post(path: Path, networks: list[str], receipts: list[str], words: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    front = f"platforms: [{', '.join(networks)}]\nlang: en\npublished:\n" + "".join(receipts)
    path.write_text(f"---\n{front}---\n{words}\n", encoding="utf-8")


def refused_words(n: int) -> str:
    return f"Made-up receipt number {n} here"


def accepted_words(n: int) -> str:
    return f"Real receipt number {n} here"


def make_receipts_repo(root: Path) -> Path:
    """The example repository, plus one post per case above and one post whose
    good Mastodon receipt sits beside made-up Bluesky and X ones."""
    repo = make_repo(root)
    folder = repo / "posts" / "receipts"
    for n, (network, url) in enumerate(REFUSED):
        write_post(
            folder / f"refused-{n}.md", [network], [receipt(network, url, n)], refused_words(n)
        )
    for n, (network, url) in enumerate(ACCEPTED):
        write_post(
            folder / f"accepted-{n}.md", [network], [receipt(network, url, n)], accepted_words(n)
        )
    mixed = [
        receipt(
            "bluesky",
            "https://evil.example/profile/example.test/post/3kmix",
            1,
            "2020-01-01T00:00:00Z",
        ),
        receipt("mastodon", GOOD_MASTODON, 2, "2026-07-01T09:00:00Z"),
        receipt("x", "https://x.com.evil.example/example/status/9", 3, "2020-01-01T00:00:00Z"),
    ]
    write_post(folder / "mixed.md", ["bluesky", "mastodon", "x"], mixed, "A mixed post")
    return repo


@pytest.fixture(scope="module")
def receipts_site(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    base = tmp_path_factory.mktemp("receipts")
    repo = make_receipts_repo(base / "repo")
    out = base / "site"
    proc = run_site(repo, out)
    assert proc.returncode == 0, proc.stderr
    return out, proc


def output_text(out: Path) -> str:
    """Every page and feed of the site, as text."""
    files = sorted(p for p in out.rglob("*") if p.suffix in (".html", ".atom", ".json"))
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def hrefs(source: str) -> set[str]:
    page = Page(source)
    return {e.attrs["href"] for e in page.elements if "href" in e.attrs}


def links(out: Path) -> set[str]:
    """Every link of the site: the pages' hrefs, the Atom feed's links and the HTML
    it carries, and the JSON feed's URLs and HTML."""
    found: set[str] = set()
    for page in out.rglob("*.html"):
        found |= hrefs(page.read_text(encoding="utf-8"))
    atom = ET.parse(out / "feed.atom").getroot()  # noqa: S314 - our own output
    found |= {link.get("href", "") for link in atom.iter(f"{A}link")}
    for content in atom.iter(f"{A}content"):
        found |= hrefs(content.text or "")
    feed: dict[str, Any] = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    for item in feed["items"]:
        found |= {item["url"], item.get("external_url", item["url"])}
        found |= hrefs(item["content_html"])
        for urls in item["_clarion"]["copies"].values():
            found |= set(urls)
    return found


@pytest.mark.parametrize(("network", "url"), REFUSED)
def test_a_made_up_receipt_is_never_linked(
    receipts_site: tuple[Path, subprocess.CompletedProcess[str]], network: str, url: str
) -> None:
    out, _ = receipts_site
    assert url not in links(out)
    assert json.dumps(url) not in output_text(out)  # nor quoted anywhere, as a link would be


def test_no_link_leaves_the_networks(
    receipts_site: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, _ = receipts_site
    text = output_text(out)
    assert "evil.example" not in text
    assert "mastodon.social" not in text
    for link in links(out):
        parts = urlsplit(link)
        assert parts.scheme == "https" or not (parts.scheme or parts.netloc), link


@pytest.mark.parametrize(
    ("n", "network"),
    [(n, network) for n, (network, _) in enumerate(REFUSED)],
    ids=[u for _, u in REFUSED],
)
def test_a_post_without_an_acceptable_receipt_is_not_listed(
    receipts_site: tuple[Path, subprocess.CompletedProcess[str]], n: int, network: str
) -> None:
    out, proc = receipts_site
    assert not (out / f"posts/receipts/refused-{n}.html").exists()
    assert refused_words(n) not in output_text(out)
    # Named, so a person can see which file claims what.
    assert f"posts/receipts/refused-{n}.md: {network} receipt" in proc.stderr


def test_the_posts_without_an_acceptable_receipt_are_counted(
    receipts_site: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    _, proc = receipts_site
    assert f"{len(REFUSED)} no receipt on its network" in proc.stdout


@pytest.mark.parametrize(("n", "network", "url"), [(n, *case) for n, case in enumerate(ACCEPTED)])
def test_a_receipt_on_its_network_is_listed_and_linked(
    receipts_site: tuple[Path, subprocess.CompletedProcess[str]], n: int, network: str, url: str
) -> None:
    out, proc = receipts_site
    page = out / f"posts/receipts/accepted-{n}.html"
    assert page.is_file()
    assert accepted_words(n) in Page(page.read_text(encoding="utf-8")).plain
    assert url in hrefs(page.read_text(encoding="utf-8"))
    assert url in hrefs((out / "index.html").read_text(encoding="utf-8"))
    entry = next(
        e
        for e in ET.parse(out / "feed.atom").getroot().iter(f"{A}entry")  # noqa: S314
        if accepted_words(n) in (e.findtext(f"{A}title") or "")
    )
    assert url in {link.get("href") for link in entry.iter(f"{A}link")}
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    item = next(i for i in feed["items"] if i["_clarion"]["path"].endswith(f"accepted-{n}.md"))
    assert item["_clarion"]["copies"] == {network: [url]}
    assert item["external_url"] == url
    assert f"accepted-{n}.md" not in proc.stderr


def test_a_post_keeps_only_its_acceptable_receipts(
    receipts_site: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, proc = receipts_site
    page = Page((out / "posts/receipts/mixed.html").read_text(encoding="utf-8"))
    copies = {
        "".join(a.text): a.attrs["href"]
        for a in page.all("a")
        if "".join(a.text) in ("Bluesky", "Mastodon", "X")
    }
    assert copies == {"Mastodon": GOOD_MASTODON}
    # Its date is the receipt that counts, not the made-up ones.
    assert next(t.attrs["datetime"] for t in page.all("time")) == "2026-07-01T09:00:00Z"
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    item = next(i for i in feed["items"] if i["_clarion"]["path"].endswith("mixed.md"))
    assert item["_clarion"]["copies"] == {"mastodon": [GOOD_MASTODON]}
    assert item["date_published"] == "2026-07-01T09:00:00Z"
    assert "posts/receipts/mixed.md: bluesky receipt" in proc.stderr
    assert "posts/receipts/mixed.md: x receipt" in proc.stderr


def test_without_accounts_each_network_keeps_its_own_hosts(tmp_path: Path) -> None:
    """History of networks the organisation left: Bluesky and X links stay on their
    public hosts, naming any account; Mastodon has no network-wide host, so
    without a configured instance no Mastodon receipt is linked."""
    repo = make_receipts_repo(tmp_path / "repo")
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text[: text.index("[tool.clarion.accounts.bluesky]")], encoding="utf-8")
    folder = repo / "posts" / "receipts"
    other = "https://bsky.app/profile/old-name.bsky.social/post/3kold"
    write_post(folder / "old-handle.md", ["bluesky"], [receipt("bluesky", other, 1)], "Old handle")
    out = tmp_path / "site"
    proc = run_site(repo, out)
    assert proc.returncode == 0, proc.stderr
    found = links(out)
    assert other in found
    for network, url in ACCEPTED:
        assert (url in found) == (network != "mastodon"), url
    assert not (out / "posts/2026/mastodon-security-notice.html").exists()
    assert (out / "posts/2026/clarion-1-0-release.html").is_file()
    text = output_text(out)
    assert "evil.example" not in text
    assert "mastodon.example" not in text
    assert "mastodon.social" not in text
    assert "[tool.clarion.accounts.mastodon] instance" in proc.stderr
