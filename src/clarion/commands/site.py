"""`clarion site OUTDIR`: build the static archive site with its Atom and JSON feeds."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from clarion.logsafe import untrusted
from clarion.settings import Settings
from clarion.site.build import build_site


def run(settings: Settings, outdir: Path) -> int:
    started = time.perf_counter()
    result = build_site(settings, outdir)
    elapsed = time.perf_counter() - started
    for warning in result.warnings:
        print(f"warning: {untrusted(warning)}", file=sys.stderr)
    if result.config.url is None:
        print(
            "note: [tool.clarion.site] url is not set, so the pages link relatively and the "
            "feeds use relative links and urn:uuid ids; set url to the address the site is "
            'served at (e.g. url = "https://example.org/news/") for feeds every reader follows',
            file=sys.stderr,
        )
    left_out = ", ".join(f"{n} {reason}" for reason, n in sorted(result.left_out.items()))
    print(
        f"built {untrusted(str(outdir))}: {result.posts} post(s) on {result.pages} page(s), "
        f"{result.images} image(s), feed.atom and feed.json; "
        f"{result.written} file(s) written, {result.removed} removed"
        + (f"; left out: {left_out}" if left_out else "")
        + f" ({elapsed:.2f} s)"
    )
    return 0
