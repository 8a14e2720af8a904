"""`clarion preview`: what each network will receive, with counts."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from clarion.commands import checked_posts
from clarion.logsafe import untrusted
from clarion.preview import PreviewContext, render_markdown, render_text
from clarion.settings import Settings


def context(settings: Settings, env: Mapping[str, str]) -> PreviewContext:
    """The time zone from the settings; in a pull request's check, images are
    shown from the pull request's head (which may be a fork)."""
    image_base = env.get("CLARION_PREVIEW_IMAGE_BASE")
    event_path = env.get("GITHUB_EVENT_PATH")
    if image_base is None and event_path:
        try:
            event = json.loads(Path(event_path).read_text(encoding="utf-8"))
            head = event["pull_request"]["head"]
            server = env.get("GITHUB_SERVER_URL", "https://github.com")
            image_base = f"{server}/{head['repo']['full_name']}/raw/{head['sha']}/"
        except (OSError, ValueError, KeyError, TypeError):
            image_base = None
    return PreviewContext(settings.timezone, image_base)


def run(settings: Settings, paths: Sequence[Path], fmt: str) -> int:
    items = checked_posts(settings, paths)
    if fmt == "json":
        json.dump({"posts": [r.as_json() for _, r in items]}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    elif fmt == "markdown":
        sys.stdout.write(untrusted(render_markdown(items, context(settings, os.environ))))
    else:
        sys.stdout.write(untrusted(render_text(items, context(settings, os.environ))))
    return 0 if all(r.ok for _, r in items) else 1
