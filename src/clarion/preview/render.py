"""What each network will receive, rendered for people: plain text for a
terminal, Markdown for the pull-request comment.

Everything from a post is untrusted: in Markdown, texts go in code fences
longer than any backtick run they hold, and short values (alt text, titles,
paths) are escaped, so a post can neither break the comment's layout nor
mention or link anyone from it.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clarion import networks
from clarion.check.result import ERROR, PostResult
from clarion.post import Post

# GitHub refuses comments over 65,536 characters; keep room for what the
# comment adds around the preview (clarion.preview.comment: the commit it describes).
MARKDOWN_BUDGET = 60_000
MARKER = "<!-- clarion-preview -->"  # how preview-comment.yml finds its comment again
HEADING = "## Clarion preview"


@dataclass(frozen=True)
class PreviewContext:
    """Where the preview is shown: the repository's time zone, and where its
    images can be seen (the pull request's head, e.g.
    https://github.com/OWNER/REPO/raw/SHA/), if known."""

    timezone: str = "UTC"
    image_base: str | None = None


def _count(length: int, limit: int) -> str:
    return f"{length}/{limit}" + (" ⚠️ over the limit" if length > limit else "")


def _schedule(post: Post, timezone: str) -> str:
    when = post.publish_at
    if when is None:
        return "as soon as merged"
    utc = when.astimezone(dt.UTC)
    text = f"{utc:%Y-%m-%d %H:%M} UTC"
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return text
    if timezone != "UTC":
        local = when.astimezone(zone)
        text += f" ({local:%Y-%m-%d %H:%M} {timezone})"
    return text + " at the earliest"


# -- text ------------------------------------------------------------------------------


def render_text(
    items: Sequence[tuple[Post, PostResult]], context: PreviewContext | None = None
) -> str:
    context = context or PreviewContext()
    out: list[str] = []
    for post, result in items:
        out.append(f"{result.path}{'' if result.ok else '  [INVALID]'}")
        out.append(f"  publish: {_schedule(post, context.timezone)}")
        for network, parts in result.networks.items():
            state = " (already published)" if network in result.history else ""
            out.append(f"  {networks.display(network)}{state}")
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


# -- Markdown --------------------------------------------------------------------------

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~@])")


def escape(text: str) -> str:
    """Inline Markdown that shows `text` as typed: no formatting, link, HTML or mention."""
    flat = " ".join(text.split())
    return _SPECIAL.sub(r"\\\1", flat)


def code(text: str) -> str:
    """An inline code span showing `text` literally (escapes do not work inside one)."""
    flat = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    marks = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{marks}{pad}{flat}{pad}{marks}"


def fence(text: str, info: str = "text") -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}{info}\n{text}\n{marks}"


def _image_url(context: PreviewContext, post: Post, rel: str) -> str | None:
    if context.image_base is None:
        return None
    base = post.rel.rsplit("/", 1)[0] + "/" if "/" in post.rel else ""
    parts: list[str] = []
    for piece in (base + rel).split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return context.image_base.rstrip("/") + "/" + quote("/".join(parts))


def _post_markdown(post: Post, result: PostResult, context: PreviewContext) -> str:
    mark = "✅" if result.ok else "❌"
    lines = [f"### {mark} {code(result.path)}", ""]
    lines.append(f"**Publish:** {_schedule(post, context.timezone)}")
    lines.append("")
    errors = [p for p in result.problems if p.severity == ERROR]
    warnings = [p for p in result.problems if p.severity != ERROR]
    if errors:
        lines.append("**To fix before merging:**")
        lines.extend(f"- line {p.line or '?'}: {escape(p.message)}" for p in errors)
        lines.append("")
    if warnings:
        lines.append("**Warnings:**")
        lines.extend(f"- line {p.line or '?'}: {escape(p.message)}" for p in warnings)
        lines.append("")
    for network, parts in result.networks.items():
        state = " — already published" if network in result.history else ""
        lines.append(f"#### {networks.display(network)}{state}")
        for index, part in enumerate(parts):
            count = _count(part.length, part.limit)
            if part.bytes is not None:
                count += f", {part.bytes}/{part.byte_limit} bytes"
            lines.append(f"Part {index + 1} of {len(parts)} · {count}")
            lines.append(fence(part.text))
        lines.append("")
    if post.media:
        lines.append("**Images** (on the first part):")
        for ref in post.media:
            url = _image_url(context, post, ref.path)
            shown = f" · [view]({url})" if url else ""
            lines.append(f"- {code(ref.path)}{shown} — alt: {escape(ref.alt)}")
        lines.append("")
    link = post.link
    if link is not None:
        dropped = " (dropped on Bluesky, which shows the images instead)" if post.media else ""
        lines.append(
            f"**Link card:** {escape(link.title)} — {escape(link.description)} — "
            f"{code(link.url)}{dropped}"
        )
        lines.append("")
    return "\n".join(lines)


def _post_line(result: PostResult) -> str:
    mark = "✅" if result.ok else "❌"
    counts = ", ".join(
        f"{networks.display(n)} {max((p.length for p in parts), default=0)}/"
        f"{parts[0].limit if parts else 0}"
        for n, parts in result.networks.items()
    )
    errors = sum(1 for p in result.problems if p.severity == ERROR)
    return f"- {mark} {code(result.path)} — {counts}" + (f" — {errors} error(s)" if errors else "")


def render_markdown(
    items: Sequence[tuple[Post, PostResult]], context: PreviewContext | None = None
) -> str:
    """The sticky pull-request comment: whole posts while they fit, then one
    line for each of the rest, always within GitHub's comment limit."""
    context = context or PreviewContext()
    bad = sum(1 for _, r in items if not r.ok)
    head = [MARKER, HEADING, ""]
    if not items:
        head.append("No post changed in this pull request.")
    elif bad:
        head.append(f"❌ {bad} of {len(items)} post(s) need a fix before merging.")
    else:
        head.append(
            f"✅ {len(items)} post(s) ready. This is exactly what each network will receive."
        )
    body = "\n".join(head) + "\n\n"
    # Invalid posts first: they are what a reviewer must see.
    ordered = sorted(items, key=lambda item: (item[1].ok, item[1].path))
    rest: list[str] = []
    for post, result in ordered:
        section = _post_markdown(post, result, context) + "\n"
        if not rest and len(body) + len(section) < MARKDOWN_BUDGET - 2_000:
            body += section
        else:
            rest.append(_post_line(result))
    if rest:
        summary = "\n".join(rest)
        note = (
            f"\n**{len(rest)} more post(s)**, in brief "
            "(run `clarion preview PATH` for the whole text):\n\n"
        )
        room = MARKDOWN_BUDGET - len(body) - len(note) - 200
        if len(summary) > room:
            kept = summary[: max(room, 0)].rsplit("\n", 1)[0]
            left = len(rest) - kept.count("\n") - 1
            summary = f"{kept}\n- … and {left} more: see the check's step summary"
        body += note + summary + "\n"
    return body
