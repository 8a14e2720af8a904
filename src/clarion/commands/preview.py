"""`clarion preview`: what each network will receive, with counts; and
`clarion preview-comment`, which preview-comment.yml runs to show the preview
check.yml made as the pull request's sticky comment."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from clarion.commands import checked_posts
from clarion.errors import ConfigError, UsageError
from clarion.logsafe import untrusted
from clarion.preview.render import PreviewContext, render_markdown, render_text
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
