"""Publishing on Threads, in two steps, and deleting.

https://developers.facebook.com/docs/threads/posts: "Publishing a single image,
video, or text post is a two-step process": POST /{threads-user-id}/threads makes
a media container, POST /{threads-user-id}/threads_publish with its
`creation_id` publishes it. A carousel is a container of item containers
(`is_carousel_item=true`, then `media_type=CAROUSEL` with `children`). A reply
names the post it answers in `reply_to_id`
(https://developers.facebook.com/documentation/threads/retrieve-and-manage-replies/create-replies).
"""

from __future__ import annotations

import time
from typing import Any

from clarion.sandbox.server import Response
from clarion.sandbox.threads.rules import (
    CAROUSEL_MAX,
    CAROUSEL_MIN,
    CONTAINER_TTL,
    LINK_LIMIT_EXCEEDED,
    MAX_LINKS,
    TEXT_LIMIT,
    error,
    invalid,
    no_permission,
    no_such_object,
    quota_spent,
)
from clarion.sandbox.threads.state import Container, Item, Post, ThreadsState
from clarion.text.threads import length, links

MEDIA_TYPES = ("TEXT", "IMAGE", "CAROUSEL")


def _resolve(state: ThreadsState, container: Container, *, read: bool) -> str:
    """The container's status now; a read counts down its processing."""
    if container.status in ("IN_PROGRESS", "FINISHED") and (
        time.time() - container.created > CONTAINER_TTL
    ):
        container.status = "EXPIRED"
    if container.status != "IN_PROGRESS":
        return container.status
    if container.polls_left > 0:
        if read:
            container.polls_left -= 1
        return container.status
    problems = [item.problem for item in _items(state, container) if item.problem]
    if container.media_type == "CAROUSEL":
        # A carousel is ready when its items are: they are processed meanwhile.
        children = [_resolve(state, state.containers[c], read=read) for c in container.children]
        if "IN_PROGRESS" in children and not problems:
            return container.status
        if any(child != "FINISHED" for child in children):
            problems.append("a carousel item is not FINISHED")
    if problems:
        # Meta names the image failures of no list: UNKNOWN is its catch-all
        # (https://developers.facebook.com/docs/threads/troubleshooting).
        container.status, container.error_message = "ERROR", "UNKNOWN"
    else:
        container.status = "FINISHED"
    return container.status


def _items(state: ThreadsState, container: Container) -> list[Item]:
    if container.media_type == "CAROUSEL":
        return [item for child in container.children for item in state.containers[child].items]
    return container.items


def create(
    state: ThreadsState, user_id: str, values: dict[str, str], fetched: Item | None
) -> Response:
    """POST /{threads-user-id}/threads: a media container (`fetched`: its image, already
    fetched from `image_url`, outside the stand-in's lock)."""
    if user_id not in (state.user_id, "me"):
        return no_such_object(user_id)
    if not state.allows("threads_content_publish"):
        return no_permission("threads_content_publish")
    media_type = values.get("media_type", "").upper()
    if media_type not in MEDIA_TYPES:
        return invalid(f"media_type must be one of {', '.join(MEDIA_TYPES)}")
    carousel_item = values.get("is_carousel_item", "").lower() == "true"
    text = values.get("text", "")
    if carousel_item and media_type != "IMAGE":
        return invalid("a carousel item is an IMAGE (or VIDEO) container")
    if media_type == "TEXT" and not text:
        return invalid("text is required for media_type=TEXT")
    # "Text posts are limited to 500 characters", emojis "counted as the number of
    # UTF-8 bytes" (https://developers.facebook.com/docs/threads/posts).
    if length(text) > TEXT_LIMIT:
        return invalid(f"the text is longer than {TEXT_LIMIT} characters", subcode=4279009)
    # More than 5 links "will fail to post during the media creation step"
    # (https://developers.facebook.com/documentation/threads/create-posts/text-attachments).
    if len(links(text)) > MAX_LINKS:
        return error(
            400,
            f"{LINK_LIMIT_EXCEEDED}: a post may contain at most {MAX_LINKS} links",
            100,
            kind="THApiException",
        )
    alt_text = values.get("alt_text", "")
    # Alt text "isn't available for text-only posts"; carousel items carry their own
    # (https://developers.facebook.com/docs/threads/posts/accessibility).
    if alt_text and media_type != "IMAGE":
        return invalid("alt_text is only for IMAGE and VIDEO containers")
    reply_to = values.get("reply_to_id") or None
    if reply_to is not None and state.live_post(reply_to) is None:
        return no_such_object(reply_to)
    container = Container(
        id=state.new_container_id(),
        media_type=media_type,
        text=text,
        created=time.time(),
        reply_to_id=reply_to,
        is_carousel_item=carousel_item,
    )
    if media_type == "IMAGE":
        if not values.get("image_url") or fetched is None:
            return invalid("image_url is required for media_type=IMAGE")
        container.items = [fetched]
        container.polls_left = state.processing_polls
    elif media_type == "CAROUSEL":
        children = [c.strip() for c in values.get("children", "").split(",") if c.strip()]
        # "Carousel posts ... limited to 20 images" (https://developers.facebook.com/docs/threads/posts)
        if not CAROUSEL_MIN <= len(children) <= CAROUSEL_MAX:
            return invalid(f"a carousel has {CAROUSEL_MIN} to {CAROUSEL_MAX} children")
        for child in children:
            found = state.containers.get(child)
            if found is None or not found.is_carousel_item or found.media_id is not None:
                return invalid(f"{child} is not a carousel item container")
        container.children = children
        container.polls_left = state.processing_polls
    state.containers[container.id] = container
    return Response.json({"id": container.id})


def status(state: ThreadsState, container: Container, wanted: list[str]) -> dict[str, Any]:
    """GET /{threads-container-id}?fields=status,error_message
    (https://developers.facebook.com/docs/threads/troubleshooting)."""
    answer: dict[str, Any] = {"id": container.id}
    current = _resolve(state, container, read=True)
    if "status" in wanted:
        answer["status"] = current
    if "error_message" in wanted and current == "ERROR":
        answer["error_message"] = container.error_message
    return answer


def publish(state: ThreadsState, user_id: str, values: dict[str, str]) -> Response:
    """POST /{threads-user-id}/threads_publish with `creation_id`."""
    if user_id not in (state.user_id, "me"):
        return no_such_object(user_id)
    if not state.allows("threads_content_publish"):
        return no_permission("threads_content_publish")
    creation_id = values.get("creation_id", "")
    container = state.containers.get(creation_id)
    if container is None:
        return no_such_object(creation_id)
    current = _resolve(state, container, read=False)
    if container.is_carousel_item:
        return invalid("a carousel item is published through its carousel")
    if current == "PUBLISHED":
        return invalid("the media container has already been published", subcode=2207008)
    if current == "IN_PROGRESS":
        return error(
            400,
            "Media ID is not available: the media container is still being processed",
            9007,
            subcode=2207027,
        )
    if current != "FINISHED":
        return invalid(f"the media container is {current}", subcode=2207001)
    if container.reply_to_id is not None and state.live_post(container.reply_to_id) is None:
        return no_such_object(container.reply_to_id)
    # 250 posts, and 1,000 replies, in a moving 24 hours, enforced here
    # (https://developers.facebook.com/docs/threads/overview, "Posts";
    # .../retrieve-and-manage-replies, "Rate limits").
    quota, what = (
        (state.replies_quota, "replies")
        if container.reply_to_id is not None
        else (state.posts_quota, "posts")
    )
    if quota.spent():
        return quota_spent(what, quota.total)
    media_id, shortcode = state.new_post_id()
    parent = state.posts.get(container.reply_to_id) if container.reply_to_id else None
    state.posts[media_id] = Post(
        id=media_id,
        shortcode=shortcode,
        media_type={"TEXT": "TEXT_POST", "IMAGE": "IMAGE", "CAROUSEL": "CAROUSEL_ALBUM"}[
            container.media_type
        ],
        text=container.text,
        timestamp=time.time(),
        container_id=container.id,
        replied_to=parent.id if parent else None,
        root_post=(parent.root_post or parent.id) if parent else None,
        items=list(_items(state, container)),
    )
    quota.take()
    container.status, container.media_id = "PUBLISHED", media_id
    return Response.json({"id": media_id})


def delete(state: ThreadsState, media_id: str) -> Response:
    """DELETE /{threads-media-id} (https://developers.facebook.com/docs/threads/posts/delete-posts):
    `threads_delete`, 100 deletes a day."""
    if not state.allows("threads_delete"):
        return no_permission("threads_delete")
    post = state.live_post(media_id)
    if post is None:
        return no_such_object(media_id)
    if state.deletes_quota.spent():
        return quota_spent("deletes", state.deletes_quota.total)
    state.deletes_quota.take()
    post.deleted = True
    return Response.json({"success": True, "deleted_id": media_id})
