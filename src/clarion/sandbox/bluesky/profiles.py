"""The Bluesky stand-in as an AppView: `app.bsky.actor.getProfile`, with the
account's followers (which a test moves: `stand_in.followers = 1500`).

The rules it keeps (https://docs.bsky.app/docs/api/app-bsky-actor-get-profile):

- `actor` (a handle or a DID) is required, without logging in;
- an actor the AppView does not know is a 400 `InvalidRequest`, "Profile not found";
- the profile view (`profileViewDetailed`) carries `did`, `handle`,
  `displayName`, `followersCount`, `followsCount` and `postsCount`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clarion.sandbox.bluesky.lexicon import POST
from clarion.sandbox.bluesky.xrpc import invalid, param
from clarion.sandbox.server import Request, Response

if TYPE_CHECKING:
    from clarion.sandbox.bluesky.state import PdsState


def get_profile(pds: PdsState, request: Request) -> Response:
    """GET /xrpc/app.bsky.actor.getProfile?actor=…"""
    actor = param(request, "actor")
    account = pds.find_account(actor)
    if account is None:
        raise invalid("Profile not found")
    posts = sum(
        1
        for record in pds.records.values()
        if record.uri.startswith(f"at://{account.did}/{POST}/") and not record.deleted
    )
    return Response.json(
        {
            "did": account.did,
            "handle": account.handle,
            "displayName": account.handle,
            "followersCount": pds.followers if account is pds.account else 0,
            "followsCount": 0,
            "postsCount": posts,
            "labels": [],
        }
    )
