"""X's post endpoints: the account, creating a post (text, reply, media) and
deleting one."""

from __future__ import annotations

import datetime as dt
import time

from clarion.sandbox.server import Request, Response
from clarion.sandbox.x.rules import (
    DELETED_PARENT,
    DUPLICATE_DETAIL,
    MAX_IMAGES,
    MEDIA_EXPIRES_AFTER,
    REPLY_NOT_ALLOWED,
    TEXT_LIMIT,
    TOO_LONG_MESSAGE,
    forbidden,
    invalid,
)
from clarion.sandbox.x.state import (
    SANDBOX_USER_ID,
    StoredMedia,
    StoredTweet,
    XState,
)
from clarion.text.x import weighted_length


def me(state: XState, request: Request) -> Response:
    """GET /2/users/me; `user.fields=public_metrics` adds the account's counts, its
    followers among them (docs.x.com/x-api/users/user-lookup-me)."""
    user: dict[str, object] = {
        "id": SANDBOX_USER_ID,
        "name": "Clarion Sandbox",
        "username": state.username,
    }
    fields = {f for v in request.query.get("user.fields", []) for f in v.split(",")}
    if "public_metrics" in fields:
        user["public_metrics"] = {
            "followers_count": state.followers,
            "following_count": 0,
            "tweet_count": sum(1 for t in state.tweets.values() if not t.deleted),
            "listed_count": 0,
            "like_count": 0,
            "media_count": 0,
        }
    return Response.json({"data": user})


def create(state: XState, request: Request) -> Response:
    """POST /2/tweets."""
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError) as exc:
        return invalid(f"Request body is not valid JSON: {exc}")
    if not isinstance(body, dict):
        return invalid("Request body must be a JSON object.")
    text = body.get("text")
    media_ids = [str(m) for m in (body.get("media") or {}).get("media_ids") or []]
    reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
    if text is None and not media_ids:
        return invalid("You must specify either text or media.")
    text = str(text or "")
    if weighted_length(text) > TEXT_LIMIT:
        return invalid(TOO_LONG_MESSAGE, {"text": [text]})
    if len(media_ids) > MAX_IMAGES:
        return invalid(
            f"Your media IDs are invalid. A post may carry at most {MAX_IMAGES} images.",
            {"media.media_ids": media_ids},
        )
    attached: list[StoredMedia] = []
    for media_id in media_ids:
        media = state.media.get(media_id)
        if (
            media is None
            or time.time() - media.uploaded > MEDIA_EXPIRES_AFTER
            or media.processing != "succeeded"
        ):
            return invalid("Your media IDs are invalid.", {"media.media_ids": media_ids})
        attached.append(media)
    # "up to 4 photos, 1 animated GIF or 1 video" (docs.x.com, media best practices)
    if len(attached) > 1 and any(m.category == "tweet_gif" for m in attached):
        return invalid("Your media IDs are invalid.", {"media.media_ids": media_ids})
    parent = state.tweets.get(str(reply_to)) if reply_to is not None else None
    if reply_to is not None and (parent is None or parent.deleted):
        return forbidden(DELETED_PARENT)
    if reply_to is not None and state.refuse_replies:
        return forbidden(REPLY_NOT_ALLOWED)
    if text.strip() and any(
        not t.deleted and t.text.strip() == text.strip() for t in state.tweets.values()
    ):
        return forbidden(DUPLICATE_DETAIL)
    tweet_id = state.snowflake()
    now = dt.datetime.now(dt.UTC)
    state.tweets[tweet_id] = StoredTweet(
        id=tweet_id,
        text=text,
        created_at=now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        conversation_id=parent.conversation_id if parent else tweet_id,
        in_reply_to=parent.id if parent else None,
        media=attached,
    )
    for media in attached:  # a media id is used once
        state.media.pop(media.id, None)
    host = request.header("Host")
    return Response.json(
        {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}},
        201,
        {"location": f"http://{host}/2/tweets/{tweet_id}"},
    )


def delete(state: XState, request: Request) -> Response:
    """DELETE /2/tweets/:id."""
    tweet_id = request.path.removeprefix("/2/tweets/")
    tweet = state.tweets.get(tweet_id)
    if tweet is None or tweet.deleted:
        not_found = "https://api.twitter.com/2/problems/resource-not-found"
        detail = f"Could not find tweet with id: [{tweet_id}]."
        return Response.json(
            {
                "errors": [
                    {
                        "value": tweet_id,
                        "detail": detail,
                        "title": "Not Found Error",
                        "resource_type": "tweet",
                        "parameter": "id",
                        "resource_id": tweet_id,
                        "type": not_found,
                    }
                ],
                "title": "Not Found Error",
                "detail": detail,
                "type": not_found,
            },
            404,
        )
    tweet.deleted = True
    return Response.json({"data": {"deleted": True}})
