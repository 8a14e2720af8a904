"""A stand-in for the Discourse API calls Clarion makes, on 127.0.0.1.

One forum, one API key acting as one user. It is built from Discourse's API
documentation (https://docs.discourse.org) and its source, each rule with where
it comes from (`rules`): the `Api-Key` and `Api-Username` headers; a topic's
title (15 to 255 characters after the forum cleans it up, clear enough, unique
among the forum's topics) and body (20 to 32000 characters); the category;
`external_id` (at most 50 word characters or "-", unique, kept by a deleted
topic) and the lookup that redirects to the topic holding it; uploads (the
authorized extensions, 4096 KiB, 40 megapixels) and their `upload://` short
URLs; edits of a topic's first post and title; deletion; the admin API's 60
requests a minute, answered 429 with `Retry-After`. Answers are shaped as the
forum's.

The modules: `standin` (`DiscourseStandIn`, its routes and what it received),
`rules` (Discourse's limits and answers, with their sources) and `moderation`
(a topic's likes, replies and views, and what the forum's moderators do to it).
"""

from clarion.sandbox.discourse.rules import (
    ADMIN_API_REQS_PER_MINUTE,
    DEFAULT_SITE_SETTINGS,
    EXTERNAL_ID_TAKEN,
    INVALID_CREDENTIALS,
    SANDBOX_API_KEY,
    SANDBOX_CATEGORY,
    SANDBOX_USERNAME,
    TITLE_USED,
)
from clarion.sandbox.discourse.standin import DiscourseStandIn, StoredTopic, StoredUpload

__all__ = [
    "ADMIN_API_REQS_PER_MINUTE",
    "DEFAULT_SITE_SETTINGS",
    "EXTERNAL_ID_TAKEN",
    "INVALID_CREDENTIALS",
    "SANDBOX_API_KEY",
    "SANDBOX_CATEGORY",
    "SANDBOX_USERNAME",
    "TITLE_USED",
    "DiscourseStandIn",
    "StoredTopic",
    "StoredUpload",
]
