"""What the sandbox makes happen on the stand-ins once the example posts are out,
so that `clarion metrics --sandbox` and `clarion watch --sandbox` have something
to read: people like, repost and answer the posts and follow the accounts;
moderators hide, label, mark and delete some.

Everything is done through the stand-ins' own hooks, as the tests do it, with
fixed values, so a rehearsal reads the same each time. The moderation is each
platform's own (the Bluesky AppView hides and labels, Mastodon's moderators mark
sensitive, X loses a post), so it names its networks; one the posts did not go
to is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clarion import networks
from clarion.sandbox.networks import Sandbox


@dataclass(frozen=True)
class Out:
    """A part published to a stand-in."""

    network: str
    path: str  # the post file, relative to the repository
    part: int  # 0-based
    id: str  # its id there, as its receipt says


@dataclass(frozen=True)
class Done:
    """Something the sandbox did to a part, for people."""

    out: Out
    what: str


def _by_network(parts: Sequence[Out]) -> dict[str, list[Out]]:
    """Per network, in the registry's order, its parts: first parts first (one thing
    done to each post while there are posts), then post by post."""
    found: dict[str, list[Out]] = {}
    for out in sorted(parts, key=lambda o: (o.part != 0, o.path, o.part)):
        found.setdefault(out.network, []).append(out)
    return {name: found[name] for name in networks.names() if name in found}


def move_counts(box: Sandbox, parts: Sequence[Out]) -> None:
    """Likes, reposts and replies on every part, and followers on every account that
    has them: different on each network and each post, the same on every run."""
    for network, outs in _by_network(parts).items():
        rank = networks.names().index(network) + 1
        stand_in = box.get(network)
        for number, out in enumerate(outs):
            first = out.part == 0  # a thread's later parts are read by fewer people
            moves = {
                "likes": 5 * rank + 4 * number if first else rank,
                "reposts": rank + number if first else 0,
                "replies": (rank + number) % 4,
            }
            for name, value in moves.items():
                try:
                    stand_in.set_counts(out.id, **{name: value})
                except TypeError:  # a count the network does not show (a topic's reposts)
                    continue
        _set_followers(stand_in, 1000 * rank + 250)


def _set_followers(stand_in: Any, followers: int) -> None:
    """The account's followers, where the stand-in keeps them: its own (what Bluesky's
    getProfile and X's users/me answer) or its engagement's; a forum has none."""
    holder = getattr(stand_in, "engagement", stand_in)
    if hasattr(holder, "followers"):
        holder.followers = followers


def moderate(box: Sandbox, parts: Sequence[Out]) -> list[Done]:
    """One post hidden and one labelled on Bluesky, one marked sensitive on Mastodon,
    one deleted on X (by someone else than Clarion): what was done."""
    outs = _by_network(parts)
    done: list[Done] = []
    bluesky = outs.get("bluesky", [])
    if bluesky:
        box.get("bluesky").appview.hide(bluesky[0].id)
        done.append(Done(bluesky[0], "hidden by the AppView (the record stays on the PDS)"))
    if len(bluesky) > 1:
        box.get("bluesky").appview.label(bluesky[1].id, "spam")
        done.append(Done(bluesky[1], "labelled 'spam' by Bluesky's moderation service"))
    mastodon = outs.get("mastodon", [])
    if mastodon:
        warning = "Please put posts about security issues behind a content warning."
        box.get("mastodon").moderation.mark_sensitive(mastodon[0].id, warning)
        done.append(Done(mastodon[0], "marked sensitive by the instance's moderators"))
    x = outs.get("x", [])
    if x:
        box.get("x").reading.delete(x[0].id)
        done.append(Done(x[0], "deleted on X, outside Clarion"))
    return done
