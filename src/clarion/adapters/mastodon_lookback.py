"""Finding a part already on Mastodon among the account's recent statuses.

Mastodon forgets an `Idempotency-Key` after an hour, so before sending a part
(and when the answer to a send was lost) the adapter looks for that exact part:
same reply parent, spoiler, visibility and alt texts, a shown text that could
be its text, and then the status's source text itself. The adapter's module
docs give the limits of this look-back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container, Mapping
from typing import Any

from mastodon import Mastodon

from clarion.adapters.base import Outgoing, OutgoingPart
from clarion.adapters.mastodon_entities import record, utc
from clarion.html_text import html_to_text

PAGE_SIZE = 40  # the most GET /api/v1/accounts/:id/statuses returns

_SPACE_RE = re.compile(r"\s+")
# Mastodon shows a remote mention `@user@domain` as `@user`.
_REMOTE_MENTION_RE = re.compile(r"(^|[^/\w])@([a-z0-9_]+)@[a-z0-9.\-]+[a-z0-9]+", re.IGNORECASE)


def find_sent(
    api: Mastodon,
    account_id: str,
    outgoing: Outgoing,
    part: OutgoingPart,
    in_reply_to: str | None,
    *,
    pages: int,
    window: dt.timedelta,
    given: Container[str],
) -> Mapping[str, Any] | None:
    """This exact part among the account's recent statuses, or None. Raises MastodonError.

    At most `pages` pages are read; a first part (no reply parent to pin it
    down) is looked for only among statuses from the last `window`. A status
    in `given` (already handed out as a receipt) is never taken.
    """
    cutoff = None
    if in_reply_to is None:
        cutoff = dt.datetime.now(dt.UTC) - window
    max_id: str | None = None
    for _ in range(pages):
        page = api.account_statuses(
            account_id,
            exclude_reblogs=True,
            limit=PAGE_SIZE,
            max_id=max_id,
        )
        statuses = [record(status) for status in page]
        for status in statuses:
            if cutoff is not None and utc(status["created_at"]) < cutoff:
                return None  # newest first: the rest are older still
            if str(status["id"]) in given or not _looks_like(status, outgoing, part, in_reply_to):
                continue
            # The HTML only suggests it; the source text decides.
            source = record(api.status_source(str(status["id"])))
            # Mastodon strips both before saving them.
            if (
                source.get("text") == part.text.strip()
                and (source.get("spoiler_text") or "") == (outgoing.spoiler or "").strip()
            ):
                return status
        if len(statuses) < PAGE_SIZE:
            return None
        max_id = str(statuses[-1]["id"])
    return None


def _squash(text: str) -> str:
    return _SPACE_RE.sub("", text)


def _looks_like(
    status: Mapping[str, Any], outgoing: Outgoing, part: OutgoingPart, in_reply_to: str | None
) -> bool:
    """Whether a status could be this part (the source text is checked after)."""
    if status.get("reblog"):
        return False
    if str(status.get("in_reply_to_id") or "") != (in_reply_to or ""):
        return False
    if (status.get("spoiler_text") or "") != (outgoing.spoiler or "").strip():
        return False
    if status.get("visibility") != (outgoing.visibility or "public"):
        return False
    attachments = status.get("media_attachments") or []
    alts = [str(media.get("description") or "").strip() for media in attachments]
    if alts != [image.alt.strip() for image in part.images]:
        return False
    shown = _squash(html_to_text(str(status.get("content") or "")))
    return shown in (_squash(part.text), _squash(_REMOTE_MENTION_RE.sub(r"\1@\2", part.text)))
