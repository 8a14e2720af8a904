"""What the LinkedIn stand-in answers to reads of engagement and of posts, and what
LinkedIn (or the page's administrators, on LinkedIn itself) can do to a post that
a test makes happen: delete it, edit it, take it out of PUBLISHED.

The pages:

SOCIAL  https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/social-metadata-api
STATS   https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/share-statistics
LOOKUP  https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-lookup-api
POSTS   https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api

Endpoints:

    GET /rest/socialMetadata?ids=List({urn},…)     reactions and comments (SOCIAL, batch get)
    GET /rest/organizationalEntityShareStatistics?q=organizationalEntity
        &organizationalEntity={org}&shares=List(…)&ugcPosts=List(…)
                                                   impressions, shares… of each post (STATS)
    GET /rest/networkSizes/{org}?edgeType=COMPANY_FOLLOWED_BY_MEMBER
                                                   the page's followers (LOOKUP)
    GET /rest/posts?ids=List({urn},…)              posts by URN (POSTS, "Batch Get Posts")

A batch get answers `{"results": {urn: …}, "statuses": {urn: status}, "errors":
{urn: error}}` (Rest.li's BATCH_GET): a post deleted is a 404 in `errors`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from clarion.sandbox.engagement import Engagement
from clarion.sandbox.linkedin import posts, rules
from clarion.sandbox.server import Request, Response

if TYPE_CHECKING:
    from clarion.sandbox.linkedin.state import LinkedInState, StoredPost

SOCIAL_PATH = "/rest/socialMetadata"
STATS_PATH = "/rest/organizationalEntityShareStatistics"
NETWORK_SIZES = "/rest/networkSizes/"
# SOCIAL, "Permissions": reading an organisation's reactions and comments.
SOCIAL_SCOPE = "r_organization_social_feed"
# STATS, "Permissions": "Manage organizations pages and retrieve reporting data",
# restricted to the page's ADMINISTRATORs.
STATS_SCOPE = "rw_organization_admin"
# LOOKUP: the follower count is the page's first-degree network size of this edge.
FOLLOWED_BY = "COMPANY_FOLLOWED_BY_MEMBER"
_LIST = re.compile(r"List\((.*)\)", re.DOTALL)


def restli_list(value: str | None) -> list[str] | None:
    """The items of a Rest.li 2.0 `List(a,b)` (each URL-decoded); None when it is none."""
    found = _LIST.fullmatch((value or "").strip())
    if found is None:
        return None
    return [unquote(item) for item in found[1].split(",") if item]


def _query(request: Request, name: str) -> str | None:
    values = request.query.get(name)
    return values[-1] if values else None


@dataclass
class Reading:
    """Reactions other than likes, and what happens to posts outside Clarion.

    Likes, comments, shares and impressions live in `engagement` (the stand-in's
    `set_counts`); `reactions` adds LinkedIn's other reaction types (PRAISE,
    EMPATHY, INTEREST, APPRECIATION, ENTERTAINMENT) to a post.
    """

    state: LinkedInState
    engagement: Engagement = field(default_factory=Engagement)
    reactions: dict[str, dict[str, int]] = field(default_factory=dict)

    # -- what LinkedIn, or the page's administrators, do ------------------------------
    def react(self, urn: str, kind: str, count: int) -> None:
        with self.state._lock:
            self.reactions.setdefault(urn, {})[kind] = count

    def delete(self, urn: str) -> None:
        """The post is deleted on LinkedIn (by an administrator of the page, or LinkedIn)."""
        with self.state._lock:
            self.state.posts[urn].deleted = True

    def edit(self, urn: str, text: str) -> None:
        """An administrator edits the post's text on LinkedIn itself."""
        with self.state._lock:
            post = self.state.posts[urn]
            post.commentary = post.sent = text
            post.edited = True
            post.modified = self.state.now_ms()

    def set_lifecycle(self, urn: str, lifecycle: str) -> None:
        """The post leaves PUBLISHED (POSTS, `lifecycleState`)."""
        with self.state._lock:
            post = self.state.posts[urn]
            post.lifecycle = lifecycle
            post.modified = self.state.now_ms()

    # -- GET /rest/socialMetadata ---------------------------------------------------
    def social_metadata(self, state: LinkedInState, request: Request) -> Response:
        if SOCIAL_SCOPE not in state.scopes:
            return rules.denied("socialMetadata.BATCH_GET")
        ids = restli_list(_query(request, "ids"))
        if not ids:
            return rules.error(400, "ILLEGAL_ARGUMENT", "ids=List(...) is required")
        return _batch_get(state, ids, lambda urn, _post: self._social(urn), {})

    def _social(self, urn: str) -> dict[str, Any]:
        counts = self.engagement.of(urn)
        summaries = {"LIKE": counts.likes, **self.reactions.get(urn, {})}
        comments = counts.replies or 0
        return {
            "reactionSummaries": {
                kind: {"reactionType": kind, "count": n} for kind, n in summaries.items() if n
            },
            "commentsState": "OPEN",
            "commentSummary": {"count": comments, "topLevelCount": comments},
            "entity": urn,
        }

    # -- GET /rest/organizationalEntityShareStatistics ------------------------------------
    def share_statistics(self, state: LinkedInState, request: Request) -> Response:
        if _query(request, "q") != "organizationalEntity":
            return rules.error(400, "ILLEGAL_ARGUMENT", "Finder q=organizationalEntity is required")
        organization = _query(request, "organizationalEntity") or ""
        if STATS_SCOPE not in state.scopes or organization != state.organization:
            return rules.denied(f"organizationalEntityShareStatistics for {organization}")
        elements = []
        # STATS, "Schema": `share` is a Share URN, `ugcPost` a UGC Post URN.
        for name, kind, key in (("shares", "share", "share"), ("ugcPosts", "ugcPost", "ugcPost")):
            listed = restli_list(_query(request, name)) or []
            for urn in listed:
                if not urn.startswith(f"urn:li:{kind}:"):
                    return rules.error(400, "ILLEGAL_ARGUMENT", f"{urn} is not a {kind} URN")
                post = state.posts.get(urn)
                if post is None or post.deleted or post.author != organization:
                    continue  # LinkedIn leaves out what it has no statistics of
                counts = self.engagement.of(urn)
                likes = counts.likes + sum(self.reactions.get(urn, {}).values())
                comments = counts.replies or 0
                views = counts.views
                elements.append(
                    {
                        "organizationalEntity": organization,
                        key: urn,
                        "totalShareStatistics": {
                            "impressionCount": views,
                            "uniqueImpressionsCount": views,
                            "clickCount": 0,
                            "likeCount": likes,
                            "commentCount": comments,
                            "shareCount": counts.reposts,
                            "engagement": 0.0 if not views else (likes + comments) / views,
                        },
                    }
                )
        paging = {"start": 0, "count": len(elements), "links": []}
        return Response.json({"paging": paging, "elements": elements})

    # -- GET /rest/networkSizes/{org} -------------------------------------------------------
    def network_size(self, state: LinkedInState, request: Request) -> Response:
        urn = unquote(request.path.removeprefix(NETWORK_SIZES))
        if _query(request, "edgeType") != FOLLOWED_BY:
            return rules.error(400, "ILLEGAL_ARGUMENT", f"edgeType must be {FOLLOWED_BY}")
        if urn != state.organization:
            return rules.not_found(urn)
        return Response.json({"firstDegreeSize": self.engagement.followers})

    # -- GET /rest/posts: the batch get, or the author finder ----------------------------
    def posts(self, state: LinkedInState, request: Request) -> Response:
        ids = restli_list(_query(request, "ids"))
        if ids is None:
            return posts.find(state, request)
        if rules.READ_SCOPE not in state.scopes:
            return rules.denied("partnerApiPostsExternal.BATCH_GET")
        return _batch_get(state, ids, lambda _urn, post: post.shape(), {"code": "NOT_FOUND"})


def _batch_get(
    state: LinkedInState,
    ids: list[str],
    found: Callable[[str, StoredPost], dict[str, Any]],
    code: Mapping[str, str],
) -> Response:
    """A Rest.li BATCH_GET's answer: what `found` makes of each post, by URN in
    `results`, and the status of each in `statuses` (a post deleted or unknown: 404,
    in `errors` too, with `code` where the API names one)."""
    results: dict[str, Any] = {}
    statuses: dict[str, int] = {}
    errors: dict[str, Any] = {}
    for urn in ids:
        post = state.posts.get(urn)
        if post is None or post.deleted:
            statuses[urn] = 404
            errors[urn] = {"status": 404, **code, "message": f"Not Found: {urn}"}
        else:
            statuses[urn] = 200
            results[urn] = found(urn, post)
    return Response.json({"results": results, "statuses": statuses, "errors": errors})
