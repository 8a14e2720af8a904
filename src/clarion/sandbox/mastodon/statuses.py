"""Posting, reading, editing, deleting and pinning statuses, and the account's
statuses with `Link` pagination."""

from __future__ import annotations

import re
import time
from typing import Any

from clarion.sandbox.mastodon.params import params, truthy
from clarion.sandbox.mastodon.rules import (
    DUPLICATE_RECORD,
    IDEMPOTENCY_TTL,
    MAX_MEDIA,
    MAX_PINNED,
    NOT_FOUND,
    NOT_READY,
    OUTSIDE_SCOPES,
    PIN_DIRECT,
    PIN_LIMIT,
    RECORD_NOT_FOUND,
    REPLY_NOT_FOUND,
    TOO_MANY,
    TOO_MANY_FILES,
    language,
    status_length,
)
from clarion.sandbox.mastodon.shapes import error, status_json
from clarion.sandbox.mastodon.state import InstanceState, Media, Status
from clarion.sandbox.server import Request, Response


def _find_status(state: InstanceState, request: Request) -> tuple[Status | None, str]:
    rest = request.path.removeprefix("/api/v1/statuses/")
    status_id, _, suffix = rest.partition("/")
    status = state.statuses.get(status_id)
    if status is None or status.deleted:
        return None, suffix
    return status, suffix


def _validate_text(
    state: InstanceState, text: str, spoiler: str, media_ids: list[str]
) -> Response | None:
    if not text.strip() and not media_ids:
        return error(422, "Validation failed: Text can't be blank")
    if status_length(text, spoiler) > state.max_characters:
        return error(
            422, f"Validation failed: Text character limit of {state.max_characters} exceeded"
        )
    return None


def _attachable(
    state: InstanceState, ids: Any, status_id: str | None = None
) -> list[Media] | Response:
    """Mastodon's validate_media!: unknown or already attached ids are silently dropped."""
    wanted = [str(i) for i in (ids or []) if str(i)]
    if len(wanted) > MAX_MEDIA:
        return error(422, TOO_MANY_FILES)
    found = [
        state.media[i]
        for i in wanted
        if i in state.media
        and not state.media[i].deleted
        and state.media[i].status_id in (None, status_id)
    ]
    if any(not media.processed for media in found):
        return error(422, NOT_READY)
    return found


def post_status(state: InstanceState, request: Request) -> Response:
    values = params(request)
    # The controller's set_thread runs first, then PostStatusService replays a known key.
    in_reply_to = str(values.get("in_reply_to_id") or "") or None
    if in_reply_to is not None:
        parent = state.statuses.get(in_reply_to)
        if parent is None or parent.deleted:
            return error(404, REPLY_NOT_FOUND)
    key = request.header("Idempotency-Key") or None
    if key is not None:
        stored = state.idempotency_keys.get((state.account_id, key))
        if stored is not None and time.time() + state.key_age - stored[1] < IDEMPOTENCY_TTL:
            earlier = state.statuses[stored[0]]
            if earlier.deleted:
                return error(404, RECORD_NOT_FOUND)
            return Response.json(status_json(state, earlier))
    limit, _, window = state.windows.window("statuses")
    if state.windows.counts.get(window, 0) >= limit:
        return error(429, TOO_MANY)
    # Status#prepare_contents strips both before validation.
    text = str(values.get("status") or "").strip()
    spoiler = str(values.get("spoiler_text") or "").strip()
    media = _attachable(state, values.get("media_ids"))
    if isinstance(media, Response):
        return media
    invalid = _validate_text(state, text, spoiler, [m.id for m in media])
    if invalid is not None:
        return invalid
    visibility = str(values.get("visibility") or "public")
    if visibility not in ("public", "unlisted", "private", "direct"):
        return error(422, "Validation failed: Visibility is not included in the list")
    now = time.time()
    status = Status(
        id=state.ids.next(now),
        created_at=now,
        text=text,
        spoiler_text=spoiler,
        visibility=visibility,
        language=language(values.get("language")) or "en",
        sensitive=truthy(values.get("sensitive", "")) or bool(spoiler),
        in_reply_to_id=in_reply_to,
        media_ids=[m.id for m in media],
        idempotency_key=key,
    )
    for item in media:
        item.status_id = status.id
    state.statuses[status.id] = status
    state.windows.counts[window] = state.windows.counts.get(window, 0) + 1
    if key is not None:
        state.idempotency_keys[(state.account_id, key)] = (status.id, now + state.key_age)
    return Response.json(status_json(state, status))


def get_status(state: InstanceState, request: Request) -> Response:
    status, suffix = _find_status(state, request)
    if status is None:
        return error(404, NOT_FOUND)
    if suffix == "":
        return Response.json(status_json(state, status))
    if suffix == "source":
        return Response.json(
            {"id": status.id, "text": status.text, "spoiler_text": status.spoiler_text}
        )
    return error(404, NOT_FOUND)


def put_status(state: InstanceState, request: Request) -> Response:
    status, suffix = _find_status(state, request)
    if status is None or suffix:
        return error(404, NOT_FOUND)
    values = params(request)
    text = str(values.get("status") or "").strip()
    spoiler = str(values.get("spoiler_text", status.spoiler_text) or "").strip()
    media_ids = status.media_ids
    if "media_ids" in values:
        found = _attachable(state, values.get("media_ids"), status.id)
        if isinstance(found, Response):
            return found
        media_ids = [m.id for m in found]
    invalid = _validate_text(state, text, spoiler, media_ids)
    if invalid is not None:
        return invalid
    attributes = values.get("media_attributes") or []
    for attribute in attributes if isinstance(attributes, list) else []:
        media = state.media.get(str(attribute.get("id", "")))
        description = attribute.get("description")
        if media is not None and media.id in media_ids and description is not None:
            if len(description) > state.description_limit:
                return error(
                    422,
                    "Validation failed: Description is too long "
                    f"(maximum is {state.description_limit} characters)",
                )
            media.description = description
    status.edits.append({"text": status.text, "spoiler_text": status.spoiler_text})
    for mid in status.media_ids:
        if mid not in media_ids:
            state.media[mid].status_id = None
    for mid in media_ids:
        state.media[mid].status_id = status.id
    status.text, status.spoiler_text, status.media_ids = text, spoiler, media_ids
    if "language" in values:
        status.language = language(values["language"]) or status.language
    if "sensitive" in values:
        status.sensitive = truthy(values["sensitive"])
    status.sensitive = status.sensitive or bool(spoiler)
    status.edited_at = time.time()
    return Response.json(status_json(state, status))


def delete_status(state: InstanceState, request: Request) -> Response:
    """DELETE /api/v1/statuses/:id. Its media go at once with `delete_media` (Mastodon
    4.4, docs.joinmastodon.org/methods/statuses/#delete: "Whether to immediately delete
    the post's media attachments. If omitted or false, media attachments may be kept
    for approximately 24 hours so they can be re-used in a new post"). Rails reads the
    parameter from the query or the body alike; Mastodon.py sends it in the body."""
    status, suffix = _find_status(state, request)
    if status is None or suffix:
        return error(404, NOT_FOUND)
    # The answer holds the attachments as they were (for delete and redraft).
    answer = Response.json(status_json(state, status, source_text=True))
    values = {**{k: v[-1] for k, v in request.query.items()}, **params(request)}
    status.deleted = True
    status.delete_media = truthy(values.get("delete_media", ""))
    for media_id in status.media_ids:
        media = state.media[media_id]
        if status.delete_media:  # RemoveStatusService#remove_media: destroyed now
            media.deleted = True
            state.files.pop(media_id, None)
        else:  # kept unattached for a redraft, then removed by the daily cleanup
            media.status_id = None
    if status.id in state.pins:  # its pin goes with it
        state.pins.remove(status.id)
    return answer


def pin_status(state: InstanceState, request: Request) -> Response:
    """POST /api/v1/statuses/:id/pin: the scope first, then the status, then
    StatusPinValidator's rules, then the unique pin per status."""
    if not state.allows("write:accounts"):
        return error(403, OUTSIDE_SCOPES)
    status, suffix = _find_status(state, request)
    if suffix != "pin":
        return error(404, NOT_FOUND)
    if status is None:
        return error(404, RECORD_NOT_FOUND)
    # The validator names every rule broken, in one message; the limit counts the
    # pins there are, this status's own included.
    broken = [
        message
        for message, applies in (
            (PIN_DIRECT, status.visibility == "direct"),
            (PIN_LIMIT, len(state.pins) >= MAX_PINNED),
        )
        if applies
    ]
    if broken:
        return error(422, "Validation failed: " + ", ".join(broken))
    if status.id in state.pins:
        return error(422, DUPLICATE_RECORD)
    state.pins.append(status.id)
    return Response.json(status_json(state, status))


def account_statuses(state: InstanceState, request: Request) -> Response:
    match = re.fullmatch(r"/api/v1/accounts/([^/]+)/statuses", request.path)
    if not match:
        return error(404, NOT_FOUND)
    if match.group(1) != state.account_id:
        return error(404, RECORD_NOT_FOUND)
    query = {key: values[-1] for key, values in request.query.items()}
    limit = max(1, min(int(query.get("limit") or 20), 40))
    statuses = sorted(
        (s for s in state.statuses.values() if not s.deleted),
        key=lambda s: int(s.id),
        reverse=True,
    )
    if truthy(query.get("exclude_replies", "")):
        statuses = [s for s in statuses if s.in_reply_to_id is None]
    if truthy(query.get("only_media", "")):
        statuses = [s for s in statuses if s.media_ids]
    if truthy(query.get("pinned", "")):
        statuses = [s for s in statuses if s.id in state.pins]
    if query.get("max_id"):
        statuses = [s for s in statuses if int(s.id) < int(query["max_id"])]
    if query.get("since_id"):
        statuses = [s for s in statuses if int(s.id) > int(query["since_id"])]
    if query.get("min_id"):
        # min_id pages forwards: the statuses just above min_id, still newest first.
        statuses = sorted(
            (s for s in statuses if int(s.id) > int(query["min_id"])), key=lambda s: int(s.id)
        )[:limit][::-1]
    page = statuses[:limit]
    headers = {}
    if page:
        endpoint = f"{state.base}/api/v1/accounts/{state.account_id}/statuses"
        headers["Link"] = (
            f'<{endpoint}?limit={limit}&max_id={page[-1].id}>; rel="next", '
            f'<{endpoint}?limit={limit}&min_id={page[0].id}>; rel="prev"'
        )
    return Response.json([status_json(state, s) for s in page], headers=headers)
