"""A stand-in for the LinkedIn Posts and Images APIs Clarion calls, on 127.0.0.1,
built from LinkedIn's documentation (each rule cites its page in `rules`).

Endpoints (https://api.linkedin.com, versioned under /rest):

    POST   /rest/posts                          create a post (201, its URN in x-restli-id)
    GET    /rest/posts?q=author&author=…        the organisation's posts, newest first
    GET    /rest/posts/{urn}                    one post
    POST   /rest/posts/{urn}                    PARTIAL_UPDATE: correct its commentary
    DELETE /rest/posts/{urn}                    delete a post
    POST   /rest/images?action=initializeUpload an image upload begins
    PUT    /dms-uploads/{token}                 the image's bytes (the upload address)
    GET    /feed/update/{urn}/                  the post's web page (its receipt's address)
    GET    /rest/posts?ids=List(…)              posts by URN (a batch get)
    GET    /rest/socialMetadata?ids=List(…)     reactions and comments of posts
    GET    /rest/organizationalEntityShareStatistics   impressions and shares of posts
    GET    /rest/networkSizes/{organization}    the page's followers

It refuses what LinkedIn refuses: a call without `Linkedin-Version` (400) or with a
version LinkedIn no longer, or not yet, serves (426); without
`X-Restli-Protocol-Version: 2.0.0`; without the access token (401) or a scope it
needs (403); a post by anyone but the organisation; a commentary of more than
3000 characters as a reader sees it; images not uploaded, not the organisation's,
of a type or size LinkedIn does not take, alt text over 4086 characters, a
multiImage outside 2 to 20; and, when a test sets daily limits, a call past them
(429, with no header saying when: LinkedIn's limits reset at midnight UTC).

And it does what LinkedIn does without saying so: a commentary is cut at its first
reserved character of the "little" text format that is neither escaped nor starts
an element (`little.kept`), and the post is made all the same.

The modules, by concern:

- `standin`: `LinkedInStandIn`, its routes, the checks every call goes through,
  and what it received;
- `state`: what the organisation holds (posts, images, counted calls);
- `posts`, `images`: the route handlers;
- `reading`: engagement reads, and what LinkedIn does to posts outside Clarion;
- `little`: the little text format as LinkedIn reads it;
- `rules`: LinkedIn's limits and answers, with where LinkedIn documents them.
"""

from clarion.sandbox.linkedin.little import kept
from clarion.sandbox.linkedin.rules import COMMENTARY_LIMIT, MAX_ALT_TEXT
from clarion.sandbox.linkedin.standin import TOKEN_ENV, LinkedInStandIn, encoded
from clarion.sandbox.linkedin.state import (
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_ORGANIZATION,
    SANDBOX_PAGE,
    SANDBOX_SCOPES,
    StoredImage,
    StoredPost,
)

__all__ = [
    "COMMENTARY_LIMIT",
    "MAX_ALT_TEXT",
    "SANDBOX_ACCESS_TOKEN",
    "SANDBOX_ORGANIZATION",
    "SANDBOX_PAGE",
    "SANDBOX_SCOPES",
    "TOKEN_ENV",
    "LinkedInStandIn",
    "StoredImage",
    "StoredPost",
    "encoded",
    "kept",
]
