"""What the last `clarion watch` run found, kept so a finding is new only once.

The state is the list of findings of the last run, sorted, one a line, in
`metrics/watch.json` beside the metrics lines: small (what is wrong now, not a
history) and readable in a diff. A finding that is gone (a label removed, a
post shown again) leaves it. The watch workflow, whose token may not push,
keeps the same list in the issue it keeps current (`clarion.watch.issue`).

The file is data that merges and hands may have changed: one that cannot be
read is reported (file and why) and the run goes on as if it were empty, so
the worst a broken file does is report its findings as new once more.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from clarion.errors import ClarionError
from clarion.metrics.lines import FOLDER
from clarion.watch.model import Finding, Kind

STATE_FILE = f"{FOLDER}/watch.json"
# What a kept finding holds: its report, and `since`, when it was first seen.
_FIELDS = ("network", "path", "part", "id", "kind", "key", "detail", "url", "since")


class UnreadableState(ClarionError):
    """The state cannot be read: the run treats it as empty, and says so."""


def state_path(root: Path) -> Path:
    return root / STATE_FILE


def _kept(finding: Finding, since: str) -> dict[str, Any]:
    return {
        "network": finding.network,
        "path": finding.path,
        "part": finding.part,
        "id": finding.id,
        "kind": str(finding.kind),
        "key": finding.key,
        "detail": finding.detail,
        "url": finding.url,
        "since": since,
    }


def dumps(findings: Iterable[tuple[Finding, str]]) -> str:
    """The state's text: `{"findings": [...]}` with one finding (and when it was first
    seen) a line, in a stable order, so a run that changes nothing changes no byte."""
    rows = sorted(
        (_kept(finding, since) for finding, since in findings),
        key=lambda r: (r["network"], r["path"] or "", r["part"] or 0, r["kind"], r["key"]),
    )
    if not rows:
        return '{"findings": []}\n'
    lines = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)
    return '{"findings": [\n' + lines + "\n]}\n"


def loads(text: str, where: str) -> list[tuple[Finding, str]]:
    """The findings kept in `text` and when each was first seen; UnreadableState
    naming `where` and what is wrong when it is not a state."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UnreadableState(f"{where}: not JSON ({exc})") from None
    rows = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise UnreadableState(f'{where}: no "findings" list')
    kept: list[tuple[Finding, str]] = []
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise UnreadableState(f"{where}: finding {number} is not an object")
        try:
            part = row.get("part")
            finding = Finding(
                network=str(row["network"]),
                kind=Kind(row["kind"]),
                detail=str(row.get("detail") or ""),
                path=None if row.get("path") is None else str(row["path"]),
                part=None if part is None else int(part),
                id=None if row.get("id") is None else str(row["id"]),
                url=None if row.get("url") is None else str(row["url"]),
                key=str(row.get("key") or ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise UnreadableState(f"{where}: finding {number} is not one ({exc})") from None
        kept.append((finding, str(row.get("since") or "")))
    return kept


def read_state(root: Path) -> list[tuple[Finding, str]]:
    """The last run's findings; none when there is no state yet."""
    path = state_path(root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableState(f"{STATE_FILE}: cannot be read ({exc})") from None
    return loads(text, STATE_FILE)


def write_state(root: Path, findings: Iterable[tuple[Finding, str]]) -> bool:
    """Write the state (through a temporary file: whole or not at all); whether it changed."""
    path = state_path(root)
    text = dumps(findings)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return True
