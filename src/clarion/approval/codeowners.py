"""CODEOWNERS as GitHub reads it: who owns a path, decided by the last matching line.

GitHub's rules (docs: "About code owners"): gitignore-style patterns, except
that `!`, `[ ]` and `\\#` do not work there; the last matching line decides;
a line may leave a path without owners; a file of 3 MB or more is not loaded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
CODEOWNERS_MAX_BYTES = 3 * 1024 * 1024  # GitHub does not load a larger file

USER = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
TEAM = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9_.-]+")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Rule:
    """One line of CODEOWNERS: a gitignore-style pattern and its owners (maybe none)."""

    line: int
    pattern: str
    owners: tuple[str, ...]
    # One matcher per path segment; None stands for `**` (any number of segments).
    segments: tuple[re.Pattern[str] | None, ...] = field(repr=False, compare=False)
    # Whether a match of a directory covers everything below it. Not for a last
    # segment that is a lone `*`: `docs/*` owns docs/a.md, not docs/sub/b.md.
    descendants: bool = field(repr=False, compare=False)

    def matches(self, path: str) -> bool:
        """Whether the file `path` (relative to the repository root, with `/`) is covered."""
        parts = tuple(part for part in path.split("/") if part)
        return bool(parts) and self._match(0, parts, 0)

    def _match(self, i: int, parts: tuple[str, ...], j: int) -> bool:
        if i == len(self.segments):
            return j == len(parts) or (self.descendants and j < len(parts))
        matcher = self.segments[i]
        if matcher is None:
            if i == len(self.segments) - 1:
                return j < len(parts)  # a trailing `**` is everything inside, not the folder
            return any(self._match(i + 1, parts, k) for k in range(j, len(parts)))
        return (
            j < len(parts)
            and matcher.fullmatch(parts[j]) is not None
            and self._match(i + 1, parts, j + 1)
        )


@dataclass(frozen=True)
class CodeOwners:
    rules: tuple[Rule, ...]
    skipped: tuple[tuple[int, str], ...] = ()  # (line, why): lines GitHub skips too

    def rule_for(self, path: str) -> Rule | None:
        """The rule that decides `path`'s owners: the last one that matches."""
        return next((rule for rule in reversed(self.rules) if rule.matches(path)), None)


class PatternError(ValueError):
    """A CODEOWNERS pattern uses syntax GitHub does not support there."""


def compile_rule(pattern: str, owners: Sequence[str] = (), line: int = 0) -> Rule:
    """A rule for `pattern`, with GitHub's reading of gitignore patterns.

    A leading `/` (or a `/` anywhere but at the end) anchors the pattern at the
    root; otherwise it matches at any depth. A trailing `/` matches folders
    only, so everything below them. `*` and `?` stay inside one segment; `**`
    as a whole segment spans any number of them. A matched folder owns what
    is below it, except after a final lone `*`. `\\` escapes the next character.
    """
    if pattern.startswith("!"):
        raise PatternError("negation with ! does not work in CODEOWNERS")
    if pattern.startswith("\\#"):
        raise PatternError("escaping a leading # with \\ does not work in CODEOWNERS")
    if "[" in pattern or "]" in pattern:
        raise PatternError("character ranges with [ ] do not work in CODEOWNERS")
    if "***" in pattern:
        raise PatternError("three asterisks in a row are not a pattern")
    folder_only = pattern.endswith("/")
    anchored = "/" in pattern.rstrip("/")
    names = [name for name in pattern.strip("/").split("/") if name]
    if not names:  # "/" alone matches nothing
        return Rule(line, pattern, tuple(owners), (re.compile(r"(?!)"),), descendants=False)
    if not anchored and names[0] != "**":
        names.insert(0, "**")
    if folder_only:
        names.append("**")
    segments = tuple(None if name == "**" else _segment(name) for name in names)
    return Rule(line, pattern, tuple(owners), segments, descendants=names[-1] != "*")


def _segment(name: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(name):
        char = name[i]
        if char == "\\" and i + 1 < len(name):
            out.append(re.escape(name[i + 1]))
            i += 2
            continue
        if char == "*":
            while i + 1 < len(name) and name[i + 1] == "*":
                i += 1  # `a**b` is `a*b`, as in gitignore
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


def _split_pattern(text: str) -> tuple[str, str]:
    """The pattern (up to the first unescaped blank) and the rest of the line."""
    i = 0
    while i < len(text) and not text[i].isspace():
        i += 2 if text[i] == "\\" else 1
    return text[:i], text[i:]


def parse_codeowners(text: str) -> CodeOwners:
    """Read a CODEOWNERS file; lines GitHub would skip are skipped and listed."""
    rules: list[Rule] = []
    skipped: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pattern, rest = _split_pattern(line)
        owners: list[str] = []
        problem = ""
        for token in rest.split():
            if token.startswith("#"):
                break  # an inline comment
            if not (USER.fullmatch(token) or TEAM.fullmatch(token) or EMAIL.fullmatch(token)):
                problem = f"{token} is not an owner (@user, @org/team or an e-mail address)"
                break
            owners.append(token)
        if not problem:
            try:
                rules.append(compile_rule(pattern, owners, number))
                continue
            except PatternError as exc:
                problem = str(exc)
        skipped.append((number, problem))
    return CodeOwners(tuple(rules), tuple(skipped))
