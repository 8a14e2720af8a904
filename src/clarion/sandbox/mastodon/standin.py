"""The Mastodon stand-in: its routes, authentication and rate limits around every
route, and what it received."""

from __future__ import annotations

import textwrap
from typing import Any

from clarion.sandbox.mastodon.instance import instance_v1, instance_v2, verify_credentials
from clarion.sandbox.mastodon.limits import bucket
from clarion.sandbox.mastodon.media import get_media, post_media
from clarion.sandbox.mastodon.moderation import Moderation
from clarion.sandbox.mastodon.rules import INVALID_TOKEN, NOT_FOUND, TOO_MANY, status_length
from clarion.sandbox.mastodon.shapes import error
from clarion.sandbox.mastodon.state import USERNAME, InstanceState, Status
from clarion.sandbox.mastodon.statuses import (
    account_statuses,
    delete_status,
    get_status,
    pin_status,
    post_status,
    put_status,
)
from clarion.sandbox.server import Request, Response
from clarion.settings import MastodonAccount
from clarion.text.mastodon import urls as mastodon_urls

TOKEN_ENV = "CLARION_MASTODON_ACCESS_TOKEN"  # noqa: S105 - a variable name


class MastodonStandIn(InstanceState):
    """One Mastodon account (`@clarion_example`) on an instance at `url`.

    `media_processing_polls` is how many GET /api/v1/media/:id answer 206 before
    an animated GIF (transcoded to `gifv`) is processed; its upload answers 202.
    Still images are processed during the upload, as Mastodon processes them
    (`delay_processing?` holds only for video, gifv and audio): 200 with the url,
    whatever this says. `limits` overrides the rate-limit windows. `scopes` are the
    token's (default: every scope); pinning needs `write:accounts`.
    """

    name = "mastodon"

    def _add_routes(self) -> None:
        for path in ("/api/v1/instance", "/api/v1/instance/"):
            self.route("GET", path, self.on(instance_v1))
        for path in ("/api/v2/instance", "/api/v2/instance/"):
            self.route("GET", path, self.on(instance_v2))
        self.route("GET", "/api/v1/accounts/verify_credentials", self.on(verify_credentials))
        self.route("GET", "/api/v1/accounts/", self.on(account_statuses), prefix=True)
        self.route("POST", "/api/v1/statuses", self.on(post_status))
        self.route("POST", "/api/v1/statuses/", self.on(pin_status), prefix=True)
        self.route("GET", "/api/v1/statuses/", self.on(get_status), prefix=True)
        self.route("PUT", "/api/v1/statuses/", self.on(put_status), prefix=True)
        self.route("DELETE", "/api/v1/statuses/", self.on(delete_status), prefix=True)
        self.route("POST", "/api/v2/media", self.on(post_media))
        self.route("GET", "/api/v1/media/", self.on(get_media), prefix=True)
        # Its receipts point here, as an instance's do: /@{username}/{id}.
        self.route("GET", f"/@{self.username}/", self._status_page, prefix=True)
        # Batch reads and what moderators do (clarion watch, clarion metrics).
        self.moderation = Moderation(self)
        self.route("GET", "/api/v1/statuses", self.on(self.moderation.statuses))
        self.route("GET", "/api/v1/notifications", self.on(self.moderation.notifications))

    @classmethod
    def for_sandbox(
        cls, account: MastodonAccount | None, *, latency: float = 0.0, root: object = None
    ) -> MastodonStandIn:
        """The stand-in `clarion publish --sandbox` runs: the repository's own account
        name and character limit when it has them. Still images are processed as
        they are uploaded (200, not 202), as on an instance."""
        if account is None:
            return cls(latency=latency, media_processing_polls=0)
        username = account.handle.strip().lstrip("@").split("@")[0] or USERNAME
        return cls(
            latency=latency,
            media_processing_polls=0,
            username=username,
            max_characters=account.max_characters,
        )

    def _status_page(self, request: Request) -> Response:
        status = self.statuses.get(request.path.rsplit("/", 1)[-1])
        if status is None or status.deleted:
            return Response.page("Not found", "This status does not exist, or was deleted.")
        return Response.page(f"@{self.username} on the Mastodon stand-in", status.text)

    def start(self) -> MastodonStandIn:
        super().start()
        if self._server is None:  # pragma: no cover - start() always sets it
            raise RuntimeError("the stand-in did not start")
        # The base handler writes headers and body separately; with Nagle's algorithm on, the
        # body of every keep-alive answer waits ~40 ms for the client's delayed ACK.
        handler = self._server.RequestHandlerClass
        setattr(handler, "disable_nagle_algorithm", True)  # noqa: B010 - not declared on the type
        self.base = self.url  # kept after stop(), for received() and describe()
        return self

    def __enter__(self) -> MastodonStandIn:
        return self.start()

    # -- what it received ------------------------------------------------------------------
    def received(self) -> list[dict[str, Any]]:
        """Every status created, in order, deleted ones included (`deleted: True`)."""
        with self._lock:
            return [self._record(status) for status in self.statuses.values()]

    def _record(self, status: Status) -> dict[str, Any]:
        return {
            "id": status.id,
            "url": self.status_url(status.id),
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
                    "type": "gifv" if media.gifv else "image",
                }
                for media in (self.media[mid] for mid in status.media_ids)
            ],
            "idempotency_key": status.idempotency_key,
            "edited": status.edited_at is not None,
            "deleted": status.deleted,
            "delete_media": status.delete_media,
            "pinned": status.id in self.pins,
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
            f"Mastodon stand-in at {self.base}: "
            f"@{self.username}, {self.max_characters} characters per status, "
            f"images under {self.image_size_limit:,} bytes, "
            f"alt text up to {self.description_limit} characters, "
            f"{len(records)} status(es) received"
        ]

        def show(record: dict[str, Any], depth: int, number: str) -> None:
            pad = "    " * depth
            flags = [record["visibility"], f"lang {record['language'] or '-'}"]
            if record["sensitive"]:
                flags.append("sensitive")
            if record["edited"]:
                flags.append("edited")
            if record["pinned"]:
                flags.append("pinned")
            if record["deleted"]:
                flags.append("DELETED with its media" if record["delete_media"] else "DELETED")
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
                if media["type"] == "gifv":
                    lines.append(f"{pad}     an animated GIF, shown as a video (gifv)")
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

    # -- dispatch: authentication and rate limits around every route --------------------------
    def dispatch(self, request: Request) -> Response:
        with self._lock:
            public = request.path.startswith(
                ("/api/v1/instance", "/api/v2/instance", f"/@{self.username}/")
            )
            authorization = request.header("Authorization")
            if not public and authorization != f"Bearer {self.token}":
                reading = request.method == "GET" and (
                    request.path.startswith(("/api/v1/statuses/", "/api/v1/accounts/"))
                    or request.path == "/api/v1/statuses"
                )
                if authorization or not reading or request.path.endswith("/verify_credentials"):
                    response = error(401, INVALID_TOKEN)
                    response.headers["WWW-Authenticate"] = (
                        'Bearer realm="Doorkeeper", error="invalid_token", '
                        f'error_description="{INVALID_TOKEN}"'
                    )
                    return self.windows.stamp(response, "api")
            kind = bucket(request)
            if not self.windows.take("api"):
                return self.windows.stamp(error(429, TOO_MANY), "api")
            if kind in ("media", "deletes") and not self.windows.take(kind):
                return self.windows.stamp(error(429, TOO_MANY), kind)
            response = super().dispatch(request)
            return self.windows.stamp(response, kind)

    def not_found(self, request: Request) -> Response:
        return error(404, NOT_FOUND)
