"""Mastodon.py's entities (statuses, accounts, media) as the adapter reads them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast


def record(value: object) -> Mapping[str, Any]:
    # Mastodon.py's entities are dicts with attribute access.
    return cast(Mapping[str, Any], value)


def utc(value: object) -> dt.datetime:
    """A time (a datetime, or ISO text) in UTC; one without a zone is taken as UTC."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
