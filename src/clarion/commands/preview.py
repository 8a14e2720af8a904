"""`clarion preview`: what each network will receive, with counts; and
`clarion preview-comment`, which preview-comment.yml runs to show the preview
check.yml made as the pull request's sticky comment."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from clarion.commands import checked_posts
from clarion.errors import ConfigError, UsageError
from clarion.logsafe import untrusted
from clarion.preview.model import PreviewContext, build
from clarion.preview.render import render_json, render_markdown, render_text
from clarion.settings import Settings

_SHA = re.compile(r"[0-9a-f]{40}")
RENDERERS = {"json": render_json, "markdown": render_markdown, "text": render_text}


def context(settings: Settings, env: Mapping[str, str]) -> PreviewContext:
    """The time zone from the settings; in a pull request's check, images are
    shown from the pull request's head (which may be a fork), and the commit
    described is that head (GITHUB_SHA is the merge GitHub made for the check);
    elsewhere GITHUB_SHA, when set."""
    image_base = env.get("CLARION_PREVIEW_IMAGE_BASE")
    commit = env.get("GITHUB_SHA")
    event_path = env.get("GITHUB_EVENT_PATH")
    if event_path:
        try:
            event = json.loads(Path(event_path).read_text(encoding="utf-8"))
            head = event["pull_request"]["head"]
            commit = str(head["sha"])
            if image_base is None:
                server = env.get("GITHUB_SERVER_URL", "https://github.com")
                image_base = f"{server}/{head['repo']['full_name']}/raw/{head['sha']}/"
        except (OSError, ValueError, KeyError, TypeError):
            pass
    valid = commit if commit is not None and _SHA.fullmatch(commit) else None
    return PreviewContext(settings.timezone, image_base, valid)


def run(settings: Settings, paths: Sequence[Path], fmt: str) -> int:
    items = checked_posts(settings, paths)
    now = dt.datetime.now(dt.UTC)
    preview = build(items, settings.platforms, now, context(settings, os.environ))
    sys.stdout.write(untrusted(RENDERERS[fmt](preview)))
    return 0 if preview.ok else 1


def run_comment(artifact: Path | None, env: Mapping[str, str]) -> int:
    """Create, update or mark out of date the sticky comment of the pull request
    a check run was about (the workflow_run event in GITHUB_EVENT_PATH), from
    that run's artifact (None: it uploaded none)."""
    from clarion.preview.comment import PullRequests, check_run, read_artifact, update

    event_path = env.get("GITHUB_EVENT_PATH")
    if not event_path:
        raise UsageError(
            "preview-comment reads the workflow_run event named by GITHUB_EVENT_PATH: "
            "run it in preview-comment.yml, after check.yml"
        )
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the event {event_path}: {exc}") from None
    if not isinstance(event, dict):
        raise UsageError(f"the event {event_path} is not a JSON object")
    repository = env.get("GITHUB_REPOSITORY", "")
    token = env.get("GITHUB_TOKEN", "")
    if "/" not in repository or not token:
        raise ConfigError("preview-comment needs GITHUB_REPOSITORY and GITHUB_TOKEN")
    run = check_run(event, repository, env.get("GITHUB_SERVER_URL", "https://github.com"))
    github = PullRequests(env.get("GITHUB_API_URL", "https://api.github.com"), repository, token)
    found = read_artifact(artifact) if artifact is not None and artifact.is_dir() else None
    update(github, run, found, lambda line: print(untrusted(line)))
    return 0
