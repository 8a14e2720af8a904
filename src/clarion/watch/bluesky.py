"""Watching Bluesky: what the AppView shows of each published post, and its labels.

The AppView (`appview` in the account's settings, the public one by default)
is read without logging in: `app.bsky.feed.getPosts` hydrates up to 25 posts a
call and silently leaves out the posts it will not show
(https://docs.bsky.app/docs/api/app-bsky-feed-get-posts; the lexicon's `uris`
has maxLength 25). For a post left out, the account's PDS tells the two cases
apart: `com.atproto.repo.getRecord` still finds a record the AppView hides,
and answers `RecordNotFound` for one that was deleted
(https://docs.bsky.app/docs/api/com-atproto-repo-get-record).

Labels come on each post view (`labels`), from the labelers the request names
in its `atproto-accept-labelers` header: Bluesky's own moderation service, with
`;redact` as Bluesky's app asks it (its takedowns then leave the post out),
and the DIDs of `labelers` in the settings
(https://atproto.com/guides/subscriptions, "Labeler Subscriptions";
https://docs.bsky.app/docs/advanced-guides/moderation). A label the account put
on its own post (a self-label, `src` the author) is not a finding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from clarion.adapters import http
from clarion.networks import BlueskyAccount
from clarion.watch.answers import body
from clarion.watch.model import Kind, Observed, Seen, Watched, WatchFailed

# Bluesky's moderation service, the labeler every Bluesky app applies
# (moderation.bsky.app).
BLUESKY_MODERATION = "did:plc:ar7c4by46qjdydhdevvrndac"
BATCH = 25  # app.bsky.feed.getPosts: `uris` maxLength 25
POST_COLLECTION = "app.bsky.feed.post"
# getRecord's answers for an account that is there no more, or not shown: the
# record is unreachable, but not deleted by its author (com.atproto.sync and
# repo errors: RepoTakendown, RepoSuspended, RepoDeactivated).
_ACCOUNT_HIDDEN = {
    "RepoTakendown": "the account was taken down by its PDS",
    "RepoSuspended": "the account is suspended",
    "RepoDeactivated": "the account is deactivated",
}


def labelers_header(account: BlueskyAccount) -> str:
    """The `atproto-accept-labelers` value: Bluesky's moderation (redacting what it
    takes down, as its app does), then the labelers configured."""
    extra = [d.strip() for d in account.labelers if d.strip() and d.strip() != BLUESKY_MODERATION]
    for did in extra:
        if not did.startswith("did:") or any(c in did for c in ",; "):
            raise WatchFailed(
                f"Bluesky: labelers lists {did!r}, which is not a labeler's DID "
                "(did:plc:… or did:web:…): fix [accounts.bluesky] labelers",
                config=True,
            )
    return ", ".join([f"{BLUESKY_MODERATION};redact", *dict.fromkeys(extra)])


def labeler_name(did: str) -> str:
    return "Bluesky's moderation service" if did == BLUESKY_MODERATION else f"the labeler {did}"


def _split(uri: str) -> tuple[str, str, str] | None:
    """(repo, collection, rkey) of an at:// URI naming a record."""
    if not uri.startswith("at://"):
        return None
    pieces = uri[len("at://") :].split("/")
    if len(pieces) != 3 or not all(pieces):
        return None
    return pieces[0], pieces[1], pieces[2]


def _says(response: httpx.Response) -> str:
    """The XRPC error of an answer, in its own words."""
    data = body(response)
    if isinstance(data, dict) and (data.get("error") or data.get("message")):
        return f"{response.status_code} {data.get('error') or ''}: {data.get('message') or ''}"
    return f"HTTP {response.status_code}"


def _get(client: httpx.Client, url: str, what: str, **options: Any) -> httpx.Response:
    try:
        return client.get(url, **options)
    except httpx.HTTPError as exc:
        raise WatchFailed(f"Bluesky: {what} did not answer ({exc})") from None


def _views(
    client: httpx.Client, account: BlueskyAccount, parts: Sequence[Watched]
) -> dict[str, dict[str, Any]]:
    """The AppView's post view of each part it shows, by URI."""
    appview = account.appview.rstrip("/")
    headers = {"atproto-accept-labelers": labelers_header(account)}
    views: dict[str, dict[str, Any]] = {}
    for start in range(0, len(parts), BATCH):
        batch = parts[start : start + BATCH]
        response = _get(
            client,
            f"{appview}/xrpc/app.bsky.feed.getPosts",
            f"the AppView at {appview}",
            params=[("uris", part.id) for part in batch],
            headers=headers,
        )
        if response.status_code != 200:
            raise WatchFailed(
                f"Bluesky: the AppView at {appview} answered {_says(response)} to "
                "app.bsky.feed.getPosts"
            )
        try:
            posts = response.json().get("posts")
        except (ValueError, AttributeError):
            posts = None
        if not isinstance(posts, list):
            raise WatchFailed(
                f"Bluesky: the AppView at {appview} answered app.bsky.feed.getPosts without "
                "a list of posts: is `appview` an AppView's address?"
            )
        for view in posts:
            if isinstance(view, dict) and isinstance(view.get("uri"), str):
                views[view["uri"]] = view
    return views


def _labels(part: Watched, view: Mapping[str, Any]) -> list[Seen]:
    author = (view.get("author") or {}).get("did") if isinstance(view.get("author"), dict) else None
    seen = []
    for label in view.get("labels") or []:
        if not isinstance(label, dict) or label.get("neg"):
            continue
        source, value = str(label.get("src") or ""), str(label.get("val") or "")
        if not value or source == author:  # a self-label is the author's own
            continue
        seen.append(
            Seen(
                Kind.LABELLED,
                f"labelled {value!r} by {labeler_name(source)}",
                part,
                key=f"{source} {value}",
            )
        )
    return seen


def _left_out(client: httpx.Client, account: BlueskyAccount, part: Watched) -> Seen:
    """Why the AppView left `part` out: hidden (its record is still on the PDS) or deleted."""
    service = account.service.rstrip("/")
    repo, collection, rkey = _split(part.id) or ("", "", "")
    response = _get(
        client,
        f"{service}/xrpc/com.atproto.repo.getRecord",
        f"the PDS at {service}",
        params={"repo": repo, "collection": collection, "rkey": rkey},
    )
    if response.status_code == 200:
        return Seen(
            Kind.HIDDEN,
            "the Bluesky AppView does not show it, but the record is still on the PDS "
            "(taken down or hidden by moderation)",
            part,
        )
    try:
        error = str(response.json().get("error") or "")
    except (ValueError, AttributeError):
        error = ""
    if response.status_code == 400 and error == "RecordNotFound":
        return Seen(Kind.DELETED, "not found: the record is gone from the PDS (deleted)", part)
    if response.status_code == 400 and error in _ACCOUNT_HIDDEN:
        return Seen(
            Kind.HIDDEN, f"the Bluesky AppView does not show it: {_ACCOUNT_HIDDEN[error]}", part
        )
    if response.status_code == 400 and error == "RepoNotFound":
        return Seen(Kind.DELETED, "not found: the account is gone from its PDS", part)
    raise WatchFailed(
        f"Bluesky: the PDS at {service} answered {_says(response)} when asked for "
        f"{part.id}, which the AppView does not show"
    )


def watch(
    account: BlueskyAccount,
    env: Mapping[str, str],
    parts: Sequence[Watched],
    *,
    timeout: float,
) -> Observed:
    """What Bluesky does to `parts`: hidden, deleted, labelled. Needs no credentials."""
    observed = Observed()
    readable = [part for part in parts if _split(part.id) is not None]
    odd = [part for part in parts if _split(part.id) is None]
    if odd:
        observed.notes.append(
            f"Bluesky: {len(odd)} receipt id(s) are not at:// URIs and were not watched "
            f"(first: {odd[0].path}, part {odd[0].part + 1})"
        )
    labelers_header(account)  # a wrong DID is the settings' error, before any request
    if not readable:
        return observed
    with http.client("", timeout=timeout) as client:
        views = _views(client, account, readable)
        for part in readable:
            view = views.get(part.id)
            if view is None:
                observed.seen.append(_left_out(client, account, part))
            else:
                observed.seen.extend(_labels(part, view))
    return observed
