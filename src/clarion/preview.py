"""What each network will receive, rendered for people: text for a terminal,
Markdown for a pull-request comment."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from clarion.compose import NETWORK_NAMES
from clarion.post import Post
from clarion.result import PostResult

# GitHub refuses comments over 65,536 characters; stay well below.
MARKDOWN_BUDGET = 60_000


def _count(part_length: int, limit: int) -> str:
    mark = "over" if part_length > limit else "ok"
    return f"{part_length}/{limit} ({mark})"


def render_text(items: Sequence[tuple[Post, PostResult]]) -> str:
    out: list[str] = []
    for post, result in items:
        out.append(f"{result.path}{'' if result.ok else '  [INVALID]'}")
        when = post.publish_at
        out.append(f"  publish: {when.isoformat() if when else 'as soon as merged'}")
        for network, parts in result.networks.items():
            state = " (already published)" if network in result.history else ""
            out.append(f"  {NETWORK_NAMES[network]}{state}")
            for index, part in enumerate(parts):
                extra = f", {part.bytes}/{part.byte_limit} bytes" if part.bytes is not None else ""
                out.append(f"    part {index + 1}: {_count(part.length, part.limit)}{extra}")
                out.append(textwrap.indent(part.text, "      | ", lambda _line: True))
        for ref in post.media:
            out.append(f"  image: {ref.path} — alt: {ref.alt}")
        if post.link:
            out.append(f"  link card: {post.link.title} <{post.link.url}>")
        for problem in result.problems:
            line = f"line {problem.line}: " if problem.line else ""
            out.append(f"  {problem.severity}: {line}{problem.message}")
        out.append("")
    return "\n".join(out)


def _fence(text: str) -> str:
    longest = max((len(run) for run in text.split("\n") if set(run) == {"`"}), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def render_markdown(items: Sequence[tuple[Post, PostResult]]) -> str:
    sections: list[str] = []
    for post, result in items:
        lines = [f"### {'✅' if result.ok else '❌'} `{result.path}`", ""]
        when = post.publish_at
        lines.append(f"**Publish:** {when.isoformat() if when else 'as soon as merged'}")
        lines.append("")
        for problem in result.problems:
            line = f"line {problem.line}: " if problem.line else ""
            lines.append(f"- **{problem.severity}** {line}{problem.message}")
        for network, parts in result.networks.items():
            lines.append(f"#### {NETWORK_NAMES[network]}")
            for index, part in enumerate(parts):
                lines.append(f"part {index + 1} · {_count(part.length, part.limit)}")
                lines.append(_fence(part.text))
        for ref in post.media:
            lines.append(f"- image `{ref.path}` — alt: {ref.alt}")
        sections.append("\n".join(lines))
    body = "## Clarion preview\n\n"
    for index, section in enumerate(sections):
        if len(body) + len(section) > MARKDOWN_BUDGET:
            body += f"\n_…and {len(sections) - index} more post(s): see the check's summary._\n"
            break
        body += section + "\n\n"
    return body
