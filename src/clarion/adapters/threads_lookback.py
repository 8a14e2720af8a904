"""Finding a part already on Threads among the account's recent posts.

Threads takes no idempotency key, so before a part is sent (and after a publish
whose answer was lost) the adapter looks for that exact part: a first part among
the account's own posts of the last `window` (GET /{user-id}/threads, newest
first, `since`), a reply among the replies to the part before it
(GET /{media-id}/replies, which needs threads_read_replies). It is that part when
the text is the same, the kind of media the same (text, one image, a carousel),
the post is the account's own, and no other part of this run was given it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container, Mapping
from typing import Any

from clarion.adapters.base import OutgoingPart

PAGE_SIZE = 25
FIELDS = "id,text,timestamp,permalink,media_type,username,is_reply_owned_by_me"

# GET (path, params) -> the answer's JSON; raises the adapter's errors.
Reader = Callable[[str, dict[str, str]], Mapping[str, Any]]


def media_type(part: OutgoingPart) -> str:
    """The `media_type` Threads gives the published post of `part`."""
    if not part.images:
        return "TEXT_POST"
    return "IMAGE" if len(part.images) == 1 else "CAROUSEL_ALBUM"


def timestamp(value: object) -> dt.datetime | None:
    """Graph's ISO 8601 ("2026-12-01T15:00:04+0000") as UTC; None when it is not one."""
    if not isinstance(value, str):
        return None
    for layout in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return dt.datetime.strptime(value, layout).astimezone(dt.UTC)
        except ValueError:
            continue
    return None


def find_sent(
    read: Reader,
    *,
    user_id: str,
    username: str,
    part: OutgoingPart,
    reply_to: str | None,
    pages: int,
    window: dt.timedelta,
    given: Container[str],
) -> Mapping[str, Any] | None:
    """This exact part among the account's recent posts (or the parent's replies),
    or None. Reads at most `pages` pages."""
    if reply_to is None:
        since = dt.datetime.now(dt.UTC) - window
        path = f"/{user_id}/threads"
        params = {"fields": FIELDS, "limit": str(PAGE_SIZE), "since": str(int(since.timestamp()))}
    else:
        path = f"/{reply_to}/replies"
        params = {"fields": FIELDS, "limit": str(PAGE_SIZE), "reverse": "true"}
    wanted = media_type(part)
    text = part.text.strip()
    for _ in range(pages):
        page = read(path, params)
        data = page.get("data")
        posts = [p for p in data if isinstance(p, dict)] if isinstance(data, list) else []
        for post in posts:
            post_id = str(post.get("id") or "")
            if not post_id or post_id in given:
                continue
            if str(post.get("text") or "").strip() != text:
                continue
            if post.get("media_type") not in (None, wanted):
                continue
            if reply_to is not None and not _own(post, username):
                continue
            return post
        paging = page.get("paging")
        cursors = paging.get("cursors") if isinstance(paging, dict) else None
        after = cursors.get("after") if isinstance(cursors, dict) else None
        if not posts or not isinstance(paging, dict) or not paging.get("next") or not after:
            return None
        params = {**params, "after": str(after)}
    return None


def _own(post: Mapping[str, Any], username: str) -> bool:
    if post.get("is_reply_owned_by_me") is True:
        return True
    return bool(username) and str(post.get("username") or "") == username
