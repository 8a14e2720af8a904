"""The X stand-in's post lookup, `GET /2/tweets?ids=…`, and what X does to posts
that a test can make happen: withhold one in some countries, delete it, or make
it unreadable (its account suspended or protected).

The rules it keeps (https://docs.x.com/x-api/posts/get-posts-by-ids):

- `ids`: 1 to 100 comma-separated ids, else 400 with X's problem body;
- the posts found come in `data` (absent when none is), each with `id`, `text`,
  `edit_history_tweet_ids`, and the fields `tweet.fields` asks for: `withheld`
  (`copyright`, `country_codes`, `scope`), `public_metrics`, `created_at`,
  `author_id`, `conversation_id` (https://docs.x.com/x-api/fundamentals/data-dictionary);
- each id that cannot be given back is an entry of `errors`, beside the data
  (a partial answer, still 200): "Not Found Error" with the type
  `…/problems/resource-not-found` for a post deleted, "Authorization Error"
  with `…/problems/not-authorized-for-resource` for one X will not show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clarion.sandbox.server import Request, Response
from clarion.sandbox.x.reads import post_object
from clarion.sandbox.x.rules import invalid

if TYPE_CHECKING:
    from clarion.sandbox.x.state import XState

MAX_IDS = 100
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
NOT_AUTHORIZED = "https://api.twitter.com/2/problems/not-authorized-for-resource"


@dataclass
class Withheld:
    country_codes: list[str]
    copyright: bool = False


@dataclass
class Reading:
    """What X does to the account's posts besides keeping them, and their counts."""

    state: XState
    withheld: dict[str, Withheld] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    # -- what X (or the account's owner) does, for tests -----------------------------
    def withhold(self, tweet_id: str, countries: list[str], *, copyright: bool = False) -> None:
        with self.state._lock:
            self.withheld[tweet_id] = Withheld(sorted(countries), copyright)

    def release(self, tweet_id: str) -> None:
        with self.state._lock:
            self.withheld.pop(tweet_id, None)

    def hide(self, tweet_id: str) -> None:
        """X will not show it: its account suspended or protected."""
        with self.state._lock:
            self.unreadable.add(tweet_id)

    def delete(self, tweet_id: str) -> None:
        """Someone deletes the post outside Clarion."""
        with self.state._lock:
            self.state.tweets[tweet_id].deleted = True

    # -- GET /2/tweets -------------------------------------------------------------------
    def lookup(self, state: XState, request: Request) -> Response:
        ids = [i for i in ",".join(request.query.get("ids", [])).split(",") if i]
        if not 1 <= len(ids) <= MAX_IDS:
            return invalid(
                f"The number of values in the `ids` query parameter list [{len(ids)}] is not "
                f"between 1 and {MAX_IDS}",
                {"ids": ids},
            )
        wanted = {f for f in ",".join(request.query.get("tweet.fields", [])).split(",") if f}
        data: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for tweet_id in ids:
            tweet = state.tweets.get(tweet_id)
            if tweet is None or tweet.deleted:
                detail = f"Could not find tweet with ids: [{tweet_id}]."
                errors.append(_problem(tweet_id, "Not Found Error", NOT_FOUND, detail))
                continue
            if tweet_id in self.unreadable:
                detail = f"Sorry, you are not authorized to see the Tweet with ids: [{tweet_id}]."
                errors.append(_problem(tweet_id, "Authorization Error", NOT_AUTHORIZED, detail))
                continue
            post = post_object(tweet, wanted, self.counts)
            held = self.withheld.get(tweet_id)
            if "withheld" in wanted and held is not None:
                post["withheld"] = {
                    "copyright": held.copyright,
                    "country_codes": list(held.country_codes),
                    "scope": "tweet",
                }
            data.append(post)
        body: dict[str, Any] = {}
        if data:
            body["data"] = data
        if errors:
            body["errors"] = errors
        return Response.json(body)


def _problem(tweet_id: str, title: str, kind: str, detail: str) -> dict[str, Any]:
    return {
        "value": tweet_id,
        "detail": detail,
        "title": title,
        "resource_type": "tweet",
        "parameter": "ids",
        "resource_id": tweet_id,
        "type": kind,
    }
