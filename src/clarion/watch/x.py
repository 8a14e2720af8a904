"""Watching X: which published posts X withholds, hides or no longer has.

X charges for every post read, so posts are read only with `metrics = true` in
the account's settings, and at most `max_reads` a run (the newest first; the
rest wait for a run with reads to spare). `GET /2/tweets?ids=…` reads up to 100
posts a call with the account's OAuth 1.0a keys
(https://docs.x.com/x-api/posts/get-posts-by-ids). A post X cannot give back is
named in the answer's `errors`: `resource-not-found` (deleted), or
`not-authorized-for-resource` (its account suspended or protected); a post
withheld carries `withheld` (`country_codes`, `copyright`) when asked for with
`tweet.fields=withheld` (https://docs.x.com/x-api/fundamentals/data-dictionary,
"withheld").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clarion import networks
from clarion.networks import XAccount
from clarion.watch.answers import body, by_id, json_object, secrets
from clarion.watch.model import Kind, Observed, Seen, Watched, WatchFailed

BATCH = 100  # GET /2/tweets: `ids` "up to 100 are allowed in a single request"
_NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
_NOT_AUTHORIZED = "https://api.twitter.com/2/problems/not-authorized-for-resource"


def _says(response: Any) -> str:
    data = body(response)
    if isinstance(data, dict):
        said = data.get("detail") or data.get("title")
        if not said and isinstance(data.get("errors"), list) and data["errors"]:
            first = data["errors"][0]
            said = first.get("message") or first.get("detail") if isinstance(first, dict) else None
        if said:
            return f"{response.status_code} ({said})"
    return f"HTTP {response.status_code}"


def _withheld(part: Watched, post: Mapping[str, Any]) -> Seen | None:
    withheld = post.get("withheld")
    if not isinstance(withheld, dict):
        return None
    countries = sorted(str(c) for c in withheld.get("country_codes") or [])
    where = f"in {', '.join(countries)}" if countries else "in some countries"
    why = " for copyright" if withheld.get("copyright") else ""
    return Seen(
        Kind.WITHHELD, f"withheld {where}{why}", part, key=",".join(countries) or "withheld"
    )


def _missing(part: Watched, problem: Mapping[str, Any]) -> Seen:
    kind = str(problem.get("type") or "")
    if kind == _NOT_AUTHORIZED:
        return Seen(
            Kind.HIDDEN,
            "X will not show it: its account is suspended, or its posts protected",
            part,
        )
    if kind == _NOT_FOUND:
        return Seen(Kind.DELETED, "not found on X (deleted)", part)
    said = problem.get("detail") or problem.get("title") or kind
    return Seen(Kind.HIDDEN, f"X did not give it back: {said}", part)


def watch(
    account: XAccount,
    env: Mapping[str, str],
    parts: Sequence[Watched],
    *,
    timeout: float,
) -> Observed:
    """What X did to `parts`, when reads are enabled: withheld, hidden, deleted."""
    observed = Observed()
    if not account.metrics:
        observed.notes.append(
            "X: not watched: reading posts costs money on X; set metrics = true in the X "
            "account's settings to watch (and count) them, at most max_reads a run"
        )
        return observed
    if not parts:
        return observed
    budget = max(0, account.max_reads)
    # The newest first; a thread's later parts are newer than its first.
    chosen = sorted(parts, key=lambda p: (p.at, p.part), reverse=True)[:budget]
    if len(chosen) < len(parts):
        observed.notes.append(
            f"X: {len(parts) - len(chosen)} of {len(parts)} published part(s) not read this "
            f"run: max_reads = {budget} (the newest are read first)"
        )
    if not chosen:
        return observed
    api_key, api_secret, token, token_secret = secrets(
        env, networks.get("x").secrets, "X", "reading posts on X needs the account's keys"
    )

    import requests
    from requests_oauthlib import OAuth1  # type: ignore[import-untyped]

    auth = OAuth1(
        api_key,
        client_secret=api_secret,
        resource_owner_key=token,
        resource_owner_secret=token_secret,
    )
    base = account.api.rstrip("/")
    watched = by_id(chosen)
    ids = list(watched)
    with requests.Session() as session:
        session.headers["User-Agent"] = "clarion-watch"
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            try:
                response = session.get(
                    f"{base}/2/tweets",
                    params={"ids": ",".join(batch), "tweet.fields": "withheld"},
                    auth=auth,
                    timeout=timeout,
                )
            except requests.RequestException as exc:
                raise WatchFailed(f"X: {base} did not answer ({exc})") from None
            if response.status_code in (401, 403):
                raise WatchFailed(
                    f"X refused to read posts ({_says(response)}): check the X keys, and that "
                    "the app's access level includes reading posts",
                    config=True,
                )
            if response.status_code == 429:
                raise WatchFailed("X: the rate limit for reading posts is spent: try later")
            if response.status_code != 200:
                raise WatchFailed(f"X: {base} answered {_says(response)} to GET /2/tweets")
            answer = json_object(
                response, f"X: {base} answered GET /2/tweets with something other than JSON"
            )
            for post in answer.get("data") or []:
                if not isinstance(post, dict):
                    continue
                for part in watched.get(str(post.get("id")), []):
                    found = _withheld(part, post)
                    if found is not None:
                        observed.seen.append(found)
            for problem in answer.get("errors") or []:
                if not isinstance(problem, dict):
                    continue
                named = str(problem.get("resource_id") or problem.get("value") or "")
                for part in watched.get(named, []):
                    observed.seen.append(_missing(part, problem))
    return observed
