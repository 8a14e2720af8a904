"""Watching Discourse: what the forum and its moderators did to each post's topic.

Each topic is read on its own (`GET /t/{id}.json`, https://docs.discourse.org,
Topics/getTopic; the fields as app/serializers/topic_view_serializer.rb and
post_serializer.rb give them): Discourse has no call that reads chosen topics
together. Of the topic and its first post, which holds the post:

- not found (404), or `deleted_at` (what a moderator's key sees): deleted;
- `visible: false`: unlisted by a moderator, so hidden (out of the topic lists
  and search, reachable by its address only);
- the first post `hidden`: hidden after flags (its text behind a notice), so
  hidden;
- the first post's `version` above 1 while Clarion never corrected it (the
  receipt has no `edited`): edited on the forum; when Clarion did correct it, the
  latest revision (`GET /posts/{id}/revisions/latest.json`, config/routes.rb,
  posts#latest_revision) says who made it, and one by another user is an edit.

A topic closed (no more answers) or archived (frozen) is still shown as it was
sent: neither is one of the kinds `clarion watch` reports (SPEC, "Watching"), so
neither is a finding. The API key is sent when the environment has it (a private
forum needs it; a moderator's key also sees deleted topics); the admin API's limit
(60 requests a minute) answers 429 with `Retry-After`, which is waited out up to
`MAX_WAIT` seconds a run; past that, the forum is not watched this run and its
last findings stay.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from clarion.adapters import http
from clarion.adapters.discourse_topic import first_post
from clarion.networks import DiscourseAccount
from clarion.watch.answers import body, json_object
from clarion.watch.model import Kind, Observed, Seen, Watched, WatchFailed

KEY_ENV = "CLARION_DISCOURSE_API_KEY"
MAX_WAIT = 120.0  # seconds of rate limits waited out in one run


def _says(response: httpx.Response) -> str:
    data = body(response)
    said = data.get("errors") if isinstance(data, dict) else None
    if isinstance(said, list) and said:
        return f"{response.status_code} ({'; '.join(str(e) for e in said)})"
    return f"HTTP {response.status_code}"


class _Forum:
    def __init__(
        self,
        account: DiscourseAccount,
        key: str,
        timeout: float,
        sleep: Callable[[float], None],
    ) -> None:
        self.base = account.url.strip().rstrip("/")
        self.username = account.username.strip().lstrip("@").lower()
        headers = {"Accept": "application/json"}
        if key:
            headers.update({"Api-Key": key, "Api-Username": account.username.strip()})
        self.keyed = bool(key)
        self.client = http.client("", timeout=timeout, headers=headers)
        self.sleep = sleep
        self.waited = 0.0

    def get(self, path: str) -> httpx.Response:
        while True:
            try:
                response = self.client.get(f"{self.base}{path}")
            except httpx.HTTPError as exc:
                raise WatchFailed(
                    f"Discourse: {self.base} did not answer ({type(exc).__name__})"
                ) from None
            if response.status_code != 429:
                break
            wait = response.headers.get("Retry-After", "").strip()
            seconds = float(wait) if wait.isdigit() else 60.0
            if self.waited + seconds > MAX_WAIT:
                raise WatchFailed(
                    f"Discourse: {self.base} limits the rate of requests for longer than a run "
                    "waits: the next run watches the topics"
                )
            self.waited += seconds
            self.sleep(seconds)
        if response.status_code in (401, 403):
            fix = (
                f"check {KEY_ENV} and the account's username"
                if self.keyed
                else f"a private forum is read with its API key: set {KEY_ENV}"
            )
            raise WatchFailed(
                f"Discourse: {self.base} refused GET {path} ({_says(response)}): {fix}",
                config=True,
            )
        return response

    def json(self, response: httpx.Response, path: str) -> Mapping[str, Any]:
        if response.status_code != 200:
            raise WatchFailed(f"Discourse: {self.base} answered {_says(response)} to GET {path}")
        return json_object(
            response, f"Discourse: {self.base} answered GET {path} with no JSON object"
        )

    def latest_editor(self, post_id: int) -> str | None:
        """Who made the post's latest revision (lower case); None when it has none."""
        path = f"/posts/{post_id}/revisions/latest.json"
        response = self.get(path)
        if response.status_code == 404:
            return None
        username = self.json(response, path).get("username")
        return str(username).lower() if username else None


def _findings(forum: _Forum, part: Watched, topic: Mapping[str, Any]) -> list[Seen]:
    if topic.get("deleted_at"):
        by = topic.get("deleted_by")
        who = f" by @{by['username']}" if isinstance(by, dict) and by.get("username") else ""
        return [Seen(Kind.DELETED, f"deleted on the forum{who}", part)]
    seen: list[Seen] = []
    if topic.get("visible") is False:
        seen.append(
            Seen(
                Kind.HIDDEN,
                "unlisted by the forum's moderators: out of the topic lists and search, "
                "reachable by its address only",
                part,
                key="unlisted",
            )
        )
    first = first_post(topic)
    if first is None:
        return seen
    if first.get("hidden") is True:
        seen.append(
            Seen(
                Kind.HIDDEN,
                "its post is hidden on the forum after members flagged it",
                part,
                key="flagged",
            )
        )
    version = first.get("version")
    if type(version) is int and version > 1:
        editor: str | None = None
        if part.edited is not None:  # Clarion corrected it: whose is the latest revision?
            post_id = first.get("id")
            editor = forum.latest_editor(post_id) if type(post_id) is int else None
            if editor is None or editor == forum.username:
                return seen
        by = f" by @{editor}" if editor else ""
        seen.append(
            Seen(
                Kind.EDITED,
                f"edited on the forum{by} (version {version}): what it says is no longer "
                "what the repository holds",
                part,
                key=f"version {version}",
            )
        )
    return seen


def watch(
    account: DiscourseAccount,
    env: Mapping[str, str],
    parts: Sequence[Watched],
    *,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
) -> Observed:
    """What the forum did to `parts`' topics: deleted, unlisted or hidden, edited."""
    observed = Observed()
    if not parts:
        return observed
    odd = [p for p in parts if not p.id.isdigit()]
    if odd:
        observed.notes.append(
            f"Discourse: {len(odd)} receipt id(s) are not topic numbers and were not watched "
            f"(first: {odd[0].path} part {odd[0].part}: {odd[0].id!r})"
        )
    forum = _Forum(account, env.get(KEY_ENV, "").strip(), timeout, sleep)
    try:
        for part in parts:
            if not part.id.isdigit():
                continue
            path = f"/t/{part.id}.json"
            response = forum.get(path)
            if response.status_code in (404, 410):
                observed.seen.append(Seen(Kind.DELETED, "not found on the forum (deleted)", part))
                continue
            observed.seen.extend(_findings(forum, part, forum.json(response, path)))
    finally:
        forum.client.close()
    return observed
