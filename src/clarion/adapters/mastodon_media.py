"""Images for a Mastodon status: uploaded with their alt texts, then waited for.

Mastodon answers an upload before it has processed the file (202, `url` null);
a status can attach it only once processed. All of a part's images are
uploaded (side by side, by the adapter) before any is waited for, so the server
processes them side by side too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from mastodon import Mastodon

from clarion.adapters.base import Image, NotSent


class Call(Protocol):
    """The adapter's way of making one request: its failure becomes an adapter error."""

    def __call__(
        self, func: Callable[..., Any], *args: Any, doing: str, **kwargs: Any
    ) -> Mapping[str, Any]: ...


def upload(call: Call, api: Mastodon, image: Image, where: str) -> tuple[Image, Mapping[str, Any]]:
    """Upload one image with its alt text. A lost answer is simply uploaded again
    (by the next attempt): an unattached upload is invisible and Mastodon deletes
    it after a day."""
    media = call(
        api.media_post,
        image.read(),
        mime_type=image.mime,
        description=image.alt,
        file_name=image.path.name,
        doing=f"uploading {image.path.name} for {where}",
    )
    return image, media


def processed(
    call: Call,
    api: Mastodon,
    uploads: list[tuple[Image, Mapping[str, Any]]],
    where: str,
    *,
    poll_interval: float,
    timeout: float,
    sleep: Callable[[float], None],
) -> list[str]:
    """The media ids, once Mastodon has processed every upload (all were uploaded
    before any is waited for: the server processes them side by side)."""
    ids: list[str] = []
    pending: dict[str, str] = {}  # media id -> file name, while the url is still null
    for image, media in uploads:
        ids.append(str(media["id"]))
        if media.get("url") is None:  # 202 Accepted: still processing
            pending[str(media["id"])] = image.path.name
    # media_post(synchronous=True) sleeps 5 s between polls; poll briefly and boundedly instead.
    deadline = time.monotonic() + timeout
    interval = poll_interval
    while pending:
        if time.monotonic() >= deadline:
            raise NotSent(
                f"{where}: Mastodon was still processing {', '.join(pending.values())} "
                f"after {timeout:g} s",
                retryable=True,
            )
        sleep(interval)
        interval = min(interval * 1.5, 2.0)
        for media_id, name in list(pending.items()):
            media = call(api.media, media_id, doing=f"waiting for {name} ({where})")
            if media.get("url") is not None:  # 200 instead of 206 Partial Content
                del pending[media_id]
    return ids
