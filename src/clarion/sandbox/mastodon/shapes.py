"""The JSON Mastodon answers with: accounts, statuses, media attachments, errors.

In the shapes recorded in Mastodon.py's test cassettes (tests/cassettes/ in
halcy/Mastodon.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from clarion.sandbox.mastodon.render import render
from clarion.sandbox.mastodon.state import InstanceState, Media, Status
from clarion.sandbox.server import Response


def error(status: int, message: str) -> Response:
    return Response.json({"error": message}, status)


def iso(ts: float) -> str:
    moment = dt.datetime.fromtimestamp(ts, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def account_json(state: InstanceState, *, source: bool = False) -> dict[str, Any]:
    base = state.base
    count = sum(1 for status in state.statuses.values() if not status.deleted)
    last = max((s.created_at for s in state.statuses.values() if not s.deleted), default=None)
    account: dict[str, Any] = {
        "id": state.account_id,
        "username": state.username,
        "acct": state.username,
        "display_name": "Clarion example",
        "locked": False,
        "bot": True,
        "discoverable": True,
        "indexable": True,
        "group": False,
        "created_at": iso(state.created - state.created % 86400),
        "note": "<p>Announcements as code (sandbox)</p>",
        "url": f"{base}/@{state.username}",
        "uri": f"{base}/users/{state.username}",
        "avatar": f"{base}/avatars/original/missing.png",
        "avatar_static": f"{base}/avatars/original/missing.png",
        "header": f"{base}/headers/original/missing.png",
        "header_static": f"{base}/headers/original/missing.png",
        "followers_count": state.engagement.followers,
        "following_count": 0,
        "statuses_count": count,
        "last_status_at": dt.datetime.fromtimestamp(last, dt.UTC).date().isoformat()
        if last
        else None,
        "hide_collections": None,
        "noindex": False,
        "emojis": [],
        "roles": [],
        "fields": [],
    }
    if source:
        account["source"] = {
            "privacy": "public",
            "sensitive": False,
            "language": None,
            "note": "Announcements as code (sandbox)",
            "fields": [],
            "follow_requests_count": 0,
            "hide_collections": None,
            "discoverable": True,
            "indexable": True,
            "attribution_domains": [],
        }
        account["role"] = {
            "id": "-99",
            "name": "",
            "permissions": "65536",
            "color": "",
            "highlighted": False,
        }
    return account


def media_json(state: InstanceState, media: Media) -> dict[str, Any]:
    base = state.base
    folder = "/".join(media.id[i : i + 3] for i in range(0, len(media.id), 3))
    files = f"{base}/system/media_attachments/files/{folder}"
    # A gifv is the MP4 the GIF was transcoded to (lib/paperclip/gif_transcoder.rb).
    extension = "mp4" if media.gifv else media.mime.split("/")[-1].replace("jpeg", "jpg")
    size = {
        "width": media.width,
        "height": media.height,
        "size": f"{media.width}x{media.height}",
        "aspect": round(media.width / media.height, 6) if media.height else 1.0,
    }
    return {
        "id": media.id,
        "type": "gifv" if media.gifv else "image",
        "url": f"{files}/original/{media.id}.{extension}" if media.processed else None,
        "preview_url": f"{files}/small/{media.id}.{extension}",
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {"original": size, "small": size, "focus": {"x": 0.0, "y": 0.0}},
        "description": media.description or None,
        "blurhash": "UGC~-#M{0JfkNFofR%M{IURj%Mt7E0oM%MR*",
    }


def status_json(
    state: InstanceState, status: Status, *, source_text: bool = False
) -> dict[str, Any]:
    content, mentions, tags = render(state.base, status.text)
    parent = state.statuses.get(status.in_reply_to_id or "")
    counts = state.engagement.of(status.id)  # what people did, as a test moved it
    replies = sum(
        1 for s in state.statuses.values() if s.in_reply_to_id == status.id and not s.deleted
    )
    data: dict[str, Any] = {
        "id": status.id,
        "created_at": iso(status.created_at),
        "in_reply_to_id": status.in_reply_to_id,
        "in_reply_to_account_id": state.account_id if parent else None,
        "sensitive": status.sensitive,
        "spoiler_text": status.spoiler_text,
        "visibility": status.visibility,
        "language": status.language,
        "uri": f"{state.base}/users/{state.username}/statuses/{status.id}",
        "url": state.status_url(status.id),
        "replies_count": replies if counts.replies is None else counts.replies,
        "reblogs_count": counts.reposts,
        "favourites_count": counts.likes,
        "edited_at": iso(status.edited_at) if status.edited_at else None,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "pinned": status.id in state.pins,
    }
    # DELETE answers with the source text instead of the rendered content (delete-and-redraft).
    data["text" if source_text else "content"] = status.text if source_text else content
    data.update(
        {
            "filtered": [],
            "reblog": None,
            "application": {"name": "Clarion", "website": None},
            "account": account_json(state),
            "media_attachments": [media_json(state, state.media[m]) for m in status.media_ids],
            "mentions": mentions,
            "tags": tags,
            "emojis": [],
            "card": None,  # fetched later by a background job on a real server
            "poll": None,
        }
    )
    return data
