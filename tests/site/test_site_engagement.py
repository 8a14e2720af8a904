"""The site's engagement page and the counts beside each post, built by the real
`clarion site` from the example repository (siterepo.py) with metrics lines for
its published posts; and, in headless Chromium, the page as a reader gets it:
its charts drawn, their tables there, and nothing in the console."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion.metrics.lines import MetricsLine, format_line
from tests.site import serving
from tests.site.htmlcheck import Page
from tests.site.pngcheck import decode
from tests.site.siterepo import make_repo, post_id, run_site, site_files
from tests.site.test_site_browser import browse, chromium  # noqa: F401 - the fixture

# (network, post, likes, reposts, replies, followers) of each first part; the
# thread's later parts have lines too, which the figures leave out.
COUNTS = [
    ("bluesky", "clarion-1-0-release", 120, 30, 9, 40_000),
    ("mastodon", "clarion-1-0-release", 64, 21, 4, 12_000),
    ("x", "clarion-1-0-release", 15, 2, 1, 90_000),
    ("bluesky", "pycon-cfp-thread", 80, 12, 3, 40_000),
    ("mastodon", "pycon-cfp-thread", 1, 0, 1, 12_000),
    ("mastodon", "mastodon-security-notice", 40, 25, 2, 11_500),
    ("mastodon", "html-in-text", 3, 0, 0, 12_000),
]
BLUE = bytes.fromhex("0072b2")  # the first colour of the charts' palette


def line(network: str, stem: str, part: int, likes: int, *rest: int, at: str) -> str:
    reposts, replies, followers = rest
    key = post_id(network, stem, part + 1)
    ident = f"at://did:plc:abc/app.bsky.feed.post/{key}" if network == "bluesky" else key
    path = f"posts/2026/{stem}.md"
    counts = (likes, reposts, replies, 0, None, followers)
    return format_line(MetricsLine(network, path, part, ident, at, *counts))


def write_metrics(repo: Path) -> None:
    folder = repo / "metrics"
    folder.mkdir()
    early = [
        line(n, s, 0, likes // 2, r, p, f, at="2026-11-03T06:00:00Z")
        for n, s, likes, r, p, f in COUNTS
    ]
    late = [
        line(n, s, 0, likes, r, p, f, at="2026-12-01T06:00:00Z") for n, s, likes, r, p, f in COUNTS
    ]
    later_part = line(
        "bluesky", "pycon-cfp-thread", 1, 999, 9, 9, 40_000, at="2026-12-01T06:00:00Z"
    )
    (folder / "2026-11.jsonl").write_text("\n".join(early) + "\n", encoding="utf-8")
    (folder / "2026-12.jsonl").write_text("\n".join([*late, later_part]) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def with_metrics(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("engagement")
    repo = make_repo(base / "repo")
    write_metrics(repo)
    out = base / "site"
    proc = run_site(repo, out)
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr, proc.stderr
    return repo, out


def page(out: Path, name: str) -> Page:
    found = Page((out / name).read_text(encoding="utf-8"))
    assert found.errors == [], found.errors
    return found


def test_the_engagement_page_has_each_chart_with_its_table(with_metrics: tuple[Path, Path]) -> None:
    _, out = with_metrics
    html = page(out, "engagement.html")
    charts = html.all("svg")
    assert len(charts) == 5
    for svg in charts:
        assert svg.attrs["role"] == "img"
        title, desc = svg.attrs["aria-labelledby"].split()
        ids = {e.attrs.get("id"): e for e in html.elements}
        assert ids[title].tag == "title"
        assert ids[desc].tag == "desc"
        assert "".join(ids[desc].text).strip()
        assert "width" not in svg.attrs  # sized by the page, by its viewBox
    assert html.all("script") == []
    # One table at a glance, one per chart, and the posts side by side.
    assert len(html.all("table")) == 7
    assert len(html.all("caption")) == 7
    assert "Median likes per 1,000 followers" in html.plain
    rows = [" ".join(" ".join(tr.text).split()) for tr in html.all("tr")]
    # Mastodon: likes 64, 1, 40, 3; reposts 21, 0, 25, 0; replies 4, 1, 2, 0; per
    # 1,000 followers 64/12, 1/12, 40/11.5, 3/12: medians 21.5, 10.5, 1.5, 1.86.
    assert "Mastodon 4 12,000 21.5 10.5 1.5 1.86" in rows
    assert "Bluesky 2 40,000 100 21 6 2.50" in rows
    assert "X 1 90,000 15 2 1 0.17" in rows


def test_the_side_by_side_table_links_the_posts(with_metrics: tuple[Path, Path]) -> None:
    _, out = with_metrics
    html = page(out, "engagement.html")
    links = [a.attrs["href"] for a in html.all("a")]
    assert "posts/2026/clarion-1-0-release.html" in links
    assert "posts/2026/pycon-cfp-thread.html" in links


def test_the_counts_are_beside_each_post(with_metrics: tuple[Path, Path]) -> None:
    _, out = with_metrics
    post = " ".join(page(out, "posts/2026/clarion-1-0-release.html").plain.split())
    assert "Bluesky 120 likes, 30 reposts, 9 replies" in post
    assert "X 15 likes, 2 reposts, 1 reply" in post
    thread = " ".join(page(out, "posts/2026/pycon-cfp-thread.html").plain.split())
    assert "Mastodon 1 like, 0 reposts, 1 reply" in thread
    assert "999" not in thread  # a later part's counts are not the post's
    index = " ".join(page(out, "index.html").plain.split())
    assert "Bluesky 80 likes, 12 reposts, 3 replies" in index
    nav = [a for a in page(out, "index.html").all("a") if a.attrs.get("href") == "engagement.html"]
    assert nav


def test_the_same_files_build_the_same_bytes(
    with_metrics: tuple[Path, Path], tmp_path: Path
) -> None:
    repo, out = with_metrics
    again = tmp_path / "again"
    assert run_site(repo, again).returncode == 0
    assert site_files(again) == site_files(out)


def test_without_metrics_there_is_no_page_and_no_plotting_library(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    script = (
        "import sys; from pathlib import Path; "
        "from clarion.settings import load_settings; from clarion.site.build import build_site; "
        f"build_site(load_settings(Path({str(repo)!r})), Path({str(tmp_path / 'site')!r})); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'numpy')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert not (tmp_path / "site" / "engagement.html").exists()
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "engagement.html" not in index
    assert " likes" not in index


def test_a_bad_line_is_a_warning_of_the_build(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write_metrics(repo)
    with (repo / "metrics" / "2026-12.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"network": "bluesky", "part": 0\n')
    proc = run_site(repo, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "warning: metrics/2026-12.jsonl:9: not JSON" in proc.stderr
    assert (tmp_path / "site" / "engagement.html").is_file()


# ------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def served(with_metrics: tuple[Path, Path]) -> Iterator[tuple[str, list[str]]]:
    """The site over HTTP on 127.0.0.1, and the requests that failed."""
    with serving.served(with_metrics[1]) as found:
        yield found


def test_in_chromium_the_charts_are_drawn_with_their_tables_and_no_console_errors(
    chromium: str,  # noqa: F811 - the fixture
    served: tuple[str, list[str]],
    tmp_path: Path,
) -> None:
    base, failed = served
    url = base + "engagement.html"
    # Chromium writes what a page logs to its console on stderr with --enable-logging.
    proc = browse(chromium, tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", url)
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    assert failed == []
    dom = Page(proc.stdout)
    assert len(dom.all("svg")) == 5
    assert len(dom.all("table")) == 7
    assert len(dom.all("th")) > 20
    assert dom.all("script") == []
    png = tmp_path / "shot.png"
    browse(chromium, tmp_path, f"--screenshot={png}", "--window-size=1000,1400", url)
    colours = decode(png).colours()
    drawn = sum(n for colour, n in colours.items() if colour[:3] == BLUE)
    assert drawn > 500, "no bar of the charts' first colour in the screenshot"
    assert failed == []
