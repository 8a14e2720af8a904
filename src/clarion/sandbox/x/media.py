"""X's media endpoints: the one-shot upload for still images, the chunked upload
(initialize, append, finalize) that animated GIFs need, processing STATUS, and
alt text."""

from __future__ import annotations

import base64
import time
from typing import Any

from clarion.media.sniff import sniff
from clarion.sandbox.server import Request, Response
from clarion.sandbox.x.rules import (
    CHUNKED_LIMITS,
    CHUNKED_TYPES,
    MAX_ALT_TEXT,
    MAX_IMAGE_BYTES,
    MAX_SEGMENT_BYTES,
    MAX_SEGMENT_INDEX,
    MEDIA_EXPIRES_AFTER,
    ONE_SHOT_CATEGORIES,
    ONE_SHOT_TYPES,
    invalid,
    not_one_of,
)
from clarion.sandbox.x.state import StoredMedia, UploadSession, XState


def _fields(request: Request) -> dict[str, bytes] | None:
    """A multipart body's fields, or a JSON body's with `media` base64-decoded."""
    form = request.form_data()
    if form is not None:
        return {name: field.data for name, field in form.items()}
    try:
        body = request.json()
        if not isinstance(body, dict):
            return None
        fields = {k: str(v).encode() for k, v in body.items() if k != "media"}
        if "media" in body:
            fields["media"] = base64.b64decode(str(body["media"]))
    except (ValueError, UnicodeDecodeError):
        return None
    return fields


def _answer(media: StoredMedia) -> dict[str, Any]:
    """The `data` X answers an upload, FINALIZE or STATUS with."""
    answer: dict[str, Any] = {
        "id": media.id,
        "media_key": media.media_key,
        "size": media.size,
        "expires_after_secs": MEDIA_EXPIRES_AFTER,
    }
    if media.category == "tweet_gif":
        info: dict[str, Any] = {"state": media.processing}
        if media.processing in ("pending", "in_progress"):
            # Longer while in progress, so a client is seen to honour it.
            info["check_after_secs"] = 1 if media.processing == "pending" else 2
            info["progress_percent"] = 0 if media.processing == "pending" else 50
        elif media.processing == "succeeded":
            info["progress_percent"] = 100
        else:
            info["error"] = {"code": 1, "name": "InvalidMedia", "message": "Unsupported file"}
        answer["processing_info"] = info
    return answer


def _store(state: XState, media_id: str, data: bytes, category: str) -> StoredMedia | Response:
    """The upload kept, or X's refusal of its content."""
    info = sniff(data)
    if info is None:
        return invalid("media type unrecognized.", {"media": ["unrecognized"]})
    if category == "tweet_gif" and info.mime != "image/gif":
        return invalid("media_category tweet_gif needs a GIF.", {"media_category": [category]})
    limit = CHUNKED_LIMITS.get(category, MAX_IMAGE_BYTES)
    if len(data) > limit:
        return invalid(f"File size exceeds {limit} bytes.", {"media": [str(len(data))]})
    processing = list(state.gif_processing) if category == "tweet_gif" else []
    media = StoredMedia(
        id=media_id,
        media_key=("16_" if category == "tweet_gif" else "3_") + media_id,
        mime=info.mime,
        size=len(data),
        width=info.width,
        height=info.height,
        category=category,
        uploaded=time.time(),
        processing="pending" if processing else "succeeded",
        states=processing,
    )
    state.media[media_id] = media
    return media


def upload(state: XState, request: Request) -> Response:
    """POST /2/media/upload: one still image in one request."""
    fields = _fields(request)
    if fields is None:
        return invalid("Request must be multipart/form-data or JSON with a media field.")
    data = fields.get("media")
    category = fields.get("media_category", b"tweet_image").decode("utf-8", "replace")
    if not data:
        return invalid("The media field is required.", {"media": [""]})
    # X refuses `tweet_gif` here (docs.x.com/x-api/media/upload-media: the one-shot
    # media_category is tweet_image, dm_image or subtitles): a GIF goes chunked.
    if category not in ONE_SHOT_CATEGORIES:
        return not_one_of("media_category", category, ONE_SHOT_CATEGORIES)
    info = sniff(data)
    if info is not None and info.mime not in ONE_SHOT_TYPES:  # image/gif is not one
        return not_one_of("media_type", info.mime, ONE_SHOT_TYPES)
    stored = _store(state, state.snowflake(), data, category)
    if isinstance(stored, Response):
        return stored
    return Response.json({"data": _answer(stored)})


def initialize(state: XState, request: Request) -> Response:
    """POST /2/media/upload/initialize: a chunked upload begins."""
    fields = _fields(request)
    if fields is None:
        return invalid("Request body must be a JSON object.")
    mime = fields.get("media_type", b"").decode("utf-8", "replace")
    category = fields.get("media_category", b"tweet_image").decode("utf-8", "replace")
    total = fields.get("total_bytes", b"").decode("utf-8", "replace")
    if mime not in CHUNKED_TYPES:
        return not_one_of("media_type", mime, CHUNKED_TYPES)
    if category not in CHUNKED_LIMITS:
        return not_one_of("media_category", category, tuple(CHUNKED_LIMITS))
    if not total.isdigit() or int(total) <= 0:
        return invalid("total_bytes must be a positive integer.", {"total_bytes": [total]})
    if int(total) > CHUNKED_LIMITS[category]:
        return invalid(
            f"File size exceeds {CHUNKED_LIMITS[category]} bytes.", {"total_bytes": [total]}
        )
    media_id = state.snowflake()
    session = UploadSession(
        id=media_id,
        media_key=("16_" if category == "tweet_gif" else "3_") + media_id,
        mime=mime,
        total_bytes=int(total),
        category=category,
        started=time.time(),
    )
    state.uploads[media_id] = session
    return Response.json(
        {
            "data": {
                "id": media_id,
                "media_key": session.media_key,
                "expires_after_secs": MEDIA_EXPIRES_AFTER,
            }
        }
    )


def chunked(state: XState, request: Request) -> Response:
    """POST /2/media/upload/{id}/append and /2/media/upload/{id}/finalize."""
    media_id, _, command = request.path.removeprefix("/2/media/upload/").partition("/")
    session = state.uploads.get(media_id)
    if command not in ("append", "finalize"):
        return invalid(f"Unknown command: {command}.")
    if session is None or time.time() - session.started > MEDIA_EXPIRES_AFTER:
        return invalid("Invalid media id.", {"id": [media_id]})
    if command == "append":
        return _append(session, request)
    return _finalize(state, session)


def _append(session: UploadSession, request: Request) -> Response:
    fields = _fields(request)
    if fields is None or not fields.get("media"):
        return invalid("The media field is required.", {"media": [""]})
    index = fields.get("segment_index", b"").decode("utf-8", "replace")
    if not index.isdigit() or int(index) > MAX_SEGMENT_INDEX:
        return invalid(
            f"segment_index must be between 0 and {MAX_SEGMENT_INDEX}.", {"segment_index": [index]}
        )
    if len(fields["media"]) > MAX_SEGMENT_BYTES:
        return invalid(f"Segment size exceeds {MAX_SEGMENT_BYTES} bytes.")
    session.segments[int(index)] = fields["media"]
    return Response.json({"data": {"expires_at": int(session.started) + MEDIA_EXPIRES_AFTER}})


def _finalize(state: XState, session: UploadSession) -> Response:
    indexes = sorted(session.segments)
    if indexes != list(range(len(indexes))) or not indexes:
        return invalid("Segments are missing.", {"id": [session.id]})
    data = b"".join(session.segments[i] for i in indexes)
    if len(data) != session.total_bytes:
        return invalid(
            f"File size mismatch: total_bytes was {session.total_bytes}, {len(data)} were sent.",
            {"id": [session.id]},
        )
    del state.uploads[session.id]
    stored = _store(state, session.id, data, session.category)
    if isinstance(stored, Response):
        return stored
    return Response.json({"data": _answer(stored)})


def status(state: XState, request: Request) -> Response:
    """GET /2/media/upload?command=STATUS&media_id=…: how processing is going."""
    command = request.query.get("command", [""])[0]
    media_id = request.query.get("media_id", [""])[0]
    media = state.media.get(media_id)
    if command != "STATUS" or media is None:
        return invalid("Invalid media_id or command.", {"media_id": [media_id]})
    if media.states:
        media.processing = media.states.pop(0) if len(media.states) > 1 else media.states[0]
    return Response.json({"data": _answer(media)})


def metadata(state: XState, request: Request) -> Response:
    """POST /2/media/metadata: alt text."""
    try:
        body = request.json()
        media_id = str(body["id"])
        alt = str(body["metadata"]["alt_text"]["text"])
    except (ValueError, KeyError, TypeError):
        return invalid("Request needs id and metadata.alt_text.text.")
    media = state.media.get(media_id)
    if media is None:
        return invalid("Invalid media id.", {"id": [media_id]})
    if len(alt) > MAX_ALT_TEXT:
        return invalid(
            f"Alt text must be at most {MAX_ALT_TEXT} characters.",
            {"metadata.alt_text.text": [str(len(alt))]},
        )
    media.alt_text = alt
    return Response.json(
        {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}}
    )
