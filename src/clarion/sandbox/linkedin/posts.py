"""LinkedIn's Posts API: create a post, find an author's posts, read, correct
(PARTIAL_UPDATE of the commentary) and delete one.

https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from clarion.sandbox.linkedin import little, rules
from clarion.sandbox.linkedin.state import LinkedInState, StoredImage, StoredPost
from clarion.sandbox.server import Request, Response
from clarion.text.linkedin import length

PREFIX = "/rest/posts/"


def _body(request: Request) -> dict[str, Any] | Response:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        return rules.error(400, "ILLEGAL_ARGUMENT", "The request body is not JSON")
    if not isinstance(body, dict):
        return rules.error(400, "ILLEGAL_ARGUMENT", "The request body must be a JSON object")
    return body


def _commentary(sent: object) -> str | Response:
    """The commentary as LinkedIn keeps it, or its refusal. LITTLE: cut, silently, at
    the first reserved character that is neither escaped nor starts an element;
    POSTS: at most 3000 characters of what a reader sees."""
    if sent is None:
        return ""
    if not isinstance(sent, str):
        return rules.unprocessable("/commentary", "is not a string")
    kept = little.kept(sent)
    shown = length(little.shown(kept))
    if shown > rules.COMMENTARY_LIMIT:
        return rules.unprocessable(
            "/commentary",
            f"length {shown} exceeds the maximum allowed length {rules.COMMENTARY_LIMIT}",
        )
    return kept


def create(state: LinkedInState, request: Request) -> Response:
    """POST /rest/posts: 201 with the new post's URN in `x-restli-id`, no body."""
    body = _body(request)
    if isinstance(body, Response):
        return body
    for name in rules.REQUIRED:
        if name not in body:
            return rules.unprocessable(
                f"/{name}", "field is required but not found and has no default value"
            )
    author = body["author"]
    # POSTS, "Permissions": w_organization_social posts for an organisation whose
    # page the member administers.
    if author != state.organization or rules.WRITE_SCOPE not in state.scopes:
        return rules.denied(f"partnerApiPostsExternal.CREATE for author {author}")
    if body["visibility"] not in rules.VISIBILITY:
        return rules.unprocessable("/visibility", f"{body['visibility']!r} is not an enum symbol")
    if body["lifecycleState"] not in rules.LIFECYCLE:
        return rules.unprocessable(
            "/lifecycleState", f"{body['lifecycleState']!r} is not an enum symbol"
        )
    distribution = body["distribution"]
    if not isinstance(distribution, dict) or "feedDistribution" not in distribution:
        return rules.unprocessable(
            "/distribution/feedDistribution", "field is required but not found"
        )
    if distribution["feedDistribution"] not in rules.FEED_DISTRIBUTION:
        return rules.unprocessable(
            "/distribution/feedDistribution",
            f"{distribution['feedDistribution']!r} is not an enum symbol",
        )
    commentary = _commentary(body.get("commentary"))
    if isinstance(commentary, Response):
        return commentary
    content = body.get("content")
    images = _content_images(state, author, content)
    if isinstance(images, Response):
        return images
    kind = "ugcPost" if images else "share"
    urn = f"urn:li:{kind}:{state.next_id()}"
    now = state.now_ms()
    state.posts[urn] = StoredPost(
        urn=urn,
        author=author,
        commentary=commentary,
        sent=str(body.get("commentary") or ""),
        visibility=body["visibility"],
        distribution=distribution,
        lifecycle=body["lifecycleState"],
        content=content if isinstance(content, dict) else None,
        created=now,
        modified=now,
        images=images,
    )
    return Response(201, b"", {"x-restli-id": urn, "x-linkedin-id": urn})


def _content_images(
    state: LinkedInState, author: str, content: object
) -> list[tuple[StoredImage, str]] | Response:
    """The images a post's `content` references, each with its alt text; or the refusal.
    One of `media` (one image), `multiImage` (MULTI: 2 to 20) or `article`."""
    if content is None:
        return []
    if not isinstance(content, dict) or len(content) != 1:
        return rules.unprocessable(
            "/content", "must hold exactly one of media, multiImage, article"
        )
    kind, value = next(iter(content.items()))
    if not isinstance(value, dict):
        return rules.unprocessable(f"/content/{kind}", "is not a record")
    if kind == "article":
        if not isinstance(value.get("source"), str) or not isinstance(value.get("title"), str):
            return rules.unprocessable("/content/article", "source and title are required")
        thumbnail = value.get("thumbnail")
        if thumbnail is not None:
            found = _image(state, author, thumbnail, "/content/article/thumbnail")
            if isinstance(found, Response):
                return found
        return []
    if kind == "media":
        entries = [(value, "/content/media")]
    elif kind == "multiImage":
        listed = value.get("images")
        if not isinstance(listed, list) or not (
            rules.MULTI_IMAGE_MIN <= len(listed) <= rules.MULTI_IMAGE_MAX
        ):
            return rules.unprocessable(
                "/content/multiImage/images",
                f"must hold {rules.MULTI_IMAGE_MIN} to {rules.MULTI_IMAGE_MAX} images",
            )
        entries = [(entry, f"/content/multiImage/images/{n}") for n, entry in enumerate(listed)]
    else:
        return rules.unprocessable(f"/content/{kind}", "is not a content type of a post")
    images = []
    for entry, path in entries:
        if not isinstance(entry, dict):
            return rules.unprocessable(path, "is not a record")
        alt = entry.get("altText", "")
        if not isinstance(alt, str) or len(alt) > rules.MAX_ALT_TEXT:
            return rules.unprocessable(
                f"{path}/altText", f"is longer than {rules.MAX_ALT_TEXT} characters"
            )
        found = _image(state, author, entry.get("id"), f"{path}/id")
        if isinstance(found, Response):
            return found
        images.append((found, alt))
    return images


def _image(state: LinkedInState, author: str, urn: object, path: str) -> StoredImage | Response:
    image = state.images.get(urn) if isinstance(urn, str) else None
    if image is None or image.owner != author:
        return rules.unprocessable(path, f"{urn} is not an image of {author}")
    if image.status != "AVAILABLE":  # IMAGES: WAITING_UPLOAD, PROCESSING_FAILED
        return rules.unprocessable(path, f"{urn} is not available (status {image.status})")
    return image


def find(state: LinkedInState, request: Request) -> Response:
    """GET /rest/posts?q=author&author={urn}&count=&start=&sortBy=: the author's posts,
    newest first (`sortBy` CREATED, or LAST_MODIFIED, the default)."""
    query = {name: values[-1] for name, values in request.query.items()}
    if query.get("q") != "author" or "author" not in query:
        return rules.error(400, "ILLEGAL_ARGUMENT", "Finder q=author requires author")
    if rules.READ_SCOPE not in state.scopes or query["author"] != state.organization:
        return rules.denied(f"partnerApiPostsExternal.FINDER-author for {query['author']}")
    try:
        start = int(query.get("start", "0"))
        count = int(query.get("count", str(rules.DEFAULT_COUNT)))
    except ValueError:
        return rules.error(400, "ILLEGAL_ARGUMENT", "start and count must be integers")
    count = max(0, min(count, rules.MAX_COUNT))
    sort = query.get("sortBy", "LAST_MODIFIED")
    if sort not in ("LAST_MODIFIED", "CREATED"):
        return rules.error(400, "ILLEGAL_ARGUMENT", f"Invalid sortBy {sort}")
    mine = [p for p in state.posts.values() if p.author == query["author"] and not p.deleted]
    mine.sort(key=lambda p: p.created if sort == "CREATED" else p.modified, reverse=True)
    page = mine[start : start + count]
    return Response.json(
        {
            "elements": [post.shape() for post in page],
            "paging": {"start": start, "count": count, "total": len(mine), "links": []},
        }
    )


def _target(state: LinkedInState, request: Request) -> StoredPost | Response:
    urn = unquote(request.path.removeprefix(PREFIX))
    post = state.posts.get(urn)
    if post is None or post.deleted:
        return rules.not_found(urn)
    return post


def get(state: LinkedInState, request: Request) -> Response:
    """GET /rest/posts/{encoded urn}."""
    if rules.READ_SCOPE not in state.scopes:
        return rules.denied("partnerApiPostsExternal.GET")
    post = _target(state, request)
    return post if isinstance(post, Response) else Response.json(post.shape())


def update(state: LinkedInState, request: Request) -> Response:
    """POST /rest/posts/{encoded urn} with X-RestLi-Method: PARTIAL_UPDATE and
    {"patch": {"$set": {"commentary": …}}}: 204."""
    if request.header("X-RestLi-Method").upper() != "PARTIAL_UPDATE":
        return rules.error(400, "ILLEGAL_ARGUMENT", "POST to a post needs PARTIAL_UPDATE")
    if rules.WRITE_SCOPE not in state.scopes:
        return rules.denied("partnerApiPostsExternal.PARTIAL_UPDATE")
    post = _target(state, request)
    if isinstance(post, Response):
        return post
    body = _body(request)
    if isinstance(body, Response):
        return body
    changes = (body.get("patch") or {}).get("$set")
    if not isinstance(changes, Mapping) or not changes:
        return rules.unprocessable("/patch/$set", "nothing to set")
    for name in changes:
        if name not in rules.UPDATABLE:
            return rules.unprocessable(f"/patch/$set/{name}", "is not a field that can be updated")
    if "commentary" in changes:
        commentary = _commentary(changes["commentary"])
        if isinstance(commentary, Response):
            return commentary
        post.commentary, post.sent = commentary, str(changes["commentary"])
    if "lifecycleState" in changes:
        post.lifecycle = str(changes["lifecycleState"])
    post.modified = state.now_ms()
    post.edited = True
    return Response(204)


def delete(state: LinkedInState, request: Request) -> Response:
    """DELETE /rest/posts/{encoded urn}: 204."""
    if rules.WRITE_SCOPE not in state.scopes:
        return rules.denied("partnerApiPostsExternal.DELETE")
    post = _target(state, request)
    if isinstance(post, Response):
        return post
    post.deleted = True
    return Response(204)
