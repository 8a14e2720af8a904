"""The preview (`clarion.preview.model.Preview`) for people: plain text for a
terminal and the check's log, Markdown for the pull request's comment; and the
same as JSON for programs.

Everything from a post is untrusted: in Markdown, texts go in code fences
longer than any backtick run they hold, and short values (alt text, titles,
paths, messages) are escaped or shown as code, so a post can neither break the
comment's layout nor mention or link anyone from it.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator

from clarion.check.result import ERROR, PartCount
from clarion.preview.model import NetworkView, Pin, PostView, Preview
from clarion.publish.state import State

# GitHub refuses comments over 65,536 characters; keep room for what the
# comment adds around the preview (clarion.preview.comment: the commit it describes).
MARKDOWN_BUDGET = 60_000
MARKER = "<!-- clarion-preview -->"  # how preview-comment.yml finds its comment again
HEADING = "## Clarion preview"
DEFAULT_OPTION = "the account's default"  # an option the post does not set
LOUD_LINES = 20  # deletions and edits listed at the top, at most


def _count(part: PartCount) -> str:
    text = f"{part.length}/{part.limit}" + (" ⚠️ over the limit" if part.length > part.limit else "")
    if part.bytes is not None:
        text += f", {part.bytes}/{part.byte_limit} bytes"
    return text


def _label(key: str) -> str:
    """How an option of the network (Mastodon's `visibility`) is named for people."""
    return key.replace("_", " ")


# -- JSON ------------------------------------------------------------------------------


def render_json(preview: Preview) -> str:
    """The shape is documented in clarion.preview.model."""
    return json.dumps(preview.as_json(), ensure_ascii=False, indent=2) + "\n"


# -- text ------------------------------------------------------------------------------


def render_text(preview: Preview) -> str:
    out: list[str] = []
    if preview.commit:
        out += [f"commit {preview.commit}", ""]
    for post in preview.posts:
        out.extend(_post_text(post))
        out.append("")
    return "\n".join(out)


def _post_text(post: PostView) -> Iterator[str]:
    yield f"{post.path}{'' if post.ok else '  [INVALID]'}"
    if post.schedule is not None:
        yield f"  publish: {post.schedule.says}"
    for effect in post.effects:
        yield f"  {'!!' if effect.loud else '*'} {effect.words}"
    for problem in post.problems:
        line = f"line {problem.line}: " if problem.line else ""
        yield f"  {problem.severity}: {line}{problem.message}"
    for view in post.networks:
        yield f"  {view.display}: {view.says}"
        yield from _network_text(view)


def _network_text(view: NetworkView) -> Iterator[str]:
    for deletion in view.deletes:
        yield f"    delete: {deletion.url or deletion.id}"
    if view.content_warning is not None:
        yield f"    content warning (its own field): {view.content_warning}"
    for key, value in view.options:
        yield f"    {_label(key)}: {value or DEFAULT_OPTION}"
    for number, part in enumerate(view.parts, view.first_part):
        yield f"    part {number} of {view.of}: {_count(part)}"
        yield textwrap.indent(part.text, "      | ", lambda _line: True)
    for image in view.images:
        yield f"    image (part 1): {image.path} — alt: {image.alt}"
    if view.card is not None:
        card = view.card
        thumbnail = f", thumbnail {card.thumbnail}" if card.thumbnail else ""
        state = f"sent with part 1{thumbnail}" if card.sent else card.why
        yield f"    link card: {card.title} <{card.url}> — {state}"
    if view.pin is not None:
        yield f"    pin: {_pin_words(view)}"
    for note in view.notes:
        yield f"    note: {note}"


def _pin_words(view: NetworkView) -> str:
    if view.pin == Pin.WILL_PIN:
        return "will be pinned"
    return f"pin it by hand on {view.display} (Clarion cannot pin there)"


# -- Markdown --------------------------------------------------------------------------

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~@$])")


def escape(text: str) -> str:
    """Inline Markdown that shows `text` as typed: no formatting, link, HTML,
    mention or math."""
    flat = " ".join(text.split())
    return _SPECIAL.sub(r"\\\1", flat)


def code(text: str) -> str:
    """An inline code span showing `text` literally (escapes do not work inside one)."""
    flat = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    marks = "`" * (longest + 1)
    pad = " " if not flat or flat.startswith("`") or flat.endswith("`") else ""
    return f"{marks}{pad}{flat}{pad}{marks}"


def fence(text: str, info: str = "text") -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}{info}\n{text}\n{marks}"


def _mark(view: NetworkView) -> str:
    if view.deletes:
        return "⚠️ "
    if view.loud:
        return "✏️ "
    if view.state == State.INVALID:
        return "❌ "
    return ""


def _post_markdown(post: PostView) -> str:
    mark = "✅" if post.ok else "❌"
    lines = [f"### {mark} {code(post.path)}", ""]
    if post.schedule is not None:
        lines += [f"**Publish:** {escape(post.schedule.says)}", ""]
    if post.effects:
        lines += [
            f"- ⚠️ **{escape(e.words)}**" if e.loud else f"- {escape(e.words)}" for e in post.effects
        ]
        lines.append("")
    errors = [p for p in post.problems if p.severity == ERROR]
    warnings = [p for p in post.problems if p.severity != ERROR]
    if errors:
        lines.append("**To fix before merging:**")
        lines.extend(f"- line {p.line or '?'}: {escape(p.message)}" for p in errors)
        lines.append("")
    if warnings:
        lines.append("**Warnings:**")
        lines.extend(f"- line {p.line or '?'}: {escape(p.message)}" for p in warnings)
        lines.append("")
    for view in post.networks:
        says = escape(view.says)
        lines += [f"#### {view.display} — {_mark(view)}{f'**{says}**' if view.loud else says}", ""]
        lines.extend(_network_markdown(view))
    return "\n".join(lines)


def _network_markdown(view: NetworkView) -> Iterator[str]:
    if view.deletes:
        yield from (f"- {code(d.url or d.id or '?')}" for d in view.deletes)
        yield ""
    if view.content_warning is not None:
        yield f"**Content warning** (in its own field): {code(view.content_warning)}"
        yield ""
    for key, value in view.options:
        yield f"**{_label(key).capitalize()}:** {code(value) if value else DEFAULT_OPTION}"
        yield ""
    for number, part in enumerate(view.parts, view.first_part):
        yield f"Part {number} of {view.of} · {_count(part)}"
        yield fence(part.text)
        yield ""
    if view.images:
        yield "**Images** (with part 1):"
        for image in view.images:
            shown = f" · [view]({image.url})" if image.url else ""
            yield f"- {code(image.path)}{shown} — alt: {escape(image.alt)}"
        yield ""
    if view.card is not None:
        card = view.card
        about = [escape(card.title), escape(card.description), code(card.url)]
        if card.sent:
            thumbnail = f", thumbnail {code(card.thumbnail)}" if card.thumbnail else ""
            state = f"sent with part 1{thumbnail}"
        else:
            state = escape(card.why)
        yield f"**Link card:** {' — '.join(filter(None, about))} — {state}"
        yield ""
    if view.pin is not None:
        yield f"**Pin:** {escape(_pin_words(view))}"
        yield ""
    for note in view.notes:
        yield f"> **Note:** {escape(note)}"
        yield ""


def _loud_summary(post: PostView) -> Iterator[str]:
    for effect in post.effects:
        if effect.loud:
            yield f"- ⚠️ {code(post.path)}: **{escape(effect.words)}**"


def _post_line(post: PostView) -> str:
    mark = "✅" if post.ok else "❌"
    counts = ", ".join(
        f"{view.display} {max((p.length for p in view.parts), default=0)}/{view.parts[0].limit}"
        for view in post.networks
        if view.parts
    )
    errors = sum(1 for p in post.problems if p.severity == ERROR)
    loud = [escape(e.words) for e in post.effects if e.loud]
    return (
        f"- {mark} {code(post.path)}"
        + (f" — {counts}" if counts else "")
        + (f" — {errors} error(s)" if errors else "")
        + "".join(f" — **{words}**" for words in loud)
    )


def render_markdown(preview: Preview) -> str:
    """The sticky pull-request comment: whole posts while they fit, then one
    line for each of the rest, always within GitHub's comment limit."""
    items = preview.posts
    bad = sum(1 for post in items if not post.ok)
    head = [MARKER, HEADING, ""]
    if not items:
        head.append("No post changed in this pull request.")
    elif bad:
        head.append(f"❌ {bad} of {len(items)} post(s) need a fix before merging.")
    else:
        head.append(
            f"✅ {len(items)} post(s) ready. This is what a merge does, exactly as each "
            "network will receive it."
        )
    loud = [line for post in items for line in _loud_summary(post)]
    if len(loud) > LOUD_LINES:
        more = len(loud) - LOUD_LINES + 1
        loud = [*loud[: LOUD_LINES - 1], f"- … and {more} more: see each post below"]
    if loud:
        head += ["", "**What else a merge does:**", *loud]
    body = "\n".join(head) + "\n\n"
    # Invalid posts first, then those that delete or edit: what a reviewer must see.
    ordered = sorted(
        items, key=lambda post: (post.ok, not any(e.loud for e in post.effects), post.path)
    )
    rest: list[str] = []
    for post in ordered:
        section = _post_markdown(post) + "\n"
        if not rest and len(body) + len(section) < MARKDOWN_BUDGET - 2_000:
            body += section
        else:
            rest.append(_post_line(post))
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
