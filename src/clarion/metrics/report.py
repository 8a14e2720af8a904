"""How a `clarion metrics` run is told: text for people, JSON for programs.

JSON: `{"ok", "at", "file", "written", "networks": {NET: {"due", "read",
"written", "not_found", "followers", "requests", "skipped", "error",
"notes"}}, "warnings", "pushed"}`, and `"lines"` (each line as it would be
written) when the run wrote none: the sandbox's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from clarion.logsafe import untrusted
from clarion.metrics.lines import format_line
from clarion.metrics.run import MetricsReport, NetworkResult


def text(report: MetricsReport) -> str:
    lines = [_network(result) for result in report.networks]
    if not report.networks:
        lines.append("no account to read: add one under [tool.clarion.accounts]")
    lines.extend(f"  {note}" for result in report.networks for note in result.notes)
    wrote = f"{report.written:,} line{'' if report.written == 1 else 's'}"
    if report.lines is not None:  # the sandbox: shown, not written
        lines.append(f"would write {wrote} to {report.file} (nothing is written):")
        lines.extend(format_line(line) for line in report.lines)
    elif report.written:
        lines.append(f"wrote {wrote} to {report.file}")
    else:
        lines.append("no counts changed: no line written")
    lines.extend(f"warning: {warning}" for warning in report.warnings)
    if report.pushed:
        lines.append(report.pushed)
    return untrusted("\n".join(lines))


def _network(result: NetworkResult) -> str:
    name = result.display
    if result.skipped:
        return f"{name}: {result.skipped}"
    if not result.due and not result.error:
        return f"{name}: nothing due"
    said = [f"{result.due:,} part(s) due", f"{result.read:,} read"]
    said.append(f"{result.written:,} line(s) written")
    if result.missing:
        said.append(
            f"{result.missing:,} not found (deleted, hidden or not public: "
            "clarion watch says which)"
        )
    if result.followers is not None:
        said.append(f"{result.followers:,} followers")
    head = f"{name}: " + ", ".join(said)
    return f"{head}\n  stopped: {result.error}" if result.error else head


def as_json(report: MetricsReport) -> str:
    shown: dict[str, Any] = {}
    if report.lines is not None:
        shown["lines"] = [json.loads(format_line(line)) for line in report.lines]
    return json.dumps(
        {
            "ok": report.exit_code == 0,
            "at": report.at,
            "file": report.file,
            "written": report.written,
            "networks": {
                r.network: {
                    "due": r.due,
                    "read": r.read,
                    "written": r.written,
                    "not_found": r.missing,
                    "followers": r.followers,
                    "requests": r.requests,
                    "skipped": r.skipped,
                    "error": r.error,
                    "notes": r.notes,
                }
                for r in report.networks
            },
            "warnings": report.warnings,
            "pushed": report.pushed,
            **shown,
        },
        indent=2,
        ensure_ascii=False,
    )


REPORTERS: dict[str, Callable[[MetricsReport], str]] = {"text": text, "json": as_json}
