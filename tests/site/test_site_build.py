"""`clarion site OUTDIR` on the template's example posts: what is listed, how the
pages read, and how the output folder is written."""

from __future__ import annotations

import posixpath
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from clarion.adapters.base import Receipt
from clarion.post.receipts import record_edit, record_receipt, record_retraction
from tests.site.htmlcheck import Page
from tests.site.siterepo import (
    LEFT_OUT,
    PUBLISHED,
    at,
    make_repo,
    receipt_url,
    run_site,
    site_files,
    write_generated,
)


def page_of(rel: str) -> str:
    """The site page of a post file: posts/2026/x.md -> posts/2026/x.html."""
    return rel.removesuffix(".md") + ".html"


def read(out: Path, name: str) -> Page:
    page = Page((out / name).read_text(encoding="utf-8"))
    assert not page.errors, (name, page.errors)
    return page


def html_pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))


# --- what is listed -----------------------------------------------------------------------


@pytest.mark.parametrize("rel", PUBLISHED)
def test_a_published_post_is_listed(built_site: Path, rel: str) -> None:
    words = PUBLISHED[rel]
    assert (built_site / page_of(rel)).is_file()
    assert words in read(built_site, "index.html").plain
    assert words in read(built_site, page_of(rel)).plain


@pytest.mark.parametrize("rel", LEFT_OUT)
def test_a_post_not_published_is_left_out(built_site: Path, rel: str) -> None:
    words = LEFT_OUT[rel]
    assert not (built_site / page_of(rel)).exists()
    outputs = [*html_pages(built_site), "feed.atom", "feed.json"]
    assert [n for n in outputs if words in (built_site / n).read_text(encoding="utf-8")] == []


def test_newest_first_grouped_per_year(built_site: Path) -> None:
    page = read(built_site, "index.html")
    times = [t.attrs["datetime"] for t in page.all("time")]
    assert times == sorted(times, reverse=True)
    # The thread's first receipt is the earliest of its parts' on every network.
    assert times[0] == "2026-11-02T09:00:00Z"
    assert [h.attrs["id"] for h in page.all("h2")] == ["y2026", "y2025"]
    # The security notice went out in 2025, though its file sits in posts/2026/.
    source = (built_site / "index.html").read_text(encoding="utf-8")
    assert source.index('id="y2025"') < source.index("mastodon-security-notice.html")


def test_every_page_is_accessible_static_html(built_site: Path) -> None:
    for name in html_pages(built_site):
        page = read(built_site, name)
        assert page.doctype.lower() == "doctype html"
        assert page.one("html").attrs["lang"] == "en"
        assert page.all("script") == [], name
        assert not any(k.startswith("on") for e in page.elements for k in e.attrs), name
        main = page.one("main")
        skip = page.elements[page.elements.index(page.one("body")) + 1]
        assert skip.tag == "a"
        assert skip.attrs["href"] == f"#{main.attrs['id']}"
        assert page.all("nav")
        assert page.one("title").text
        assert page.all("h1"), name
        assert 'name="viewport"' in (built_site / name).read_text(encoding="utf-8")
        for image in page.all("img"):
            assert image.attrs.get("alt", "").strip(), (name, image.attrs)
        for time in page.all("time"):
            assert time.attrs["datetime"].endswith("Z"), name
        ids = [e.attrs["id"] for e in page.elements if "id" in e.attrs]
        assert len(ids) == len(set(ids)), name


def test_post_page_shows_text_images_card_and_copies(built_site: Path) -> None:
    page = read(built_site, "posts/2026/clarion-1-0-release.html")
    article = page.one("article")
    assert article.attrs["lang"] == "en"
    text = "".join(article.text)
    assert "Clarion 1.0 is out! 🎉 Keep your announcements" in text
    image = page.one("img")
    alt = "A wide banner fading from dark blue to teal, with a lighter band across the middle"
    assert image.attrs["alt"] == alt
    assert alt in "".join(page.one("figcaption").text)  # a visible caption
    copied = built_site / "posts/2026" / image.attrs["src"]
    original = Path(__file__).parents[2] / "posts/media/clarion-1-0-banner.png"
    assert copied.resolve().read_bytes() == original.read_bytes()
    links = {"".join(a.text): a.attrs["href"] for a in page.all("a")}
    assert links["Bluesky"] == "https://bsky.app/profile/example.test/post/clarion-1-0-release-1"
    assert links["Mastodon"] == "https://mastodon.example/@news/clarion-1-0-release-1"
    assert links["X"] == receipt_url("x", "clarion-1-0-release", 1)
    release = "https://github.com/clarion-social/clarion/releases/tag/v1.0.0"
    assert links[release] == release


def test_thread_parts_in_order_with_the_card(built_site: Path) -> None:
    page = read(built_site, "posts/2026/pycon-cfp-thread.html")
    thread = page.one("ol")
    items = page.all("li")
    parts = ["call for proposals is open", "First time speaking?", "Proposals close on"]
    text = "".join(thread.text)
    assert [text.index(p) for p in parts] == sorted(text.index(p) for p in parts)
    assert "'" in text
    assert "can't" in text.replace("\u2019", "'")
    assert any("".join(i.text).startswith("The PyCon US 2027") for i in items)
    card = next(e for e in page.all("aside") if "card" in e.attrs.get("class", ""))
    assert "PyCon US 2027" in "".join(card.text)
    hrefs = [a.attrs["href"] for a in page.all("a")]
    for n in (1, 2, 3):
        assert f"https://bsky.app/profile/example.test/post/pycon-cfp-thread-{n}" in hrefs


def test_content_warning_hides_the_text_until_opened(built_site: Path) -> None:
    page = read(built_site, "posts/2026/mastodon-security-notice.html")
    details = page.one("details")
    assert "open" not in details.attrs
    assert "Content warning: Security advisory" in "".join(page.one("summary").text)
    assert "moderate-severity issue" in "".join(details.text)
    # The title never gives away what the warning covers.
    assert "moderate" not in "".join(page.one("title").text)


def test_html_in_a_post_is_shown_as_text(built_site: Path) -> None:
    source = (built_site / "posts/2026/html-in-text.html").read_text(encoding="utf-8")
    assert "<script>" not in source
    assert "<b>bold" not in source
    page = read(built_site, "posts/2026/html-in-text.html")
    assert page.all("script") == []
    assert page.all("b") == []
    text = "".join(page.one("article").text)
    assert 'Our <script>alert("owned")</script> & <b>bold</b> test' in text
    link = next(a for a in page.all("a") if a.attrs["href"].startswith("https://example.org/"))
    assert link.attrs["href"] == "https://example.org/a?b=1&c=2"


def check_links(out: Path) -> None:
    """Every link and image inside the site leads to a file, and to an element
    with that id when it has a #fragment."""
    ids: dict[str, set[str]] = {}
    for name in html_pages(out):
        page = read(out, name)
        ids[name] = {e.attrs["id"] for e in page.elements if "id" in e.attrs}
    for name in html_pages(out):
        for element in read(out, name).elements:
            target = element.attrs.get("href") or element.attrs.get("src")
            if not target or urlsplit(target).scheme:
                continue
            link = urlsplit(target)
            path = name
            if link.path:
                joined = posixpath.join(posixpath.dirname(name), unquote(link.path))
                path = posixpath.normpath(joined)
            assert (out / path).is_file(), (name, target)
            if link.fragment:
                assert link.fragment in ids[path], (name, target)


def test_every_link_inside_the_site_leads_somewhere(built_site: Path) -> None:
    check_links(built_site)


# --- the output folder ----------------------------------------------------------------------


def test_same_input_same_bytes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    first, second = tmp_path / "one", tmp_path / "two"
    assert run_site(repo, first).returncode == 0
    assert run_site(repo, second).returncode == 0
    assert site_files(first) == site_files(second)
    again = run_site(repo, first)
    assert again.returncode == 0
    assert "0 file(s) written, 0 removed" in again.stdout
    assert site_files(first) == site_files(second)


def test_a_post_retracted_later_disappears_from_the_rebuilt_site(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    out = tmp_path / "site"
    assert run_site(repo, out).returncode == 0
    post = out / "posts/2026/clarion-1-0-release.html"
    assert post.is_file()
    (out / "posts/2026/stale.html").write_text("left over", encoding="utf-8")
    (out / ".git").mkdir()  # a gh-pages checkout keeps its history
    (out / ".git/HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="utf-8")
    record_retraction(repo / "posts/2026/clarion-1-0-release.md", "x", at("2026-03-11T00:00:00Z"))
    proc = run_site(repo, out)
    assert proc.returncode == 0, proc.stderr
    assert not post.exists()
    assert not (out / "posts/2026/stale.html").exists()
    assert (out / ".git/HEAD").is_file()
    assert not list(out.glob("media/*"))  # its image went with it
    assert "Clarion 1.0" not in (out / "index.html").read_text(encoding="utf-8")


def test_refuses_a_folder_that_is_not_a_clarion_site(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work", encoding="utf-8")
    proc = run_site(repo, precious)
    assert proc.returncode == 2
    assert "not empty" in proc.stderr
    assert ".clarion-site" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert [p.name for p in precious.iterdir()] == ["thesis.txt"]
    # The repository itself is such a folder.
    assert run_site(repo, repo).returncode == 2
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    proc = run_site(repo, a_file)
    assert proc.returncode == 2
    assert "not a folder" in proc.stderr


def test_creates_the_folder_and_accepts_an_empty_one(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    nested = tmp_path / "a" / "b" / "site"
    assert run_site(repo, nested).returncode == 0
    assert (nested / ".clarion-site").is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_site(repo, empty).returncode == 0
    assert (empty / "index.html").is_file()


def test_never_writes_through_a_symlink_in_the_site(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    out = tmp_path / "site"
    assert run_site(repo, out).returncode == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(out / "posts")
    (out / "posts").symlink_to(outside, target_is_directory=True)
    (out / "feed.atom").unlink()
    (out / "feed.atom").symlink_to(outside / "feed.atom")
    assert run_site(repo, out).returncode == 0
    assert list(outside.iterdir()) == []
    assert (out / "posts").is_dir()
    assert not (out / "posts").is_symlink()
    assert not (out / "feed.atom").is_symlink()


# --- settings and many posts -----------------------------------------------------------------


def test_many_posts_get_a_page_per_year(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write_generated(repo / "posts", 80, start="2022-11-01T12:00:00Z")
    out = tmp_path / "site"
    proc = run_site(repo, out)
    assert proc.returncode == 0, proc.stderr
    years = sorted(p.name for p in (out / "years").iterdir())
    assert years == ["2022.html", "2023.html", "2025.html", "2026.html"]
    index = read(out, "index.html")
    articles = index.all("article")
    assert len(articles) == 20
    assert "years/2022.html" in [a.attrs["href"] for a in index.all("a")]
    year = read(out, "years/2022.html")
    assert len(year.all("article")) == sum(1 for p in (repo / "posts/2022").glob("generated-*.md"))
    months = [h.attrs["id"] for h in year.all("h2")]
    assert months == sorted(months, key=lambda m: int(m[1:]), reverse=True)
    german = read(out, "posts/2022/generated-00000.html").one("article")
    assert german.attrs["lang"] == "de"
    check_links(out)


def test_title_and_url_come_from_the_settings(built_site: Path) -> None:
    page = read(built_site, "posts/2026/clarion-1-0-release.html")
    assert "Example Foundation news" in "".join(page.one("title").text)
    canonical = next(e for e in page.all("link") if e.attrs.get("rel") == "canonical")
    expected = "https://news.example.org/archive/posts/2026/clarion-1-0-release.html"
    assert canonical.attrs["href"] == expected


def test_without_url_links_are_relative_and_the_default_title_is_the_folder(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "my-foundation", url=None)
    text = (repo / "pyproject.toml").read_text(encoding="utf-8")
    (repo / "pyproject.toml").write_text(
        text.replace('title = "Example Foundation news"\n', ""), encoding="utf-8"
    )
    out = tmp_path / "site"
    proc = run_site(repo, out)
    assert proc.returncode == 0, proc.stderr
    assert "url is not set" in proc.stderr
    page = read(out, "index.html")
    assert "".join(page.one("title").text) == "my-foundation"
    assert not any(e.attrs.get("rel") == "canonical" for e in page.all("link"))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('url = "example.org"', "absolute http(s) address"),
        ('url = "ftp://example.org/"', "absolute http(s) address"),
        ("title = 3", "[tool.clarion.site.title]: 3 is not of type 'string'"),
        (
            'ulr = "https://example.org/"',
            "[tool.clarion.site] has an unknown key ulr: did you mean url?",
        ),
    ],
)
def test_bad_site_settings_are_refused(tmp_path: Path, table: str, message: str) -> None:
    repo = make_repo(tmp_path / "repo")
    text = (repo / "pyproject.toml").read_text(encoding="utf-8")
    text = text.replace('title = "Example Foundation news"\n', f"{table}\n")
    text = text.replace('url = "https://news.example.org/archive/"\n', "")
    (repo / "pyproject.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    proc = run_site(repo, out)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "[tool.clarion.site" in proc.stderr
    assert not out.exists()


def test_a_broken_post_is_named_and_the_rest_still_built(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "posts/2026/broken.md").write_text("---\nlang: [\n---\nText\n", encoding="utf-8")
    out = tmp_path / "site"
    proc = run_site(repo, out)
    assert proc.returncode == 0
    assert "posts/2026/broken.md" in proc.stderr
    assert (out / "posts/2026/pycon-cfp-thread.html").is_file()


def test_unknown_outcomes_alone_are_not_listed_and_edits_are_shown(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    welcome = repo / "posts/2026/bluesky-welcome.md"
    record_receipt(welcome, "bluesky", 0, Receipt(at=at("2026-02-01T10:00:00Z"), outcome="unknown"))
    release = repo / "posts/2026/clarion-1-0-release.md"
    record_edit(release, "mastodon", 0, at("2026-03-12T08:00:00Z"))
    out = tmp_path / "site"
    assert run_site(repo, out).returncode == 0
    assert not (out / "posts/2026/bluesky-welcome.html").exists()
    page = read(out, "posts/2026/clarion-1-0-release.html")
    assert "Edited" in page.plain
    assert "2026-03-12T08:00:00Z" in [t.attrs["datetime"] for t in page.all("time")]
    feed = (out / "feed.json").read_text(encoding="utf-8")
    assert '"date_modified": "2026-03-12T08:00:00Z"' in feed


def test_missing_posts_folder_is_a_usage_error(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "pyproject.toml").write_text("[tool.clarion]\n", encoding="utf-8")
    proc = run_site(repo, tmp_path / "site")
    assert proc.returncode == 2
    assert "there is no posts folder" in proc.stderr
    assert not (tmp_path / "site").exists()


def test_an_image_imported_without_a_description_has_no_visible_caption(tmp_path: Path) -> None:
    """`clarion import` gives such an image a placeholder alt text so the post
    validates; the site says the description is missing, and shows no caption."""
    repo = make_repo(tmp_path / "repo")
    post = repo / "posts" / "2026" / "clarion-1-0-release.md"
    text = post.read_text(encoding="utf-8")
    alt = "A wide banner fading from dark blue to teal, with a lighter band across the middle"
    post.write_text(
        text.replace(alt, "Image imported from X without a description"), encoding="utf-8"
    )
    out = tmp_path / "site"
    assert run_site(repo, out).returncode == 0
    page = read(out, "posts/2026/clarion-1-0-release.html")
    assert page.one("img").attrs["alt"] == "Image without a description"
    assert page.all("figcaption") == []
    assert "Image imported from X" not in (out / "feed.atom").read_text(encoding="utf-8")
