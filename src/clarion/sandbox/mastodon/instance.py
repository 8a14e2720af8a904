"""What the instance tells a client about itself and the account: the instance
documents (v1 and v2, with the limits a client reads) and verify_credentials."""

from __future__ import annotations

from typing import Any

from clarion.sandbox.mastodon.rules import (
    CHARACTERS_RESERVED_PER_URL,
    IMAGE_MATRIX_LIMIT,
    MAX_MEDIA,
    SUPPORTED_IMAGES,
)
from clarion.sandbox.mastodon.shapes import account_json
from clarion.sandbox.mastodon.state import InstanceState
from clarion.sandbox.server import Request, Response

VERSION = "4.3.2"


def _configuration(state: InstanceState) -> dict[str, Any]:
    return {
        "statuses": {
            "max_characters": state.max_characters,
            "max_media_attachments": MAX_MEDIA,
            "characters_reserved_per_url": CHARACTERS_RESERVED_PER_URL,
        },
        "media_attachments": {
            "supported_mime_types": list(SUPPORTED_IMAGES),
            "description_limit": state.description_limit,
            "image_size_limit": state.image_size_limit,
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


def instance_v1(state: InstanceState, request: Request) -> Response:
    host = state.base.split("://", 1)[-1]
    configuration = _configuration(state)
    configuration["accounts"] = {"max_featured_tags": 10}
    return Response.json(
        {
            "uri": host,
            "title": "Clarion sandbox",
            "short_description": "",
            "description": "A local stand-in for a Mastodon instance",
            "email": "",
            "version": state.version or VERSION,
            "urls": {"streaming_api": f"ws://{host}"},
            "stats": {"user_count": 1, "status_count": len(state.statuses), "domain_count": 1},
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


def instance_v2(state: InstanceState, request: Request) -> Response:
    host = state.base.split("://", 1)[-1]
    configuration = _configuration(state)
    configuration["urls"] = {"streaming": f"ws://{host}", "status": None}
    configuration["accounts"] = {"max_featured_tags": 10, "max_pinned_statuses": 5}
    configuration["translation"] = {"enabled": False}
    return Response.json(
        {
            "domain": host,
            "title": "Clarion sandbox",
            "version": state.version or VERSION,
            "source_url": "https://github.com/mastodon/mastodon",
            "description": "A local stand-in for a Mastodon instance",
            "usage": {"users": {"active_month": 1}},
            "thumbnail": {"url": f"{state.base}/packs/media/images/preview.png"},
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


def verify_credentials(state: InstanceState, request: Request) -> Response:
    return Response.json(account_json(state, source=True))
