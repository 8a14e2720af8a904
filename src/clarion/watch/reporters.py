"""How a watch run is shown: text for a terminal, one JSON object (SPEC,
"Watching"), or GitHub Actions' annotations, outputs and step summary. A new
format is a new function here.

Details come from the networks (a label's value, a moderator's words): text
lines go through `logsafe`, annotations are escaped, Markdown is neutralised.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from clarion import networks
from clarion.check.reporters.github import escape_data, escape_property
from clarion.logsafe import neutralise, untrusted
from clarion.watch.model import Finding, WatchReport


def where(finding: Finding) -> str:
    """The finding's place, for people: `posts/2026/cfp.md, part 1` or `the account`."""
    if finding.path is None:
        return "the account"
    part = f", part {finding.part + 1}" if finding.part is not None else ""
    return f"{finding.path}{part}"


def _line(finding: Finding) -> str:
    new = " (new)" if finding.new else ""
    url = f" {finding.url}" if finding.url else ""
    return (
        f"{networks.display(finding.network)}: {where(finding)}: {finding.kind}{new}: "
        f"{finding.detail}{url}"
    )


def network_lines(report: WatchReport) -> list[str]:
    lines = []
    for result in report.networks:
        name = networks.display(result.network)
        if result.failure is not None:
            lines.append(f"{name}: not watched this run: {result.failure}")
        else:
            lines.append(f"{name}: {result.checked} published part(s) looked at")
        lines.extend(result.notes)
    lines.extend(report.notes)
    return lines


def counts(report: WatchReport) -> str:
    found, new = len(report.findings), len(report.new)
    said = f"{found} finding(s), {new} new" if found else "nothing found"
    failed = len(report.failed)
    return f"clarion watch: {said}" + (f"; {failed} network(s) not watched" if failed else "")


def text(report: WatchReport) -> str:
    lines = [untrusted(_line(f)) for f in report.findings]
    if lines:
        lines.append("")
    lines += [untrusted(line) for line in network_lines(report)]
    lines.append(counts(report))
    return "\n".join(lines)


def as_json(report: WatchReport) -> dict[str, Any]:
    """The documented object: {"findings": [{network, path, part, id, kind, detail, new}]}."""
    return {"findings": [f.as_json() for f in report.findings]}


def markdown(value: str) -> str:
    """Text from a network as Markdown that stays text: no HTML, no mention, one line."""
    return (
        " ".join(value.split())
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("@", "@\u200b")
        .replace("[", "\\[")
        .replace("]", "\\]")
        .replace("`", "\\`")
        .replace("|", "\\|")
    )


def markdown_link(url: str | None, label: str) -> str:
    if not url or not url.startswith(("https://", "http://")) or any(c in url for c in "<> )("):
        return ""
    return f" — [{label}](<{url}>)"


def finding_markdown(
    finding: Finding, file_url: Callable[[str], str] | None = None, *, mark_new: bool = True
) -> str:
    """One finding as a Markdown list item, linking the post and its file."""
    new = " **(new)**" if finding.new and mark_new else ""
    place = markdown(where(finding))
    if finding.path is not None and file_url is not None:
        place = f"[{place}](<{file_url(finding.path)}>)"
    return (
        f"- **{finding.kind}** on {networks.display(finding.network)}: {place}{new} — "
        f"{markdown(finding.detail)}{markdown_link(finding.url, 'the post')}"
    )


def summary(report: WatchReport) -> str:
    """The Markdown step summary."""
    out = ["## Clarion watch", ""]
    if not report.findings:
        out.append("Nothing found: every published post is shown as it was sent.")
    else:
        out.append(f"{len(report.findings)} finding(s), {len(report.new)} new:")
        out.append("")
        out += [finding_markdown(f) for f in report.findings]
    lines = network_lines(report)
    if lines:
        out += ["", "### Networks", ""]
        out += [f"- {markdown(line)}" for line in lines]
    return "\n".join(out) + "\n"


def annotation_lines(report: WatchReport) -> list[str]:
    """A warning per new finding (on its post file), an error per network not watched."""
    lines = []
    for finding in report.new:
        props = f"title={escape_property(f'clarion watch: {finding.kind}')}"
        if finding.path is not None:
            props = f"file={escape_property(finding.path)},{props}"
        message = f"{networks.display(finding.network)}: {where(finding)}: {finding.detail}"
        if finding.url:
            message += f" {finding.url}"
        lines.append(f"::warning {props}::{escape_data(message)}")
    for result in report.failed:
        title = escape_property(f"clarion watch: {networks.display(result.network)}")
        lines.append(f"::error title={title}::{escape_data(result.failure or '')}")
    return lines


def github(report: WatchReport, env: Mapping[str, str] | None = None) -> str:
    """The log lines; the outputs (`findings`, `new`) and the step summary are written
    where Actions reads them."""
    environ = os.environ if env is None else env
    output = environ.get("GITHUB_OUTPUT")
    if output:
        with Path(output).open("a", encoding="utf-8") as out:
            for name, value in (("findings", len(report.findings)), ("new", len(report.new))):
                out.write(f"{name}={value}\n")
            delimiter = f"clarion_{secrets.token_hex(16)}"  # no value can end the block early
            data = json.dumps(as_json(report), ensure_ascii=False)
            out.write(f"report<<{delimiter}\n{data}\n{delimiter}\n")
    step_summary = environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with Path(step_summary).open("a", encoding="utf-8") as out:
            out.write(summary(report))
    lines = annotation_lines(report)
    lines += [neutralise(_line(f)) for f in report.findings]
    lines += [neutralise(line) for line in network_lines(report)]
    lines.append(counts(report))
    return "\n".join(lines)


REPORTERS: dict[str, Callable[[WatchReport], str]] = {
    "text": text,
    "json": lambda report: json.dumps(as_json(report), ensure_ascii=False),
    "github": github,
}
