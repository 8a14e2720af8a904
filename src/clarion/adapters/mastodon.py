"""Mastodon: statuses, replies for threads and images with alt text, through Mastodon.py.

No double posts, Mastodon's way:

* Every status is sent with a stable `Idempotency-Key` (see `idempotency_key`):
  for one hour Mastodon answers a repeated key with the status it already
  made, so a request whose answer was lost is simply sent again.
* Mastodon forgets keys after an hour. A run killed between sending and
  writing the receipt leaves nothing the next run could see, so before sending
  any part the adapter looks through the account's recent statuses for that
  exact part (same reply parent, spoiler, visibility, alt texts, and the source
  text itself) and adopts it; it looks again when the answer to a send was
  lost. Limits: at most `lookback_pages` pages of 40 statuses are read; for a
  first part (no reply parent to pin it down) only statuses from the last
  `lookback_window` count, so an older post with the same words is not taken
  for this one, but another post with byte-identical text, spoiler and alt
  texts sent within that window would be; a status this adapter already
  returned is never adopted for another part; a part whose text was edited
  after it went out (and whose key has expired) no longer matches and is sent.
* A part whose send went unanswered may be out: it is looked for at once, and
  sent again (same key) when the account shows it is not. Only when the account
  could not be read to settle it `UNSETTLED_LIMIT` times does `send_part` raise
  `OutcomeUnknown`, for a person to settle.

Each call of `send_part` makes one attempt: trying again is the orchestrator's,
whose retry policy is the one budget of a part (attempts, back-off, the longest
wait). Only the calls it does not repeat, the token check in `connect` and the
read in `needs_edit`, are tried again here (`retries`).

At the speed of the network: a part's images are uploaded side by side, and
with the look-back through the account's statuses (an upload that turns out
not to be needed is unattached, invisible, and deleted by Mastodon after a day).

Pinning (`pin: true`) is POST /api/v1/statuses/:id/pin, which needs the token's
`write:accounts` scope; a status already pinned counts as pinned.

The instance's own limits (characters, image bytes, alt text) are read at
connect, and a post over them is refused before any of its parts is sent
(`mastodon_instance`): the settings' `max_characters` may allow more than the
instance takes, and Mastodon would refuse only the part over, half a thread in.

The adapter and its sending live here; the look-back in `mastodon_lookback`,
images in `mastodon_media`, what Mastodon's failures mean in `mastodon_errors`,
the instance's limits in `mastodon_instance`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from mastodon import Mastodon
from mastodon.errors import MastodonError, MastodonNetworkError, MastodonNotFoundError

from clarion import __version__
from clarion.adapters.base import (
    AdapterError,
    AuthError,
    NotSent,
    OutcomeUnknown,
    Outgoing,
    OutgoingPart,
    Receipt,
    SideBySide,
)
from clarion.adapters.mastodon_entities import record, utc
from clarion.adapters.mastodon_errors import (
    TOKEN_ENV,
    answer,
    never_sent,
    reason,
    refusal,
    unreadable,
)
from clarion.adapters.mastodon_instance import InstanceLimits, from_answer, over_limits, unknown
from clarion.adapters.mastodon_lookback import find_sent
from clarion.adapters.mastodon_media import processed, upload
from clarion.settings import MastodonAccount, Settings

# The oldest server we support: media v2, status edits with `language` (4.0).
# Given explicitly so Mastodon.py does not ask the instance (and act as 1.0.0 if that fails).
SERVER_VERSION = "4.0.0"
MAX_KEY_GENERATIONS = 3
# Times the account may fail to be read while a part that went unanswered is being
# settled, before the part is handed to a person (`OutcomeUnknown`).
UNSETTLED_LIMIT = 3

log = logging.getLogger(__name__)


def idempotency_key(outgoing: Outgoing, part: OutgoingPart, in_reply_to: str | None) -> str:
    """The `Idempotency-Key` of one part: the same for every attempt at that part.

    It names the part's identity, not its content: the post (its file), the
    network, the position in the thread and the status it replies to. The text
    is deliberately left out: the key only matters once Mastodon has made a
    status under it, and then a text edited before the retry must get that
    status back (it is already public; `edit` can correct it), not a second
    status beside it. The reply parent is in: a part that follows a re-sent
    parent is a new status in a new thread.
    """
    identity = "\x1f".join((outgoing.key, outgoing.network, str(part.index), in_reply_to or ""))
    return "clarion-" + hashlib.sha256(identity.encode("utf-8")).hexdigest()[:40]


def from_settings(settings: Settings, env: Mapping[str, str], **options: Any) -> MastodonAdapter:
    """The adapter for the repository's Mastodon account; the token comes from `env` only."""
    account = settings.account("mastodon")
    if not isinstance(account, MastodonAccount):
        raise AuthError(
            "no Mastodon account: add [tool.clarion.accounts.mastodon] to pyproject.toml"
        )
    token = env.get(TOKEN_ENV, "")
    if not token:
        raise AuthError(f"{TOKEN_ENV} is not set: it must hold the Mastodon account's access token")
    return MastodonAdapter(account, token, **options)


class MastodonAdapter:
    """One Mastodon account. `connect()` first; then `send_part`, `edit`, `delete`, `pin`."""

    name = "mastodon"

    def __init__(
        self,
        account: MastodonAccount,
        access_token: str,
        *,
        timeout: float = 30.0,
        retries: int = 2,
        retry_delay: float = 1.0,
        media_poll_interval: float = 0.25,
        media_timeout: float = 60.0,
        lookback_pages: int = 3,
        lookback_window: dt.timedelta = dt.timedelta(hours=24),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not access_token:
            raise AuthError(f"{TOKEN_ENV} is empty")
        self.account = account
        self.timeout = timeout
        self.retries = retries  # extra tries of the calls the orchestrator does not repeat
        self.retry_delay = retry_delay
        self.media_poll_interval = media_poll_interval
        self.media_timeout = media_timeout
        self.lookback_pages = lookback_pages
        self.lookback_window = lookback_window
        self._created: set[str] = set()  # statuses this instance made in this run
        self._token = access_token
        self._sleep = sleep
        self._api: Mastodon | None = None
        self._session: requests.Session | None = None
        self._account_id = ""
        self._acct = ""
        # What the instance takes, read at connect (GET /api/v2/instance).
        self.instance_limits: InstanceLimits = unknown(account.instance)
        # The last answer's headers, per thread: requests go side by side.
        self._answers = threading.local()
        # Status ids handed out as receipts by this adapter: never adopted for another part.
        self._given: set[str] = set()
        # Parts (by idempotency key) whose send went unanswered: how often the account
        # could not be read to settle whether they went out.
        self._unsettled: dict[str, int] = {}

    # -- session -----------------------------------------------------------------------------
    def connect(self) -> None:
        """Check the token with verify_credentials; `AuthError` when Mastodon refuses it."""
        self.close()
        session = requests.Session()
        session.hooks["response"].append(self._remember)
        self._session = session
        self._api = Mastodon(
            access_token=self._token,
            api_base_url=self.account.instance,
            ratelimit_method="throw",  # never sleep inside the library: the orchestrator waits
            request_timeout=self.timeout,
            mastodon_version=SERVER_VERSION,
            version_check_mode="created",
            session=session,
            user_agent=f"clarion/{__version__}",
        )
        # The token checked and the instance's limits read side by side: one round trip.
        with SideBySide() as batch:
            checked = batch.submit(
                self._checking,
                self._api.account_verify_credentials,
                doing="checking the access token",
            )
            limits = batch.submit(self._read_limits)
        batch.raise_failure()
        me = checked.result()
        self.instance_limits = limits.result()
        self._account_id = str(me["id"])
        self._acct = str(me.get("acct") or me.get("username") or "")

    def _read_limits(self) -> InstanceLimits:
        """The instance's limits; none known when it does not answer (Mastodon's own
        refusal of a part still stops it)."""
        try:
            answer = record(self._connected().instance_v2())
        except MastodonError as exc:
            log.warning(
                "%s did not say its limits (%s): posts are checked against the settings only",
                self.account.instance,
                reason(exc),
            )
            return unknown(self.account.instance)
        return from_answer(self.account.instance, answer)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
        self._session = None
        self._api = None

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        # Mastodon.py raises MastodonRatelimitError without the response; keep its headers.
        self._answers.headers = response.headers

    @property
    def _last_headers(self) -> Mapping[str, str]:
        """The headers of the last answer this thread received."""
        headers: Mapping[str, str] = getattr(self._answers, "headers", {})
        return headers

    def _connected(self) -> Mastodon:
        if self._api is None:
            raise AdapterError("MastodonAdapter.connect() must be called first")
        return self._api

    # -- sending -----------------------------------------------------------------------------
    def send_part(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        *,
        root: Receipt | None,
        parent: Receipt | None,
    ) -> Receipt:
        api = self._connected()
        where = f"part {part.index + 1} of {outgoing.key}"
        if parent is not None and not parent.id:
            raise NotSent(
                f"{where}: the part before it has no status id to reply to", retryable=False
            )
        # Before any request: a part the instance would refuse stops the post here,
        # not once the parts before it are out.
        refused = over_limits(self.instance_limits, outgoing, part)
        if refused is not None:
            raise NotSent(refused, retryable=False)
        in_reply_to = parent.id if parent is not None else None
        key = idempotency_key(outgoing, part, in_reply_to)

        with SideBySide() as batch:
            # A reply to a status this run created cannot have been sent by an earlier
            # run: only then is the look-back skipped.
            earlier = None
            if in_reply_to is None or in_reply_to not in self._created:
                earlier = batch.submit(self._look_back, outgoing, part, in_reply_to, key, where)
            uploads = [batch.submit(upload, self._call, api, image, where) for image in part.images]
        if earlier is not None and earlier.exception() is None:
            found = earlier.result()
            if found is not None:
                return found  # whatever else failed beside the look-back
        batch.raise_failure()
        media_ids = processed(
            self._call,
            api,
            [future.result() for future in uploads],
            where,
            poll_interval=self.media_poll_interval,
            timeout=self.media_timeout,
            sleep=self._sleep,
        )
        return self._post(outgoing, part, in_reply_to, key, media_ids, where)

    def _look_back(
        self, outgoing: Outgoing, part: OutgoingPart, in_reply_to: str | None, key: str, where: str
    ) -> Receipt | None:
        try:
            return self._find_sent(outgoing, part, in_reply_to)
        except MastodonError as exc:
            if key in self._unsettled and unreadable(exc):
                raise self._not_settled(key, where, "an earlier send got no answer") from None
            raise self._refusal(
                exc, f"reading the account's statuses before sending {where}"
            ) from None

    def _post(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        in_reply_to: str | None,
        base_key: str,
        media_ids: list[str],
        where: str,
    ) -> Receipt:
        api = self._connected()
        generation = 0
        while True:
            key = base_key if generation == 0 else f"{base_key}-{generation}"
            try:
                status = api.status_post(
                    part.text,
                    in_reply_to_id=in_reply_to,
                    media_ids=media_ids or None,
                    visibility=outgoing.visibility or "public",
                    spoiler_text=outgoing.spoiler or None,
                    language=outgoing.lang,
                    idempotency_key=key,
                )
            except MastodonNetworkError as exc:
                if never_sent(exc):
                    raise NotSent(
                        f"{where}: could not reach {self.account.instance}: {reason(exc)}",
                        retryable=True,
                    ) from None
                # It may have been made: look for it; the same key makes sending again safe.
                return self._settle(outgoing, part, in_reply_to, base_key, reason(exc), where)
            except MastodonNotFoundError:
                # The key names a status deleted since (a retraction), or the parent is gone.
                self._require_parent(in_reply_to, where)
                generation += 1
                if generation > MAX_KEY_GENERATIONS:
                    raise NotSent(
                        f"{where}: Mastodon keeps answering 404: the statuses made for it "
                        "were deleted",
                        retryable=False,
                    ) from None
                continue
            except MastodonError as exc:
                raise self._refusal(exc, f"sending {where}") from None
            receipt = self._receipt(record(status))
            if receipt.id:
                self._created.add(receipt.id)
            self._unsettled.pop(base_key, None)
            return receipt

    def _settle(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        in_reply_to: str | None,
        key: str,
        lost: str,
        where: str,
    ) -> Receipt:
        """After a send whose answer was lost: the status if the account holds it."""
        self._unsettled.setdefault(key, 0)
        try:
            earlier = self._find_sent(outgoing, part, in_reply_to)
        except MastodonError as exc:
            if unreadable(exc):
                raise self._not_settled(key, where, f"no answer came back ({lost})") from None
            raise self._refusal(
                exc, f"reading the account's statuses after sending {where}"
            ) from None
        if earlier is not None:
            self._unsettled.pop(key, None)
            return earlier
        raise NotSent(
            f"{where}: no answer from {self.account.instance} ({lost}) and the account's recent "
            "statuses do not hold it; sending again is safe (same Idempotency-Key)",
            retryable=True,
        )

    def _not_settled(self, key: str, where: str, why: str) -> AdapterError:
        """A part that may be out, and the account could not be read to tell."""
        self._unsettled[key] += 1
        if self._unsettled[key] >= UNSETTLED_LIMIT:
            return OutcomeUnknown(
                f"{where}: sent to {self.account.instance} but {why}, and the account's "
                f"statuses could not be read to check; see {self._profile_url()} and record "
                "the status or delete this entry"
            )
        return NotSent(
            f"{where}: sent to {self.account.instance} but {why}, and the account's statuses "
            "could not be read to check; trying again is safe (same Idempotency-Key)",
            retryable=True,
        )

    def _require_parent(self, in_reply_to: str | None, where: str) -> None:
        if in_reply_to is None:
            return
        api = self._connected()
        try:
            api.status(in_reply_to)
        except MastodonNotFoundError:
            raise NotSent(
                f"{where}: it replies to status {in_reply_to}, which no longer exists on "
                f"{self.account.instance}; delete the receipts of the thread to send it anew",
                retryable=False,
            ) from None
        except MastodonError as exc:
            raise self._refusal(exc, f"checking the status {where} replies to") from None

    # -- finding a part already sent -----------------------------------------------------------
    def _find_sent(
        self, outgoing: Outgoing, part: OutgoingPart, in_reply_to: str | None
    ) -> Receipt | None:
        """This exact part among the account's recent statuses, or None. Raises MastodonError."""
        status = find_sent(
            self._connected(),
            self._account_id,
            outgoing,
            part,
            in_reply_to,
            pages=self.lookback_pages,
            window=self.lookback_window,
            given=self._given,
        )
        if status is None:
            return None
        log.info(
            "part %d of %s was already on Mastodon as status %s",
            part.index + 1,
            outgoing.key,
            status["id"],
        )
        return self._receipt(status)

    # -- corrections -------------------------------------------------------------------------
    def needs_edit(self, receipt: Receipt, outgoing: Outgoing, part: OutgoingPart) -> bool:
        """Whether the status's source differs from `part` (so an edit is due).

        Asking the server, not the file, makes a correction idempotent: applied
        once, however many runs see `edit: true`.
        """
        api = self._connected()
        if not receipt.id:
            return False
        source = self._checking(api.status_source, receipt.id, doing=f"reading status {receipt.id}")
        return bool(
            source.get("text") != part.text
            or (source.get("spoiler_text") or "") != (outgoing.spoiler or "")
        )

    def edit(self, receipt: Receipt, outgoing: Outgoing, part: OutgoingPart) -> Receipt:
        """Replace a sent part's text, spoiler, language and alt texts (PUT /api/v1/statuses/:id).

        Alt texts go to the status's attachments in order; images themselves are not replaced.
        """
        api = self._connected()
        if not receipt.id:
            raise NotSent("only a part with a status id can be edited", retryable=False)
        where = f"status {receipt.id} ({outgoing.key})"
        current = self._call(api.status, receipt.id, doing=f"reading {where}")
        # Naming an attachment in media_attributes also lists it in media_ids, and an edit's
        # media_ids replace the status's attachments: so name every one, in order.
        attachments = current.get("media_attachments") or []
        alts = [image.alt for image in part.images]
        attributes = [
            api.generate_media_edit_attributes(
                str(attachment["id"]),
                description=alts[n] if n < len(alts) else attachment.get("description") or "",
            )
            for n, attachment in enumerate(attachments)
        ]
        # Mastodon.py 2.3.3's status_update() lacks `language`, which the API (Mastodon >= 4.0)
        # accepts; the library's own helper behind it takes it.
        internal = getattr(api, "_Mastodon__status_internal", None)
        if internal is not None:
            status = self._call(
                internal,
                part.text,
                spoiler_text=outgoing.spoiler or "",
                language=outgoing.lang,
                sensitive=None,
                media_attributes=attributes or None,
                edit=receipt.id,
                doing=f"editing {where}",
            )
        else:
            status = self._call(
                api.status_update,
                receipt.id,
                part.text,
                spoiler_text=outgoing.spoiler or "",
                media_attributes=attributes or None,
                doing=f"editing {where}",
            )
        return self._receipt(status)

    def delete(self, receipt: Receipt) -> None:
        """Delete a sent part and its images; one already gone counts as deleted.

        `delete_media` (Mastodon 4.4; older servers ignore it) removes the images at
        once: without it Mastodon keeps them about a day for a redraft
        (docs.joinmastodon.org/methods/statuses/#delete), and a retracted image
        should not stay reachable.
        """
        api = self._connected()
        if not receipt.id:
            raise NotSent("only a part with a status id can be deleted", retryable=False)
        try:
            api.status_delete(receipt.id, delete_media=True)
        except MastodonNotFoundError:
            return
        except MastodonError as exc:
            raise self._refusal(exc, f"deleting status {receipt.id}") from None

    def pin(self, receipt: Receipt) -> None:
        """Pin a sent part on the account's profile; one already pinned counts as pinned."""
        api = self._connected()
        if not receipt.id:
            raise NotSent("only a part with a status id can be pinned", retryable=False)
        doing = f"pinning status {receipt.id}"
        try:
            api.status_pin(receipt.id)
        except MastodonError as exc:
            code, message = answer(exc)
            # Mastodon answers a second pin of the same status 422 "Duplicate record".
            if code == 422 and self._pinned(receipt.id):
                return
            if code == 403:
                raise NotSent(
                    f"{self.account.instance} did not allow {doing}: {message} (pinning needs "
                    "the token's write:accounts scope)",
                    retryable=False,
                ) from None
            raise self._refusal(exc, doing) from None

    def _pinned(self, status_id: str) -> bool:
        """Whether the account's status is pinned now; False when that cannot be read."""
        api = self._connected()
        try:
            status = record(api.status(status_id))
        except MastodonError:
            return False
        return status.get("pinned") is True

    # -- helpers -----------------------------------------------------------------------------
    def _call(
        self, func: Callable[..., Any], *args: Any, doing: str, **kwargs: Any
    ) -> Mapping[str, Any]:
        """One request whose failure becomes an adapter error."""
        try:
            return record(func(*args, **kwargs))
        except MastodonError as exc:
            raise self._refusal(exc, doing) from None

    def _checking(
        self, func: Callable[..., Any], *args: Any, doing: str, **kwargs: Any
    ) -> Mapping[str, Any]:
        """A read the orchestrator does not repeat: tried again here after a network
        failure, `retries` times."""
        attempt = 0
        while True:
            try:
                return record(func(*args, **kwargs))
            except MastodonNetworkError as exc:
                attempt += 1
                if attempt > self.retries:
                    raise self._refusal(exc, doing) from None
                self._sleep(self.retry_delay * attempt)
            except MastodonError as exc:
                raise self._refusal(exc, doing) from None

    def _refusal(self, exc: MastodonError, doing: str) -> AdapterError:
        """What Mastodon's answer (or silence before anything was sent) means for Clarion."""
        return refusal(exc, doing, instance=self.account.instance, headers=self._last_headers)

    def _receipt(self, status: Mapping[str, Any]) -> Receipt:
        status_id = str(status["id"])
        self._given.add(status_id)
        return Receipt(
            at=utc(status["created_at"]),
            id=status_id,
            url=str(status.get("url") or status.get("uri")),
        )

    def _profile_url(self) -> str:
        return f"{self.account.instance.rstrip('/')}/@{self._acct}"
