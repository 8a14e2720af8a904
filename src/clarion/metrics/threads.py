"""Threads' counts, from its Insights API, one post a request.

https://developers.facebook.com/docs/threads/insights:

- `GET /{threads-media-id}/insights?metric=views,likes,replies,reposts,quotes`
  gives a post's counts, each metric as `{"name", "values": [{"value"}]}` in
  `data`. `replies` of a root post counts every reply under it; of a reply (a
  thread's later part), its direct replies. `views` is "in development": when it
  does not come, it is null.
- `GET /{threads-user-id}/threads_insights?metric=followers_count` gives the
  account's followers as `total_value: {"value"}`.
- Both need the token's `threads_manage_insights` permission besides
  `threads_basic`.

Meta documents no batch for the Threads API (no `ids=` lookup, no batch
requests), so each part is one request, its lines written as it comes. The token
goes as `access_token` in the query, as Meta documents it, never in a message.
Errors have the Graph API's shape
(https://developers.facebook.com/docs/graph-api/guides/error-handling): a post
gone (code 100, subcode 33) is not found; 190 is the token refused; 10 and
200-299 a permission missing; 4, 17, 32 and 613 too many calls ("Calls within 24
hours = 4800 * Number of Impressions",
https://developers.facebook.com/docs/threads/overview, "Rate limiting"): the rest
is left for the next run. A 429 with `Retry-After` is waited out by the Fetcher.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from clarion.adapters.threads_errors import (
    NO_SUCH_OBJECT,
    PERMISSION_CODES,
    RATE_LIMIT_CODES,
    TOKEN_CODES,
    TOKEN_ENV,
)
from clarion.metrics.fetch import Answer, Fetcher
from clarion.metrics.readers import Batch, Counts, ReadFailed, ReadRefused, Target, secrets
from clarion.networks import ThreadsAccount

API_VERSION = "v1.0"
SCOPE = "threads_manage_insights"
METRICS = "views,likes,replies,reposts,quotes"


class ThreadsReader:
    def __init__(self, api: str, user_id: str, token: str, fetch: Fetcher) -> None:
        self.base = f"{api.rstrip('/')}/{API_VERSION}"
        self.user_id = user_id
        self.token = token
        self.fetch = fetch
        self.notes: list[str] = []

    def followers(self) -> int | None:
        doing = "reading the account's followers"
        answer = self._get(f"/{self.user_id}/threads_insights", "followers_count", doing)
        if not answer.ok:
            raise self._refused(answer, doing)
        return _metrics(answer.data).get("followers_count")

    def read(self, targets: Sequence[Target]) -> Iterator[Batch]:
        for target in targets:
            doing = f"reading the insights of post {target.id}"
            answer = self._get(f"/{target.id}/insights", METRICS, doing)
            if answer.ok:
                found = _metrics(answer.data)
                counts = Counts(
                    likes=found.get("likes"),
                    reposts=found.get("reposts"),
                    replies=found.get("replies"),
                    quotes=found.get("quotes"),
                    views=found.get("views"),
                )
                yield Batch(found=[(target, counts)])
            elif _code(answer) == NO_SUCH_OBJECT:
                yield Batch(missing=[target])  # deleted, or not the account's any more
            else:
                raise self._refused(answer, doing)

    def _get(self, path: str, metric: str, doing: str) -> Answer:
        return self.fetch.get(
            f"{self.base}{path}",
            {"metric": metric, "access_token": self.token},
            doing=doing,
        )

    def _refused(self, answer: Answer, doing: str) -> ReadFailed:
        code, _ = _code(answer)
        detail = _detail(answer)
        if code in TOKEN_CODES or answer.status == 401:
            return ReadRefused(
                f"Threads refused the access token while {doing} ({detail}): get a new "
                f"long-lived token and put it in {TOKEN_ENV}"
            )
        if code in PERMISSION_CODES or answer.status == 403:
            return ReadRefused(
                f"Threads: the access token may not read insights ({detail}): give the app "
                f"the {SCOPE} permission and get a new token with it"
            )
        if code in RATE_LIMIT_CODES:
            return ReadFailed(
                f"Threads: too many calls while {doing} ({detail}): the parts not read are "
                "read by the next run"
            )
        return ReadFailed(f"Threads refused {doing}: {detail}")


def _error(answer: Answer) -> Mapping[str, Any]:
    body = answer.data if isinstance(answer.data, dict) else {}
    error = body.get("error")
    return error if isinstance(error, dict) else {}


def _code(answer: Answer) -> tuple[int | None, int | None]:
    error = _error(answer)
    code, subcode = error.get("code"), error.get("error_subcode")
    return (
        code if isinstance(code, int) else None,
        subcode if isinstance(subcode, int) else None,
    )


def _detail(answer: Answer) -> str:
    error = _error(answer)
    message = str(error.get("message") or "").strip()
    code = error.get("code")
    said = f"{answer.status} {message}".strip() if message else f"HTTP {answer.status}"
    return f"{said} (code {code})" if isinstance(code, int) else said


def _metrics(data: object) -> dict[str, int | None]:
    """Each metric's value: `values[0].value` (a post's lifetime counts), or
    `total_value.value` (the account's followers)."""
    found: dict[str, int | None] = {}
    entries = data.get("data") if isinstance(data, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        value: object = None
        values = entry.get("values")
        if isinstance(values, list) and values and isinstance(values[0], dict):
            value = values[0].get("value")
        total = entry.get("total_value")
        if value is None and isinstance(total, dict):
            value = total.get("value")
        found[entry["name"]] = value if type(value) is int and value >= 0 else None
    return found


def reader(account: ThreadsAccount, env: Mapping[str, str], fetch: Fetcher) -> ThreadsReader:
    (token,) = secrets(
        env,
        [TOKEN_ENV],
        "Threads",
        f"Threads' insights are read with the account's token (with the {SCOPE} "
        "permission), which the metrics workflow needs as a secret of its environment",
    )
    if not account.user_id.strip():
        raise ReadRefused(
            "Threads: no user_id in [tool.clarion.accounts.threads]: the account's Threads "
            "user id is needed to read its followers (GET /me answers it)"
        )
    return ThreadsReader(account.api, account.user_id.strip(), token, fetch)
