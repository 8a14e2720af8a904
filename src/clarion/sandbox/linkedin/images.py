"""LinkedIn's Images API: an upload is initialised, its bytes PUT to the address it
gives, and the image's URN is then referenced by a post.

https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api
"""

from __future__ import annotations

import secrets

from clarion.media.sniff import sniff
from clarion.sandbox.linkedin import rules
from clarion.sandbox.linkedin.state import LinkedInState, StoredImage
from clarion.sandbox.server import Request, Response

UPLOAD_PATH = (
    "/dms-uploads/"  # where LinkedIn's upload addresses point (www.linkedin.com/dms-uploads/…)
)
UPLOAD_EXPIRES_MS = 24 * 60 * 60 * 1000


def initialize(state: LinkedInState, request: Request, base_url: str) -> Response:
    """POST /rest/images?action=initializeUpload: {"initializeUploadRequest": {"owner"}}
    answers {"value": {"uploadUrlExpiresAt", "uploadUrl", "image"}}."""
    if request.query.get("action") != ["initializeUpload"]:
        return rules.error(400, "ILLEGAL_ARGUMENT", "Unknown action for /rest/images")
    try:
        body = request.json()
    except ValueError:
        return rules.error(400, "ILLEGAL_ARGUMENT", "The request body is not JSON")
    owner = ((body or {}).get("initializeUploadRequest") or {}).get("owner")
    if not isinstance(owner, str) or not owner:
        return rules.unprocessable(
            "/initializeUploadRequest/owner", "field is required but not found"
        )
    # The owner is the organisation the token's member may post for (IMAGES, "owner").
    if owner != state.organization or rules.WRITE_SCOPE not in state.scopes:
        return rules.denied(f"images.initializeUpload for owner {owner}")
    token = secrets.token_hex(12)
    urn = f"urn:li:image:C4E10AQ{state.next_id()}"
    state.images[urn] = StoredImage(urn=urn, owner=owner, upload_token=token)
    return Response.json(
        {
            "value": {
                "uploadUrlExpiresAt": state.now_ms() + UPLOAD_EXPIRES_MS,
                "uploadUrl": f"{base_url}{UPLOAD_PATH}{token}",
                "image": urn,
            }
        }
    )


def upload(state: LinkedInState, request: Request) -> Response:
    """PUT to the upload address: the image's bytes. An image LinkedIn cannot take
    (IMAGES: JPG, GIF or PNG, fewer than 36,152,320 pixels) fails processing."""
    token = request.path.removeprefix(UPLOAD_PATH)
    image = next((i for i in state.images.values() if i.upload_token == token), None)
    if image is None:
        return rules.not_found("upload")
    info = sniff(request.body)
    image.size = len(request.body)
    if (
        info is None
        or info.mime not in rules.IMAGE_TYPES
        or info.width * info.height >= rules.MAX_PIXELS
    ):
        image.status = "PROCESSING_FAILED"
    else:
        image.status = "AVAILABLE"
        image.mime, image.width, image.height = info.mime, info.width, info.height
    return Response(201)
