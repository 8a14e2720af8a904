"""A stand-in for the X API v2 calls Clarion makes, on 127.0.0.1.

Endpoints (as tweepy 4.17 and Clarion's media upload call them):

    GET    /2/users/me          the authenticated account
    POST   /2/tweets            create a post (text, reply, media)
    DELETE /2/tweets/:id        delete a post
    POST   /2/media/upload      one-shot upload (multipart `media` + `media_category`)
    GET    /2/media/upload      ?command=STATUS&media_id=… (processing of animated GIFs)
    POST   /2/media/metadata    alt text

It checks what X checks: an OAuth 1.0a HMAC-SHA1 signature over the RFC 5849
base string with the sandbox secrets (401 with X's problem body otherwise, also
for a stale timestamp or a replayed nonce), the 280 weighted-character limit,
duplicate text, up to 4 images of at most 5 MB with alt text of at most 1000
characters, replies to posts that exist, and 15-minute rate-limit windows with
the `x-rate-limit-*` headers. Bodies are shaped as in tweepy's recorded
cassettes and X's error answers.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from clarion.media.sniff import sniff
from clarion.sandbox.server import Request, Response, StandIn
from clarion.settings import XAccount
from clarion.text.x import weighted_length

# The only credentials the stand-in accepts (what `sandbox_settings` hands out):
# public, fixed values that open nothing but this local server.
SANDBOX_API_KEY = "clarion-sandbox-x-api-key"
SANDBOX_API_SECRET = "clarion-sandbox-x-api-secret"  # noqa: S105
SANDBOX_ACCESS_TOKEN = "1864000000000000001-clarion-sandbox-access-token"  # noqa: S105
SANDBOX_ACCESS_TOKEN_SECRET = "clarion-sandbox-x-access-token-secret"  # noqa: S105
SANDBOX_USER_ID = "1864000000000000001"
SANDBOX_USERNAME = "clarion_sandbox"

TEXT_LIMIT = 280  # weighted, twitter-text v3
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_GIF_BYTES = 15 * 1024 * 1024
MAX_ALT_TEXT = 1000
MEDIA_EXPIRES_AFTER = 86400  # seconds an uploaded, unused media id stays valid
TIMESTAMP_SKEW = 300  # seconds of clock difference X tolerates in oauth_timestamp
WINDOW = 15 * 60  # X's rate-limit windows are 15 minutes

# Per-user limits per 15-minute window (the create and delete figures are those
# in tweepy's cassettes; the media ones are generous, as X's are).
DEFAULT_RATE_LIMITS: Mapping[str, int] = {
    "GET /2/users/me": 75,
    "POST /2/tweets": 200,
    "DELETE /2/tweets": 50,
    "POST /2/media/upload": 500,
    "GET /2/media/upload": 500,
    "POST /2/media/metadata": 500,
}

_TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here
_URL = re.compile(r"https?://\S+")

# X's answers, as it words them.
_UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
_TOO_MANY = {
    "title": "Too Many Requests",
    "detail": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
}
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
TOO_LONG_MESSAGE = (
    "Your Tweet text is too long. For more information on how Twitter determines "
    "text length see https://github.com/twitter/twitter-text."
)
_DELETED_PARENT = "You attempted to reply to a Tweet that is deleted or not visible to you."
_INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"


def _forbidden(detail: str) -> Response:
    return Response.json(
        {"detail": detail, "type": "about:blank", "title": "Forbidden", "status": 403}, 403
    )


def _invalid(message: str, parameters: Mapping[str, list[str]] | None = None) -> Response:
    error: dict[str, Any] = {"message": message}
    if parameters:
        error = {"parameters": dict(parameters), "message": message}
    return Response.json(
        {
            "errors": [error],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": _INVALID_REQUEST,
        },
        400,
    )


def _encode(value: str) -> str:
    """RFC 5849 3.6 percent-encoding: everything but RFC 3986 unreserved characters."""
    return quote(value, safe="")


def signature_base_string(method: str, base_uri: str, params: list[tuple[str, str]]) -> str:
    """RFC 5849 3.4.1: method & base string URI & normalized parameters."""
    encoded = sorted((_encode(k), _encode(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in encoded)
    return "&".join((method.upper(), _encode(base_uri), _encode(normalized)))


def hmac_sha1_signature(base_string: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{_encode(consumer_secret)}&{_encode(token_secret)}".encode()
    digest = hmac.new(key, base_string.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def parse_oauth_header(value: str) -> dict[str, str] | None:
    """The parameters of an `Authorization: OAuth k="v", …` header, decoded."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "oauth":
        return None
    params: dict[str, str] = {}
    for item in rest.split(","):
        name, sep, raw = item.strip().partition("=")
        if not sep:
            continue
        params[unquote(name.strip())] = unquote(raw.strip().strip('"'))
    return params


def _image_info(data: bytes) -> tuple[str, int, int] | None:
    """(mime, width, height) from an image's own header, or None if not an image X takes."""
    info = sniff(data)
    return (info.mime, info.width, info.height) if info is not None else None


@dataclass
class StoredMedia:
    id: str
    media_key: str
    mime: str
    size: int
    width: int
    height: int
    category: str
    uploaded: float
    alt_text: str | None = None
    processing: str = "succeeded"  # "pending" until an animated GIF's status is asked once


@dataclass
class StoredTweet:
    id: str
    text: str
    created_at: str
    conversation_id: str
    in_reply_to: str | None = None
    media: list[StoredMedia] = field(default_factory=list)
    deleted: bool = False


@dataclass
class _Window:
    limit: int
    remaining: int
    reset: int


class XStandIn(StandIn):
    """X's API v2 for one sandbox account."""

    name = "x"

    def __init__(
        self,
        latency: float = 0.0,
        *,
        rate_limits: Mapping[str, int] | None = None,
        gif_processing: bool = True,
    ) -> None:
        super().__init__(latency)
        self.rate_limits = {**DEFAULT_RATE_LIMITS, **(rate_limits or {})}
        self.gif_processing = gif_processing  # GIFs answer "pending" first, as X's do
        self.tweets: dict[str, StoredTweet] = {}
        self.media: dict[str, StoredMedia] = {}
        self._windows: dict[str, _Window] = {}
        self._nonces: set[tuple[str, str]] = set()
        self._sequence = itertools.count()
        self.route("GET", "/2/users/me", self._me)
        self.route("POST", "/2/tweets", self._create_tweet)
        self.route("DELETE", "/2/tweets/", self._delete_tweet, prefix=True)
        self.route("POST", "/2/media/upload", self._upload)
        self.route("GET", "/2/media/upload", self._status)
        self.route("POST", "/2/media/metadata", self._metadata)

    # -- for the sandbox and the tests ----------------------------------------
    def sandbox_settings(self) -> tuple[XAccount, dict[str, str]]:
        """The account settings pointing here, and the credentials this stand-in accepts."""
        account = XAccount(handle=SANDBOX_USERNAME, api=self.url)
        env = {
            "CLARION_X_API_KEY": SANDBOX_API_KEY,
            "CLARION_X_API_SECRET": SANDBOX_API_SECRET,
            "CLARION_X_ACCESS_TOKEN": SANDBOX_ACCESS_TOKEN,
            "CLARION_X_ACCESS_TOKEN_SECRET": SANDBOX_ACCESS_TOKEN_SECRET,
        }
        return account, env

    def reset(self) -> None:
        """Forget every post, upload, request, fault and rate-limit window."""
        with self._lock:
            self.tweets.clear()
            self.media.clear()
            self._windows.clear()
            self.requests.clear()
            self.faults.clear()

    def received(self) -> list[dict[str, Any]]:
        """Every post created, in order (deleted ones flagged)."""
        with self._lock:
            return [
                {
                    "id": tweet.id,
                    "text": tweet.text,
                    "created_at": tweet.created_at,
                    "in_reply_to": tweet.in_reply_to,
                    "conversation_id": tweet.conversation_id,
                    "media": [
                        {
                            "id": m.id,
                            "media_key": m.media_key,
                            "mime": m.mime,
                            "size": m.size,
                            "width": m.width,
                            "height": m.height,
                            "alt_text": m.alt_text,
                        }
                        for m in tweet.media
                    ],
                    "deleted": tweet.deleted,
                }
                for tweet in self.tweets.values()
            ]

    def live(self) -> list[dict[str, Any]]:
        """The posts that exist now (not deleted)."""
        return [tweet for tweet in self.received() if not tweet["deleted"]]

    def describe(self) -> str:
        posts = self.received()
        if not posts:
            return "X: received nothing"
        lines = [f"X: received {len(posts)} post(s) from @{SANDBOX_USERNAME}"]
        for number, post in enumerate(posts, 1):
            where = f"reply to {post['in_reply_to']}" if post["in_reply_to"] else "new post"
            state = ", since deleted" if post["deleted"] else ""
            lines.append(f"  [{number}] {post['id']} ({where}{state})")
            lines.extend(f"      | {line}".rstrip() for line in post["text"].splitlines() or [""])
            lines.append(f"      {weighted_length(post['text'])}/{TEXT_LIMIT} weighted characters")
            for image in post["media"]:
                alt = image["alt_text"]
                shown = json.dumps(alt, ensure_ascii=False) if alt else "(none)"
                lines.append(
                    f"      image {image['mime']} {image['width']}x{image['height']}, "
                    f"{image['size']} bytes, alt: {shown}"
                )
            links = _URL.findall(post["text"])
            if links:
                lines.append(f"      link card: X builds it from {links[0]}")
            lines.append(f"      https://x.com/{SANDBOX_USERNAME}/status/{post['id']}")
        return "\n".join(lines)

    # -- the checks every endpoint makes --------------------------------------
    def dispatch(self, request: Request) -> Response:
        with self._lock:
            if not self._signed(request):
                return Response.json(_UNAUTHORIZED, 401)
            key = self._limit_key(request)
            window = self._window(key) if key else None
            if window is not None and window.remaining <= 0:
                return Response.json(_TOO_MANY, 429, self._limit_headers(window))
            if window is not None:
                window.remaining -= 1
            response = super().dispatch(request)
            if window is not None:
                response.headers.update(self._limit_headers(window))
            return response

    def not_found(self, request: Request) -> Response:
        missing = {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}
        return Response.json(missing, 404)

    def _signed(self, request: Request) -> bool:
        params = parse_oauth_header(request.header("Authorization"))
        if params is None:
            return False
        if (
            params.get("oauth_consumer_key") != SANDBOX_API_KEY
            or params.get("oauth_token") != SANDBOX_ACCESS_TOKEN
            or params.get("oauth_signature_method") != "HMAC-SHA1"
            or params.get("oauth_version", "1.0") != "1.0"
        ):
            return False
        nonce, stamp = params.get("oauth_nonce", ""), params.get("oauth_timestamp", "")
        if not nonce or not stamp.isdigit() or abs(time.time() - int(stamp)) > TIMESTAMP_SKEW:
            return False
        signature = params.pop("oauth_signature", "")
        params.pop("realm", None)
        signed = [(k, v) for k, v in params.items() if k.startswith("oauth_")]
        signed += [(k, v) for k, values in request.query.items() for v in values]
        if "application/x-www-form-urlencoded" in request.header("Content-Type"):
            signed += parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
        host = request.header("Host").lower()
        base = signature_base_string(request.method, f"http://{host}{request.path}", signed)
        expected = hmac_sha1_signature(base, SANDBOX_API_SECRET, SANDBOX_ACCESS_TOKEN_SECRET)
        if not hmac.compare_digest(signature, expected):
            return False
        if (nonce, stamp) in self._nonces:  # a replayed request
            return False
        self._nonces.add((nonce, stamp))
        return True

    def _limit_key(self, request: Request) -> str | None:
        path = "/2/tweets" if request.path.startswith("/2/tweets/") else request.path
        key = f"{request.method} {path}"
        return key if key in self.rate_limits else None

    def _window(self, key: str) -> _Window:
        now = int(time.time())
        window = self._windows.get(key)
        if window is None or now >= window.reset:
            limit = self.rate_limits[key]
            window = _Window(limit, limit, now + WINDOW)
            self._windows[key] = window
        return window

    @staticmethod
    def _limit_headers(window: _Window) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(window.limit),
            "x-rate-limit-remaining": str(max(window.remaining, 0)),
            "x-rate-limit-reset": str(window.reset),
        }

    def _snowflake(self) -> str:
        millis = int(time.time() * 1000) - _TWITTER_EPOCH_MS
        return str((millis << 22) | (1 << 17) | (1 << 12) | (next(self._sequence) & 0xFFF))

    # -- endpoints --------------------------------------------------------------
    def _me(self, request: Request) -> Response:
        return Response.json(
            {
                "data": {
                    "id": SANDBOX_USER_ID,
                    "name": "Clarion Sandbox",
                    "username": SANDBOX_USERNAME,
                }
            }
        )

    def _create_tweet(self, request: Request) -> Response:
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError) as exc:
            return _invalid(f"Request body is not valid JSON: {exc}")
        if not isinstance(body, dict):
            return _invalid("Request body must be a JSON object.")
        text = body.get("text")
        media_ids = (body.get("media") or {}).get("media_ids") or []
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if text is None and not media_ids:
            return _invalid("You must specify either text or media.")
        text = str(text or "")
        if weighted_length(text) > TEXT_LIMIT:
            return _invalid(TOO_LONG_MESSAGE, {"text": [text]})
        if len(media_ids) > MAX_IMAGES:
            return _invalid(
                f"Your media IDs are invalid. A post may carry at most {MAX_IMAGES} images.",
                {"media.media_ids": [str(m) for m in media_ids]},
            )
        attached: list[StoredMedia] = []
        for media_id in media_ids:
            media = self.media.get(str(media_id))
            if (
                media is None
                or time.time() - media.uploaded > MEDIA_EXPIRES_AFTER
                or media.processing != "succeeded"
            ):
                return _invalid(
                    "Your media IDs are invalid.", {"media.media_ids": [str(m) for m in media_ids]}
                )
            attached.append(media)
        parent = self.tweets.get(str(reply_to)) if reply_to is not None else None
        if reply_to is not None and (parent is None or parent.deleted):
            return _forbidden(_DELETED_PARENT)
        if text.strip() and any(
            not t.deleted and t.text.strip() == text.strip() for t in self.tweets.values()
        ):
            return _forbidden(DUPLICATE_DETAIL)
        tweet_id = self._snowflake()
        now = dt.datetime.now(dt.UTC)
        tweet = StoredTweet(
            id=tweet_id,
            text=text,
            created_at=now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            conversation_id=parent.conversation_id if parent else tweet_id,
            in_reply_to=parent.id if parent else None,
            media=attached,
        )
        self.tweets[tweet_id] = tweet
        for media in attached:  # a media id is used once
            self.media.pop(media.id, None)
        host = request.header("Host")
        return Response.json(
            {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}},
            201,
            {"location": f"http://{host}/2/tweets/{tweet_id}"},
        )

    def _delete_tweet(self, request: Request) -> Response:
        tweet_id = request.path.removeprefix("/2/tweets/")
        tweet = self.tweets.get(tweet_id)
        if tweet is None or tweet.deleted:
            return Response.json(
                {
                    "errors": [
                        {
                            "value": tweet_id,
                            "detail": f"Could not find tweet with id: [{tweet_id}].",
                            "title": "Not Found Error",
                            "resource_type": "tweet",
                            "parameter": "id",
                            "resource_id": tweet_id,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ],
                    "title": "Not Found Error",
                    "detail": f"Could not find tweet with id: [{tweet_id}].",
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                },
                404,
            )
        tweet.deleted = True
        return Response.json({"data": {"deleted": True}})

    def _upload(self, request: Request) -> Response:
        form = request.form_data()
        fields = None if form is None else {name: field.data for name, field in form.items()}
        if fields is None:
            try:  # the JSON form carries the file base64-encoded
                body = request.json()
                fields = {
                    "media": base64.b64decode(body.get("media", "")),
                    "media_category": str(body.get("media_category", "")).encode(),
                }
            except (ValueError, AttributeError, UnicodeDecodeError):
                return _invalid("Request must be multipart/form-data or JSON with a media field.")
        data = fields.get("media")
        category = fields.get("media_category", b"tweet_image").decode("utf-8", "replace")
        if not data:
            return _invalid("The media field is required.", {"media": [""]})
        info = _image_info(data)
        if info is None:
            return _invalid("media type unrecognized.", {"media": ["unrecognized"]})
        mime, width, height = info
        allowed = {"tweet_image": MAX_IMAGE_BYTES, "tweet_gif": MAX_GIF_BYTES}
        if category not in allowed:
            return _invalid(
                f"Unsupported media_category: {category}.", {"media_category": [category]}
            )
        if category == "tweet_gif" and mime != "image/gif":
            return _invalid("media_category tweet_gif needs a GIF.", {"media_category": [category]})
        if len(data) > allowed[category]:
            return _invalid(
                f"File size exceeds {allowed[category]} bytes.", {"media": [str(len(data))]}
            )
        media_id = self._snowflake()
        pending = category == "tweet_gif" and self.gif_processing
        media = StoredMedia(
            id=media_id,
            media_key=("16_" if category == "tweet_gif" else "3_") + media_id,
            mime=mime,
            size=len(data),
            width=width,
            height=height,
            category=category,
            uploaded=time.time(),
            processing="pending" if pending else "succeeded",
        )
        self.media[media_id] = media
        answer: dict[str, Any] = {
            "id": media_id,
            "media_key": media.media_key,
            "size": media.size,
            "expires_after_secs": MEDIA_EXPIRES_AFTER,
        }
        if pending:
            answer["processing_info"] = {"state": "pending", "check_after_secs": 1}
        return Response.json({"data": answer})

    def _status(self, request: Request) -> Response:
        command = request.query.get("command", [""])[0]
        media_id = request.query.get("media_id", [""])[0]
        media = self.media.get(media_id)
        if command != "STATUS" or media is None:
            return _invalid("Invalid media_id or command.", {"media_id": [media_id]})
        media.processing = "succeeded"  # X finishes a small GIF quickly
        return Response.json(
            {
                "data": {
                    "id": media.id,
                    "media_key": media.media_key,
                    "size": media.size,
                    "expires_after_secs": MEDIA_EXPIRES_AFTER,
                    "processing_info": {"state": "succeeded", "progress_percent": 100},
                }
            }
        )

    def _metadata(self, request: Request) -> Response:
        try:
            body = request.json()
            media_id = str(body["id"])
            alt = str(body["metadata"]["alt_text"]["text"])
        except (ValueError, KeyError, TypeError):
            return _invalid("Request needs id and metadata.alt_text.text.")
        media = self.media.get(media_id)
        if media is None:
            return _invalid("Invalid media id.", {"id": [media_id]})
        if len(alt) > MAX_ALT_TEXT:
            return _invalid(
                f"Alt text must be at most {MAX_ALT_TEXT} characters.",
                {"metadata.alt_text.text": [str(len(alt))]},
            )
        media.alt_text = alt
        return Response.json(
            {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}}
        )
