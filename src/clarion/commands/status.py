"""`clarion status`: per post and network, where it stands, from the files alone.

By default only what is not settled is listed (due, scheduled, invalid,
needs-person); `--all` lists every post. States come from `effective_state`,
as for `publish --dry-run` and the preview: an invalid scheduled post is
invalid, not scheduled. The approval gate is not asked (that needs GitHub).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clarion import networks
from clarion.commands import checked_posts
from clarion.logsafe import untrusted
from clarion.post import Post
from clarion.publish.state import Standing, State, effective_state, networks_of
from clarion.settings import Settings

UNSETTLED = frozenset({State.DUE, State.SCHEDULED, State.HELD, State.INVALID, State.NEEDS_PERSON})


@dataclass(frozen=True)
class Line:
    network: str
    state: State
    urls: tuple[str, ...]
    detail: str


def _when(moment: dt.datetime, timezone: str) -> str:
    text = f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
    if timezone == "UTC":
        return text
    try:
        local = moment.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return text
    return f"{text} ({local:%Y-%m-%d %H:%M} {timezone})"


def _detail(post: Post, standing: Standing, timezone: str) -> str:
    if standing.state == State.SCHEDULED and post.publish_at is not None:
        return f"for {_when(post.publish_at, timezone)}"
    if standing.state == State.NEEDS_PERSON:
        return (
            standing.message
            or "an outcome: unknown entry: check the network, then fill in or delete it"
        )
    return standing.message


def lines_for(post: Post, settings: Settings, standings: dict[str, Standing]) -> list[Line]:
    return [
        Line(
            network,
            standing.state,
            tuple(r.url for r in post.receipts.get(network, ()) if r.url),
            _detail(post, standing, settings.timezone),
        )
        for network, standing in standings.items()
    ]


def run(settings: Settings, paths: Sequence[Path], fmt: str, *, everything: bool) -> int:
    now = dt.datetime.now(dt.UTC)
    counts: dict[State, int] = {}
    listed: list[tuple[Post, list[Line]]] = []
    for post, result in checked_posts(settings, paths):
        standings = {
            network: effective_state(post, result, network, now, include_examples=False)
            for network in networks_of(post, settings.platforms)
        }
        lines = lines_for(post, settings, standings)
        for line in lines:
            counts[line.state] = counts.get(line.state, 0) + 1
        if everything or any(line.state in UNSETTLED for line in lines):
            listed.append((post, lines))
    if fmt == "json":
        print(json.dumps(_as_json(listed), ensure_ascii=False))
    else:
        _print_text(listed, counts, everything=everything)
    # Like publish: something invalid or needing a person is worth a non-zero exit.
    return 1 if counts.get(State.INVALID) or counts.get(State.NEEDS_PERSON) else 0


def _as_json(listed: list[tuple[Post, list[Line]]]) -> dict[str, object]:
    return {
        "posts": [
            {
                "path": post.rel,
                "networks": {
                    line.network: {
                        "state": str(line.state),
                        "urls": list(line.urls),
                        "detail": line.detail,
                    }
                    for line in lines
                },
            }
            for post, lines in listed
        ]
    }


def _print_text(
    listed: list[tuple[Post, list[Line]]], counts: dict[State, int], *, everything: bool
) -> None:
    width = max(9, *(len(networks.display(n)) for n in networks.names()))
    for post, lines in listed:
        tag = " (example)" if post.example else ""
        print(untrusted(f"{post.rel}{tag}"))
        for line in lines:
            if not everything and line.state not in UNSETTLED:
                continue
            name = networks.display(line.network)
            urls = "".join(f" {url}" for url in line.urls)
            detail = f" — {line.detail}" if line.detail else ""
            print(untrusted(f"  {name:<{width}} {line.state}{urls}{detail}"))
    total = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "no posts"
    hidden = "" if everything else " (settled posts not listed: --all lists them)"
    print(f"{total}{hidden}")
