"""LinkedIn's counts: reactions and comments of the page's posts, their impressions
and shares, and the page's followers.

Every call carries what the adapter's carry: the access token, `Linkedin-Version`
(the account's `version`) and `X-Restli-Protocol-Version: 2.0.0`
(https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api).

- Likes and replies: `GET /rest/socialMetadata?ids=List({urn},…)`, the batch get
  of the Social Metadata API, a post's `reactionSummaries` (every reaction type:
  LinkedIn's reactions are its likes, "an expansion of likes") and its
  `commentSummary` (`topLevelCount`, the comments that answer the post)
  (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/social-metadata-api);
  the token needs `r_organization_social_feed`. A post it does not return (a 404
  in `errors`) is not found.
- Views and reposts: `GET /rest/organizationalEntityShareStatistics?q=organizationalEntity
  &organizationalEntity={org}&shares=List(…)&ugcPosts=List(…)`, each post's
  lifetime `impressionCount` and `shareCount`
  (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/share-statistics);
  it needs `rw_organization_admin` (the page's administrators) and covers the
  last 12 months only. Without that permission the views and reposts are null
  and a note says why; a post older than 12 months gets null there too.
- Followers: `GET /rest/networkSizes/{org}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`,
  its `firstDegreeSize` (Organization Lookup API, "Retrieve Organization Follower
  Count"). LinkedIn has no quotes: null.

LinkedIn names no largest batch; `BATCH` posts a request keeps the address short.
URNs are URL-encoded inside `List(…)`, as Rest.li 2.0 wants them. LinkedIn's limits
are per day and reset at midnight UTC, and its 429 does not say when
(https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits):
a 429 stops LinkedIn for this run, saying when it takes requests again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from clarion.metrics.fetch import Answer, Fetcher
from clarion.metrics.readers import Batch, Counts, ReadFailed, ReadRefused, Target, count, secrets
from clarion.networks import LinkedInAccount

TOKEN_ENV = "CLARION_LINKEDIN_ACCESS_TOKEN"  # noqa: S105 - a variable name
PROTOCOL_VERSION = "2.0.0"
BATCH = 20
SOCIAL_SCOPE = "r_organization_social_feed"
STATS_SCOPE = "rw_organization_admin"


def next_midnight_utc(now: float) -> float:
    """When LinkedIn's day of calls starts again (Unix time)."""
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp()


def restli_list(urns: Sequence[str]) -> str:
    return "List(" + ",".join(quote(urn, safe="") for urn in urns) + ")"


class LinkedInReader:
    def __init__(self, account: LinkedInAccount, token: str, fetch: Fetcher) -> None:
        self.api = account.api.rstrip("/")
        self.organization = account.organization.strip()
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Linkedin-Version": account.version.strip(),
            "X-Restli-Protocol-Version": PROTOCOL_VERSION,
        }
        self.fetch = fetch
        self.notes: list[str] = []
        self.statistics = True  # until LinkedIn refuses them

    def followers(self) -> int | None:
        doing = "reading the page's followers"
        answer = self._get(
            f"/rest/networkSizes/{quote(self.organization, safe='')}"
            "?edgeType=COMPANY_FOLLOWED_BY_MEMBER",
            doing,
        )
        if answer.status == 403:
            self.notes.append(f"LinkedIn: the followers were not read ({_detail(answer)})")
            return None
        data = self._data(answer, doing)
        return count(data.get("firstDegreeSize"))

    def read(self, targets: Sequence[Target]) -> Iterator[Batch]:
        for start in range(0, len(targets), BATCH):
            chunk = targets[start : start + BATCH]
            doing = "reading reactions and comments"
            answer = self._get(
                f"/rest/socialMetadata?ids={restli_list([t.id for t in chunk])}", doing
            )
            results = self._data(answer, doing).get("results")
            results = results if isinstance(results, dict) else {}
            statistics = self._statistics(chunk)
            batch = Batch()
            for target in chunk:
                metadata = results.get(target.id)
                if not isinstance(metadata, dict):
                    batch.missing.append(target)
                    continue
                totals = statistics.get(target.id, {})
                batch.found.append(
                    (
                        target,
                        Counts(
                            likes=_reactions(metadata),
                            reposts=count(totals.get("shareCount")),
                            replies=_comments(metadata),
                            quotes=None,
                            views=count(totals.get("impressionCount")),
                        ),
                    )
                )
            yield batch

    def _statistics(self, chunk: Sequence[Target]) -> dict[str, Mapping[str, Any]]:
        """Each post's lifetime share statistics, by URN; {} once LinkedIn refused them."""
        if not self.statistics:
            return {}
        shares = [t.id for t in chunk if t.id.startswith("urn:li:share:")]
        ugc_posts = [t.id for t in chunk if t.id.startswith("urn:li:ugcPost:")]
        if not shares and not ugc_posts:
            return {}
        query = (
            "q=organizationalEntity&organizationalEntity="
            + quote(self.organization, safe="")
            + (f"&shares={restli_list(shares)}" if shares else "")
            + (f"&ugcPosts={restli_list(ugc_posts)}" if ugc_posts else "")
        )
        doing = "reading the posts' statistics"
        answer = self._get(f"/rest/organizationalEntityShareStatistics?{query}", doing)
        if answer.status == 403:
            self.statistics = False
            self.notes.append(
                f"LinkedIn: views and reposts were not read ({_detail(answer)}): they need "
                f"the token's {STATS_SCOPE} permission, which only an administrator of the "
                "page can grant"
            )
            return {}
        found: dict[str, Mapping[str, Any]] = {}
        for element in self._data(answer, doing).get("elements") or []:
            if not isinstance(element, dict):
                continue
            urn = element.get("share") or element.get("ugcPost")
            totals = element.get("totalShareStatistics")
            if isinstance(urn, str) and isinstance(totals, dict):
                found[urn] = totals
        return found

    def _get(self, path: str, doing: str) -> Answer:
        return self.fetch.get(
            f"{self.api}{path}", headers=self.headers, doing=doing, resets=next_midnight_utc
        )

    def _data(self, answer: Answer, doing: str) -> Mapping[str, Any]:
        if answer.ok and isinstance(answer.data, dict):
            return answer.data
        detail = _detail(answer)
        if answer.status == 401:
            raise ReadRefused(
                f"LinkedIn refused the access token while {doing} ({detail}): it expires 60 "
                f"days after it was made; make a new one and put it in {TOKEN_ENV}"
            )
        if answer.status == 403:
            raise ReadRefused(
                f"LinkedIn: the access token may not do this while {doing} ({detail}): make a "
                f"token with {SOCIAL_SCOPE} (and {STATS_SCOPE} for views and reposts), "
                "signed in as an administrator of the page"
            )
        if answer.status == 426:
            raise ReadRefused(
                f"LinkedIn no longer serves the version in [tool.clarion.accounts.linkedin] "
                f"({detail}): set `version` to a recent month, YYYYMM"
            )
        raise ReadFailed(f"LinkedIn refused {doing}: {detail}")


def _detail(answer: Answer) -> str:
    body = answer.data if isinstance(answer.data, dict) else {}
    said = " ".join(str(body.get(k) or "") for k in ("code", "message")).strip()
    return f"{answer.status} {said}" if said else f"HTTP {answer.status}"


def _reactions(metadata: Mapping[str, Any]) -> int | None:
    summaries = metadata.get("reactionSummaries")
    if not isinstance(summaries, dict):
        return None
    counts = [count(s.get("count")) for s in summaries.values() if isinstance(s, dict)]
    return sum(c for c in counts if c is not None)


def _comments(metadata: Mapping[str, Any]) -> int | None:
    summary = metadata.get("commentSummary")
    if not isinstance(summary, dict):
        return None
    top = count(summary.get("topLevelCount"))
    return top if top is not None else count(summary.get("count"))


def reader(account: LinkedInAccount, env: Mapping[str, str], fetch: Fetcher) -> LinkedInReader:
    (token,) = secrets(
        env,
        [TOKEN_ENV],
        "LinkedIn",
        f"LinkedIn's counts are read with the page's token (with {SOCIAL_SCOPE}, and "
        f"{STATS_SCOPE} for views and reposts), which the metrics workflow needs as a secret "
        "of its environment",
    )
    return LinkedInReader(account, token, fetch)
