"""The Mastodon stand-in's batch reads and moderation: `GET /api/v1/statuses?id[]=`,
`GET /api/v1/notifications`, and what a test makes moderators (or someone with
the account's password) do to statuses.

The rules it keeps:

- `GET /api/v1/statuses` (Mastodon 4.3) answers the statuses that exist and
  can be seen, in the order asked, and silently leaves out the others; more
  than 20 ids is refused with 422 (`check_statuses_limit` raises
  Mastodon::ValidationError past DEFAULT_STATUSES_LIMIT, 20); public statuses
  need no token (https://docs.joinmastodon.org/methods/statuses/#index); a server
  that says it runs a version before 4.3 (`version`, for tests) has no such
  route and answers 404, as Rails does for a route it lacks (the same page:
  "4.3.0 - added");
- `GET /api/v1/notifications` needs a token with `read:notifications` (403
  "This action is outside the authorized scopes" otherwise), filters by
  `types[]`, newest first, `limit` at most 80
  (https://docs.joinmastodon.org/methods/notifications/#get);
- a moderator's decision reaches the account as a `moderation_warning`
  notification holding an AccountWarning: `action` (`delete_statuses`,
  `mark_statuses_as_sensitive`, `sensitive`, `silence`, `suspend`, `disable`,
  `none`), the moderator's `text` and the `status_ids` it concerns
  (https://docs.joinmastodon.org/entities/AccountWarning/,
  https://docs.joinmastodon.org/entities/Notification/#moderation_warning);
- a status edited gets `edited_at`; one marked sensitive by moderators keeps
  its text and gets `sensitive: true` (https://docs.joinmastodon.org/entities/Status/).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clarion.sandbox.mastodon.rules import NOT_FOUND, OUTSIDE_SCOPES
from clarion.sandbox.mastodon.shapes import account_json, error, iso, status_json
from clarion.sandbox.server import Request, Response

if TYPE_CHECKING:
    from clarion.sandbox.mastodon.state import InstanceState

STATUSES_LIMIT = 20  # DEFAULT_STATUSES_LIMIT
NOTIFICATIONS_LIMIT = 80  # notifications: `limit` "Max 80 notifications"
VALIDATION_FAILED = "Mastodon::ValidationError"  # what render_json(error: e.to_s) says for it


@dataclass
class AccountWarning:
    id: str
    action: str
    text: str
    status_ids: list[str]
    created_at: float = field(default_factory=time.time)


class Moderation:
    """What the instance's moderators decided about the account, as notifications."""

    def __init__(self, instance: InstanceState) -> None:
        self.instance = instance
        self.warnings: list[AccountWarning] = []

    # -- what moderators (or someone else on the account) do, for tests ------------------
    def warn(
        self, action: str, status_ids: list[str] | None = None, text: str = ""
    ) -> AccountWarning:
        """A moderator's decision, notified to the account (`moderation_warning`)."""
        with self.instance._lock:
            number = str(len(self.warnings) + 1)
            warning = AccountWarning(number, action, text, list(status_ids or []))
            self.warnings.append(warning)
            return warning

    def remove(self, status_id: str, text: str = "") -> AccountWarning:
        """Moderators delete the status and tell the account why."""
        with self.instance._lock:
            self.instance.statuses[status_id].deleted = True
            if status_id in self.instance.pins:
                self.instance.pins.remove(status_id)
        return self.warn("delete_statuses", [status_id], text)

    def mark_sensitive(self, status_id: str, text: str = "", *, notify: bool = True) -> None:
        """Moderators mark the status sensitive; `notify`: with a warning to the account."""
        with self.instance._lock:
            self.instance.statuses[status_id].sensitive = True
        if notify:
            self.warn("mark_statuses_as_sensitive", [status_id], text)

    def edit(self, status_id: str, text: str) -> None:
        """Someone edits the status outside Clarion (the web interface)."""
        with self.instance._lock:
            status = self.instance.statuses[status_id]
            status.edits.append({"text": status.text, "spoiler_text": status.spoiler_text})
            status.text = text
            status.edited_at = time.time()

    def delete(self, status_id: str) -> None:
        """Someone deletes the status outside Clarion: it is gone, with no warning."""
        with self.instance._lock:
            self.instance.statuses[status_id].deleted = True

    # -- the routes ------------------------------------------------------------------------
    def statuses(self, state: InstanceState, request: Request) -> Response:
        """GET /api/v1/statuses?id[]=…"""
        if not _has_batch_reads(state):
            return error(404, NOT_FOUND)
        wanted = list(dict.fromkeys(request.query.get("id[]", [])))
        if len(wanted) > STATUSES_LIMIT:
            return error(422, VALIDATION_FAILED)
        found = []
        for status_id in wanted:
            status = state.statuses.get(status_id)
            if status is None or status.deleted:
                continue
            if status.visibility in ("private", "direct") and not _authorized(state, request):
                continue
            found.append(status_json(state, status))
        return Response.json(found)

    def notifications(self, state: InstanceState, request: Request) -> Response:
        """GET /api/v1/notifications (only moderation warnings happen here)."""
        if not state.allows("read:notifications"):
            return error(403, OUTSIDE_SCOPES)
        types = request.query.get("types[]", [])
        if types and "moderation_warning" not in types:
            return Response.json([])
        try:
            limit = int(request.query.get("limit", ["40"])[-1])
        except ValueError:
            limit = 40
        limit = max(1, min(limit, NOTIFICATIONS_LIMIT))
        newest = sorted(self.warnings, key=lambda w: int(w.id), reverse=True)[:limit]
        return Response.json([self._notification(state, w) for w in newest])

    @staticmethod
    def _notification(state: InstanceState, warning: AccountWarning) -> dict[str, Any]:
        account = account_json(state)
        return {
            "id": f"9{warning.id.zfill(8)}",
            "type": "moderation_warning",
            "group_key": f"ungrouped-9{warning.id.zfill(8)}",
            "created_at": iso(warning.created_at),
            "account": account,
            "moderation_warning": {
                "id": warning.id,
                "action": warning.action,
                "text": warning.text,
                "status_ids": list(warning.status_ids) or None,
                "target_account": account,
                "appeal": None,
                "created_at": iso(warning.created_at),
            },
        }


def _authorized(state: InstanceState, request: Request) -> bool:
    return request.header("Authorization") == f"Bearer {state.token}"


def _has_batch_reads(state: InstanceState) -> bool:
    """Whether the version the instance says it runs has GET /api/v1/statuses (4.3+)."""
    if state.version is None:
        return True
    major, _, rest = state.version.partition(".")
    minor = rest.partition(".")[0]
    if not (major.isdigit() and minor.isdigit()):
        return True
    return (int(major), int(minor)) >= (4, 3)
