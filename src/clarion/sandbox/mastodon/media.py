"""Media uploads: POST /api/v2/media answers 200 for a still image (a still GIF
included); for an animated GIF 202, then GET /api/v1/media/:id answers 206 until
processing is done, then 200.

Only an animated GIF is transcoded: lib/paperclip/gif_transcoder.rb converts a GIF
to MP4 only when `GifReader.animated?` (more than one frame), and only then sets the
type to `gifv`; a still GIF stays an `image`. The `gifv` then counts as larger media,
so API v2 leaves its processing to a worker (`delay_processing?`) and answers 202
(docs.joinmastodon.org/methods/media/#v2: "202: Accepted ... not yet processed").
"""

from __future__ import annotations

import time

from clarion.sandbox.mastodon.rules import (
    RECORD_NOT_FOUND,
    SUPPORTED_IMAGES,
    dimensions_refused,
    human_size,
    image_info,
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
    found = image_info(data, mime) if mime in SUPPORTED_IMAGES else None
    if found is not None:
        # Attachmentable's check runs before the validations, and raises on its own.
        refused = dimensions_refused(found[0], found[1], mime)
        if refused is not None:
            return error(422, refused)
    # The validations, in the order MediaAttachment declares them, named together.
    broken = []
    if found is None:
        broken.append("File content type is invalid, File is invalid")
    if len(data) >= state.image_size_limit:  # `less_than: IMAGE_LIMIT`
        broken.append(f"File file size must be less than {human_size(state.image_size_limit)}")
    if len(description) > state.description_limit:
        broken.append(f"Description is too long (maximum is {state.description_limit} characters)")
    if broken or found is None:
        return error(422, "Validation failed: " + ", ".join(broken))
    width, height, animated = found
    gifv = mime == "image/gif" and animated
    media = Media(
        id=state.ids.next(time.time()),
        mime=mime,
        size=len(data),
        width=width,
        height=height,
        description=description,
        file_name=file_name or "",
        polls_left=state.media_processing_polls if gifv else 0,
        animated=animated,
    )
    state.media[media.id] = media
    state.files[media.id] = data
    return Response.json(media_json(state, media), 200 if media.processed else 202)


def get_media(state: InstanceState, request: Request) -> Response:
    media = state.media.get(request.path.removeprefix("/api/v1/media/"))
    if media is None or media.deleted:
        return error(404, RECORD_NOT_FOUND)
    if not media.processed:
        answer = Response.json(media_json(state, media), 206)
        media.polls_left -= 1
        return answer
    return Response.json(media_json(state, media), 200)
