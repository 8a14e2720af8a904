"""A stand-in for the Threads API calls Clarion makes, on 127.0.0.1.

Endpoints (graph.threads.net, version v1.0; each as Meta documents it, cited where
the rule is enforced):

    GET    /me                                    the profile the token belongs to
    GET    /debug_token?input_token=…             the token's expiry and scopes
    GET    /{user-id}/threads_publishing_limit    the 24-hour quotas and their use
    POST   /{user-id}/threads                     a media container (TEXT, IMAGE, CAROUSEL)
    GET    /{container-id}?fields=status,…        its status: IN_PROGRESS, FINISHED, ERROR…
    POST   /{user-id}/threads_publish             publish a container (creation_id)
    GET    /{media-id}?fields=…                   a post: permalink, timestamp, text…
    GET    /{user-id}/threads                     the account's posts, newest first
    GET    /{media-id}/replies                    a post's replies
    GET    /{media-id}/insights?metric=…          a post's counts, as tests move them
    GET    /{user-id}/threads_insights            the account's followers
    DELETE /{media-id}                            delete a post
    GET    /files/PATH                            the repository's files, for image URLs
    GET    /@{username}/post/{shortcode}          a post's page, where receipts point

It checks what Threads checks: the access token (as `access_token` or a bearer
header) and its permissions, 500 characters as Meta counts them, at most 5
links, a reply to a post that exists, the image fetched from its URL (a JPEG or
PNG of at most 8 MB, else the container ends in ERROR), a container published
once and only when FINISHED, 250 posts, 1,000 replies and 100 deletes in 24
hours, and the call budget (429 when spent).

The modules, by concern:

- `standin`: `ThreadsStandIn`, its routes, the token check and the call budget,
  and what it received;
- `state`: what the account holds (containers, posts, quotas);
- `publishing`, `reads`, `insights`: the route handlers;
- `files`: fetching image URLs, and serving the repository's files;
- `rules`: Threads' limits and answers, with where Meta documents them;
- `params`: a request's parameters.
"""

from clarion.sandbox.threads.rules import (
    DELETE_QUOTA,
    LINK_LIMIT_EXCEEDED,
    MAX_LINKS,
    POST_QUOTA,
    REPLY_QUOTA,
    TEXT_LIMIT,
)
from clarion.sandbox.threads.standin import TOKEN_ENV, ThreadsStandIn
from clarion.sandbox.threads.state import (
    SANDBOX_TOKEN,
    SANDBOX_USER_ID,
    SANDBOX_USERNAME,
    Container,
    Item,
    Post,
)

__all__ = [
    "DELETE_QUOTA",
    "LINK_LIMIT_EXCEEDED",
    "MAX_LINKS",
    "POST_QUOTA",
    "REPLY_QUOTA",
    "SANDBOX_TOKEN",
    "SANDBOX_USERNAME",
    "SANDBOX_USER_ID",
    "TEXT_LIMIT",
    "TOKEN_ENV",
    "Container",
    "Item",
    "Post",
    "ThreadsStandIn",
]
