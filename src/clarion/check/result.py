"""The result of checking posts, kept apart from how it is reported."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"  # the post cannot go out as it is
    WARNING = "warning"  # it can, but a person should look


ERROR = Severity.ERROR
WARNING = Severity.WARNING


@dataclass(frozen=True)
class Problem:
    severity: Severity
    code: str  # kebab-case, stable: tests and tools match on it
    message: str  # what is wrong and how to fix it
    line: int | None = None
    column: int | None = None
    network: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


def _place(problem: Problem) -> tuple[int, int]:
    return (problem.line or 0, problem.column or 0)


@dataclass(frozen=True)
class PartCount:
    """One thread part as a network will receive it, with its count."""

    text: str
    length: int
    limit: int
    line: int
    bytes: int | None = None  # Bluesky also limits UTF-8 bytes
    byte_limit: int | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "length": self.length, "limit": self.limit}
        if self.bytes is not None:
            data["bytes"] = self.bytes
            data["byte_limit"] = self.byte_limit
        return data


@dataclass
class PostResult:
    path: str  # relative to the repository root
    problems: list[Problem] = field(default_factory=list)
    networks: dict[str, list[PartCount]] = field(default_factory=dict)
    history: set[str] = field(default_factory=set)  # networks already published in full

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        network: str | None = None,
    ) -> None:
        # Kept in the order of the file (line, then column; the whole file's first),
        # whatever order the checks ran in; equal places keep the order found.
        problem = Problem(severity, code, message, line, column, network)
        bisect.insort(self.problems, problem, key=_place)

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "problems": [p.as_json() for p in self.problems],
            "networks": {
                name: {"parts": [part.as_json() for part in parts]}
                for name, parts in self.networks.items()
            },
        }


@dataclass
class CheckResult:
    posts: list[PostResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(post.ok for post in self.posts)

    @property
    def errors(self) -> int:
        return sum(1 for post in self.posts for p in post.problems if p.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for post in self.posts for p in post.problems if p.severity == WARNING)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "posts": [post.as_json() for post in self.posts]}
