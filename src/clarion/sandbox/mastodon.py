"""A stand-in for one Mastodon account's client API, as Mastodon.py 2.3.3 calls it.

It answers what a Mastodon 4.3 server answers for the calls Clarion makes, in
the shapes recorded in Mastodon.py's test cassettes (tests/cassettes/ in
halcy/Mastodon.py): the instance documents (v1 and v2), verify_credentials,
posting, reading, editing and deleting statuses, the account's statuses with
`Link` pagination, and media uploads (POST /api/v2/media answers 200 for a
still image; for an animated GIF 202, then GET /api/v1/media/:id answers 206
until processing is done, then 200).

It keeps Mastodon's rules that matter to a publisher: the character limit
counted Mastodon's way (URLs 23, `@user@domain` as `@user`, graphemes, spoiler
text included), at most 4 attachments and only processed ones, 1500 characters
of alt text, `Idempotency-Key` replays for one hour per account (a replay of a
deleted status answers 404, as Mastodon's `find` does), error bodies
`{"error": "..."}` with the real status codes, and `X-RateLimit-*` headers on
every answer from Rack::Attack-style windows (429 when one is used up).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import itertools
import re
import textwrap
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clarion.media.sniff import sniff
from clarion.sandbox.server import Request, Response, StandIn
from clarion.settings import DEFAULT_MASTODON_LIMIT, MastodonAccount
from clarion.text.mastodon import length as mastodon_length
from clarion.text.mastodon import urls as mastodon_urls

TOKEN_ENV = "CLARION_MASTODON_ACCESS_TOKEN"  # noqa: S105 - a variable name
SANDBOX_TOKEN = "clarion-sandbox-mastodon-token"  # noqa: S105 - a fixed sandbox credential
VERSION = "4.3.2"
USERNAME = "clarion_example"
ACCOUNT_ID = "113000000000000001"
IDEMPOTENCY_TTL = 3600.0  # PostStatusService keeps the key in Redis for one hour
MAX_MEDIA = 4
DESCRIPTION_LIMIT = 1500
IMAGE_SIZE_LIMIT = 16 * 1024 * 1024
IMAGE_MATRIX_LIMIT = 33_177_600
CHARACTERS_RESERVED_PER_URL = 23
SUPPORTED_IMAGES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/heic",
    "image/heif",
    "image/webp",
    "image/avif",
)

# Rack::Attack-style windows, aligned to the period as Rack::Attack aligns them:
# name -> (requests allowed, period in seconds). Mastodon's defaults.
DEFAULT_LIMITS: Mapping[str, tuple[int, float]] = {
    "api": (300, 300.0),  # every authenticated request
    "statuses": (300, 10_800.0),  # statuses created per account
    "media": (30, 1_800.0),  # media uploads
    "deletes": (30, 1_800.0),  # status deletions
}

INVALID_TOKEN = "The access token is invalid"  # noqa: S105 - an error message
NOT_FOUND = "Not Found"  # what Mastodon 4.x answers for a missing status (test_status_missing)
RECORD_NOT_FOUND = "Record not found"
REPLY_NOT_FOUND = "The post you are trying to reply to does not appear to exist."
TOO_MANY = "Too many requests"
NOT_READY = "Cannot attach files that have not finished processing. Try again in a moment!"
TOO_MANY_FILES = "Cannot attach more than 4 files"

# Regional language codes Mastodon keeps whole; any other `xx-YY` loses its region.
_REGIONAL_LANGUAGES = frozenset(
    {"zh-CN", "zh-HK", "zh-TW", "pt-BR", "pt-PT", "es-AR", "es-MX", "en-GB", "fr-CA"}
)


def status_length(text: str, spoiler: str = "") -> int:
    """Mastodon's count of a status, by the same rule the checks use."""
    return mastodon_length(text, spoiler or None)


# -- time and ids ------------------------------------------------------------------------------
def _iso(ts: float) -> str:
    moment = dt.datetime.fromtimestamp(ts, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _iso_micro(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Snowflakes:
    """Mastodon ids: milliseconds since the epoch shifted left 16 bits, plus a sequence."""

    def __init__(self) -> None:
        self._last = 0
        self._seq = itertools.count()

    def next(self, ts: float) -> str:
        value = (int(ts * 1000) << 16) | (next(self._seq) & 0xFFFF)
        self._last = max(value, self._last + 1)
        return str(self._last)


# -- state -------------------------------------------------------------------------------------
@dataclass
class _Media:
    id: str
    mime: str
    size: int
    width: int
    height: int
    description: str
    file_name: str
    polls_left: int  # GETs that still answer 206 (processing)
    status_id: str | None = None

    @property
    def processed(self) -> bool:
        return self.polls_left <= 0


@dataclass
class _Status:
    id: str
    created_at: float
    text: str
    spoiler_text: str
    visibility: str
    language: str | None
    sensitive: bool
    in_reply_to_id: str | None
    media_ids: list[str]
    idempotency_key: str | None
    edited_at: float | None = None
    deleted: bool = False
    edits: list[dict[str, Any]] = field(default_factory=list)


# -- request parsing ---------------------------------------------------------------------------
def _params(request: Request) -> dict[str, Any]:
    """The body's parameters as Rails sees them: JSON, or a form with `name[]` lists."""
    content_type = request.header("Content-Type").lower()
    if content_type.startswith("application/json"):
        data = request.json()
        return data if isinstance(data, dict) else {}
    form = request.form_data()
    if form is not None:  # a file's value is its bytes, a field's its text
        return {n: f.data if f.filename is not None else f.text() for n, f in form.items()}
    params: dict[str, Any] = {}
    for key, values in request.form().items():
        if key.endswith("[]"):
            params[key[:-2]] = values
        else:
            params[key] = values[-1]
    return params


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "t", "on", "yes")


def _language(value: Any) -> str | None:
    """Mastodon's valid_locale_or_nil, roughly: keep known regional codes, else drop the region."""
    if not value:
        return None
    code = str(value)
    if code in _REGIONAL_LANGUAGES:
        return code
    primary = re.split(r"[-_]", code)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def image_size(data: bytes, mime: str) -> tuple[int, int] | None:
    """Width and height read from the image's own header, or None if it is not that type."""
    info = sniff(data)
    if info is None:
        # Types clarion.media.images does not sniff (heic, avif) are taken on trust.
        return None if mime in _SNIFFED else (0, 0)
    return (info.width, info.height) if info.mime == mime else None


_SNIFFED = frozenset({"image/png", "image/gif", "image/jpeg", "image/webp"})


# -- the stand-in ------------------------------------------------------------------------------
class MastodonStandIn(StandIn):
    """One Mastodon account (`@clarion_example`) on an instance at `url`.

    `media_processing_polls` is how many GET /api/v1/media/:id answer 206 before
    an animated GIF (transcoded to `gifv`) is processed; its upload answers 202.
    Still images are processed during the upload, as Mastodon processes them
    (`delay_processing?` holds only for video, gifv and audio): 200 with the url,
    whatever this says. `limits` overrides the rate-limit windows.
    """

    name = "mastodon"

    def __init__(
        self,
        *,
        latency: float = 0.0,
        max_characters: int = DEFAULT_MASTODON_LIMIT,
        media_processing_polls: int = 1,
        limits: Mapping[str, tuple[int, float]] | None = None,
        token: str = SANDBOX_TOKEN,
        username: str = USERNAME,
    ) -> None:
        super().__init__(latency=latency)
        self.max_characters = max_characters
        self.media_processing_polls = media_processing_polls
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.token = token
        self.username = username
        self.account_id = ACCOUNT_ID
        self.created = time.time()
        self.statuses: dict[str, _Status] = {}
        self.media: dict[str, _Media] = {}
        self._media_bytes: dict[str, bytes] = {}
        self._idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self._key_age = 0.0
        self._windows: dict[tuple[str, float], int] = {}
        self._ids = _Snowflakes()
        self._base = "http://127.0.0.1"  # the real address once started

        for path in ("/api/v1/instance", "/api/v1/instance/"):
            self.route("GET", path, self._instance_v1)
        for path in ("/api/v2/instance", "/api/v2/instance/"):
            self.route("GET", path, self._instance_v2)
        self.route("GET", "/api/v1/accounts/verify_credentials", self._verify_credentials)
        self.route("GET", "/api/v1/accounts/", self._account_statuses, prefix=True)
        self.route("POST", "/api/v1/statuses", self._post_status)
        self.route("GET", "/api/v1/statuses/", self._get_status, prefix=True)
        self.route("PUT", "/api/v1/statuses/", self._put_status, prefix=True)
        self.route("DELETE", "/api/v1/statuses/", self._delete_status, prefix=True)
        self.route("POST", "/api/v2/media", self._post_media)
        self.route("GET", "/api/v1/media/", self._get_media, prefix=True)

    def start(self) -> MastodonStandIn:
        super().start()
        if self._server is None:  # pragma: no cover - start() always sets it
            raise RuntimeError("the stand-in did not start")
        # The base handler writes headers and body separately; with Nagle's algorithm on, the
        # body of every keep-alive answer waits ~40 ms for the client's delayed ACK.
        handler = self._server.RequestHandlerClass
        setattr(handler, "disable_nagle_algorithm", True)  # noqa: B010 - not declared on the type
        self._base = self.url  # kept after stop(), for received() and describe()
        return self

    def reset(self) -> None:
        """Forget every status, upload, key, rate-limit count, request and queued fault."""
        with self._lock:
            self.statuses.clear()
            self.media.clear()
            self._media_bytes.clear()
            self._idempotency.clear()
            self._key_age = 0.0
            self._windows.clear()
            self.requests.clear()
            self.faults.clear()

    def __enter__(self) -> MastodonStandIn:
        return self.start()

    # -- what it received ------------------------------------------------------------------
    def received(self) -> list[dict[str, Any]]:
        """Every status created, in order, deleted ones included (`deleted: True`)."""
        with self._lock:
            return [self._record(status) for status in self.statuses.values()]

    def live(self) -> list[dict[str, Any]]:
        """The statuses that exist now (not deleted), in order."""
        return [record for record in self.received() if not record["deleted"]]

    def _record(self, status: _Status) -> dict[str, Any]:
        return {
            "id": status.id,
            "url": self._status_url(status.id),
            "text": status.text,
            "spoiler_text": status.spoiler_text,
            "visibility": status.visibility,
            "language": status.language,
            "sensitive": status.sensitive,
            "in_reply_to_id": status.in_reply_to_id,
            "media": [
                {
                    "id": media.id,
                    "description": media.description,
                    "mime": media.mime,
                    "size": media.size,
                    "width": media.width,
                    "height": media.height,
                    "file_name": media.file_name,
                }
                for media in (self.media[mid] for mid in status.media_ids)
            ],
            "idempotency_key": status.idempotency_key,
            "edited": status.edited_at is not None,
            "deleted": status.deleted,
        }

    def describe(self) -> str:
        """What the account received, thread by thread, as a person would check it."""
        records = self.received()
        by_id = {record["id"]: record for record in records}
        children: dict[str | None, list[dict[str, Any]]] = {}
        for record in records:
            parent = record["in_reply_to_id"] if record["in_reply_to_id"] in by_id else None
            children.setdefault(parent, []).append(record)
        lines = [
            f"Mastodon stand-in at {self._base}: "
            f"@{self.username}, {self.max_characters} characters per status, "
            f"{len(records)} status(es) received"
        ]

        def show(record: dict[str, Any], depth: int, number: str) -> None:
            pad = "    " * depth
            flags = [record["visibility"], f"lang {record['language'] or '-'}"]
            if record["sensitive"]:
                flags.append("sensitive")
            if record["edited"]:
                flags.append("edited")
            if record["deleted"]:
                flags.append("DELETED")
            lines.append(f"{pad}{number} status {record['id']} [{', '.join(flags)}]")
            if record["in_reply_to_id"]:
                lines.append(f"{pad}   in reply to {record['in_reply_to_id']}")
            if record["spoiler_text"]:
                lines.append(f"{pad}   content warning: {record['spoiler_text']}")
            length = status_length(record["text"], record["spoiler_text"])
            lines.append(f"{pad}   text ({length}/{self.max_characters}):")
            lines.extend(textwrap.indent(record["text"], f"{pad}   | ").splitlines())
            for media in record["media"]:
                lines.append(
                    f"{pad}   image {media['file_name']} ({media['mime']}, "
                    f"{media['width']}x{media['height']}, {media['size']} bytes) "
                    f"alt: {media['description']}"
                )
            if mastodon_urls(record["text"]):
                lines.append(
                    f"{pad}   link card: Mastodon fetches it from the first URL in the text"
                )
            lines.append(f"{pad}   {record['url']}")
            for position, child in enumerate(children.get(record["id"], []), start=1):
                show(child, depth + 1, f"{number}{position}.")

        for position, record in enumerate(children.get(None, []), start=1):
            show(record, 0, f"{position}.")
        return "\n".join(lines)

    def sandbox_settings(self) -> tuple[MastodonAccount, dict[str, str]]:
        """The account settings pointing here, and the environment holding the token it accepts."""
        return MastodonAccount(instance=self.url, max_characters=self.max_characters), {
            TOKEN_ENV: self.token
        }

    def age_idempotency_keys(self, seconds: float) -> None:
        """Age every stored Idempotency-Key by `seconds` (Mastodon forgets them after an hour)."""
        with self._lock:
            self._key_age += seconds

    # -- dispatch: authentication and rate limits around every route --------------------------
    def dispatch(self, request: Request) -> Response:
        with self._lock:
            public = request.path.startswith(("/api/v1/instance", "/api/v2/instance"))
            authorization = request.header("Authorization")
            if not public and authorization != f"Bearer {self.token}":
                reading = request.method == "GET" and request.path.startswith(
                    ("/api/v1/statuses/", "/api/v1/accounts/")
                )
                if authorization or not reading or request.path.endswith("/verify_credentials"):
                    response = self._error(401, INVALID_TOKEN)
                    response.headers["WWW-Authenticate"] = (
                        'Bearer realm="Doorkeeper", error="invalid_token", '
                        f'error_description="{INVALID_TOKEN}"'
                    )
                    return self._with_limits(response, "api")
            bucket = self._bucket(request)
            if not self._take("api"):
                return self._with_limits(self._error(429, TOO_MANY), "api")
            if bucket in ("media", "deletes") and not self._take(bucket):
                return self._with_limits(self._error(429, TOO_MANY), bucket)
            response = super().dispatch(request)
            return self._with_limits(response, bucket)

    @staticmethod
    def _bucket(request: Request) -> str:
        if request.method == "POST" and request.path == "/api/v1/statuses":
            return "statuses"
        if request.method == "POST" and request.path == "/api/v2/media":
            return "media"
        if request.method == "DELETE" and request.path.startswith("/api/v1/statuses/"):
            return "deletes"
        return "api"

    def _window(self, bucket: str) -> tuple[int, float, tuple[str, float]]:
        limit, period = self.limits[bucket]
        start = (time.time() // period) * period
        return limit, start + period, (bucket, start)

    def _take(self, bucket: str) -> bool:
        limit, _, key = self._window(bucket)
        if self._windows.get(key, 0) >= limit:
            return False
        self._windows[key] = self._windows.get(key, 0) + 1
        return True

    def _with_limits(self, response: Response, bucket: str) -> Response:
        limit, reset, key = self._window(bucket)
        response.headers.update(
            {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(max(0, limit - self._windows.get(key, 0))),
                "X-RateLimit-Reset": _iso_micro(reset),
            }
        )
        return response

    @staticmethod
    def _error(status: int, message: str) -> Response:
        return Response.json({"error": message}, status)

    def not_found(self, request: Request) -> Response:
        return self._error(404, NOT_FOUND)

    # -- JSON shapes ---------------------------------------------------------------------------
    def _status_url(self, status_id: str) -> str:
        return f"{self._base}/@{self.username}/{status_id}"

    def _account_json(self, *, source: bool = False) -> dict[str, Any]:
        base = self._base
        count = sum(1 for status in self.statuses.values() if not status.deleted)
        last = max((s.created_at for s in self.statuses.values() if not s.deleted), default=None)
        account: dict[str, Any] = {
            "id": self.account_id,
            "username": self.username,
            "acct": self.username,
            "display_name": "Clarion example",
            "locked": False,
            "bot": True,
            "discoverable": True,
            "indexable": True,
            "group": False,
            "created_at": _iso(self.created - self.created % 86400),
            "note": "<p>Announcements as code (sandbox)</p>",
            "url": f"{base}/@{self.username}",
            "uri": f"{base}/users/{self.username}",
            "avatar": f"{base}/avatars/original/missing.png",
            "avatar_static": f"{base}/avatars/original/missing.png",
            "header": f"{base}/headers/original/missing.png",
            "header_static": f"{base}/headers/original/missing.png",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": count,
            "last_status_at": dt.datetime.fromtimestamp(last, dt.UTC).date().isoformat()
            if last
            else None,
            "hide_collections": None,
            "noindex": False,
            "emojis": [],
            "roles": [],
            "fields": [],
        }
        if source:
            account["source"] = {
                "privacy": "public",
                "sensitive": False,
                "language": None,
                "note": "Announcements as code (sandbox)",
                "fields": [],
                "follow_requests_count": 0,
                "hide_collections": None,
                "discoverable": True,
                "indexable": True,
                "attribution_domains": [],
            }
            account["role"] = {
                "id": "-99",
                "name": "",
                "permissions": "65536",
                "color": "",
                "highlighted": False,
            }
        return account

    def _media_json(self, media: _Media) -> dict[str, Any]:
        base = self._base
        folder = "/".join(media.id[i : i + 3] for i in range(0, len(media.id), 3))
        files = f"{base}/system/media_attachments/files/{folder}"
        extension = media.mime.split("/")[-1].replace("jpeg", "jpg")
        size = {
            "width": media.width,
            "height": media.height,
            "size": f"{media.width}x{media.height}",
            "aspect": round(media.width / media.height, 6) if media.height else 1.0,
        }
        return {
            "id": media.id,
            "type": "gifv" if media.mime == "image/gif" else "image",
            "url": f"{files}/original/{media.id}.{extension}" if media.processed else None,
            "preview_url": f"{files}/small/{media.id}.{extension}",
            "remote_url": None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": {"original": size, "small": size, "focus": {"x": 0.0, "y": 0.0}},
            "description": media.description or None,
            "blurhash": "UGC~-#M{0JfkNFofR%M{IURj%Mt7E0oM%MR*",
        }

    def _render(self, text: str) -> tuple[str, list[dict[str, str]], list[dict[str, str]]]:
        """Mastodon's plain-text formatter, closely enough: (HTML, mentions, tags)."""
        base = self._base
        mentions: list[dict[str, str]] = []
        tags: list[dict[str, str]] = []
        token = re.compile(
            r"(?P<url>https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}])"
            r"|(?P<mention>(?<![\w/@])@(?P<user>[A-Za-z0-9_]+)(?:@(?P<domain>[A-Za-z0-9.\-]+[A-Za-z0-9]))?)"
            r"|(?P<tag>(?<![\w/&#])#(?P<name>\w*[^\W\d_]\w*))",
            re.IGNORECASE,
        )

        def inline(paragraph: str) -> str:
            out: list[str] = []
            pos = 0
            for match in token.finditer(paragraph):
                out.append(html.escape(paragraph[pos : match.start()], quote=False))
                pos = match.end()
                if match.group("url"):
                    url = match.group("url")
                    scheme, _, rest = url.partition("://")
                    shown, hidden = rest[:30], rest[30:]
                    out.append(
                        f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" '
                        f'translate="no"><span class="invisible">{scheme}://</span>'
                        f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
                        f'<span class="invisible">{html.escape(hidden)}</span></a>'
                    )
                elif match.group("mention"):
                    user, domain = match.group("user"), match.group("domain")
                    profile = f"{base}/@{user}" if not domain else f"https://{domain}/@{user}"
                    acct = user if not domain else f"{user}@{domain}"
                    digest = hashlib.sha256(acct.encode()).hexdigest()
                    mentions.append(
                        {
                            "id": str(int(digest[:14], 16)),
                            "username": user,
                            "url": profile,
                            "acct": acct,
                        }
                    )
                    out.append(
                        f'<span class="h-card" translate="no"><a href="{html.escape(profile)}" '
                        f'class="u-url mention">@<span>{html.escape(user)}</span></a></span>'
                    )
                else:
                    name = match.group("name")
                    tags.append({"name": name.lower(), "url": f"{base}/tags/{name.lower()}"})
                    out.append(
                        f'<a href="{base}/tags/{html.escape(name.lower())}" '
                        'class="mention hashtag" '
                        f'rel="tag">#<span>{html.escape(name)}</span></a>'
                    )
            out.append(html.escape(paragraph[pos:], quote=False))
            return "".join(out).replace("\n", "<br />")

        paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p]
        content = "".join(f"<p>{inline(p)}</p>" for p in paragraphs)
        return content, mentions, tags

    def _status_json(self, status: _Status, *, source_text: bool = False) -> dict[str, Any]:
        content, mentions, tags = self._render(status.text)
        parent = self.statuses.get(status.in_reply_to_id or "")
        data: dict[str, Any] = {
            "id": status.id,
            "created_at": _iso(status.created_at),
            "in_reply_to_id": status.in_reply_to_id,
            "in_reply_to_account_id": self.account_id if parent else None,
            "sensitive": status.sensitive,
            "spoiler_text": status.spoiler_text,
            "visibility": status.visibility,
            "language": status.language,
            "uri": f"{self._base}/users/{self.username}/statuses/{status.id}",
            "url": self._status_url(status.id),
            "replies_count": sum(
                1 for s in self.statuses.values() if s.in_reply_to_id == status.id and not s.deleted
            ),
            "reblogs_count": 0,
            "favourites_count": 0,
            "edited_at": _iso(status.edited_at) if status.edited_at else None,
            "favourited": False,
            "reblogged": False,
            "muted": False,
            "bookmarked": False,
            "pinned": False,
        }
        # DELETE answers with the source text instead of the rendered content (delete-and-redraft).
        data["text" if source_text else "content"] = status.text if source_text else content
        data.update(
            {
                "filtered": [],
                "reblog": None,
                "application": {"name": "Clarion", "website": None},
                "account": self._account_json(),
                "media_attachments": [self._media_json(self.media[m]) for m in status.media_ids],
                "mentions": mentions,
                "tags": tags,
                "emojis": [],
                "card": None,  # fetched later by a background job on a real server
                "poll": None,
            }
        )
        return data

    def _configuration(self) -> dict[str, Any]:
        return {
            "statuses": {
                "max_characters": self.max_characters,
                "max_media_attachments": MAX_MEDIA,
                "characters_reserved_per_url": CHARACTERS_RESERVED_PER_URL,
            },
            "media_attachments": {
                "supported_mime_types": list(SUPPORTED_IMAGES),
                "description_limit": DESCRIPTION_LIMIT,
                "image_size_limit": IMAGE_SIZE_LIMIT,
                "image_matrix_limit": IMAGE_MATRIX_LIMIT,
                "video_size_limit": 103_809_024,
                "video_frame_rate_limit": 120,
                "video_matrix_limit": 8_294_400,
            },
            "polls": {
                "max_options": 4,
                "max_characters_per_option": 50,
                "min_expiration": 300,
                "max_expiration": 2_629_746,
            },
        }

    # -- instance and account --------------------------------------------------------------
    def _instance_v1(self, request: Request) -> Response:
        host = self._base.split("://", 1)[-1]
        configuration = self._configuration()
        configuration["accounts"] = {"max_featured_tags": 10}
        return Response.json(
            {
                "uri": host,
                "title": "Clarion sandbox",
                "short_description": "",
                "description": "A local stand-in for a Mastodon instance",
                "email": "",
                "version": VERSION,
                "urls": {"streaming_api": f"ws://{host}"},
                "stats": {"user_count": 1, "status_count": len(self.statuses), "domain_count": 1},
                "thumbnail": None,
                "languages": ["en"],
                "registrations": False,
                "approval_required": False,
                "invites_enabled": False,
                "configuration": configuration,
                "contact_account": None,
                "rules": [],
            }
        )

    def _instance_v2(self, request: Request) -> Response:
        host = self._base.split("://", 1)[-1]
        configuration = self._configuration()
        configuration["urls"] = {"streaming": f"ws://{host}", "status": None}
        configuration["accounts"] = {"max_featured_tags": 10, "max_pinned_statuses": 5}
        configuration["translation"] = {"enabled": False}
        return Response.json(
            {
                "domain": host,
                "title": "Clarion sandbox",
                "version": VERSION,
                "source_url": "https://github.com/mastodon/mastodon",
                "description": "A local stand-in for a Mastodon instance",
                "usage": {"users": {"active_month": 1}},
                "thumbnail": {"url": f"{self._base}/packs/media/images/preview.png"},
                "icon": [],
                "languages": ["en"],
                "configuration": configuration,
                "registrations": {
                    "enabled": False,
                    "approval_required": False,
                    "message": None,
                    "url": None,
                },
                "api_versions": {"mastodon": 2},
                "contact": {"email": "", "account": None},
                "rules": [],
            }
        )

    def _verify_credentials(self, request: Request) -> Response:
        return Response.json(self._account_json(source=True))

    def _account_statuses(self, request: Request) -> Response:
        match = re.fullmatch(r"/api/v1/accounts/([^/]+)/statuses", request.path)
        if not match:
            return self.not_found(request)
        if match.group(1) != self.account_id:
            return self._error(404, RECORD_NOT_FOUND)
        query = {key: values[-1] for key, values in request.query.items()}
        limit = max(1, min(int(query.get("limit") or 20), 40))
        statuses = sorted(
            (s for s in self.statuses.values() if not s.deleted),
            key=lambda s: int(s.id),
            reverse=True,
        )
        if _truthy(query.get("exclude_replies", "")):
            statuses = [s for s in statuses if s.in_reply_to_id is None]
        if _truthy(query.get("only_media", "")):
            statuses = [s for s in statuses if s.media_ids]
        if _truthy(query.get("pinned", "")):
            statuses = []
        if query.get("max_id"):
            statuses = [s for s in statuses if int(s.id) < int(query["max_id"])]
        if query.get("since_id"):
            statuses = [s for s in statuses if int(s.id) > int(query["since_id"])]
        if query.get("min_id"):
            # min_id pages forwards: the statuses just above min_id, still newest first.
            statuses = sorted(
                (s for s in statuses if int(s.id) > int(query["min_id"])), key=lambda s: int(s.id)
            )[:limit][::-1]
        page = statuses[:limit]
        headers = {}
        if page:
            endpoint = f"{self._base}/api/v1/accounts/{self.account_id}/statuses"
            headers["Link"] = (
                f'<{endpoint}?limit={limit}&max_id={page[-1].id}>; rel="next", '
                f'<{endpoint}?limit={limit}&min_id={page[0].id}>; rel="prev"'
            )
        return Response.json([self._status_json(s) for s in page], headers=headers)

    # -- statuses ----------------------------------------------------------------------------
    def _find_status(self, request: Request) -> tuple[_Status | None, str]:
        rest = request.path.removeprefix("/api/v1/statuses/")
        status_id, _, suffix = rest.partition("/")
        status = self.statuses.get(status_id)
        if status is None or status.deleted:
            return None, suffix
        return status, suffix

    def _validate_text(self, text: str, spoiler: str, media_ids: list[str]) -> Response | None:
        if not text.strip() and not media_ids:
            return self._error(422, "Validation failed: Text can't be blank")
        if status_length(text, spoiler) > self.max_characters:
            return self._error(
                422, f"Validation failed: Text character limit of {self.max_characters} exceeded"
            )
        return None

    def _attachable(self, ids: Any, status_id: str | None = None) -> list[_Media] | Response:
        """Mastodon's validate_media!: unknown or already attached ids are silently dropped."""
        wanted = [str(i) for i in (ids or []) if str(i)]
        if len(wanted) > MAX_MEDIA:
            return self._error(422, TOO_MANY_FILES)
        found = [
            self.media[i]
            for i in wanted
            if i in self.media and self.media[i].status_id in (None, status_id)
        ]
        if any(not media.processed for media in found):
            return self._error(422, NOT_READY)
        return found

    def _post_status(self, request: Request) -> Response:
        params = _params(request)
        # The controller's set_thread runs first, then PostStatusService replays a known key.
        in_reply_to = str(params.get("in_reply_to_id") or "") or None
        if in_reply_to is not None:
            parent = self.statuses.get(in_reply_to)
            if parent is None or parent.deleted:
                return self._error(404, REPLY_NOT_FOUND)
        key = request.header("Idempotency-Key") or None
        if key is not None:
            stored = self._idempotency.get((self.account_id, key))
            if stored is not None and time.time() + self._key_age - stored[1] < IDEMPOTENCY_TTL:
                earlier = self.statuses[stored[0]]
                if earlier.deleted:
                    return self._error(404, RECORD_NOT_FOUND)
                return Response.json(self._status_json(earlier))
        limit, _, window = self._window("statuses")
        if self._windows.get(window, 0) >= limit:
            return self._error(429, TOO_MANY)
        # Status#prepare_contents strips both before validation.
        text = str(params.get("status") or "").strip()
        spoiler = str(params.get("spoiler_text") or "").strip()
        media = self._attachable(params.get("media_ids"))
        if isinstance(media, Response):
            return media
        invalid = self._validate_text(text, spoiler, [m.id for m in media])
        if invalid is not None:
            return invalid
        visibility = str(params.get("visibility") or "public")
        if visibility not in ("public", "unlisted", "private", "direct"):
            return self._error(422, "Validation failed: Visibility is not included in the list")
        now = time.time()
        status = _Status(
            id=self._ids.next(now),
            created_at=now,
            text=text,
            spoiler_text=spoiler,
            visibility=visibility,
            language=_language(params.get("language")) or "en",
            sensitive=_truthy(params.get("sensitive", "")) or bool(spoiler),
            in_reply_to_id=in_reply_to,
            media_ids=[m.id for m in media],
            idempotency_key=key,
        )
        for item in media:
            item.status_id = status.id
        self.statuses[status.id] = status
        self._windows[window] = self._windows.get(window, 0) + 1
        if key is not None:
            self._idempotency[(self.account_id, key)] = (status.id, now + self._key_age)
        return Response.json(self._status_json(status))

    def _get_status(self, request: Request) -> Response:
        status, suffix = self._find_status(request)
        if status is None:
            return self._error(404, NOT_FOUND)
        if suffix == "":
            return Response.json(self._status_json(status))
        if suffix == "source":
            return Response.json(
                {"id": status.id, "text": status.text, "spoiler_text": status.spoiler_text}
            )
        return self.not_found(request)

    def _put_status(self, request: Request) -> Response:
        status, suffix = self._find_status(request)
        if status is None or suffix:
            return self._error(404, NOT_FOUND)
        params = _params(request)
        text = str(params.get("status") or "").strip()
        spoiler = str(params.get("spoiler_text", status.spoiler_text) or "").strip()
        media_ids = status.media_ids
        if "media_ids" in params:
            found = self._attachable(params.get("media_ids"), status.id)
            if isinstance(found, Response):
                return found
            media_ids = [m.id for m in found]
        invalid = self._validate_text(text, spoiler, media_ids)
        if invalid is not None:
            return invalid
        attributes = params.get("media_attributes") or []
        for attribute in attributes if isinstance(attributes, list) else []:
            media = self.media.get(str(attribute.get("id", "")))
            description = attribute.get("description")
            if media is not None and media.id in media_ids and description is not None:
                if len(description) > DESCRIPTION_LIMIT:
                    return self._error(
                        422,
                        "Validation failed: Description is too long "
                        f"(maximum is {DESCRIPTION_LIMIT} characters)",
                    )
                media.description = description
        status.edits.append({"text": status.text, "spoiler_text": status.spoiler_text})
        for mid in status.media_ids:
            if mid not in media_ids:
                self.media[mid].status_id = None
        for mid in media_ids:
            self.media[mid].status_id = status.id
        status.text, status.spoiler_text, status.media_ids = text, spoiler, media_ids
        if "language" in params:
            status.language = _language(params["language"]) or status.language
        if "sensitive" in params:
            status.sensitive = _truthy(params["sensitive"])
        status.sensitive = status.sensitive or bool(spoiler)
        status.edited_at = time.time()
        return Response.json(self._status_json(status))

    def _delete_status(self, request: Request) -> Response:
        status, suffix = self._find_status(request)
        if status is None or suffix:
            return self._error(404, NOT_FOUND)
        status.deleted = True
        return Response.json(self._status_json(status, source_text=True))

    # -- media -------------------------------------------------------------------------------
    def _post_media(self, request: Request) -> Response:
        form = request.form_data() or {}
        file = form.get("file")
        if file is None or file.filename is None:
            return self._error(422, "Validation failed: File can't be blank")
        file_name, data = file.filename, file.data
        mime = (file.content_type or "application/octet-stream").lower()
        description = form["description"].text() if "description" in form else ""
        if len(description) > DESCRIPTION_LIMIT:
            return self._error(
                422,
                "Validation failed: Description is too long "
                f"(maximum is {DESCRIPTION_LIMIT} characters)",
            )
        dimensions = image_size(data, mime) if mime in SUPPORTED_IMAGES else None
        if dimensions is None:
            return self._error(
                422, "Validation failed: File content type is invalid, File is invalid"
            )
        if len(data) > IMAGE_SIZE_LIMIT:
            return self._error(422, "Validation failed: File file size must be less than 16 MB")
        if dimensions[0] * dimensions[1] > IMAGE_MATRIX_LIMIT:
            return self._error(422, "Validation failed: File dimensions are too large")
        media = _Media(
            id=self._ids.next(time.time()),
            mime=mime,
            size=len(data),
            width=dimensions[0],
            height=dimensions[1],
            description=description,
            file_name=file_name or "",
            polls_left=self.media_processing_polls if mime == "image/gif" else 0,
        )
        self.media[media.id] = media
        self._media_bytes[media.id] = data
        return Response.json(self._media_json(media), 200 if media.processed else 202)

    def _get_media(self, request: Request) -> Response:
        media = self.media.get(request.path.removeprefix("/api/v1/media/"))
        if media is None:
            return self._error(404, RECORD_NOT_FOUND)
        if not media.processed:
            answer = Response.json(self._media_json(media), 206)
            media.polls_left -= 1
            return answer
        return Response.json(self._media_json(media), 200)

    def media_bytes(self, media_id: str) -> bytes:
        """The file uploaded as `media_id`, byte for byte."""
        return self._media_bytes[media_id]
