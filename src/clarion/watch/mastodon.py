"""Watching Mastodon: what the instance shows of each published status, and what
its moderators told the account.

- `GET /api/v1/statuses?id[]=…` reads up to 20 statuses a call (Mastodon 4.3+;
  more is refused, `DEFAULT_STATUSES_LIMIT`) and leaves out those that do not
  exist or cannot be seen (https://docs.joinmastodon.org/methods/statuses/#index).
  On an older server, where the route is not there (404), each status is read
  on its own (`GET /api/v1/statuses/:id`, 404 when it is gone).
- A status left out is deleted (by someone, or removed by moderators); one with
  `edited_at` later than Clarion's own last correction was edited on Mastodon;
  one `sensitive` without a content warning was marked so, since Clarion never
  sets `sensitive` itself (https://docs.joinmastodon.org/entities/Status/).
- `GET /api/v1/notifications?types[]=moderation_warning` (Mastodon 4.3+, the
  token's `read:notifications`) gives the moderators' warnings, each an
  AccountWarning naming its `action` and the `status_ids` it concerns
  (https://docs.joinmastodon.org/methods/notifications/#get,
  https://docs.joinmastodon.org/entities/AccountWarning/). A token without that
  scope is refused (403): that is said once, and the rest is still watched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from clarion.adapters import http
from clarion.networks import MastodonAccount
from clarion.watch.answers import body, moment
from clarion.watch.model import Kind, Observed, Seen, Watched, WatchFailed

TOKEN_ENV = "CLARION_MASTODON_ACCESS_TOKEN"  # noqa: S105 - a variable name
BATCH = 20  # Api::V1::StatusesController refuses more ids than DEFAULT_STATUSES_LIMIT (20)
WARNINGS_PAGE = 80  # notifications: `limit` at most 80
# Clarion records its own correction after the server answered it: an `edited_at`
# this much later than that record is someone else's edit (clocks disagree a little).
EDIT_GRACE = dt.timedelta(minutes=2)

# What each moderation action does to the statuses it names, or to the account.
_ON_STATUSES = {
    "delete_statuses": (Kind.DELETED, "removed by the instance's moderators"),
    "mark_statuses_as_sensitive": (Kind.SENSITIVE, "marked sensitive by the instance's moderators"),
}
_ON_ACCOUNT = {
    "sensitive": (
        Kind.SENSITIVE,
        "the instance's moderators mark all the account's posts sensitive",
    ),
    "silence": (Kind.HIDDEN, "the instance's moderators limited the account: its posts are hidden"),
    "suspend": (Kind.HIDDEN, "the instance's moderators suspended the account"),
    "disable": (Kind.HIDDEN, "the instance's moderators disabled the account's login"),
}


def _says(response: httpx.Response) -> str:
    data = body(response)
    said = data.get("error") if isinstance(data, dict) else None
    return f"{response.status_code} ({said})" if said else f"HTTP {response.status_code}"


class _Instance:
    def __init__(self, account: MastodonAccount, token: str, timeout: float) -> None:
        self.base = account.instance.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = http.client("", timeout=timeout, headers=headers)

    def get(self, path: str, what: str, **options: Any) -> httpx.Response:
        try:
            response = self.client.get(f"{self.base}{path}", **options)
        except httpx.HTTPError as exc:
            raise WatchFailed(f"Mastodon: {self.base} did not answer ({exc})") from None
        if response.status_code == 401:
            raise WatchFailed(
                f"Mastodon: {self.base} refused {TOKEN_ENV} ({_says(response)}) when asked "
                f"for {what}: it is revoked or wrong",
                config=True,
            )
        if response.status_code == 429:
            raise WatchFailed(f"Mastodon: {self.base} limits the rate of requests: try later")
        return response

    def statuses(self, parts: Sequence[Watched]) -> dict[str, dict[str, Any]]:
        """The statuses the instance shows, by id."""
        found: dict[str, dict[str, Any]] = {}
        ids = list(dict.fromkeys(part.id for part in parts))
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            response = self.get(
                "/api/v1/statuses", "its statuses", params=[("id[]", i) for i in batch]
            )
            if response.status_code == 404:  # before Mastodon 4.3: one at a time
                return self._one_by_one(ids)
            if response.status_code != 200:
                raise WatchFailed(
                    f"Mastodon: {self.base} answered {_says(response)} to GET /api/v1/statuses"
                )
            for status in _json_list(response, self.base):
                if isinstance(status, dict) and isinstance(status.get("id"), str):
                    found[status["id"]] = status
        return found

    def _one_by_one(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for status_id in ids:
            response = self.get(f"/api/v1/statuses/{status_id}", f"status {status_id}")
            if response.status_code == 404:
                continue
            if response.status_code != 200:
                raise WatchFailed(
                    f"Mastodon: {self.base} answered {_says(response)} for status {status_id}"
                )
            status = response.json()
            if isinstance(status, dict):
                found[status_id] = status
        return found

    def warnings(self) -> list[dict[str, Any]] | str:
        """The moderators' warnings to the account, newest first; or why they cannot be read."""
        response = self.get(
            "/api/v1/notifications",
            "its notifications",
            params=[("types[]", "moderation_warning"), ("limit", str(WARNINGS_PAGE))],
        )
        if response.status_code == 403:
            return (
                f"Mastodon: {TOKEN_ENV} may not read notifications ({_says(response)}), so the "
                "moderators' warnings were not read: give the token the read:notifications "
                "scope (README, Accounts and secrets)"
            )
        if response.status_code != 200:
            return f"Mastodon: {self.base} answered {_says(response)} for the notifications"
        warnings = []
        for notification in _json_list(response, self.base):
            if not isinstance(notification, dict):
                continue
            warning = notification.get("moderation_warning")
            if notification.get("type") == "moderation_warning" and isinstance(warning, dict):
                warnings.append(warning)
        return warnings


def _json_list(response: httpx.Response, base: str) -> list[Any]:
    data = body(response)
    if not isinstance(data, list):
        raise WatchFailed(f"Mastodon: {base} answered with something other than a list")
    return data


def _status_findings(part: Watched, status: Mapping[str, Any]) -> list[Seen]:
    seen = []
    edited = moment(status.get("edited_at"))
    ours = moment(part.edited)
    if edited is not None and (ours is None or edited > ours + EDIT_GRACE):
        seen.append(
            Seen(
                Kind.EDITED,
                f"edited on Mastodon at {status['edited_at']}: what it says is no longer "
                "what the repository holds",
                part,
                key=str(status["edited_at"]),
            )
        )
    if status.get("sensitive") is True and not status.get("spoiler_text"):
        seen.append(Seen(Kind.SENSITIVE, "marked sensitive (its media behind a warning)", part))
    return seen


def _warned(warning: Mapping[str, Any]) -> str:
    text = " ".join(str(warning.get("text") or "").split())
    return f": “{text}”" if text else ""


def watch(
    account: MastodonAccount,
    env: Mapping[str, str],
    parts: Sequence[Watched],
    *,
    timeout: float,
) -> Observed:
    """What Mastodon and its moderators did to `parts`: deleted or removed, edited,
    marked sensitive, and the account limited or suspended."""
    observed = Observed()
    token = env.get(TOKEN_ENV, "").strip()
    instance = _Instance(account, token, timeout)
    try:
        statuses = instance.statuses(parts) if parts else {}
        warnings: list[dict[str, Any]] | str
        if token:
            warnings = instance.warnings()
        else:
            warnings = (
                f"Mastodon: {TOKEN_ENV} is not set: statuses were read as anyone reads them "
                "(a private one looks deleted) and the moderators' warnings were not read"
            )
    finally:
        instance.client.close()
    if isinstance(warnings, str):
        observed.notes.append(warnings)
        warnings = []
    moderated: dict[tuple[str, Kind], str] = {}  # what a warning says about a status
    for warning in reversed(warnings):  # oldest first: the newest word wins
        action = str(warning.get("action") or "")
        if action in _ON_STATUSES:
            kind, said = _ON_STATUSES[action]
            for status_id in warning.get("status_ids") or []:
                moderated[(str(status_id), kind)] = said + _warned(warning)
        elif action in _ON_ACCOUNT:
            kind, said = _ON_ACCOUNT[action]
            observed.seen.append(
                Seen(kind, said + _warned(warning), None, key=f"warning {warning.get('id')}")
            )
    for part in parts:
        status = statuses.get(part.id)
        if status is None:
            removed = moderated.get((part.id, Kind.DELETED))
            detail = removed or "not found: deleted, or removed by the instance's moderators"
            observed.seen.append(Seen(Kind.DELETED, detail, part))
            continue
        found = _status_findings(part, status)
        marked = moderated.get((part.id, Kind.SENSITIVE))
        if marked is not None:
            found = [s for s in found if s.kind != Kind.SENSITIVE]
            found.append(Seen(Kind.SENSITIVE, marked, part))
        observed.seen.extend(found)
    return observed
