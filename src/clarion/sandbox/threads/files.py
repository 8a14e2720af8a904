"""Images by URL: Threads fetches each one itself, and the sandbox serves the
repository's files so that it can.

"Threads retrieves your image from the URL provided, so it must be on a public
server" (https://developers.facebook.com/docs/threads/posts, `image_url`): the
stand-in really fetches it over HTTP when the container is created, and an image
it cannot fetch, or that is not a JPEG or PNG of at most 8 MB, leaves the
container in ERROR. For `clarion publish --sandbox` it serves the repository's
files itself under /files/, where the sandbox's `media_base_url` points.
"""

from __future__ import annotations

import mimetypes
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote

from clarion.media.sniff import sniff
from clarion.sandbox.server import Response
from clarion.sandbox.threads.rules import IMAGE_TYPES, MAX_IMAGE_BYTES
from clarion.sandbox.threads.state import Item

FETCH_TIMEOUT = 10.0
FILES = "/files/"


def fetch(url: str, alt_text: str) -> Item:
    """The image at `url` as Threads would take it; `problem` says why it would not."""
    item = Item(url=url, alt_text=alt_text)
    if not url.lower().startswith(("http://", "https://")):
        item.problem = "the image_url is not an http(s) URL"
        return item
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as answer:  # noqa: S310
            data = answer.read(MAX_IMAGE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        item.problem = f"fetching the image_url answered {exc.code}"
        return item
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        item.problem = f"the image_url could not be fetched ({reason})"
        return item
    item.size = len(data)
    if len(data) > MAX_IMAGE_BYTES:
        item.problem = f"the image is larger than {MAX_IMAGE_BYTES} bytes"
        return item
    info = sniff(data)
    if info is None or info.mime not in IMAGE_TYPES:
        item.problem = "the image is not a JPEG or a PNG"
        return item
    item.mime, item.width, item.height = info.mime, info.width, info.height
    return item


def serve(root: Path | None, path: str) -> Response:
    """GET /files/PATH: the repository's file PATH, or 404 (never outside it, never .git)."""
    missing = Response(404, b"Not Found", {"Content-Type": "text/plain"})
    if root is None:
        return missing
    rel = unquote(path.removeprefix(FILES))
    parts = [part for part in rel.split("/") if part]
    if not parts or any(part in (".", "..", ".git") for part in parts):
        return missing
    base = root.resolve()
    target = base.joinpath(*parts).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        return missing
    try:
        data = target.read_bytes()
    except OSError:
        return missing
    kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return Response(200, data, {"Content-Type": kind})
