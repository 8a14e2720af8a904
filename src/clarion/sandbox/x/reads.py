"""The X stand-in's timeline of the account, `GET /2/users/:id/tweets`, with each
post's public metrics: what `clarion metrics` reads recent parts from.

The rules it keeps (docs.x.com/x-api/posts/user-posts-timeline-by-user-id):

- `max_results` from 5 to 100 (10 when not given), else 400 with X's problem body;
- newest first, `start_time` (RFC 3339, inclusive) the oldest taken, `exclude`
  of `retweets` and `replies`, `pagination_token` for the next page;
- only the 3,200 most recent posts are reachable;
- `meta` has `result_count`, `newest_id`, `oldest_id`, and `next_token` while
  more remain; `data` is absent when the page is empty;
- `tweet.fields=public_metrics` adds `retweet_count`, `reply_count`,
  `like_count`, `quote_count`, `bookmark_count` and `impression_count`
  (docs.x.com/x-api/fundamentals/fields): the same counts the post lookup
  (`clarion.sandbox.x.reading`) gives, from the same store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from clarion.sandbox.server import Request, Response
from clarion.sandbox.x.rules import invalid
from clarion.sandbox.x.state import SANDBOX_USER_ID, StoredTweet, XState

PAGE_MIN, PAGE_MAX, PAGE_DEFAULT = 5, 100, 10
REACH = 3200  # "Only the 3200 most recent Posts are available"
METRICS = ("retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count")
_PATH = re.compile(r"/2/users/([^/]+)/tweets")

Counts = Mapping[str, Mapping[str, int]]  # post id -> X's metric name -> count


def public_metrics(counts: Counts, tweet: StoredTweet) -> dict[str, int]:
    moved = counts.get(tweet.id, {})
    return {
        **{name: int(moved.get(name, 0)) for name in METRICS},
        "impression_count": int(moved.get("impression_count", 0)),
    }


def timeline(state: XState, request: Request, counts: Counts) -> Response:
    """GET /2/users/:id/tweets"""
    match = _PATH.fullmatch(request.path)
    if match is None:
        return state.not_found(request)
    query = {key: values[-1] for key, values in request.query.items()}
    given = query.get("max_results", str(PAGE_DEFAULT))
    size = int(given) if given.isdigit() else 0
    if not PAGE_MIN <= size <= PAGE_MAX:
        return invalid(
            f"The `max_results` query parameter value [{given}] is not between "
            f"{PAGE_MIN} and {PAGE_MAX}",
            {"max_results": [given]},
        )
    tweets: list[StoredTweet] = []
    if match.group(1) == SANDBOX_USER_ID:
        live = (t for t in state.tweets.values() if not t.deleted)
        tweets = sorted(live, key=lambda t: int(t.id), reverse=True)[:REACH]
    if "replies" in query.get("exclude", "").split(","):
        tweets = [t for t in tweets if t.in_reply_to is None]
    since = _time(query.get("start_time"))
    if since is not None:
        tweets = [t for t in tweets if (_time(t.created_at) or since) >= since]
    token = query.get("pagination_token", "")
    start = int(token) if token.isdigit() else 0
    page = tweets[start : start + size]
    meta: dict[str, Any] = {"result_count": len(page)}
    if page:
        meta["newest_id"], meta["oldest_id"] = page[0].id, page[-1].id
    if start + size < len(tweets):
        meta["next_token"] = str(start + size)
    body: dict[str, Any] = {"meta": meta}
    if page:
        fields = {f for v in request.query.get("tweet.fields", []) for f in v.split(",") if f}
        body["data"] = [post_object(tweet, fields, counts) for tweet in page]
    return Response.json(body)


def post_object(tweet: StoredTweet, fields: set[str], counts: Counts) -> dict[str, Any]:
    """A post as the timeline and the post lookup give it: id, text and edit history,
    and the `tweet.fields` asked for that they share."""
    post: dict[str, Any] = {
        "id": tweet.id,
        "text": tweet.text,
        "edit_history_tweet_ids": [tweet.id],
    }
    if "created_at" in fields:
        post["created_at"] = tweet.created_at
    if "author_id" in fields:
        post["author_id"] = SANDBOX_USER_ID
    if "conversation_id" in fields:
        post["conversation_id"] = tweet.conversation_id
    if "public_metrics" in fields:
        post["public_metrics"] = public_metrics(counts, tweet)
    return post


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
