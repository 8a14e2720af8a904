"""The Threads Insights API on the stand-in: a post's counts and the account's followers,
as tests move them (`ThreadsStandIn.set_counts`, `engagement.followers`).

https://developers.facebook.com/docs/threads/insights (the rules below cite it as
INSIGHTS):

- `GET /{threads-media-id}/insights?metric=…`: a comma-separated list of `views`,
  `likes`, `replies`, `reposts`, `quotes`, `shares`; each answered as
  `{"name", "period": "lifetime", "values": [{"value"}], "title", "description",
  "id"}` in `data`. `replies` of a root post counts every reply under it; of a
  reply, its direct replies only.
- `GET /{threads-user-id}/threads_insights?metric=followers_count`: the account's
  followers as `total_value: {"value"}` (the current total, whatever the period).
- Both need `threads_manage_insights` ("Required for making GET calls to insights
  endpoints") besides `threads_basic`.

No batch: Meta documents one post a request, and the stand-in serves one.
"""

from __future__ import annotations

from typing import Any

from clarion.sandbox.engagement import Engagement
from clarion.sandbox.server import Request, Response
from clarion.sandbox.threads.params import params
from clarion.sandbox.threads.rules import invalid, no_permission, no_such_object
from clarion.sandbox.threads.state import Post, ThreadsState

SCOPE = "threads_manage_insights"
# INSIGHTS, "Media Insights", "Available Metrics".
MEDIA_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
# INSIGHTS, "User Insights" (and the reference's `metric` values).
USER_METRICS = (
    "views",
    "likes",
    "replies",
    "reposts",
    "quotes",
    "clicks",
    "followers_count",
    "follower_demographics",
)
_TITLES = {
    "views": "Views",
    "likes": "Likes",
    "replies": "Replies",
    "reposts": "Reposts",
    "quotes": "Quotes",
    "shares": "Shares",
    "followers_count": "followers_count",
}


def _metrics(request: Request, allowed: tuple[str, ...]) -> list[str] | Response:
    """The `metric` list asked for, or Graph's refusal of it."""
    asked = [m.strip() for m in params(request).get("metric", "").split(",") if m.strip()]
    if not asked:
        return invalid("The parameter metric is required")
    for index, name in enumerate(asked):
        if name not in allowed:
            return invalid(
                f"(#100) metric[{index}] must be one of the following values: " + ", ".join(allowed)
            )
    return asked


def _replies(state: ThreadsState, post: Post) -> int:
    """INSIGHTS, `replies`: a root post's every reply; a reply's direct replies."""
    live = [p for p in state.posts.values() if not p.deleted]
    if post.replied_to is None:
        return sum(1 for p in live if p.root_post == post.id)
    return sum(1 for p in live if p.replied_to == post.id)


def media(state: ThreadsState, engagement: Engagement, media_id: str, request: Request) -> Response:
    """GET /{threads-media-id}/insights."""
    if not state.allows(SCOPE):
        return no_permission(SCOPE)
    post = state.live_post(media_id)
    if post is None:
        return no_such_object(media_id)
    asked = _metrics(request, MEDIA_METRICS)
    if isinstance(asked, Response):
        return asked
    counts = engagement.of(media_id)
    values = {
        "views": counts.views,
        "likes": counts.likes,
        "replies": counts.replies if counts.replies is not None else _replies(state, post),
        "reposts": counts.reposts,
        "quotes": counts.quotes,
        "shares": 0,
    }
    data: list[dict[str, Any]] = [
        {
            "name": name,
            "period": "lifetime",
            "values": [{"value": values[name]}],
            "title": _TITLES[name],
            "description": f"The number of {name} of your post.",
            "id": f"{media_id}/insights/{name}/lifetime",
        }
        for name in asked
    ]
    return Response.json({"data": data})


def user(state: ThreadsState, engagement: Engagement, user_id: str, request: Request) -> Response:
    """GET /{threads-user-id}/threads_insights: the stand-in answers followers_count
    (the other metrics are the account's daily totals, which Clarion never asks)."""
    if user_id not in (state.user_id, "me"):
        return no_such_object(user_id)
    if not state.allows(SCOPE):
        return no_permission(SCOPE)
    asked = _metrics(request, USER_METRICS)
    if isinstance(asked, Response):
        return asked
    data: list[dict[str, Any]] = []
    for name in asked:
        entry: dict[str, Any] = {
            "name": name,
            "period": "day",
            "title": _TITLES.get(name, name),
            "description": f"The {name} of your profile.",
            "id": f"{state.user_id}/insights/{name}/day",
        }
        if name == "followers_count":
            entry["total_value"] = {"value": engagement.followers}
        else:
            entry["total_value"] = {"value": 0}
        data.append(entry)
    return Response.json({"data": data})
