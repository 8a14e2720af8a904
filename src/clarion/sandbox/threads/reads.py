"""What Threads answers to reads: the profile, the token, the publishing limits, a
container or a post, the account's threads and a post's replies."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from clarion.sandbox.server import Request, Response
from clarion.sandbox.threads.params import fields, params
from clarion.sandbox.threads.publishing import status
from clarion.sandbox.threads.rules import (
    QUOTA_DURATION,
    error,
    invalid,
    no_permission,
    no_such_object,
)
from clarion.sandbox.threads.state import Post, Quota, ThreadsState

# https://developers.facebook.com/docs/threads/threads-media: `id` is the default field.
POST_FIELDS = (
    "id",
    "media_product_type",
    "media_type",
    "text",
    "timestamp",
    "permalink",
    "shortcode",
    "username",
    "is_reply",
    "replied_to",
    "root_post",
    "alt_text",
    "is_reply_owned_by_me",
)
PAGE_SIZE, MAX_PAGE = 25, 100


def me(state: ThreadsState, request: Request) -> Response:
    """GET /me (and GET /{threads-user-id}): the profile the token belongs to."""
    profile = {"id": state.user_id, "username": state.username, "name": "Clarion Sandbox"}
    wanted = fields(params(request), ("id",))
    return Response.json({k: v for k, v in profile.items() if k in wanted or k == "id"})


def debug_token(state: ThreadsState, request: Request) -> Response:
    """GET /debug_token?input_token=…: the token's metadata, expiry and scopes. Only a
    Threads tester's token may ask
    (https://developers.facebook.com/documentation/threads/troubleshooting/debug-access-token)."""
    if not state.tester:
        return error(
            400,
            "(#100) debug_token needs the access token of a Threads tester of the app",
            100,
        )
    values = params(request)
    valid = values.get("input_token") == state.token
    data: dict[str, Any] = {
        "type": "USER",
        "application": "Clarion sandbox",
        "is_valid": valid,
    }
    if valid:
        data.update(
            data_access_expires_at=state.expires_at + 30 * 86400,
            expires_at=state.expires_at,
            issued_at=state.expires_at - 60 * 86400,
            scopes=list(state.scopes),
            user_id=state.user_id,
        )
    return Response.json({"data": data})


def _quota(quota: Quota) -> tuple[int, dict[str, int]]:
    return quota.usage(), {"quota_total": quota.total, "quota_duration": QUOTA_DURATION}


def publishing_limit(state: ThreadsState, user_id: str, request: Request) -> Response:
    """GET /{threads-user-id}/threads_publishing_limit
    (https://developers.facebook.com/docs/threads/overview, "Posts"; the reply fields
    need threads_manage_replies, .../retrieve-and-manage-replies, "Rate limits")."""
    if user_id not in (state.user_id, "me"):
        return no_such_object(user_id)
    if not state.allows("threads_content_publish"):
        return no_permission("threads_content_publish")
    wanted = fields(params(request), ("quota_usage", "config"))
    if any(name.startswith("reply_") for name in wanted) and not state.allows(
        "threads_manage_replies"
    ):
        return no_permission("threads_manage_replies")
    entry: dict[str, Any] = {}
    for prefix, quota in (
        ("", state.posts_quota),
        ("reply_", state.replies_quota),
        ("delete_", state.deletes_quota),
    ):
        usage, config = _quota(quota)
        if f"{prefix}quota_usage" in wanted:
            entry[f"{prefix}quota_usage"] = usage
        if f"{prefix}config" in wanted:
            entry[f"{prefix}config"] = config
    return Response.json({"data": [entry]})


def _post_json(state: ThreadsState, post: Post, wanted: Sequence[str]) -> dict[str, Any]:
    alt = [item.alt_text for item in post.items if item.alt_text]
    values: dict[str, Any] = {
        "id": post.id,
        "media_product_type": "THREADS",
        "media_type": post.media_type,
        "text": post.text,
        "timestamp": post.when,
        "permalink": state.permalink(post),
        "shortcode": post.shortcode,
        "username": state.username,
        "is_reply": post.replied_to is not None,
        "replied_to": {"id": post.replied_to} if post.replied_to else None,
        "root_post": {"id": post.root_post} if post.root_post else None,
        "alt_text": alt[0] if len(post.items) == 1 and alt else None,
        "is_reply_owned_by_me": True if post.replied_to else None,
    }
    answer = {"id": post.id}
    answer.update({k: values[k] for k in wanted if values.get(k) is not None})
    return answer


def get_object(state: ThreadsState, object_id: str, request: Request) -> Response:
    """GET /{id}: a media container's status, or a published post's fields."""
    values = params(request)
    container = state.containers.get(object_id)
    if container is not None:
        return Response.json(status(state, container, fields(values, ("id",))))
    post = state.live_post(object_id)
    if post is None:
        return no_such_object(object_id)
    return Response.json(_post_json(state, post, fields(values, ("id",))))


def _since(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _page(state: ThreadsState, request: Request, posts: list[Post], wanted: list[str]) -> Response:
    """One page of `posts` (newest first already) with Graph's cursor paging."""
    values = params(request)
    try:
        limit = max(1, min(int(values.get("limit") or PAGE_SIZE), MAX_PAGE))
    except ValueError:
        return invalid("limit must be a number")
    since, until = _since(values.get("since")), _since(values.get("until"))
    posts = [
        p
        for p in posts
        if (since is None or p.timestamp >= since) and (until is None or p.timestamp <= until)
    ]
    start = 0
    if values.get("after"):
        try:
            start = int(base64.urlsafe_b64decode(values["after"].encode()).decode())
        except ValueError:
            return invalid("after is not a cursor of this list")
    page = posts[start : start + limit]
    answer: dict[str, Any] = {"data": [_post_json(state, p, wanted) for p in page]}
    if page:
        cursor = base64.urlsafe_b64encode(str(start + len(page)).encode()).decode()
        before = base64.urlsafe_b64encode(str(start).encode()).decode()
        answer["paging"] = {"cursors": {"before": before, "after": cursor}}
        if start + len(page) < len(posts):
            answer["paging"]["next"] = f"{state.base}{request.path}?after={cursor}&limit={limit}"
    return Response.json(answer)


def user_threads(state: ThreadsState, user_id: str, request: Request) -> Response:
    """GET /{threads-user-id}/threads: the account's posts, newest first, by `since`,
    `until`, `limit` and the `after` cursor (replies are under /replies)."""
    if user_id not in (state.user_id, "me"):
        return no_such_object(user_id)
    posts = sorted(
        (p for p in state.posts.values() if not p.deleted and p.replied_to is None),
        key=lambda p: (p.timestamp, int(p.id)),
        reverse=True,
    )
    return _page(state, request, posts, fields(params(request), ("id",)))


def replies(state: ThreadsState, media_id: str, request: Request) -> Response:
    """GET /{threads-media-id}/replies: its top-level replies, newest first unless
    `reverse=false`; needs threads_read_replies
    (https://developers.facebook.com/documentation/threads/retrieve-and-manage-replies)."""
    if not state.allows("threads_read_replies"):
        return no_permission("threads_read_replies")
    if state.live_post(media_id) is None:
        return no_such_object(media_id)
    values = params(request)
    newest_first = values.get("reverse", "true").lower() != "false"
    found = sorted(
        (p for p in state.posts.values() if not p.deleted and p.replied_to == media_id),
        key=lambda p: (p.timestamp, int(p.id)),
        reverse=newest_first,
    )
    return _page(state, request, found, fields(values, ("id",)))
