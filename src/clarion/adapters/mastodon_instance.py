"""What the instance says it takes, and a post checked against it before it is sent.

The check counts a post against `max_characters` in the settings (500 unless set),
but each instance sets its own limits, and Mastodon refuses a part over them only
when that part is sent: the parts before it would be out, half a thread. So at
connect the adapter reads GET /api/v2/instance (docs.joinmastodon.org/entities/Instance/,
app/serializers/rest/instance_serializer.rb):

* `configuration.statuses.max_characters`: the text and the content warning
  together, counted by Mastodon's rule (`clarion.text.mastodon`);
* `configuration.media_attachments.image_size_limit`: bytes, exclusive
  (app/models/media_attachment.rb, `less_than: IMAGE_LIMIT`);
* `configuration.media_attachments.description_limit` (Mastodon 4.4; before it,
  1,500): alt text in characters (Ruby counts code points);
* `configuration.media_attachments.image_matrix_limit`: width times height, inclusive.

Before sending a part, the parts still to send are checked against these figures;
one over a limit stops the post with a message that says which setting makes the
check catch it. An instance that does not answer, or leaves a figure out, is
checked against what it did say (Mastodon still refuses what is too long).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from clarion.adapters.base import Outgoing, OutgoingPart
from clarion.text.mastodon import length


@dataclass(frozen=True)
class InstanceLimits:
    """The figures an instance published; None where it said nothing."""

    host: str  # for messages: "fosstodon.org"
    max_characters: int | None = None
    image_size_limit: int | None = None  # a file of this many bytes is refused
    description_limit: int | None = None
    image_matrix_limit: int | None = None


def unknown(instance: str) -> InstanceLimits:
    """The limits of an instance that did not say them."""
    return InstanceLimits(host=_host(instance))


def from_answer(instance: str, answer: Mapping[str, Any]) -> InstanceLimits:
    """The limits in an answer of GET /api/v2/instance (an untrusted document)."""
    configuration = _table(answer.get("configuration"))
    statuses = _table(configuration.get("statuses"))
    media = _table(configuration.get("media_attachments"))
    return InstanceLimits(
        host=_host(instance),
        max_characters=_positive(statuses.get("max_characters")),
        image_size_limit=_positive(media.get("image_size_limit")),
        description_limit=_positive(media.get("description_limit")),
        image_matrix_limit=_positive(media.get("image_matrix_limit")),
    )


def over_limits(limits: InstanceLimits, outgoing: Outgoing, part: OutgoingPart) -> str | None:
    """Why the instance would refuse `part` or a part after it, or None.

    The parts before `part` are out already (a thread goes in order), so only
    what is left to send is checked.
    """
    problem = next(
        (p for later in outgoing.parts[part.index :] if (p := _problem(limits, outgoing, later))),
        None,
    )
    if problem is None:
        return None
    what = "nothing of this post was sent" if part.index == 0 else "not sent"
    return f"{what}: {problem}"


def _problem(limits: InstanceLimits, outgoing: Outgoing, part: OutgoingPart) -> str | None:
    number = part.index + 1
    host = limits.host
    if limits.max_characters is not None:
        counted = length(part.text, outgoing.spoiler or None)
        if counted > limits.max_characters:
            return (
                f"part {number} is {counted}/{limits.max_characters} characters on {host} "
                f"(the instance's limit); set max_characters = {limits.max_characters} in "
                "[tool.clarion.accounts.mastodon] so the check catches it"
            )
    for image in part.images:
        name = f"{image.path.name} (part {number})"
        if limits.image_size_limit is not None:
            size = image.path.stat().st_size
            if size >= limits.image_size_limit:
                return (
                    f"{name} is {size:,} bytes; {host} takes images under "
                    f"{limits.image_size_limit:,} bytes (the instance's limit): "
                    "resize or recompress it"
                )
        pixels = image.width * image.height
        if limits.image_matrix_limit is not None and pixels > limits.image_matrix_limit:
            return (
                f"{name} is {image.width}x{image.height} ({pixels:,} pixels); {host} takes "
                f"up to {limits.image_matrix_limit:,} pixels (the instance's limit): scale it down"
            )
        if limits.description_limit is not None and len(image.alt) > limits.description_limit:
            return (
                f"the alt text of {name} is {len(image.alt):,} characters; {host} takes up to "
                f"{limits.description_limit:,} (the instance's limit): shorten it"
            )
    return None


def _table(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _positive(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _host(instance: str) -> str:
    return urlsplit(instance).netloc or instance
