"""Media uploads: POST /api/v2/media answers 200 for a still image; for an animated
GIF 202, then GET /api/v1/media/:id answers 206 until processing is done, then 200."""

from __future__ import annotations

import time

from clarion.sandbox.mastodon.rules import (
    DESCRIPTION_LIMIT,
    IMAGE_MATRIX_LIMIT,
    IMAGE_SIZE_LIMIT,
    RECORD_NOT_FOUND,
    SUPPORTED_IMAGES,
    image_size,
)
from clarion.sandbox.mastodon.shapes import error, media_json
from clarion.sandbox.mastodon.state import InstanceState, Media
from clarion.sandbox.server import Request, Response


def post_media(state: InstanceState, request: Request) -> Response:
    form = request.form_data() or {}
    file = form.get("file")
    if file is None or file.filename is None:
        return error(422, "Validation failed: File can't be blank")
    file_name, data = file.filename, file.data
    mime = (file.content_type or "application/octet-stream").lower()
    description = form["description"].text() if "description" in form else ""
    if len(description) > DESCRIPTION_LIMIT:
        return error(
            422,
            "Validation failed: Description is too long "
            f"(maximum is {DESCRIPTION_LIMIT} characters)",
        )
    dimensions = image_size(data, mime) if mime in SUPPORTED_IMAGES else None
    if dimensions is None:
        return error(422, "Validation failed: File content type is invalid, File is invalid")
    if len(data) > IMAGE_SIZE_LIMIT:
        return error(422, "Validation failed: File file size must be less than 16 MB")
    if dimensions[0] * dimensions[1] > IMAGE_MATRIX_LIMIT:
        return error(422, "Validation failed: File dimensions are too large")
    media = Media(
        id=state.ids.next(time.time()),
        mime=mime,
        size=len(data),
        width=dimensions[0],
        height=dimensions[1],
        description=description,
        file_name=file_name or "",
        polls_left=state.media_processing_polls if mime == "image/gif" else 0,
    )
    state.media[media.id] = media
    state.files[media.id] = data
    return Response.json(media_json(state, media), 200 if media.processed else 202)


def get_media(state: InstanceState, request: Request) -> Response:
    media = state.media.get(request.path.removeprefix("/api/v1/media/"))
    if media is None:
        return error(404, RECORD_NOT_FOUND)
    if not media.processed:
        answer = Response.json(media_json(state, media), 206)
        media.polls_left -= 1
        return answer
    return Response.json(media_json(state, media), 200)
