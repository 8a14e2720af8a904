"""X (Twitter) through tweepy's API v2 client, with OAuth 1.0a user context.

Posts and replies go through `tweepy.Client.create_tweet`. Images go through
X's v2 media upload, which tweepy 4.17 does not have (its upload uses the
retired v1.1 endpoint), signed with requests-oauthlib: a still image in one
request (`POST /2/media/upload`), an animated GIF in the chunked upload X
requires for it (`initialize`, `append`, `finalize`, then STATUS while X
processes it), alt text through `POST /2/media/metadata`.

tweepy hard-codes https://api.twitter.com and sets no timeout, so a transport
adapter mounted on its session sends each request to the configured API
(`[tool.clarion.accounts.x] api`, a local stand-in in tests), signs it again for
the URL it really goes to, and applies the timeout.

X cannot be asked whether a post went out, so nothing here ever sends a post
twice: whenever the create request may have reached X and no clear answer came
back, `send_part` raises `OutcomeUnknown` and the orchestrator records
`outcome: unknown` for a person to settle.

At the speed of the network: there is no session to open (OAuth 1.0a signs
each request), so the keys are checked by the first call that needs them, the
first part's images going up beside the check (each upload, then its alt
text). Nothing is posted or deleted before the check has passed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import tweepy  # type: ignore[import-untyped]
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests_oauthlib import OAuth1  # type: ignore[import-untyped]

from clarion.adapters.base import (
    AuthError,
    Image,
    NotSent,
    OutcomeUnknown,
    Outgoing,
    OutgoingPart,
    Receipt,
    SideBySide,
    could_not_connect,
    read_image,
    secret,
)
from clarion.settings import Settings, XAccount

DEFAULT_TIMEOUT = 30.0
TWEEPY_HOST = "https://api.twitter.com"  # what tweepy 4.17 always calls
ENV_VARS = (
    "CLARION_X_API_KEY",
    "CLARION_X_API_SECRET",
    "CLARION_X_ACCESS_TOKEN",
    "CLARION_X_ACCESS_TOKEN_SECRET",
)
DUPLICATE_DETAIL = "duplicate content"
# 403 problem types that mean the app or its keys may not do this, not the post.
_PERMISSION_PROBLEMS = ("oauth1-permissions", "client-forbidden", "unsupported-authentication")
_MEDIA_PROCESSING_LIMIT = 120.0  # seconds to wait for X to process an animated GIF
# The one-shot upload takes still images only: its media_category is tweet_image,
# dm_image or subtitles, its media_type no GIF (docs.x.com/x-api/media/upload-media).
# GIFs go through the chunked upload (docs.x.com/x-api/media/quickstart/media-upload-chunked).
_CHUNKED = {"image/gif": "tweet_gif"}
CHUNK_BYTES = 4 * 1024 * 1024  # X takes segments of up to 5 MB


@dataclass(frozen=True)
class XCredentials:
    """OAuth 1.0a user-context keys. `repr` shows none of them."""

    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> XCredentials:
        return cls(*(secret(env, name, "X") for name in ENV_VARS))

    def oauth1(self) -> Any:
        return OAuth1(
            self.api_key,
            client_secret=self.api_secret,
            resource_owner_key=self.access_token,
            resource_owner_secret=self.access_token_secret,
        )


class _ToConfiguredApi(HTTPAdapter):
    """Sends tweepy's requests to the configured API with a timeout.

    requests passes `timeout=None` explicitly, so the default is applied here.
    The OAuth signature covers the URL, so a request whose URL changes is signed
    again for the URL it is really sent to.
    """

    def __init__(self, api: str, auth: Any, timeout: float) -> None:
        super().__init__()
        self.api = api.rstrip("/")
        self.auth = auth
        self.timeout = timeout

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = request.url or ""
        if url.startswith(TWEEPY_HOST + "/") and self.api != TWEEPY_HOST:
            request.url = self.api + url[len(TWEEPY_HOST) :]
            if str(request.headers.get("Authorization", "")).startswith("OAuth "):
                self.auth(request)
        return super().send(
            request,
            stream=stream,
            timeout=self.timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request surely never reached X (no connection was made)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        # Refused, unreachable or a name that does not resolve.
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


def _x_message(exc: tweepy.HTTPException) -> str:
    messages = [str(m) for m in exc.api_messages if m]
    detail = "; ".join(dict.fromkeys(messages))
    status = exc.response.status_code
    return f"{status} {detail}" if detail else f"{status} {exc.response.reason}"


def _reply_refused(exc: tweepy.HTTPException) -> bool:
    """X's 403 for a reply it will not take from this account (the reply rule of
    February 2026), as against one to a deleted post or a duplicate."""
    if not isinstance(exc, tweepy.Forbidden):
        return False
    return any(
        "reply" in str(m).lower() and "not allowed" in str(m).lower() for m in exc.api_messages
    )


def _problem_type(exc: tweepy.HTTPException) -> str:
    try:
        body = exc.response.json()
    except ValueError:
        return ""
    return str(body.get("type", "")) if isinstance(body, dict) else ""


def _spent_caps(exc: tweepy.TooManyRequests) -> dict[str, float]:
    """The 24-hour posting caps X says are spent (`x-user-limit-24hour-*`,
    `x-app-limit-24hour-*`), each with when it resets (a Unix time)."""
    headers = exc.response.headers
    spent = {}
    for scope in ("user", "app"):
        remaining = headers.get(f"x-{scope}-limit-24hour-remaining")
        reset = headers.get(f"x-{scope}-limit-24hour-reset")
        if remaining == "0" and reset and reset.isdigit():
            spent[scope] = float(reset)
    return spent


def _retry_after(exc: tweepy.TooManyRequests) -> float | None:
    """Seconds until X takes posts again: the 15-minute window's reset, or a
    spent 24-hour cap's, whichever is later."""
    resets = [float(exc.reset_time)] if exc.reset_time is not None else []
    resets.extend(_spent_caps(exc).values())
    if not resets:
        return None
    return max(0.0, max(resets) - time.time())


def _rate_limited(doing: str, exc: tweepy.TooManyRequests) -> NotSent:
    message = _x_message(exc)
    spent = _spent_caps(exc)
    if not spent:
        return NotSent(
            f"X: rate limited while {doing} ({message})",
            retryable=True,
            retry_after=_retry_after(exc),
        )
    whose = " and ".join({"user": "the account's", "app": "the app's"}[s] for s in spent)
    until = dt.datetime.fromtimestamp(max(spent.values()), dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return NotSent(
        f"X: {whose} 24-hour posting cap is spent ({message} while {doing}); "
        f"X takes posts again at {until}",
        retryable=True,
        retry_after=_retry_after(exc),
    )


class XAdapter:
    """One X account (the `Adapter` protocol)."""

    name = "x"

    chunk_bytes = CHUNK_BYTES

    def __init__(
        self,
        account: XAccount,
        credentials: XCredentials,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.account = account
        self.api = account.api.rstrip("/")
        self.timeout = timeout
        self._sleep = sleep  # between STATUS polls; the tests' never waits
        self.handle = account.handle
        self._keys_checked = False
        self._credentials = credentials
        self._auth = credentials.oauth1()
        self._client = tweepy.Client(
            consumer_key=credentials.api_key,
            consumer_secret=credentials.api_secret,
            access_token=credentials.access_token,
            access_token_secret=credentials.access_token_secret,
            return_type=dict,
        )
        self._session: requests.Session = self._client.session
        self._session.mount(TWEEPY_HOST, _ToConfiguredApi(self.api, self._auth, timeout))
        self._session.mount(self.api, _ToConfiguredApi(self.api, self._auth, timeout))

    # -- the Adapter protocol ---------------------------------------------------
    def connect(self) -> None:
        """Nothing to open: the keys are checked by the first `send_part` or `delete`,
        beside its uploads, and a refusal is an `AuthError` raised there."""
        self._keys_checked = False

    def _check_keys(self) -> None:
        """Check the keys with `GET /2/users/me` and learn the account's username."""
        try:
            me = self._client.get_me(user_auth=True)
        except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
            raise AuthError(
                f"X refused the credentials ({_x_message(exc)}): check CLARION_X_API_KEY, "
                "CLARION_X_API_SECRET, CLARION_X_ACCESS_TOKEN and CLARION_X_ACCESS_TOKEN_SECRET "
                "(regenerate the access token after giving the app Read and Write permission)"
            ) from None
        except tweepy.HTTPException as exc:
            raise self._refusal("checking the account", exc, created_nothing=True) from None
        except requests.RequestException as exc:
            raise NotSent(f"X: could not reach {self.api}: {exc}", retryable=True) from None
        username = (me.get("data") or {}).get("username")
        if username:
            self.handle = str(username)
        self._keys_checked = True

    def send_part(
        self,
        outgoing: Outgoing,
        part: OutgoingPart,
        *,
        root: Receipt | None,
        parent: Receipt | None,
    ) -> Receipt:
        """Post one part; X unfurls link cards itself and detects the language."""
        reply_to: str | None = None
        if parent is not None:
            if not parent.id:
                raise NotSent(
                    "X: the previous part has no post id (its outcome is unknown); "
                    "settle it in the post file first",
                    retryable=False,
                )
            reply_to = parent.id
        with SideBySide() as batch:
            if not self._keys_checked:
                batch.submit(self._check_keys)
            uploads = [batch.submit(self._upload_image, image) for image in part.images]
        batch.raise_failure()
        media_ids = [upload.result() for upload in uploads]
        try:
            answer = self._client.create_tweet(
                text=part.text,
                in_reply_to_tweet_id=reply_to,
                media_ids=media_ids or None,
                user_auth=True,
            )
        except tweepy.HTTPException as exc:
            if reply_to is not None and _reply_refused(exc):
                raise NotSent(
                    f"X refused part {part.index + 1} as a reply ({_x_message(exc)}). Since "
                    "February 2026 X lets self-serve API tiers reply only where the original "
                    "post's author mentioned or quoted the account, and may hold a thread's own "
                    "parts to that rule. The parts already posted keep their receipts. To send "
                    "the post on X as one post, add `x: {thread: single}` to it (its parts must "
                    "fit in 280 together), or post the rest by hand and fill in their receipts",
                    retryable=False,
                ) from None
            doing = f"posting part {part.index + 1}"
            raise self._refusal(doing, exc, created_nothing=False) from None
        except requests.RequestException as exc:
            if _never_sent(exc):
                what = f"post part {part.index + 1}"
                raise could_not_connect("X", self.api, what, exc) from None
            raise OutcomeUnknown(
                f"X: part {part.index + 1} was sent but no answer came back "
                f"({type(exc).__name__}); "
                "X cannot be asked whether it was posted: a person must check the account and "
                "fill in the receipt, or delete the `outcome: unknown` entry to send it again"
            ) from None
        try:
            tweet_id = str(answer["data"]["id"])
        except (KeyError, TypeError):
            raise OutcomeUnknown(
                f"X answered the post of part {part.index + 1} without a post id: {answer}; "
                "a person must check the account and fill in the receipt"
            ) from None
        return Receipt(
            at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            id=tweet_id,
            url=self.status_url(tweet_id),
        )

    def delete(self, receipt: Receipt) -> None:
        """Delete a post (a retraction). A post already gone counts as deleted."""
        if not receipt.id:
            raise NotSent("X: this receipt has no post id to delete", retryable=False)
        if not self._keys_checked:
            self._check_keys()
        try:
            answer = self._client.delete_tweet(receipt.id, user_auth=True)
        except tweepy.NotFound:
            return
        except tweepy.HTTPException as exc:
            raise self._refusal(f"deleting {receipt.id}", exc, created_nothing=True) from None
        except requests.RequestException as exc:
            # Deleting twice is harmless, so any failure to hear back can be retried.
            raise NotSent(f"X: deleting {receipt.id} failed: {exc}", retryable=True) from None
        if not (answer.get("data") or {}).get("deleted"):
            raise NotSent(f"X did not delete {receipt.id}: {answer}", retryable=False)

    def close(self) -> None:
        self._session.close()

    def status_url(self, tweet_id: str) -> str:
        return f"{self.account.web.rstrip('/')}/{self.handle}/status/{tweet_id}"

    # -- media ------------------------------------------------------------------
    def _upload_image(self, image: Image) -> str:
        return self._upload(read_image(image, "X"), image.mime, image.alt)

    def _upload(self, data: bytes, mime: str, alt: str) -> str:
        """Upload one image and set its alt text; returns the media id.

        Nothing is posted yet, so every failure here is safe to retry.
        """
        category = _CHUNKED.get(mime)
        if category is None:
            answer = self._media_call(
                "POST",
                "/2/media/upload",
                files={"media": ("image", data, mime)},
                data={"media_category": "tweet_image"},
            )
        else:
            answer = self._upload_chunked(data, mime, category)
        media = answer.get("data") or {}
        media_id = str(media.get("id") or "")
        if not media_id:
            raise NotSent(f"X: the media upload answered without an id: {answer}", retryable=True)
        self._wait_for_processing(media_id, media.get("processing_info"))
        if alt:
            self._media_call(
                "POST",
                "/2/media/metadata",
                json={"id": media_id, "metadata": {"alt_text": {"text": alt}}},
            )
        return media_id

    def _upload_chunked(self, data: bytes, mime: str, category: str) -> dict[str, Any]:
        """INITIALIZE, APPEND each segment, FINALIZE; the answer of FINALIZE."""
        started = self._media_call(
            "POST",
            "/2/media/upload/initialize",
            json={"media_type": mime, "total_bytes": len(data), "media_category": category},
        )
        media_id = str((started.get("data") or {}).get("id") or "")
        if not media_id:
            raise NotSent(f"X: the media upload answered without an id: {started}", retryable=True)
        for index, at in enumerate(range(0, len(data), self.chunk_bytes)):
            self._media_call(
                "POST",
                f"/2/media/upload/{media_id}/append",
                files={"media": ("segment", data[at : at + self.chunk_bytes], mime)},
                data={"segment_index": str(index)},
            )
        return self._media_call("POST", f"/2/media/upload/{media_id}/finalize")

    def _wait_for_processing(self, media_id: str, info: Any) -> None:
        """Animated GIFs are processed after upload; a post may use them only when done.

        X says when to ask again (`check_after_secs`); the waits add up to at most
        `_MEDIA_PROCESSING_LIMIT`, then the upload is given up (and may be retried).
        """
        waited = 0.0
        while isinstance(info, dict) and info.get("state") in ("pending", "in_progress"):
            wait = float(max(1, int(info.get("check_after_secs") or 1)))
            if waited + wait > _MEDIA_PROCESSING_LIMIT:
                raise NotSent(
                    f"X: media {media_id} is still being processed after {waited:.0f} s",
                    retryable=True,
                )
            self._sleep(wait)
            waited += wait
            answer = self._media_call(
                "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id}
            )
            info = (answer.get("data") or {}).get("processing_info")
        if isinstance(info, dict) and info.get("state") == "failed":
            error = info.get("error") or {}
            raise NotSent(
                f"X could not process the image: {error.get('message') or error}", retryable=False
            )

    def _media_call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._session.request(
                method, self.api + path, auth=self._auth, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise NotSent(
                f"X: uploading an image failed ({type(exc).__name__}); nothing was posted",
                retryable=True,
            ) from None
        with response:
            if response.status_code >= 400:
                raise self._refusal(
                    "uploading an image", _as_tweepy_error(response), created_nothing=True
                )
            answer = response.json()
        return answer if isinstance(answer, dict) else {}

    # -- classifying X's answers --------------------------------------------------
    def _refusal(
        self, doing: str, exc: tweepy.HTTPException, *, created_nothing: bool
    ) -> AuthError | NotSent | OutcomeUnknown:
        """The exception for an HTTP error answer.

        `created_nothing` is true for calls that cannot create a post (so a
        server error is safe to retry); false for the create call itself.
        """
        message = _x_message(exc)
        status = exc.response.status_code
        if isinstance(exc, tweepy.TooManyRequests):
            return _rate_limited(doing, exc)
        if isinstance(exc, tweepy.Unauthorized):
            return AuthError(f"X refused the credentials while {doing} ({message})")
        if isinstance(exc, tweepy.Forbidden):
            if any(DUPLICATE_DETAIL in m for m in exc.api_messages) and not created_nothing:
                return OutcomeUnknown(
                    f"X refused this part as a duplicate of a post already on the account "
                    f"({message}): it was probably posted by an earlier run whose receipt was "
                    "lost; a person must check the account and fill in the receipt"
                )
            if _problem_type(exc).endswith(_PERMISSION_PROBLEMS):
                return AuthError(
                    f"X does not allow this app to do that while {doing} ({message}): give the "
                    "app Read and Write permission and regenerate the access token"
                )
            return NotSent(f"X refused {doing}: {message}", retryable=False)
        if status >= 500:
            if created_nothing:
                return NotSent(f"X: server error while {doing} ({message})", retryable=True)
            # A 5xx from X's front or from the service behind it look alike, and the
            # service may have created the post before failing: never a blind retry.
            return OutcomeUnknown(
                f"X answered {message} while {doing}; X may have posted it anyway and cannot "
                "be asked: a person must check the account and fill in the receipt, or delete "
                "the `outcome: unknown` entry to send it again"
            )
        return NotSent(f"X refused {doing}: {message}", retryable=False)


def _as_tweepy_error(response: requests.Response) -> tweepy.HTTPException:
    """tweepy's exception for an error answer, so media calls classify like the rest."""
    kinds = {
        400: tweepy.BadRequest,
        401: tweepy.Unauthorized,
        403: tweepy.Forbidden,
        404: tweepy.NotFound,
    }
    if response.status_code == 429:
        reset = response.headers.get("x-rate-limit-reset")
        return tweepy.TooManyRequests(
            response, reset_time=int(reset) if reset and reset.isdigit() else None
        )
    if response.status_code >= 500:
        return tweepy.TwitterServerError(response)
    return kinds.get(response.status_code, tweepy.HTTPException)(response)


def from_settings(
    settings: Settings,
    env: Mapping[str, str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    sleep: Callable[[float], None] = time.sleep,
) -> XAdapter:
    """The adapter for the repository's X account, with keys from the environment."""
    account = settings.account("x")
    if not isinstance(account, XAccount):
        raise AuthError("X: pyproject.toml has no [tool.clarion.accounts.x] table")
    return XAdapter(account, XCredentials.from_env(env), timeout=timeout, sleep=sleep)
