"""What a merge will do, per post and network: the preview's result, apart from
how it is shown (`clarion.preview.render`: text and Markdown), and its JSON.

Where a post stands on a network and what a run would do there come from the
one state function, `clarion.publish.state.effective_state`, for the networks
`networks_of` names; what a network can do (edit, pin, a content-warning
field, images and a card together) comes from the registry. Here those facts
become what a reviewer must read: each part's text exactly as sent, the
content warning and the network's options (Mastodon's visibility), images
with their alt text, the link card or why it is not sent, the schedule, and in
words that cannot be missed what else happens (deletions, edits in place,
pinning, X's price of a link).

`clarion preview --format json` prints `Preview.as_json()`:

    {
      "commit": "<sha>" | null,          # the commit described, when known
      "ok": true,                        # every post valid
      "posts": [{
        "path": "posts/launch.md",
        "ok": true,
        "problems": [{"severity", "code", "line", "column", "message"}],
        "schedule": {
          "publish_at": "2027-01-15T08:00:00+00:00" | null,  # as the post says, in UTC
          "timezone": "Europe/Amsterdam",                     # the repository's
          "local": "2027-01-15T09:00:00+01:00" | null,        # in that zone
          "past": false,     # its time has passed: goes out as soon as merged
          "says": "…"        # the same in words
        } | null,            # null: nothing is left to send (published, retracted)
        "effects": ["WILL DELETE 3 parts from X", …],  # what else a merge does, in words
        "networks": {
          "<network>": {
            "display": "Mastodon",
            "state": "due" | "scheduled" | "published" | "invalid" | …,  # clarion status's
            "action": "send" | "retract" | "edit" | null,               # what a run does
            "says": "…",                     # that, in words
            "first_part": 1,                 # the first part sent (1: the whole thread)
            "parts": [{"number", "text", "length", "limit", ("bytes", "byte_limit")}],
            "content_warning": "…" | null,   # sent in the network's own field
            "options": {"visibility": "unlisted" | null},  # null: the account's default
            "images": [{"path", "alt", "url"}],  # with the first part; url when known
            "link_card": {"url", "title", "description", "thumbnail", "sent",
                          "why"} | null,     # why: when it is not sent
            "deletes": [{"id", "url"}],      # the parts a retraction deletes
            "pin": "will-pin" | "by-hand" | null,
            "notes": ["…"]                   # anything else a reviewer should know
          }
        }
      }]
    }
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clarion import networks
from clarion.check.result import PartCount, PostResult, Problem
from clarion.post import Post
from clarion.publish.state import (
    JobKind,
    Standing,
    State,
    effective_state,
    networks_of,
    receipt_state,
)

# What a link costs on a network, where it costs more than text. The registry
# has no field for this yet, so it sits here as data: the note, and the
# network's rule finding links in a part ("module:function", loaded when used).
LINK_NOTES: Mapping[str, tuple[str, str]] = {
    "x": (
        "this post has a link: under X's pay-per-use API pricing a post with a link costs "
        "$0.20 instead of $0.015 (since February 2026), and X's ranking shows posts with "
        "links to fewer people",
        "clarion.text.x:urls",
    ),
}


@dataclass(frozen=True)
class PreviewContext:
    """Where the preview is shown: the repository's time zone, where its images
    can be seen (the pull request's head, e.g. https://github.com/OWNER/REPO/raw/SHA/),
    and the commit it describes, when known."""

    timezone: str = "UTC"
    image_base: str | None = None
    commit: str | None = None


# ---------------------------------------------------------------- the result


@dataclass(frozen=True)
class Schedule:
    at: dt.datetime | None  # None: as soon as merged (or publish_at cannot be read)
    timezone: str
    past: bool  # `at` has passed: it goes out as soon as merged
    unreadable: bool = False  # publish_at is there but is not a date and time with an offset

    @property
    def utc(self) -> str:
        return f"{self.at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" if self.at else ""

    @property
    def local(self) -> dt.datetime | None:
        if self.at is None or self.timezone == "UTC":
            return None
        try:
            return self.at.astimezone(ZoneInfo(self.timezone))
        except (ZoneInfoNotFoundError, ValueError):
            return None

    @property
    def when(self) -> str:
        """The time in UTC and in the repository's zone."""
        local = self.local
        zone = f" ({local:%Y-%m-%d %H:%M} {self.timezone})" if local else ""
        return self.utc + zone

    @property
    def says(self) -> str:
        if self.unreadable:
            return "publish_at cannot be read: see what to fix"
        if self.at is None:
            return "as soon as merged"
        if self.past:
            return f"{self.when}, in the past: goes out as soon as merged"
        return f"{self.when} at the earliest"

    def as_json(self) -> dict[str, Any]:
        local = self.local
        return {
            "publish_at": self.at.astimezone(dt.UTC).isoformat() if self.at else None,
            "timezone": self.timezone,
            "local": local.isoformat() if local else None,
            "past": self.past,
            "says": self.says,
        }


@dataclass(frozen=True)
class ImageView:
    path: str
    alt: str
    url: str | None  # where a reviewer can see it

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "alt": self.alt, "url": self.url}


@dataclass(frozen=True)
class CardView:
    url: str
    title: str
    description: str
    thumbnail: str | None
    sent: bool
    why: str = ""  # when it is not sent

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "description": self.description,
            "thumbnail": self.thumbnail,
            "sent": self.sent,
            "why": self.why or None,
        }


@dataclass(frozen=True)
class Deletion:
    id: str | None
    url: str | None


class Pin(StrEnum):
    WILL_PIN = "will-pin"
    BY_HAND = "by-hand"


@dataclass(frozen=True)
class NetworkView:
    """What a merge does on one network."""

    network: str
    display: str
    state: State
    action: JobKind | None
    says: str  # what happens there, in words
    loud: bool = False  # something is deleted or changed in place
    first_part: int = 1
    of: int = 0  # parts in the thread
    parts: tuple[PartCount, ...] = ()  # those sent, from `first_part` on
    content_warning: str | None = None  # in the network's own field
    options: tuple[tuple[str, str | None], ...] = ()  # None: the account's default
    images: tuple[ImageView, ...] = ()
    card: CardView | None = None
    deletes: tuple[Deletion, ...] = ()
    pin: Pin | None = None
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "display": self.display,
            "state": str(self.state),
            "action": str(self.action) if self.action else None,
            "says": self.says,
            "first_part": self.first_part,
            "parts": [
                {"number": self.first_part + n, **part.as_json()}
                for n, part in enumerate(self.parts)
            ],
            "content_warning": self.content_warning,
            "options": dict(self.options),
            "images": [image.as_json() for image in self.images],
            "link_card": self.card.as_json() if self.card else None,
            "deletes": [{"id": d.id, "url": d.url} for d in self.deletes],
            "pin": self.pin,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Effect:
    """What else a merge does to a post, in words that cannot be missed."""

    words: str
    loud: bool  # it deletes or changes what is out


@dataclass(frozen=True)
class PostView:
    path: str
    ok: bool
    problems: tuple[Problem, ...]
    schedule: Schedule | None  # None: nothing is left to send
    networks: tuple[NetworkView, ...]
    effects: tuple[Effect, ...] = ()

    @property
    def deletes(self) -> int:
        return sum(len(view.deletes) for view in self.networks)

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "problems": [p.as_json() for p in self.problems],
            "schedule": self.schedule.as_json() if self.schedule else None,
            "effects": [effect.words for effect in self.effects],
            "networks": {view.network: view.as_json() for view in self.networks},
        }


@dataclass(frozen=True)
class Preview:
    posts: tuple[PostView, ...]
    commit: str | None = None

    @property
    def ok(self) -> bool:
        return all(post.ok for post in self.posts)

    def as_json(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "ok": self.ok,
            "posts": [post.as_json() for post in self.posts],
        }


# ---------------------------------------------------------------- deciding


def build(
    items: Iterable[tuple[Post, PostResult]],
    platforms: tuple[str, ...],
    now: dt.datetime,
    context: PreviewContext | None = None,
) -> Preview:
    """What merging `items` (posts and their check results) will do at `now`."""
    context = context or PreviewContext()
    return Preview(
        tuple(_post(post, result, platforms, now, context) for post, result in items),
        context.commit,
    )


def _post(
    post: Post,
    result: PostResult,
    platforms: tuple[str, ...],
    now: dt.datetime,
    context: PreviewContext,
) -> PostView:
    views = tuple(
        _network(post, result, network, now, context) for network in networks_of(post, platforms)
    )
    # The schedule matters while something is left to send (an example never is).
    to_send = not (post.retract or post.example) and any(
        receipt_state(post, network, now) in (State.DUE, State.SCHEDULED)
        for network in post.networks(platforms)
    )
    at = post.publish_at
    schedule = Schedule(
        at,
        context.timezone,
        past=at is not None and at <= now,
        unreadable=at is None and post.publish_at_text is not None,
    )
    return PostView(
        result.path,
        result.ok,
        tuple(result.problems),
        schedule if to_send else None,
        views,
        _effects(post, views),
    )


def _effects(post: Post, views: Sequence[NetworkView]) -> tuple[Effect, ...]:
    effects: list[Effect] = []
    deleting = [v for v in views if v.deletes]
    if deleting:
        each = [f"{_plural(len(v.deletes), 'part')} from {v.display}" for v in deleting]
        effects.append(Effect(f"WILL DELETE {_and(each)} (retract: true)", loud=True))
    if post.edit:
        editing = [v.display for v in views if v.action == JobKind.EDIT]
        # Published and nothing to do there: the network cannot edit (effective_state).
        cannot = [v.display for v in views if v.state == State.PUBLISHED and v.action is None]
        words = []
        if editing:
            words.append(f"will be edited in place on {_and(editing)}")
        if cannot:
            words.append(
                f"{_and(cannot)} cannot edit: the correction is not applied there "
                "(retract the post to remove it)"
            )
        if words:
            effects.append(Effect(_capital("; ".join(words)), loud=bool(editing)))
    if post.data.get("pin") is True:
        pinned = [v.display for v in views if v.pin == Pin.WILL_PIN]
        by_hand = [v.display for v in views if v.pin == Pin.BY_HAND]
        words = []
        if pinned:
            words.append(f"will be pinned on {_and(pinned)}")
        if by_hand:
            words.append(f"pin it by hand on {_and(by_hand)}")
        if words:
            effects.append(Effect(_capital("; ".join(words)), loud=False))
    return tuple(effects)


def _network(
    post: Post, result: PostResult, network: str, now: dt.datetime, context: PreviewContext
) -> NetworkView:
    standing = effective_state(post, result, network, now, include_examples=False)
    state, job = standing.state, standing.job
    display = networks.display(network)
    receipts = post.receipts.get(network, ())
    if job == JobKind.RETRACT:
        gone = tuple(Deletion(r.id, r.url) for r in receipts if r.id and not r.retracted)
        says = f"WILL DELETE {_plural(len(gone), 'part')} from {display}"
        return NetworkView(network, display, state, job, says, loud=True, deletes=gone)
    entry = networks.find(network)
    counts = tuple(result.networks.get(network, ()))
    first = len(receipts) if job == JobKind.SEND else 0
    says = _says(post, network, standing, now, context.timezone, first, len(counts))
    # Text goes out (an invalid post's once it is fixed), or replaces what is out.
    sends = job == JobKind.SEND or state in (State.SCHEDULED, State.INVALID)
    edits = job == JobKind.EDIT
    if entry is None or not (sends or edits):
        shown = counts if state == State.EXAMPLE else ()
        return NetworkView(network, display, state, job, says, parts=shown, of=len(counts))
    shown = counts[first:]
    notes: list[str] = []
    if entry.needs_title and post.title:  # a Discourse topic's title, as the forum keeps it
        notes.append(f"the title: {entry.measure_title(post.title, None).text}")
    if first == 0 and post.content_warning and not entry.spoiler_field:
        notes.append(f"the content warning opens the text ({display} has no field for it)")
    images = _images(post, context) if first == 0 else ()
    if edits and images:
        notes.append("the images stay as they are; their alt texts are updated")
    link = LINK_NOTES.get(network)
    if link is not None and _has_link(shown, link[1]):
        notes.append(link[0])
    return NetworkView(
        network,
        display,
        state,
        job,
        says,
        loud=edits,
        first_part=first + 1,
        of=len(counts),
        parts=shown,
        content_warning=post.content_warning if entry.spoiler_field else None,
        options=() if edits else _options(post, entry),  # an edit cannot change them
        images=images,
        card=_card(post, entry) if first == 0 and not edits else None,
        pin=None if edits else _pin(post, entry),
        notes=tuple(notes),
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _says(
    post: Post,
    network: str,
    standing: Standing,
    now: dt.datetime,
    timezone: str,
    sent: int,
    total: int,
) -> str:
    """What happens on `network`, in words; `sent` of its `total` parts are out."""
    state, job, message = standing.state, standing.job, standing.message
    when = post.publish_at
    display = networks.display(network)
    if job == JobKind.SEND:
        late = ", its time has passed" if when is not None and when <= now else ""
        if not sent:
            return f"will be sent as soon as merged{late}: {_plural(total, 'part')}"
        rest = f"part {total}" if sent + 1 == total else f"parts {sent + 1}–{total}"
        out = "part 1 is" if sent == 1 else f"parts 1–{sent} are"
        return f"{rest} will be sent as soon as merged{late} ({out} out already)"
    if job == JobKind.EDIT:
        return f"WILL BE EDITED IN PLACE on {display}: {_plural(total, 'part')} as below"
    if state == State.SCHEDULED and when is not None:
        at = Schedule(when, timezone, past=False).when
        return f"scheduled: {_plural(total, 'part')}, sent at {at} at the earliest"
    if state == State.INVALID:
        # The reasons are the post's errors, listed with it.
        if post.edit and receipt_state(post, network, now) == State.PUBLISHED:
            return "NOT CORRECTED until the post is fixed"
        return "NOT SENT until the post is fixed"
    if state == State.PUBLISHED:
        if post.edit:  # and the network cannot edit, or there would be a job
            return (
                f"already published; {display} cannot edit, so the correction is not applied "
                "there (retract the post to remove it)"
            )
        return "already published: nothing is sent"
    if state == State.RETRACTED:
        if any(r.id for r in post.receipts.get(network, ())):
            return "retracted: nothing is sent"
        return "retracted before it went out: nothing is sent"
    if state == State.EXAMPLE:
        return "example: true — never sent by a real run (only by --sandbox and --dry-run)"
    if state == State.NEEDS_PERSON:
        return "needs a person: " + (
            message or "an outcome: unknown entry: check the network, then fill in or delete it"
        )
    return message or str(state)


def _options(post: Post, entry: networks.Network) -> tuple[tuple[str, str | None], ...]:
    """The network's own options (Mastodon's visibility) as the post sets them."""
    found = []
    for key, schema in entry.options.items():
        value = post.option(entry.name, key)
        if value is None and "default" in schema:
            continue  # the network's own default, nothing to say
        found.append((key, None if value is None else str(value)))
    return tuple(found)


def _images(post: Post, context: PreviewContext) -> tuple[ImageView, ...]:
    return tuple(
        ImageView(ref.path, ref.alt, _image_url(context, post, ref.path)) for ref in post.media
    )


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


def _card(post: Post, entry: networks.Network) -> CardView | None:
    link = post.link
    if link is None:
        return None
    card = CardView(link.url, link.title, link.description, link.thumbnail, sent=True)
    # A network with a single embed (Bluesky) takes the card as that embed; the
    # others make their own card from a link in the text (the schema's `link`).
    # The registry says no more than `single_embed` about cards.
    if not entry.single_embed:
        why = f"not sent: {entry.display} makes its own card from a link in the text"
        return replace(card, sent=False, why=why)
    if post.media:
        why = (
            f"dropped: {entry.display} shows images or a link card, not both, and this post "
            "has images (a link in the text stays a link)"
        )
        return replace(card, sent=False, why=why)
    return card


def _pin(post: Post, entry: networks.Network) -> Pin | None:
    if post.data.get("pin") is not True:
        return None
    return Pin.WILL_PIN if entry.can_pin else Pin.BY_HAND


def _has_link(parts: Sequence[PartCount], rule: str) -> bool:
    module, _, name = rule.partition(":")
    find: Callable[[str], list[str]] = getattr(importlib.import_module(module), name)
    return any(find(part.text) for part in parts)
