"""libyaml's complaints about a front matter, said in words a person can act on.

Only the path of a front matter that libyaml cannot read comes here
(`clarion.post.frontmatter.load_yaml`).
"""

from __future__ import annotations

import re

import yaml

from clarion.post.frontmatter import FrontMatterError

# A key written without the space YAML needs after its colon (lang:en).
_KEY_NO_SPACE = re.compile(r"^\s*(?:- )?([A-Za-z_][\w-]*):(?=[^\s/])")
_KEY_WITH_VALUE = re.compile(r"^\s*(?:- )?[^\s#:][^:#]*:\s+\S")


def explain(exc: yaml.MarkedYAMLError, front: str) -> FrontMatterError:
    """libyaml's complaint said in words, at the line a person has to fix (an unclosed
    bracket or quote: where it opens), rather than where libyaml gave up."""
    problem = exc.problem or exc.context or "invalid YAML"
    context = exc.context or ""
    lines = front.split("\n")
    at = exc.problem_mark or exc.context_mark
    opened = exc.context_mark or at
    if at is None or opened is None:  # pragma: no cover - libyaml marks every error
        return FrontMatterError("yaml-invalid", f"the front matter is not valid YAML: {problem}", 2)

    def text(index: int) -> str:
        return lines[index] if 0 <= index < len(lines) else ""

    def char(mark: yaml.Mark) -> str:
        return text(mark.line)[mark.column : mark.column + 1]

    def above(index: int) -> int:
        """The nearest line above `index` that holds something."""
        index -= 1
        while index >= 0 and not text(index).strip():
            index -= 1
        return index

    def indent(index: int) -> int:
        line = text(index)
        return len(line) - len(line.lstrip(" "))

    where = (at.line, at.column)
    line_text = text(at.line)
    if "\t" in line_text[: len(line_text) - len(line_text.lstrip())] or char(at) == "\t":
        said = "this line is indented with a tab: YAML indents with spaces only; use spaces"
    elif "quoted scalar" in context and "end of stream" in problem:
        where, quote = (opened.line, opened.column), char(opened)
        said = f"the quote {quote} that opens this value is not closed: end the value with {quote}"
    elif "flow sequence" in context:
        where = (opened.line, opened.column)
        said = (
            "the list opened with '[' here is not closed: end it with ']' (platforms: [x, bluesky])"
        )
    elif "flow mapping" in context:
        where = (opened.line, opened.column)
        said = (
            "the '{' opened here is not closed: end it with '}' (mastodon: {visibility: unlisted})"
        )
    elif "unknown escape" in problem:
        said = (
            "a backslash in a double-quoted value starts an escape (\\n): write two backslashes "
            "for one, or use single quotes ('C:\\path')"
        )
    elif "cannot start any token" in problem or "alias" in context or "anchor" in context:
        start = opened if "alias" in context or "anchor" in context else at
        where = (start.line, start.column)
        said = (
            f"a value cannot start with '{char(start)}' in YAML: put the whole value in quotes "
            '(title: "…")'
        )
    elif "mapping values are not allowed" in problem:
        before = above(at.line)
        unspaced = _KEY_NO_SPACE.match(text(before)) if before >= 0 else None
        if unspaced and before != at.line:
            where = (before, 0)
            said = f"write a space after the colon of the key {unspaced.group(1)}: (lang: en)"
        elif indent(at.line) > indent(before) and _KEY_WITH_VALUE.match(text(before)):
            said = (
                "this line is indented more than the key above it: keys of one mapping start "
                "in the same column"
            )
        else:
            said = (
                "this value holds ': ', which YAML reads as the start of a key: put the whole "
                'value in quotes (title: "PyCon: the call")'
            )
    elif "expected '-' indicator" in problem:
        said = (
            "this line's indent does not match the list item above it: start each key of an "
            "item in the column of its first key, after the '- '"
        )
    elif "could not find expected ':'" in problem:
        where = (opened.line, opened.column)
        said = (
            "this line is not a key (name: value), nor indented under one: add ': ' and its "
            "value, or indent it under its key"
        )
    elif "block sequence entries are not allowed" in problem:
        said = (
            "a list item '- ' cannot follow its key on the same line: put each item on its "
            "own line, indented under the key, or write the list as [a, b]"
        )
    elif "expected key" in problem or "expected <block end>" in problem:
        found = char(at)
        if found == "-":
            said = "a list item '- ' where a key was expected: indent it under its key"
        elif found in "]}":
            said = f"this '{found}' closes nothing: remove it"
        elif line_text[: at.column].rstrip().endswith(("'", '"')):
            said = (
                "text follows the closing quote of this value: put the whole value inside "
                "the quotes"
            )
        else:
            said = "text where a new key was expected: check the indentation of this line"
    else:
        said = (
            f"{problem}: check this line's indentation (spaces only), the space after each "
            "key's colon, and that quotes and brackets are closed"
        )
    return FrontMatterError(
        "yaml-invalid",
        f"the front matter is not valid YAML: {said}",
        where[0] + 2,  # the front matter starts on the file's line 2
        where[1] + 1,
    )
