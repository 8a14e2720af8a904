"""The built site in a real browser: Debian's headless Chromium loads the pages
over HTTP from 127.0.0.1, takes screenshots and dumps the rendered DOM.

Skipped where `chromium` is not installed (scripts/install_chromium.sh installs
it), unless CLARION_REQUIRE_CHROMIUM=1, as in CI, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.site import serving
from tests.site.htmlcheck import Page
from tests.site.pngcheck import decode

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BACKGROUND = bytes.fromhex("fdfdfc")  # --bg in the site's CSS: the inline style was applied


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CLARION_REQUIRE_CHROMIUM") == "1":
            pytest.fail("CLARION_REQUIRE_CHROMIUM=1 but chromium is not installed")
        pytest.skip("chromium is not installed: run scripts/install_chromium.sh")
    return CHROMIUM


@pytest.fixture(scope="module")
def served(built_site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1, as a base URL."""
    with serving.served(built_site) as (base, _failed):
        yield base


def browse(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    proc = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


@pytest.mark.parametrize("page", ["index.html", "posts/2026/clarion-1-0-release.html"])
def test_screenshot_shows_a_rendered_page(
    chromium: str, served: str, tmp_path: Path, page: str
) -> None:
    png = tmp_path / "shot.png"
    browse(chromium, tmp_path, f"--screenshot={png}", "--window-size=1200,900", served + page)
    assert png.is_file()
    assert png.stat().st_size > 10_000
    pixels = decode(png)
    assert (pixels.width, pixels.height) == (1200, 900)
    colours = pixels.colours()
    total = sum(colours.values())
    most, count = colours.most_common(1)[0]
    assert most[:3] == BACKGROUND, most.hex()
    assert len(colours) > 50, "hardly any colours: is the page blank?"
    assert count < 0.98 * total, "one colour covers nearly everything: is the page blank?"


@pytest.mark.parametrize(
    ("page", "words"),
    [
        ("index.html", "The PyCon US 2027 call for proposals is open!"),
        ("posts/2026/pycon-cfp-thread.html", "Proposals close on 20 December 2026"),
        ("posts/2026/html-in-text.html", 'Our <script>alert("owned")</script>'),
    ],
)
def test_rendered_dom_holds_the_post_text(
    chromium: str, served: str, tmp_path: Path, page: str, words: str
) -> None:
    proc = browse(chromium, tmp_path, "--dump-dom", served + page)
    dom = Page(proc.stdout)
    assert words in dom.plain
    assert dom.all("script") == []  # the text stayed text once parsed by a browser
    assert dom.all("main")
