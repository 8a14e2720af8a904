"""How a publish run is shown: text for a terminal, one JSON object, or GitHub Actions'
outputs (`posted`, `held`) and step summary. A new format is a new function here.

Post text, paths and server answers are untrusted: text lines go through
`logsafe.untrusted`, outputs use a fresh random delimiter, and the summary
escapes what could become HTML or a mention.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from clarion import networks
from clarion.logsafe import neutralise, untrusted
from clarion.publish.report import NetworkOutcome, PostOutcome, PublishReport
from clarion.publish.state import State

# Not worth a line in the summary: nothing happened and nothing is wrong.
_QUIET = frozenset({State.PUBLISHED, State.EXAMPLE, State.RETRACTED})


def _worth_saying(report: PublishReport) -> Iterator[tuple[PostOutcome, list[NetworkOutcome]]]:
    for post in report.posts:
        said = [n for n in post.networks.values() if n.state not in _QUIET or n.sent or n.message]
        if said:
            yield post, said


def _credentials(network: str, message: str) -> str:
    """A network's missing or refused credentials, naming the network once (most
    messages name it already)."""
    name = networks.display(network)
    return message if message.startswith((f"{name}:", f"{name} ")) else f"{name}: {message}"


def as_json(report: PublishReport) -> dict[str, Any]:
    return {
        "ok": not report.failed,
        "sent": report.sent(),
        "held": report.held(),
        "for_a_person": report.for_a_person,
        "credentials": {
            network: _credentials(network, message)
            for network, message in report.auth_failures.items()
        },
        "posts": [
            {
                "path": post.path,
                "networks": {
                    name: {
                        "state": str(n.state),
                        "message": n.message,
                        "receipts": [
                            {"part": i + 1, "id": r.id, "url": r.url, "outcome": r.outcome}
                            for i, r in n.sent
                        ],
                    }
                    for name, n in post.networks.items()
                },
            }
            for post in report.posts
        ],
    }


def text(report: PublishReport) -> str:
    lines: list[str] = []
    for post, said in _worth_saying(report):
        lines.append(untrusted(post.path))
        for n in said:
            line = f"  {networks.display(n.network)}: {n.state}"
            urls = [r.url for _, r in n.sent if r.url]
            if urls:
                line += " " + " ".join(urls)
            if n.message:
                line += f" — {n.message}"
            lines.append(untrusted(line))
    for network, message in report.auth_failures.items():
        lines.append(untrusted(_credentials(network, message)))
    for step in report.for_a_person:
        lines.append(untrusted(f"for a person: {step}"))
    return "\n".join(lines)


def _markdown(value: str) -> str:
    return (
        " ".join(value.split()).replace("&", "&amp;").replace("<", "&lt;").replace("@", "@\u200b")
    )


def summary(report: PublishReport) -> str:
    """The Markdown step summary."""
    out = ["## Clarion publish", ""]
    rows = list(_worth_saying(report))
    if not rows:
        out.append("Nothing was due.")
    for post, said in rows:
        for n in said:
            message = f" — {_markdown(n.message)}" if n.message else ""
            out.append(
                f"- `{_markdown(post.path)}` on {networks.display(n.network)}: "
                f"**{n.state}**{message}"
            )
            for index, receipt in n.sent:
                if receipt.url:
                    out.append(f"  - part {index + 1}: {_markdown(receipt.url)}")
    if report.auth_failures:
        out += ["", "### Credentials", ""]
        out += [f"- {_markdown(_credentials(n, m))}" for n, m in report.auth_failures.items()]
    if report.for_a_person:
        out += ["", "### For a person", ""]
        out += [f"- {_markdown(step)}" for step in report.for_a_person]
    return "\n".join(out) + "\n"


def github(report: PublishReport, env: dict[str, str] | None = None) -> str:
    """The log lines; the outputs and summary are written where Actions reads them."""
    environ = os.environ if env is None else env
    posted = report.sent()
    held = report.held()
    output = environ.get("GITHUB_OUTPUT")
    if output:
        with Path(output).open("a", encoding="utf-8") as out:
            for name, value in (("posted", posted), ("held", held)):
                # A fresh random delimiter: no value can end the block early.
                delimiter = f"clarion_{secrets.token_hex(16)}"
                data = json.dumps(value, ensure_ascii=False)
                out.write(f"{name}<<{delimiter}\n{data}\n{delimiter}\n")
    step_summary = environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with Path(step_summary).open("a", encoding="utf-8") as out:
            out.write(summary(report))
    lines = [neutralise(line) for line in text(report).splitlines()]
    lines.append(f"clarion: posted {len(posted)} part(s); {len(held)} held by the approval gate")
    return "\n".join(lines)


REPORTERS: dict[str, Callable[[PublishReport], str]] = {
    "text": text,
    "json": lambda report: json.dumps(as_json(report), ensure_ascii=False),
    "github": github,
}
