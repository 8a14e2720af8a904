"""X's counts: read only when asked (`metrics = true`), at most `max_reads` a run.

X charges for every resource an answer returns ("Posts: Read", "User: Read",
docs.x.com/x-api/getting-started/pricing), less for the account's own data
("Owned Reads"), and once a UTC day for the same resource. So X is read only
with `[tool.clarion.accounts.x] metrics = true`, and a run reads at most
`max_reads` resources there: the account (for its followers) and the posts.

- The account: `GET /2/users/me?user.fields=public_metrics`, whose
  `followers_count` is the followers (docs.x.com/x-api/users/user-lookup-me).
- Parts in their first 30 days: the account's own timeline,
  `GET /2/users/:id/tweets` with `tweet.fields=public_metrics`, from the oldest
  of them on (`start_time`), 5 to 100 a page, the newest 3,200 posts at most
  (docs.x.com/x-api/posts/user-posts-timeline-by-user-id): one read finds
  every recent part, and reads of one's own posts cost the least.
- The rest, and anything the timeline did not show: `GET /2/tweets?ids=…`,
  up to 100 a call (docs.x.com/x-api/posts/get-posts-by-ids); a post X does
  not return is deleted or not visible.

`public_metrics` holds `like_count`, `retweet_count`, `reply_count`,
`quote_count` and `impression_count`, the views
(docs.x.com/x-api/fundamentals/fields). Requests are signed with OAuth 1.0a,
with the publishing keys (or a read-only app's: reading needs no more).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from requests_oauthlib import OAuth1  # type: ignore[import-untyped]

from clarion.metrics.fetch import Answer, Fetcher
from clarion.metrics.readers import (
    Batch,
    Counts,
    NotRead,
    ReadFailed,
    ReadRefused,
    Target,
    count,
    counts_in,
    secrets,
)
from clarion.settings import XAccount

IDS_PER_CALL = 100
PAGE_MIN, PAGE_MAX = 5, 100  # the timeline's max_results
# Our names of the counts, and X's (a post's public_metrics).
_COUNTS = {
    "likes": "like_count",
    "reposts": "retweet_count",
    "replies": "reply_count",
    "quotes": "quote_count",
    "views": "impression_count",
}
ENV_VARS = (
    "CLARION_X_API_KEY",
    "CLARION_X_API_SECRET",
    "CLARION_X_ACCESS_TOKEN",
    "CLARION_X_ACCESS_TOKEN_SECRET",
)


class XReader:
    def __init__(self, api: str, auth: Any, max_reads: int, fetch: Fetcher) -> None:
        self.api = api.rstrip("/")
        self.auth = auth
        self.max_reads = max_reads
        self.left = max_reads  # resources this run may still read
        self.fetch = fetch
        self.notes: list[str] = []
        self.user_id: str | None = None
        self.followers_count: int | None = None

    def followers(self) -> int | None:
        if self.left < 1:
            return None
        answer = self._get("/2/users/me", {"user.fields": "public_metrics"}, "reading the account")
        data = answer.data.get("data") if isinstance(answer.data, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            raise ReadFailed("X: the account could not be read (GET /2/users/me gave no user)")
        self.left -= 1
        self.user_id = str(data["id"])
        metrics = data.get("public_metrics")
        if isinstance(metrics, dict):
            self.followers_count = count(metrics.get("followers_count"))
        return self.followers_count

    def read(self, targets: Sequence[Target]) -> Iterator[Batch]:
        wanted = {target.id: target for target in targets}
        recent = [t for t in targets if t.daily and t.published is not None]
        if recent and self.user_id is not None:
            yield from self._timeline(recent, wanted)
        rest = list(wanted.values())
        while rest and self.left > 0:
            size = min(IDS_PER_CALL, self.left)  # never ask for more than may be read
            chunk, rest = rest[:size], rest[size:]
            yield self._lookup(chunk)
        if rest:
            self.notes.append(
                f"X: {len(rest):,} due part(s) not read: max_reads = {self.max_reads} reached "
                "(X charges for each post read); the next run reads them, or raise max_reads "
                "in [tool.clarion.accounts.x]"
            )

    def _timeline(self, recent: Sequence[Target], wanted: dict[str, Target]) -> Iterator[Batch]:
        """The account's posts since the oldest recent part: those wanted are found."""
        oldest = min(t.published for t in recent if t.published is not None)
        since = (oldest - dt.timedelta(minutes=1)).astimezone(dt.UTC)
        to_find = {t.id for t in recent}
        params: dict[str, str | int] = {
            "tweet.fields": "public_metrics",
            "exclude": "retweets",
            "start_time": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        while to_find and self.left >= PAGE_MIN:
            params["max_results"] = min(PAGE_MAX, self.left)
            answer = self._get(f"/2/users/{self.user_id}/tweets", params, "reading the timeline")
            body = answer.data if isinstance(answer.data, dict) else {}
            posts = [p for p in body.get("data") or [] if isinstance(p, dict)]
            self.left -= len(posts)
            batch = Batch(followers=self.followers_count)
            for post in posts:
                target = wanted.pop(str(post.get("id")), None)
                if target is not None:
                    to_find.discard(target.id)
                    batch.found.append((target, _counts(post)))
            yield batch
            token = (body.get("meta") or {}).get("next_token")
            if not token:
                break
            params["pagination_token"] = str(token)

    def _lookup(self, chunk: Sequence[Target]) -> Batch:
        answer = self._get(
            "/2/tweets",
            {"ids": ",".join(t.id for t in chunk), "tweet.fields": "public_metrics"},
            "reading posts",
        )
        body = answer.data if isinstance(answer.data, dict) else {}
        posts = {str(p.get("id")): p for p in body.get("data") or [] if isinstance(p, dict)}
        self.left -= len(posts)
        return Batch.of(chunk, posts, _counts, self.followers_count)

    def _get(self, path: str, params: Mapping[str, str | int], doing: str) -> Answer:
        answer = self.fetch.get(f"{self.api}{path}", params, auth=self.auth, doing=doing)
        if answer.ok:
            return answer
        detail = _detail(answer)
        if answer.status == 401:
            raise ReadRefused(
                f"X refused the credentials while {doing} ({detail}): check CLARION_X_API_KEY, "
                "CLARION_X_API_SECRET, CLARION_X_ACCESS_TOKEN and CLARION_X_ACCESS_TOKEN_SECRET"
            )
        raise ReadFailed(f"X refused {doing}: {detail}")


def _detail(answer: Answer) -> str:
    body = answer.data if isinstance(answer.data, dict) else {}
    detail = body.get("detail") or body.get("title")
    if not detail:
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            detail = errors[0].get("message") or errors[0].get("detail")
    return f"HTTP {answer.status}: {detail}" if detail else f"HTTP {answer.status}"


def _counts(post: Mapping[str, Any]) -> Counts:
    metrics = post.get("public_metrics")
    return counts_in(metrics if isinstance(metrics, dict) else {}, _COUNTS)


def reader(account: XAccount, env: Mapping[str, str], fetch: Fetcher) -> XReader:
    if not account.metrics:
        raise NotRead(
            "not read: X charges for every post read, so its counts are read only with "
            "metrics = true in [tool.clarion.accounts.x] (and at most max_reads a run)"
        )
    if account.max_reads < 1:
        raise NotRead("not read: max_reads in [tool.clarion.accounts.x] is 0")
    key, secret, token, token_secret = secrets(
        env,
        ENV_VARS,
        "X",
        "with metrics = true, the metrics workflow needs the X keys (a read-only app's are "
        "enough) as secrets of its environment",
    )
    auth = OAuth1(
        key, client_secret=secret, resource_owner_key=token, resource_owner_secret=token_secret
    )
    return XReader(account.api, auth, account.max_reads, fetch)
