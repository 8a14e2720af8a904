"""The Discourse stand-in: one forum, its routes, the key check and the admin API's
rate limit around every route, and what it received."""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Unpack

from clarion.media.sniff import sniff
from clarion.networks import DiscourseAccount
from clarion.sandbox.describe import text_lines
from clarion.sandbox.discourse import moderation, rules
from clarion.sandbox.engagement import Moves
from clarion.sandbox.server import FormField, Request, Response, StandIn
from clarion.text.discourse import body, clean_title, title_problem

_USERNAME = re.compile(r"[\w.-]{3,20}", re.ASCII)  # site settings min/max_username_length
_TOPIC_JSON = re.compile(r"/t/(?:[^/]+/)?(\d+)\.json")
_TOPIC_PAGE = re.compile(r"/t/[^/]+/(\d+)")
_POST_JSON = re.compile(r"/posts/(\d+)\.json")
_MIME_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}


@dataclass
class StoredUpload:
    id: int
    short_url: str
    filename: str
    extension: str
    size: int
    width: int
    height: int
    mime: str


@dataclass
class StoredTopic:
    id: int
    post_id: int  # its first post, which holds the body
    title: str  # as cleaned by the forum
    slug: str
    category: int
    raw: str
    created_at: str
    external_id: str | None = None
    deleted: bool = False
    version: int = 1  # 1 + the edits of its first post
    edited_at: str | None = None  # its last edit through the API
    edit_reasons: list[str] = field(default_factory=list)


def _now() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class DiscourseStandIn(StandIn):
    """A Discourse forum for one API key acting as one user (a moderator).

    Endpoints, each as https://docs.discourse.org/#tag/… documents it (the
    operation named), or, where the documentation is silent, as
    https://github.com/discourse/discourse's controllers do:

        GET    /site/settings.json          the client site settings (the limits;
                                            app/controllers/site_controller.rb#settings)
        GET    /site.json                   the categories (Site/getSite)
        POST   /posts.json                  create a topic (Posts/createTopicPostPM)
        GET    /t/external_id/:id.json      301 to the topic (Topics/getTopicByExternalId)
        GET    /t/:id.json, /t/:slug/:id.json   a topic (Topics/getTopic)
        DELETE /t/:id.json                  delete a topic (Topics/removeTopic)
        GET    /posts/:id.json              a post, with its raw (Posts/getPost)
        PUT    /posts/:id.json              edit a post and its topic's title (Posts/updatePost)
        POST   /uploads.json                upload an image (Uploads/createUpload)
        GET    /t/:slug/:id                 the topic's page, where receipts point

    Authentication: the `Api-Key` and `Api-Username` headers
    (https://docs.discourse.org, "Authentication";
    https://meta.discourse.org/t/discourse-rest-api-documentation/22706).

    `site_settings` overrides the forum's settings (rules.DEFAULT_SITE_SETTINGS);
    `rate_limit` the admin API's requests per minute; `clock` is the rate
    limiter's time (tests move it on instead of waiting).
    """

    name = "discourse"

    def __init__(
        self,
        latency: float = 0.0,
        *,
        username: str = rules.SANDBOX_USERNAME,
        category: int = rules.SANDBOX_CATEGORY,
        site_settings: Mapping[str, Any] | None = None,
        rate_limit: int = rules.ADMIN_API_REQS_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(latency)
        self.username = username
        self.category = category
        self.api_key = rules.SANDBOX_API_KEY
        self.rate_limit = rate_limit
        self.clock = clock
        self._defaults = (dict(rules.DEFAULT_SITE_SETTINGS, **(site_settings or {})), rate_limit)
        self.site_settings: dict[str, Any] = dict(self._defaults[0])
        # A forum has an Uncategorized category (topics may not go there by
        # default: allow_uncategorized_topics) and the one Clarion posts to.
        self.categories = {1: "Uncategorized", category: "Announcements"}
        self.topics: dict[int, StoredTopic] = {}
        self.uploads: dict[str, StoredUpload] = {}  # by short URL
        self._ids = {"topic": 0, "post": 0, "upload": 0}
        self._calls: deque[float] = deque()  # when the last requests were let through
        # Counts, and what the forum's moderators do to topics, as tests make them.
        self.moderation = moderation.Moderation(self)
        self.route("GET", "/site/settings.json", self._settings)
        self.route("GET", "/site.json", self._site)
        self.route("POST", "/posts.json", self._create)
        self.route("GET", "/t/external_id/", self._by_external_id, prefix=True)
        self.route("GET", "/t/", self._topic, prefix=True)
        self.route("DELETE", "/t/", self._delete, prefix=True)
        self.route("GET", "/posts/", self._revision_or_post, prefix=True)
        self.route("PUT", "/posts/", self._edit, prefix=True)
        self.route("POST", "/uploads.json", self._upload)

    # -- for the sandbox and the tests ----------------------------------------
    @classmethod
    def for_sandbox(
        cls, account: DiscourseAccount | None, *, latency: float = 0.0, root: Path | None = None
    ) -> DiscourseStandIn:
        """The forum `clarion publish --sandbox` runs: the repository's user name,
        category and limits when it has them (a name the forum could hold)."""
        if account is None:
            return cls(latency)
        name = account.username.strip().lstrip("@")
        limits = {
            "min_topic_title_length": account.min_topic_title_length,
            "max_topic_title_length": account.max_topic_title_length,
            "min_first_post_length": account.min_first_post_length,
            "max_post_length": account.max_post_length,
        }
        return cls(
            latency,
            username=name if _USERNAME.fullmatch(name) else rules.SANDBOX_USERNAME,
            category=account.category if account.category > 1 else rules.SANDBOX_CATEGORY,
            site_settings=limits,
        )

    def sandbox_settings(self) -> tuple[DiscourseAccount, dict[str, str]]:
        """The account settings pointing here, and the key this forum accepts."""
        settings = self.site_settings
        account = DiscourseAccount(
            url=self.url,
            username=self.username,
            category=self.category,
            min_topic_title_length=int(settings["min_topic_title_length"]),
            max_topic_title_length=int(settings["max_topic_title_length"]),
            min_first_post_length=int(settings["min_first_post_length"]),
            max_post_length=int(settings["max_post_length"]),
        )
        return account, {"CLARION_DISCOURSE_API_KEY": self.api_key}

    def reset(self) -> None:
        """Forget every topic, upload, request, fault and rate-limit window, and any
        setting a test changed."""
        with self._lock:
            self.site_settings = dict(self._defaults[0])
            self.rate_limit = self._defaults[1]
            self.topics.clear()
            self.uploads.clear()
            self._calls.clear()
            self.requests.clear()
            self.faults.clear()
            self.moderation = moderation.Moderation(self)

    def set_counts(self, topic_id: int | str, **moves: Unpack[Moves]) -> None:
        """Move a topic's likes (of its first post), replies, quotes and views."""
        with self._lock:
            self.moderation.engagement.set_counts(str(topic_id), **moves)

    def received(self) -> list[dict[str, Any]]:
        """Every topic created, in order (deleted ones flagged)."""
        with self._lock:
            return [
                {
                    "id": topic.id,
                    "post_id": topic.post_id,
                    "title": topic.title,
                    "slug": topic.slug,
                    "category": topic.category,
                    "raw": topic.raw,
                    "external_id": topic.external_id,
                    "version": topic.version,
                    "deleted": topic.deleted,
                    "images": [
                        self.uploads[ref]
                        for ref in (f"upload://{r}" for r in rules.UPLOAD_REF.findall(topic.raw))
                        if ref in self.uploads
                    ],
                }
                for topic in self.topics.values()
            ]

    def topic_url(self, topic: StoredTopic | Mapping[str, Any]) -> str:
        slug, topic_id = (
            (topic.slug, topic.id)
            if isinstance(topic, StoredTopic)
            else (topic["slug"], topic["id"])
        )
        return f"{self.url}/t/{slug}/{topic_id}"

    def describe(self) -> str:
        topics = self.received()
        if not topics:
            return "Discourse: received nothing"
        where = self.categories.get(self.category, str(self.category))
        lines = [
            f"Discourse: received {len(topics)} topic(s) from @{self.username} "
            f"in category {self.category} ({where})"
        ]
        most = int(self.site_settings["max_post_length"])
        for number, topic in enumerate(topics, 1):
            state = ", since deleted" if topic["deleted"] else ""
            edited = f", edited {topic['version'] - 1} time(s)" if topic["version"] > 1 else ""
            lines.append(f"  [{number}] topic {topic['id']}{state}{edited}")
            lines.append(f"      title: {json.dumps(topic['title'], ensure_ascii=False)}")
            lines.extend(text_lines(topic["raw"]))
            lines.append(f"      {len(topic['raw'])}/{most} characters")
            for image in topic["images"]:
                lines.append(
                    f"      image {image.mime} {image.width}x{image.height}, {image.size} bytes, "
                    f"{image.short_url}"
                )
            lines.append(f"      {self.topic_url(topic)}")
        return "\n".join(lines)

    # -- the checks every endpoint makes --------------------------------------
    def dispatch(self, request: Request) -> Response:
        with self._lock:
            key = request.header("Api-Key")
            if not key:
                # Anonymous: what a visitor may read (a topic's page, the site's
                # settings), nothing written.
                if request.method != "GET":
                    return rules.not_logged_in()
                return super().dispatch(request)
            # lib/auth/default_current_user_provider.rb: a key that is not the
            # forum's, or a user it may not act as, is refused on every route.
            if key != self.api_key or request.header("Api-Username") != self.username:
                return rules.invalid_access()
            wait = self._take_call()
            if wait:
                return rules.rate_limited(wait)
            return super().dispatch(request)

    def _take_call(self) -> int:
        """The admin API's limit: 0 when the request may go, else the seconds until
        the oldest of the last `rate_limit` requests is a minute old
        (lib/rate_limiter.rb: a window of the last N, `available_in`)."""
        now = self.clock()
        while self._calls and now - self._calls[0] >= 60:
            self._calls.popleft()
        if len(self._calls) >= self.rate_limit:
            return max(1, math.ceil(60 - (now - self._calls[0])))
        self._calls.append(now)
        return 0

    def not_found(self, request: Request) -> Response:
        return rules.not_found()

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind] + {"topic": 100, "post": 1000, "upload": 10}[kind]

    # -- site ------------------------------------------------------------------
    def _settings(self, request: Request) -> Response:
        """GET /site/settings.json: the settings marked `client: true`."""
        return Response.json(dict(self.site_settings))

    def _site(self, request: Request) -> Response:
        """GET /site.json: the categories, with the user's permission in each
        (1: may create topics; CategoryGroup.permission_types)."""
        categories = [
            {
                "id": category_id,
                "name": name,
                "slug": rules.slug(name),
                "permission": 1,
                "read_restricted": False,
            }
            for category_id, name in self.categories.items()
        ]
        return Response.json({"categories": categories, "uncategorized_category_id": 1})

    # -- topics ----------------------------------------------------------------
    def _body(self, request: Request) -> dict[str, Any] | Response:
        """The parameters of a POST or PUT: JSON, a form or multipart (the API takes
        all three, docs.discourse.org "Request Content-Type")."""
        content_type = request.header("Content-Type").lower()
        try:
            if content_type.startswith("application/json"):
                found = request.json()
                return found if isinstance(found, dict) else {}
            if content_type.startswith("multipart/form-data"):
                return {k: v.text() for k, v in (request.form_data() or {}).items()}
            return {k: v[-1] for k, v in request.form().items()}
        except (ValueError, UnicodeDecodeError):
            return rules.errors(["The request body could not be read"], 400)

    def _title_errors(self, title: str, *, besides: int | None = None) -> list[str]:
        """app/models/topic.rb's title validations, on the title as cleaned."""
        settings = self.site_settings
        if not title:
            return [rules.TITLE_BLANK]
        least, most = (
            int(settings["min_topic_title_length"]),
            int(settings["max_topic_title_length"]),
        )
        if len(title) < least:
            return [rules.title_too_short(least)]
        if len(title) > most:
            return [rules.title_too_long(most)]
        if title_problem(title, least):
            return [rules.TITLE_UNCLEAR]
        used = any(
            t.title.lower() == title.lower() and not t.deleted and t.id != besides
            for t in self.topics.values()
        )
        if used and not rules.ALLOW_DUPLICATE_TOPIC_TITLES:
            return [rules.TITLE_USED]
        return []

    def _raw_errors(self, raw: str) -> list[str]:
        """lib/validators/post_validator.rb `stretch_validator` for a first post."""
        settings = self.site_settings
        least, most = int(settings["min_first_post_length"]), int(settings["max_post_length"])
        if len(raw) > most:
            return [rules.body_too_long(most, len(raw))]
        if len(rules.UPLOAD_REF.sub("", raw).strip()) < least:
            return [rules.body_too_short(least)]
        return []

    def _create(self, request: Request) -> Response:
        """POST /posts.json: a new topic (docs.discourse.org, createTopicPostPM)."""
        params = self._body(request)
        if isinstance(params, Response):
            return params
        if params.get("topic_id") or params.get("archetype"):
            return rules.errors(["The stand-in makes new topics only"], 400)
        raw = body(str(params.get("raw") or ""))
        title = clean_title(str(params.get("title") or ""))
        problems = self._title_errors(title) + self._raw_errors(raw)
        try:
            category = int(params.get("category") or 0)
        except (TypeError, ValueError):
            category = 0
        # app/models/topic.rb: a category is required unless allow_uncategorized_topics.
        if category not in self.categories or (
            category == 1 and not self.site_settings["allow_uncategorized_topics"]
        ):
            problems.append(rules.CATEGORY_BLANK)
        external_id = params.get("external_id")
        if external_id is not None:
            external_id = str(external_id)
            if len(external_id) > rules.EXTERNAL_ID_MAX_LENGTH:
                problems.append(rules.EXTERNAL_ID_TOO_LONG)
            elif not rules.EXTERNAL_ID.fullmatch(external_id):
                problems.append(rules.EXTERNAL_ID_INVALID)
            # Rails' uniqueness check reads past the default scope: a deleted
            # topic keeps its external_id. Case-insensitive (app/models/topic.rb).
            elif any(
                (t.external_id or "").lower() == external_id.lower() for t in self.topics.values()
            ):
                problems.append(rules.EXTERNAL_ID_TAKEN)
        if problems:
            return rules.create_failed(problems)
        topic = StoredTopic(
            id=self._next("topic"),
            post_id=self._next("post"),
            title=title,
            slug=rules.slug(title),
            category=category,
            raw=raw,
            created_at=_now(),
            external_id=external_id,
        )
        self.topics[topic.id] = topic
        return Response.json(self._post_json(topic))

    def _post_json(self, topic: StoredTopic) -> dict[str, Any]:
        """A first post as the API gives it (spec/requests/api/schemas/json/
        topic_create_response.json, post_show_response.json)."""
        return {
            "id": topic.post_id,
            "username": self.username,
            "created_at": topic.created_at,
            "updated_at": topic.created_at,
            "raw": topic.raw,
            "cooked": f"<p>{html.escape(topic.raw)}</p>",
            "post_number": 1,
            "post_type": 1,
            "topic_id": topic.id,
            "topic_slug": topic.slug,
            "version": topic.version,
            "can_edit": True,
            "can_delete": True,
            "deleted_at": None,
        }

    def _topic_json(self, topic: StoredTopic) -> dict[str, Any]:
        post = self._post_json(topic)
        post.pop("raw")  # a topic's posts come cooked only
        shown = {
            "id": topic.id,
            "title": topic.title,
            "fancy_title": html.escape(topic.title),
            "slug": topic.slug,
            "category_id": topic.category,
            "created_at": topic.created_at,
            "posts_count": 1,
            "deleted_at": None,
            "external_id": topic.external_id,
            "post_stream": {"posts": [post], "stream": [topic.post_id]},
        }
        return self.moderation.topic(topic, shown)  # with its counts, and what moderators did

    def _live_topic(self, topic_id: int) -> StoredTopic | None:
        topic = self.topics.get(topic_id)
        return None if topic is None or topic.deleted else topic

    def _by_external_id(self, request: Request) -> Response:
        """GET /t/external_id/:external_id.json: 301 to the topic
        (app/controllers/topics_controller.rb show_by_external_id,
        redirect_to_correct_topic); 404 for none, or a deleted one."""
        wanted = request.path.removeprefix("/t/external_id/").removesuffix(".json")
        found = next(
            (
                t
                for t in self.topics.values()
                if t.external_id is not None and t.external_id == wanted and not t.deleted
            ),
            None,
        )
        if found is None:
            return rules.not_found()
        location = f"http://{request.header('Host')}/t/{found.slug}/{found.id}.json"
        return Response(301, b"", {"Location": location})

    def _topic(self, request: Request) -> Response:
        """GET /t/:id.json and /t/:slug/:id.json; /t/:slug/:id, the topic's page."""
        match = _TOPIC_JSON.fullmatch(request.path)
        if match is not None:
            topic = self._live_topic(int(match.group(1)))
            return rules.not_found() if topic is None else Response.json(self._topic_json(topic))
        page = _TOPIC_PAGE.fullmatch(request.path)
        topic = self._live_topic(int(page.group(1))) if page is not None else None
        if topic is None:
            return _page("Topic not found", "This topic does not exist, or was deleted.", 404)
        return _page(topic.title, topic.raw)

    def _delete(self, request: Request) -> Response:
        """DELETE /t/:id.json (topics_controller.rb destroy): a topic already deleted,
        or none, is an InvalidAccess rendered as delete_topic_failed, 422."""
        match = _TOPIC_JSON.fullmatch(request.path)
        topic = self._live_topic(int(match.group(1))) if match is not None else None
        if topic is None:
            return rules.errors([rules.DELETE_TOPIC_FAILED])
        topic.deleted = True
        return Response(200, b"", {})

    def _revision_or_post(self, request: Request) -> Response:
        if moderation.REVISIONS.fullmatch(request.path):
            return self.moderation.latest_revision(request)
        return self._post(request)

    def _post(self, request: Request) -> Response:
        """GET /posts/:id.json, with the raw (docs.discourse.org, getPost)."""
        topic = self._topic_of_post(request)
        return rules.not_found() if topic is None else Response.json(self._post_json(topic))

    def _topic_of_post(self, request: Request) -> StoredTopic | None:
        match = _POST_JSON.fullmatch(request.path)
        if match is None:
            return None
        post_id = int(match.group(1))
        return next(
            (t for t in self.topics.values() if t.post_id == post_id and not t.deleted), None
        )

    def _edit(self, request: Request) -> Response:
        """PUT /posts/:id.json with {post: {raw, edit_reason}} and, for a topic's
        first post, a top-level `title` (posts_controller.rb update: "to stay
        consistent with the create api, we allow for title & category changes")."""
        topic = self._topic_of_post(request)
        if topic is None:
            return rules.not_found()
        params = self._body(request)
        if isinstance(params, Response):
            return params
        post = params.get("post")
        if not isinstance(post, dict) or not isinstance(post.get("raw"), str):
            return rules.errors(["param is missing or the value is empty: post"], 400)
        raw = body(post["raw"])
        title = clean_title(str(params["title"])) if params.get("title") else topic.title
        problems = self._raw_errors(raw)
        if title != topic.title:
            problems = self._title_errors(title, besides=topic.id) + problems
        if problems:
            return rules.errors(problems)
        if raw != topic.raw or title != topic.title:
            topic.raw, topic.title, topic.slug = raw, title, rules.slug(title)
            topic.version += 1
            topic.edited_at = _now()
            topic.edit_reasons.append(str(post.get("edit_reason") or ""))
        return Response.json({"post": self._post_json(topic)})

    # -- uploads ---------------------------------------------------------------
    def _upload(self, request: Request) -> Response:
        """POST /uploads.json (docs.discourse.org, createUpload): type, file,
        synchronous; checked as lib/validators/upload_validator.rb does."""
        fields = request.form_data()
        if fields is None or "file" not in fields:
            return rules.errors(["param is missing or the value is empty: file"], 400)
        kind = fields.get("type") or fields.get("upload_type")
        if kind is None or not kind.text():
            return rules.errors(["You supplied invalid parameters to the request: type"], 400)
        file: FormField = fields["file"]
        name = file.filename or "upload"
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        allowed = str(self.site_settings["authorized_extensions"])
        if extension not in allowed.split("|"):
            return rules.errors([rules.not_authorized(allowed)])
        max_kb = int(self.site_settings["max_image_size_kb"])
        if len(file.data) > max_kb * 1024:
            return rules.errors([rules.too_large(max_kb)])
        info = sniff(file.data)
        if info is None:
            return rules.errors([rules.not_authorized(allowed)])
        if info.width * info.height > rules.MAX_IMAGE_MEGAPIXELS * 1_000_000:
            return rules.errors([rules.too_large(max_kb)])
        ext = _MIME_EXTENSIONS.get(info.mime, extension)
        short = rules.short_url(file.data, ext)
        upload = self.uploads.get(short)
        if upload is None:  # the same bytes are the same upload (by SHA-1)
            upload = StoredUpload(
                self._next("upload"),
                short,
                name,
                ext,
                len(file.data),
                info.width,
                info.height,
                info.mime,
            )
            self.uploads[short] = upload
        return Response.json(
            {
                "id": upload.id,
                "url": f"/uploads/default/original/1X/{upload.id}.{upload.extension}",
                "original_filename": upload.filename,
                "filesize": upload.size,
                "width": upload.width,
                "height": upload.height,
                "thumbnail_width": upload.width,
                "thumbnail_height": upload.height,
                "extension": upload.extension,
                "short_url": upload.short_url,
                "short_path": f"/uploads/short-url/{upload.short_url.removeprefix('upload://')}",
                "retain_hours": None,
                "human_filesize": f"{upload.size} Bytes",
            }
        )


def _page(title: str, text: str, status: int = 200) -> Response:
    """A topic's web page, enough for a person following a sandbox receipt."""
    page = (
        "<!doctype html><html><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p style='white-space:pre-wrap'>{html.escape(text)}</p>"
        "</body></html>"
    )
    return Response(status, page.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})
