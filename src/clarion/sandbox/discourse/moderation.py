"""What the Discourse stand-in shows of a topic's engagement and of what the forum's
moderators did to it, as tests make it happen: likes, replies and views moved
(`DiscourseStandIn.set_counts`), and a topic closed, archived, unlisted, its
first post hidden or edited, the topic deleted (`stand_in.moderation`).

A topic as `GET /t/{id}.json` gives it (https://docs.discourse.org, Topics/getTopic;
app/serializers/topic_view_serializer.rb): `views`, `like_count`, `posts_count`
(the first post and every answer), `reply_count`, `visible` (false: unlisted),
`closed`, `archived`; each post of `post_stream.posts` as
app/serializers/post_serializer.rb gives it: `version`, `hidden` (hidden after
flags, with `hidden_reason_id`), `quote_count`, and `actions_summary`, where the
like is the action of id 2 (PostActionType.types[:like]) with its `count`.

`GET /posts/{id}/revisions/latest.json` (config/routes.rb, posts#latest_revision;
app/serializers/post_revision_serializer.rb): the post's latest revision, who made
it (`username`) and when; a post never edited has none (404).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clarion.sandbox.discourse import rules
from clarion.sandbox.engagement import Engagement
from clarion.sandbox.server import Request, Response

if TYPE_CHECKING:
    from clarion.sandbox.discourse.standin import DiscourseStandIn, StoredTopic

LIKE = 2  # PostActionType.types[:like]
HIDDEN_BY_FLAGS = 1  # Post.hidden_reasons[:flag_threshold_reached]
REVISIONS = re.compile(r"/posts/(\d+)/revisions/latest\.json")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Revision:
    version: int
    username: str
    at: str


@dataclass
class Moderation:
    """The counts of each topic (by its id, as text) and what moderators did to it."""

    forum: DiscourseStandIn
    engagement: Engagement = field(default_factory=Engagement)
    closed: set[int] = field(default_factory=set)
    archived: set[int] = field(default_factory=set)
    unlisted: set[int] = field(default_factory=set)
    hidden: set[int] = field(default_factory=set)  # topics whose first post is hidden
    edits: dict[int, Revision] = field(default_factory=dict)  # the last edit by someone else

    # -- what the forum's moderators do -------------------------------------------------
    def close(self, topic_id: int) -> None:
        with self.forum._lock:
            self.closed.add(topic_id)

    def archive(self, topic_id: int) -> None:
        with self.forum._lock:
            self.archived.add(topic_id)

    def unlist(self, topic_id: int) -> None:
        with self.forum._lock:
            self.unlisted.add(topic_id)

    def list_again(self, topic_id: int) -> None:
        with self.forum._lock:
            self.unlisted.discard(topic_id)

    def hide(self, topic_id: int) -> None:
        """The first post is hidden: flagged by enough members (or a moderator)."""
        with self.forum._lock:
            self.hidden.add(topic_id)

    def delete(self, topic_id: int) -> None:
        with self.forum._lock:
            self.forum.topics[topic_id].deleted = True

    def edit(self, topic_id: int, raw: str, by: str = "a_moderator") -> None:
        """Someone other than Clarion's user edits the first post (a new revision)."""
        with self.forum._lock:
            topic = self.forum.topics[topic_id]
            topic.raw = raw
            topic.version += 1
            self.edits[topic_id] = Revision(topic.version, by, _now())

    # -- what the answers show --------------------------------------------------------
    def topic(self, topic: StoredTopic, shown: dict[str, Any]) -> dict[str, Any]:
        """A topic's JSON (`shown`, as the stand-in makes it) with its counts and state."""
        counts = self.engagement.of(str(topic.id))
        replies = counts.replies or 0
        shown.update(
            views=counts.views,
            like_count=counts.likes,
            posts_count=1 + replies,
            reply_count=replies,
            visible=topic.id not in self.unlisted,
            closed=topic.id in self.closed,
            archived=topic.id in self.archived,
        )
        first = shown["post_stream"]["posts"][0]
        first["actions_summary"] = [{"id": LIKE, "count": counts.likes}] if counts.likes else []
        first["quote_count"] = counts.quotes
        first["hidden"] = topic.id in self.hidden
        if topic.id in self.hidden:
            first["hidden_reason_id"] = HIDDEN_BY_FLAGS
        return shown

    def latest_revision(self, request: Request) -> Response:
        """GET /posts/{id}/revisions/latest.json."""
        found = REVISIONS.fullmatch(request.path)
        topic = None
        if found is not None:
            post_id = int(found[1])
            topic = next(
                (t for t in self.forum.topics.values() if t.post_id == post_id and not t.deleted),
                None,
            )
        if topic is None or topic.version < 2:
            return rules.not_found()
        outside = self.edits.get(topic.id)
        if outside is not None and outside.version == topic.version:
            username, at = outside.username, outside.at
        else:  # the forum's own user: Clarion's correction
            username, at = self.forum.username, topic.edited_at or topic.created_at
        return Response.json(
            {
                "created_at": at,
                "post_id": topic.post_id,
                "previous_hidden": False,
                "current_hidden": topic.id in self.hidden,
                "first_revision": 2,
                "previous_revision": topic.version - 1,
                "current_revision": topic.version,
                "next_revision": None,
                "last_revision": topic.version,
                "current_version": topic.version,
                "version_count": topic.version,
                "username": username.lower(),
                "display_username": username,
                "edit_reason": None,
            }
        )
