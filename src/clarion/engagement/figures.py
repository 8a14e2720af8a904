"""The engagement figures: from each first part's latest counts, per network.

A post's figures are its first part's (SPEC): a thread's later parts are read
by fewer people, and counting them would make a network that takes threads
look busier. Each network's figures are medians over its posts (one viral post
moves a mean, not a median), per post and per 1,000 followers (the account's
followers on the line the counts come from), for posts with a link against
posts without, and by the month a post went out (UTC). Posts sent to several
networks are also compared side by side: the same words, so the difference is
the network's.

The result is data (`Engagement`); how it is shown is the reporters' (text,
JSON, CSV) and the site's.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from clarion import networks
from clarion.engagement.posts import Copies, Copy
from clarion.metrics.lines import MetricsLine

RECENT_SHARED = 5  # the posts sent to several networks listed side by side


class Counted(NamedTuple):
    """One post on one network: its first part's latest counts."""

    copy: Copy
    line: MetricsLine
    month: str | None  # YYYY-MM it went out, UTC; None when its receipt has no readable time

    @property
    def likes_per_1000(self) -> float | None:
        likes, followers = self.line.likes, self.line.followers
        if likes is None or not followers:
            return None
        return likes * 1000 / followers


@dataclass(frozen=True)
class Split:
    """Posts of one kind (with a link, or without) and their median likes."""

    posts: int
    median_likes: float | None


@dataclass(frozen=True)
class Group:
    """The figures of some posts on one network (all of them, or one month's)."""

    posts: int
    median_likes: float | None
    median_reposts: float | None
    median_replies: float | None
    median_likes_per_1000_followers: float | None
    with_link: Split
    without_link: Split


@dataclass(frozen=True)
class NetworkFigures:
    network: str
    overall: Group
    by_month: Mapping[str, Group]  # YYYY-MM -> the posts that went out that month, oldest first
    followers: int | None  # on the newest line read

    @property
    def display(self) -> str:
        return networks.display(self.network)


@dataclass(frozen=True)
class SharedPost:
    """A post sent to several networks, and its likes on each."""

    path: str
    sent: str | None
    likes: Mapping[str, int | None]  # network -> likes of its first part there


@dataclass(frozen=True)
class Shared:
    """The posts with counts on two networks or more, compared side by side."""

    posts: int
    most_likes: Mapping[str, int]  # network -> posts on which it had more likes than any other
    ties: int  # posts on which two networks shared the most likes
    median_likes: Mapping[str, float | None]  # network -> median likes over those posts sent there
    recent: tuple[SharedPost, ...]  # the newest few, newest first


@dataclass(frozen=True)
class Engagement:
    networks: tuple[NetworkFigures, ...]  # the registry's order, then any other by name
    posts: int  # post files counted on at least one network
    shared: Shared
    since: dt.date | None
    unmatched: int  # first parts counted in the lines that no post file holds now
    undated: int  # posts left out by --since: their receipt gives no time


def compute(
    latest: Iterable[MetricsLine],
    copies: Copies,
    *,
    since: dt.date | None = None,
    networks_shown: Iterable[str] = (),
) -> Engagement:
    """The figures of the first parts' `latest` lines (`clarion.metrics.lines.latest`),
    for posts whose first part went out on or after `since`. `networks_shown` are
    listed even without counts (the networks the repository has accounts on)."""
    counted: dict[str, list[Counted]] = {name: [] for name in networks_shown}
    unmatched = undated = 0
    for line in latest:
        if line.part != 0:
            continue
        copy = copies.find(line.network, line.id, line.path)
        if copy is None:
            unmatched += 1
            continue
        posts = counted.setdefault(line.network, [])  # listed, even with none since `since`
        day = _day(copy.sent)
        if since is not None and (day is None or day < since.isoformat()):
            undated += day is None
            continue
        posts.append(Counted(copy, line, day[:7] if day else None))
    figures = tuple(_network(name, counted[name]) for name in _order(counted))
    total = len({c.copy.path for found in counted.values() for c in found})
    return Engagement(figures, total, _shared(counted), since, unmatched, undated)


def _order(names: Iterable[str]) -> list[str]:
    known = networks.names()
    names = set(names)
    return [n for n in known if n in names] + sorted(names - set(known))


def _network(name: str, posts: list[Counted]) -> NetworkFigures:
    months: dict[str, list[Counted]] = {}
    for post in posts:
        if post.month is not None:
            months.setdefault(post.month, []).append(post)
    newest = max(posts, key=lambda p: p.line.at, default=None)
    return NetworkFigures(
        network=name,
        overall=group(posts),
        by_month={month: group(months[month]) for month in sorted(months)},
        followers=newest.line.followers if newest is not None else None,
    )


def group(posts: list[Counted]) -> Group:
    """The figures of `posts` (one network's)."""
    linked = [p for p in posts if p.copy.link]
    unlinked = [p for p in posts if not p.copy.link]
    return Group(
        posts=len(posts),
        median_likes=_median(p.line.likes for p in posts),
        median_reposts=_median(p.line.reposts for p in posts),
        median_replies=_median(p.line.replies for p in posts),
        median_likes_per_1000_followers=_median(p.likes_per_1000 for p in posts),
        with_link=Split(len(linked), _median(p.line.likes for p in linked)),
        without_link=Split(len(unlinked), _median(p.line.likes for p in unlinked)),
    )


def _median(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(statistics.median(known)) if known else None


def _shared(counted: Mapping[str, list[Counted]]) -> Shared:
    by_path: dict[str, dict[str, Counted]] = {}
    for network, posts in counted.items():
        for post in posts:
            by_path.setdefault(post.copy.path, {})[network] = post
    several = {path: found for path, found in by_path.items() if len(found) > 1}
    most: dict[str, int] = {}
    ties = 0
    likes: dict[str, list[float | None]] = {}
    for found in several.values():
        best = max((c.line.likes or 0) for c in found.values())
        leaders = [n for n, c in found.items() if (c.line.likes or 0) == best]
        if len(leaders) == 1:
            most[leaders[0]] = most.get(leaders[0], 0) + 1
        else:
            ties += 1
        for network, post in found.items():
            likes.setdefault(network, []).append(post.line.likes)
    order = _order(likes)
    newest = sorted(
        several.items(),
        key=lambda item: (min(c.copy.sent or "" for c in item[1].values()), item[0]),
        reverse=True,
    )[:RECENT_SHARED]
    recent = tuple(
        SharedPost(
            path,
            min((c.copy.sent for c in found.values() if c.copy.sent), default=None),
            {n: found[n].line.likes for n in _order(found)},
        )
        for path, found in newest
    )
    return Shared(
        posts=len(several),
        most_likes={n: most.get(n, 0) for n in order},
        ties=ties,
        median_likes={n: _median(likes[n]) for n in order},
        recent=recent,
    )


_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T[\d:.]+Z")


def _day(text: str | None) -> str | None:
    """YYYY-MM-DD, UTC, of a receipt's time; None when it has no readable one."""
    if not text:
        return None
    if _UTC.fullmatch(text):  # as Clarion writes receipts: read as it is
        return text[:10]
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return f"{when.astimezone(dt.UTC):%Y-%m-%d}" if when.tzinfo is not None else None
