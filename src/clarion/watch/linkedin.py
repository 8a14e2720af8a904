"""Watching LinkedIn: which of the page's published posts LinkedIn no longer has, no
longer shows as published, or shows edited on LinkedIn itself.

The posts are read by URN, `BATCH` a request, with the Posts API's batch get
(`GET /rest/posts?ids=List({urn},…)`, "Batch Get Posts",
https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api),
with the headers the adapter sends (the token, `Linkedin-Version`,
`X-Restli-Protocol-Version: 2.0.0`) and its `r_organization_social`. The answer is
Rest.li's: `results` by URN, and for a post not returned its status in `statuses`
and `errors`. Of each post (the Posts API's schema):

- not returned (404): deleted, by an administrator of the page or by LinkedIn;
- `lifecycleState` other than PUBLISHED (DRAFT, PUBLISH_REQUESTED,
  PUBLISH_FAILED): not shown on the feed, so hidden;
- `lifecycleStateInfo.isEditedByAuthor` with a `lastModifiedAt` later than
  Clarion's own last correction (the receipt's `edited`): edited on LinkedIn,
  so what it says is no longer what the repository holds.

LinkedIn documents no labels, no sensitive marks and no withholding of a page's
posts to read: none is watched. Its limits are per day, reset at midnight UTC
(https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits):
a 429 stops the watch of LinkedIn for this run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from clarion.adapters import http
from clarion.networks import LinkedInAccount
from clarion.watch.answers import body, by_id, json_object, moment, secrets
from clarion.watch.model import Kind, Observed, Seen, Watched, WatchFailed

TOKEN_ENV = "CLARION_LINKEDIN_ACCESS_TOKEN"  # noqa: S105 - a variable name
BATCH = 20  # LinkedIn names no largest batch: this keeps the address short
PUBLISHED = "PUBLISHED"
# Clarion records its own correction after LinkedIn answered it: a modification
# this much later than that record is someone else's (clocks disagree a little).
EDIT_GRACE = dt.timedelta(minutes=2)


def _says(response: httpx.Response) -> str:
    data = body(response)
    data = data if isinstance(data, dict) else {}
    said = " ".join(str(data.get(k) or "") for k in ("code", "message")).strip()
    return f"{response.status_code} {said}" if said else f"HTTP {response.status_code}"


def _modified(millis: object) -> dt.datetime | None:
    if type(millis) is not int or millis <= 0:
        return None
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC)


def _findings(part: Watched, post: Mapping[str, Any]) -> list[Seen]:
    seen: list[Seen] = []
    state = str(post.get("lifecycleState") or PUBLISHED)
    if state != PUBLISHED:
        seen.append(
            Seen(
                Kind.HIDDEN,
                f"no longer published on LinkedIn: its lifecycleState is {state}",
                part,
                key=state,
            )
        )
    info = post.get("lifecycleStateInfo")
    edited_by_author = isinstance(info, dict) and info.get("isEditedByAuthor") is True
    modified = _modified(post.get("lastModifiedAt"))
    ours = moment(part.edited)
    if edited_by_author and modified is not None and (ours is None or modified > ours + EDIT_GRACE):
        # One finding a post: LinkedIn says that it was edited, and when the post last
        # changed in any way (a lifecycle change too), not when each edit was made.
        at = modified.strftime("%Y-%m-%dT%H:%M:%SZ")
        seen.append(
            Seen(
                Kind.EDITED,
                f"edited on LinkedIn (last changed at {at}): what it says is no longer what "
                "the repository holds",
                part,
            )
        )
    return seen


def _batch(client: httpx.Client, api: str, ids: Sequence[str]) -> Mapping[str, Any]:
    listed = ",".join(quote(urn, safe="") for urn in ids)
    try:
        response = client.get(f"{api}/rest/posts?ids=List({listed})")
    except httpx.HTTPError as exc:
        raise WatchFailed(f"LinkedIn: {api} did not answer ({type(exc).__name__})") from None
    if response.status_code in (401, 403):
        raise WatchFailed(
            f"LinkedIn refused to read the page's posts ({_says(response)}): the token in "
            f"{TOKEN_ENV} needs r_organization_social and expires 60 days after it was made",
            config=True,
        )
    if response.status_code == 426:
        raise WatchFailed(
            f"LinkedIn no longer serves the version in [tool.clarion.accounts.linkedin] "
            f"({_says(response)}): set `version` to a recent month, YYYYMM",
            config=True,
        )
    if response.status_code == 429:
        raise WatchFailed(
            "LinkedIn: the day's calls to read posts are spent (they reset at midnight UTC)"
        )
    if response.status_code != 200:
        raise WatchFailed(f"LinkedIn: {api} answered {_says(response)} to GET /rest/posts")
    return json_object(
        response, f"LinkedIn: {api} answered GET /rest/posts with something other than JSON"
    )


def watch(
    account: LinkedInAccount,
    env: Mapping[str, str],
    parts: Sequence[Watched],
    *,
    timeout: float,
) -> Observed:
    """What LinkedIn did to `parts`: deleted, taken out of PUBLISHED, edited there."""
    observed = Observed()
    if not parts:
        return observed
    (token,) = secrets(env, [TOKEN_ENV], "LinkedIn", "reading the page's posts needs its token")
    api = account.api.rstrip("/")
    watched = by_id(parts)
    ids = list(watched)
    headers = {
        "Authorization": f"Bearer {token}",
        "Linkedin-Version": account.version.strip(),
        "X-Restli-Protocol-Version": "2.0.0",
    }
    with http.client("", timeout=timeout, headers=headers) as client:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            answer = _batch(client, api, chunk)
            results, statuses = answer.get("results"), answer.get("statuses")
            results = results if isinstance(results, dict) else {}
            statuses = statuses if isinstance(statuses, dict) else {}
            for urn in chunk:
                post = results.get(urn)
                for part in watched[urn]:
                    if isinstance(post, dict):
                        observed.seen.extend(_findings(part, post))
                    elif statuses.get(urn) in (404, 410, None):
                        observed.seen.append(
                            Seen(Kind.DELETED, "not found on LinkedIn (deleted)", part)
                        )
                    else:  # not known this run: the last run's findings stay
                        raise WatchFailed(
                            f"LinkedIn answered {statuses.get(urn)} for {urn} "
                            f"({part.path} part {part.part})"
                        )
    return observed
