"""`clarion preview`: what each network will receive, with counts."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from clarion.checks import check_post
from clarion.commands import post_paths
from clarion.post import read_post
from clarion.preview import render_markdown, render_text
from clarion.settings import Settings


def run(settings: Settings, paths: Sequence[Path], fmt: str) -> int:
    items = []
    for path in post_paths(settings, paths):
        post = read_post(path, settings.root)
        items.append((post, check_post(post, settings)))
    if fmt == "json":
        json.dump({"posts": [r.as_json() for _, r in items]}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    elif fmt == "markdown":
        sys.stdout.write(render_markdown(items))
    else:
        sys.stdout.write(render_text(items))
    return 0 if all(r.ok for _, r in items) else 1
