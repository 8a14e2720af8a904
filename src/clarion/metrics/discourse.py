"""Discourse's counts, from each post's topic: one topic a request.

A receipt's id is its topic's. `GET /t/{id}.json` (https://docs.discourse.org,
Topics/getTopic; the fields as app/serializers/topic_view_serializer.rb and
post_serializer.rb give them) answers, for what the announcement itself got:

- likes: the first post's likes, its `actions_summary` entry of id 2 (a like;
  no entry is none), not the topic's `like_count`, which adds the answers' likes;
- replies: the topic's posts after the first (`posts_count` - 1), every answer
  in the topic;
- quotes: the first post's `quote_count`, its quotes in other posts;
- views: the topic's `views`; reposts: none on a forum (null).

Followers: not applicable (a forum's members do not follow a user): null, said
in the README. Discourse has no call that reads several topics by id (a topic
list is a category's or the latest, not chosen topics), so each part is one
request. The forum's API key is sent when the environment has it (a private
forum, or a private category, needs it), and then the admin API's limit applies
(60 requests a minute, 429 with `Retry-After`, which the Fetcher waits out within
`max_retry_wait`: what is left is read by the next run); without it the topic is
read as a visitor reads it. A topic deleted (404, or `deleted_at` for a
moderator's key) is not found.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from clarion.adapters.discourse_topic import first_post
from clarion.metrics.fetch import Answer, Fetcher
from clarion.metrics.readers import Batch, Counts, ReadFailed, ReadRefused, Target, count
from clarion.networks import DiscourseAccount

KEY_ENV = "CLARION_DISCOURSE_API_KEY"
LIKE = 2  # PostActionType.types[:like]


class DiscourseReader:
    def __init__(self, account: DiscourseAccount, key: str, fetch: Fetcher) -> None:
        self.base = account.url.strip().rstrip("/")
        self.headers = {"Accept": "application/json"}
        if key:
            self.headers.update({"Api-Key": key, "Api-Username": account.username.strip()})
        self.keyed = bool(key)
        self.fetch = fetch
        self.notes: list[str] = []

    def followers(self) -> int | None:
        return None  # a forum's members follow topics and categories, not a user

    def read(self, targets: Sequence[Target]) -> Iterator[Batch]:
        odd = [t for t in targets if not t.id.isdigit()]
        if odd:
            self.notes.append(
                f"Discourse: {len(odd)} receipt id(s) are not topic numbers and were not read "
                f"(first: {odd[0].path} part {odd[0].part}: {odd[0].id!r})"
            )
        for target in targets:
            if not target.id.isdigit():
                continue
            doing = f"reading topic {target.id}"
            answer = self.fetch.get(
                f"{self.base}/t/{target.id}.json", headers=self.headers, doing=doing
            )
            if answer.status in (404, 410):
                yield Batch(missing=[target])
                continue
            topic = self._topic(answer, doing)
            if topic.get("deleted_at"):
                yield Batch(missing=[target])  # a moderator's key sees deleted topics
                continue
            yield Batch(found=[(target, _counts(topic))])

    def _topic(self, answer: Answer, doing: str) -> Mapping[str, Any]:
        if answer.ok and isinstance(answer.data, dict):
            return answer.data
        body = answer.data if isinstance(answer.data, dict) else {}
        said = body.get("errors")
        detail = (
            f"{answer.status} {'; '.join(str(e) for e in said)}"
            if isinstance(said, list) and said
            else f"HTTP {answer.status}"
        )
        if answer.status in (401, 403):
            fix = (
                f"check {KEY_ENV} and the account's username"
                if self.keyed
                else f"a private forum is read with its API key: set {KEY_ENV}"
            )
            raise ReadRefused(f"Discourse: {self.base} refused {doing} ({detail}): {fix}")
        raise ReadFailed(f"Discourse: {self.base} refused {doing}: {detail}")


def _counts(topic: Mapping[str, Any]) -> Counts:
    first = first_post(topic)
    likes: int | None = None
    quotes: int | None = None
    if first is not None:
        actions = first.get("actions_summary")
        if isinstance(actions, list):
            likes = sum(
                count(a.get("count")) or 0
                for a in actions
                if isinstance(a, dict) and a.get("id") == LIKE
            )
        quotes = count(first.get("quote_count"))
    posts = count(topic.get("posts_count"))
    return Counts(
        likes=likes,
        reposts=None,
        replies=posts - 1 if posts else None,
        quotes=quotes,
        views=count(topic.get("views")),
    )


def reader(account: DiscourseAccount, env: Mapping[str, str], fetch: Fetcher) -> DiscourseReader:
    return DiscourseReader(account, env.get(KEY_ENV, "").strip(), fetch)
