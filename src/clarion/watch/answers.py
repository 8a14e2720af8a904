"""What the watchers share in asking a network: the secrets they need from the
environment, the parts by their id there, and reading an answer (its JSON, a
time in it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from clarion.watch.model import Watched, WatchFailed


class Answer(Protocol):
    """An HTTP answer, from httpx or requests."""

    def json(self) -> Any: ...


def secrets(env: Mapping[str, str], names: Sequence[str], network: str, needs: str) -> list[str]:
    """The values of environment variables `names`; a `WatchFailed` (settings) naming
    those not set, and what `needs` them."""
    missing = [name for name in names if not env.get(name, "").strip()]
    if missing:
        are = "is" if len(missing) == 1 else "are"
        raise WatchFailed(
            f"{network}: {', '.join(missing)} {are} not set: {needs}, as publishing does "
            "(README, Accounts and secrets)",
            config=True,
        )
    return [env[name].strip() for name in names]


def by_id(parts: Iterable[Watched]) -> dict[str, list[Watched]]:
    """The parts by their id on the network (two receipts may name one post), in order."""
    found: dict[str, list[Watched]] = {}
    for part in parts:
        found.setdefault(part.id, []).append(part)
    return found


def body(answer: Answer) -> Any:
    """The answer's JSON; None when it is not JSON."""
    try:
        return answer.json()
    except ValueError:
        return None


def json_object(answer: Answer, failure: str) -> dict[str, Any]:
    """The answer's JSON object; `WatchFailed(failure)` when it holds none."""
    data = body(answer)
    if not isinstance(data, dict):
        raise WatchFailed(failure)
    return data


def moment(text: object) -> dt.datetime | None:
    """An ISO 8601 time (a receipt's, an answer's), UTC when it names no zone; None
    when there is none."""
    if not isinstance(text, str) or not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
