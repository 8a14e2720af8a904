"""What a run will do, decided from the repository's state alone.

A post part with no receipt whose `publish_at` has passed is due; a post asking
`retract: true` or `edit: true` has a deletion or a correction due; the
approval gate (when the run has one) may hold any of them. Nothing here knows
any network's API or Git.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from clarion.adapters.base import Image, LinkCard, Outgoing, OutgoingPart, Receipt
from clarion.check.result import PostResult
from clarion.post import Post, StoredReceipt
from clarion.post.compose import compose, spoiler
from clarion.publish.report import NetworkOutcome, PostOutcome, PublishReport
from clarion.publish.state import JobKind, State, effective_state, networks_of


@dataclass(frozen=True)
class Job:
    """One post to send on one network, from part `start` on; or, for a post
    already out, to retract (delete) or to correct in place."""

    post: Post
    outgoing: Outgoing
    start: int
    kind: JobKind = JobKind.SEND


def stored_to_receipt(stored: StoredReceipt) -> Receipt:
    at = dt.datetime.now(dt.UTC)
    with contextlib.suppress(ValueError):
        at = dt.datetime.fromisoformat(stored.at.replace("Z", "+00:00"))
    return Receipt(at=at, id=stored.id, url=stored.url, outcome=stored.outcome)


def outgoing_for(post: Post, network: str, root: Path) -> Outgoing:
    """The post as `network` receives it. Media were checked by the validator."""
    from clarion.media.paths import resolve_media
    from clarion.media.sniff import sniff_file

    images: list[Image] = []
    for ref in post.media:
        path = resolve_media(post.path, root, ref.path)
        info = sniff_file(path)
        if info is None:  # pragma: no cover - the validator refuses these
            continue
        images.append(Image(path, ref.alt, info.mime, info.width, info.height))
    card: LinkCard | None = None
    link = post.link
    if link is not None:
        thumb: Image | None = None
        if link.thumbnail is not None:
            path = resolve_media(post.path, root, link.thumbnail)
            info = sniff_file(path)
            if info is not None:
                thumb = Image(path, link.title, info.mime, info.width, info.height)
        card = LinkCard(link.url, link.title, link.description, thumb)
    parts = tuple(
        OutgoingPart(
            part.index,
            part.text,
            tuple(images) if part.index == 0 else (),
            card if part.index == 0 else None,
        )
        for part in compose(post, network)
    )
    visibility = post.option(network, "visibility")
    return Outgoing(
        key=post.rel,
        network=network,
        parts=parts,
        lang=post.lang,
        spoiler=spoiler(post, network),
        visibility=visibility if isinstance(visibility, str) else None,
        title=post.title,
    )


def plan(
    posts: Iterable[tuple[Post, PostResult]],
    now: dt.datetime,
    default_platforms: tuple[str, ...],
    root: Path,
    *,
    include_examples: bool,
    gate: Callable[[Post], str | None] | None = None,
) -> tuple[list[Job], PublishReport]:
    """Decide what is due from the files alone, and the state of everything else."""
    jobs: list[Job] = []
    report = PublishReport()
    reasons: dict[str, str] = {}

    def gated(post: Post) -> str:
        """Why the approval gate holds `post` ("" when it may go); asked once per post."""
        if gate is None:
            return ""
        if post.rel not in reasons:
            reasons[post.rel] = gate(post) or ""
        return reasons[post.rel]

    ordered = sorted(
        posts,
        key=lambda item: (
            item[0].publish_at or dt.datetime.min.replace(tzinfo=dt.UTC),
            item[0].rel,
        ),
    )
    for post, result in ordered:
        outcome = PostOutcome(post.rel)
        report.posts.append(outcome)
        for network in networks_of(post, default_platforms):
            standing = effective_state(
                post, result, network, now, include_examples=include_examples
            )
            if standing.job is None:
                outcome.networks[network] = NetworkOutcome(
                    network, standing.state, message=standing.message
                )
                continue
            if reason := gated(post):
                outcome.networks[network] = NetworkOutcome(network, State.HELD, message=reason)
                continue
            outcome.networks[network] = NetworkOutcome(network, standing.state)
            if standing.job == JobKind.RETRACT:
                # A deletion sends nothing: the post's text and images (maybe gone
                # from the repository since) are not needed.
                bare = Outgoing(key=post.rel, network=network, parts=())
                jobs.append(Job(post, bare, 0, JobKind.RETRACT))
            elif standing.job == JobKind.EDIT:
                jobs.append(Job(post, outgoing_for(post, network, root), 0, JobKind.EDIT))
            else:
                start = len(post.receipts.get(network, ()))
                jobs.append(Job(post, outgoing_for(post, network, root), start))
    return jobs, report
