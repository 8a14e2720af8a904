"""Mastodon's counts: 20 statuses a call where the server has the call, else one by one.

Mastodon 4.3 added `GET /api/v1/statuses?id[]=…` ("View multiple statuses",
docs.joinmastodon.org/methods/statuses/#index), public for public statuses,
answering the statuses it can show and leaving out the others; more than 20
ids is refused (`check_statuses_limit`, DEFAULT_STATUSES_LIMIT in
app/controllers/api/v1/statuses_controller.rb). Before 4.3 there is no such
route (404): each status is read with `GET /api/v1/statuses/:id`
(docs.joinmastodon.org/methods/statuses/#get). The server's version comes
from `GET /api/v2/instance` (docs.joinmastodon.org/methods/instance/#v2); a
404 to the batch call also turns the reader to one by one.

Each Status carries `favourites_count`, `reblogs_count`, `replies_count`,
`quotes_count` (4.5, with quote posts) and its `account` with
`followers_count` (docs.joinmastodon.org/entities/Status/,
docs.joinmastodon.org/entities/Account/): the followers come with the
statuses, so no other call and no token is needed. The access token, when
the environment has it, is sent: the account's own rate limit then applies
instead of the address's, and statuses not public are read too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from clarion.metrics.fetch import Answer, Fetcher
from clarion.metrics.readers import (
    Batch,
    Counts,
    ReadFailed,
    ReadRefused,
    Target,
    count,
    counts_in,
)
from clarion.settings import MastodonAccount

IDS_PER_CALL = 20  # DEFAULT_STATUSES_LIMIT
BATCH_SINCE = (4, 3)
TOKEN_ENV = "CLARION_MASTODON_ACCESS_TOKEN"  # noqa: S105 - a variable's name
_VERSION = re.compile(r"(\d+)\.(\d+)")
# Our names of the counts, and a Status's (docs.joinmastodon.org/entities/Status).
_COUNTS = {
    "likes": "favourites_count",
    "reposts": "reblogs_count",
    "replies": "replies_count",
    "quotes": "quotes_count",
}


class MastodonReader:
    def __init__(self, instance: str, token: str, fetch: Fetcher) -> None:
        self.instance = instance.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.fetch = fetch
        self.notes: list[str] = []
        self.batched: bool | None = None  # None: not asked yet

    def followers(self) -> int | None:
        return None  # each status carries its account's followers_count

    def read(self, targets: Sequence[Target]) -> Iterator[Batch]:
        if self.batched is None:
            self.batched = self._has_batch_call()
        start = 0
        while start < len(targets):
            if not self.batched:
                yield self._one(targets[start])
                start += 1
                continue
            chunk = targets[start : start + IDS_PER_CALL]
            answer = self.fetch.get(
                f"{self.instance}/api/v1/statuses",
                {"id[]": [target.id for target in chunk]},
                headers=self.headers,
                doing="reading statuses",
            )
            if answer.status == 404:
                self.batched = False  # a server without the call: one by one from here
                self.notes.append(
                    f"Mastodon: {self.instance} cannot read statuses 20 at a time (a server "
                    "before 4.3): they were read one by one"
                )
                continue
            statuses = self._list(answer)
            by_id = {str(s.get("id")): s for s in statuses if isinstance(s, dict)}
            yield Batch.of(chunk, by_id, _counts, _followers(by_id.values()))
            start += len(chunk)

    def _has_batch_call(self) -> bool:
        """Whether the server is 4.3 or later, by its version; True when it does not
        say (a 404 to the batch call then says otherwise)."""
        answer = self.fetch.get(
            f"{self.instance}/api/v2/instance", doing="reading the server's version"
        )
        data = answer.data if answer.ok and isinstance(answer.data, dict) else {}
        match = _VERSION.match(str(data.get("version", "")))
        if match is None:
            return answer.status != 404  # no v2 instance document: before 4.0
        if (int(match[1]), int(match[2])) < BATCH_SINCE:
            self.notes.append(
                f"Mastodon: {self.instance} runs Mastodon {data.get('version')}, before 4.3: "
                "statuses were read one by one"
            )
            return False
        return True

    def _one(self, target: Target) -> Batch:
        answer = self.fetch.get(
            f"{self.instance}/api/v1/statuses/{target.id}",
            headers=self.headers,
            doing=f"reading status {target.id}",
        )
        if answer.status == 404:
            return Batch(missing=[target])
        status = self._object(answer)
        return Batch(found=[(target, _counts(status))], followers=_followers([status]))

    def _list(self, answer: Answer) -> list[Any]:
        if answer.ok and isinstance(answer.data, list):
            return answer.data
        raise self._refused(answer)

    def _object(self, answer: Answer) -> Mapping[str, Any]:
        if answer.ok and isinstance(answer.data, dict):
            return answer.data
        raise self._refused(answer)

    def _refused(self, answer: Answer) -> ReadFailed:
        said = answer.data.get("error") if isinstance(answer.data, dict) else None
        error = said or f"HTTP {answer.status}"
        if answer.status == 401:
            return ReadRefused(
                f"Mastodon: {self.instance} refused the access token ({error}): renew "
                f"{TOKEN_ENV}, or remove it to read public statuses without one"
            )
        return ReadFailed(f"Mastodon: {self.instance} refused reading statuses: {error}")


def _counts(status: Mapping[str, Any]) -> Counts:
    return counts_in(status, _COUNTS)


def _followers(statuses: Any) -> int | None:
    for status in statuses:
        account = status.get("account") if isinstance(status, dict) else None
        if isinstance(account, dict):
            found = count(account.get("followers_count"))
            if found is not None:
                return found
    return None


def reader(account: MastodonAccount, env: Mapping[str, str], fetch: Fetcher) -> MastodonReader:
    return MastodonReader(account.instance, env.get(TOKEN_ENV, "").strip(), fetch)
