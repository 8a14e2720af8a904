"""Every network Clarion knows: one entry each, the one place to add a network.

An entry says everything the rest of the code needs to know about a network:
its name (the key in front matter, settings and receipts), how people call it,
how its text is counted, its limits and media rules, what it can do (edit,
delete, pin, be asked whether a part went out, carry a content warning in a
field of its own), its account settings, its adapter and its stand-in. The
rest of the code asks the registry; it never tests `network == "mastodon"`.

Adding a network means writing its adapter (`clarion.adapters`), its text
rule (`clarion.text`), its stand-in (`clarion.sandbox`) and its entry here.
Heavy parts (adapters, stand-ins, text rules) are named by module path and
imported only when used, so `clarion validate` never loads a network library.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clarion.media.limits import NetworkLimits


class MentionSyntax(StrEnum):
    """How a network writes a mention it links."""

    PLAIN = "plain"  # @name (X)
    DOMAIN = "domain"  # @handle.domain (Bluesky)
    FEDIVERSE = "fediverse"  # @user@instance (Mastodon)
    # No written mention links (LinkedIn: a mention names a member's or an
    # organisation's URN, @[Name](urn:li:…)); every @name is plain text there.
    NONE = "none"


@dataclass(frozen=True)
class Measured:
    """One part's text as a network counts it."""

    text: str  # exactly as sent (Bluesky: long links shortened)
    length: int
    limit: int
    bytes: int | None = None  # where the network also limits bytes
    byte_limit: int | None = None
    # Why the network refuses this text whatever its length ("holds U+FEFF …"),
    # worded to follow "part 2" or "the text"; None when it takes it.
    invalid: str | None = None
    # The check's code for that refusal, after the network's name ("x-invalid-character").
    invalid_code: str = "invalid-character"


# (text of the part, the content warning when sent in a field of its own,
# the account's settings or None) -> how the network counts it
TextRule = Callable[[str, "str | None", Any], Measured]


# ---------------------------------------------------------------- accounts


@dataclass(frozen=True)
class BlueskyAccount:
    handle: str
    service: str = "https://bsky.social"
    web: str = "https://bsky.app"  # where receipts link a post (the sandbox: its stand-in)
    appview: str = "https://public.api.bsky.app"  # where counts, labels and visibility are read
    # DIDs of labelers whose labels `clarion watch` asks for, besides Bluesky's own moderation.
    labelers: tuple[str, ...] = ()
    # The largest image the PDS takes, in bytes, for the check: the lexicon's 2,000,000
    # (clarion.media.limits.BLUESKY); 1_000_000 on a PDS older than April 2026.
    image_max_bytes: int = 2_000_000


@dataclass(frozen=True)
class MastodonAccount:
    instance: str
    max_characters: int = 500
    handle: str = ""  # the account's name on its instance, for its profile's address


@dataclass(frozen=True)
class XAccount:
    handle: str
    api: str = "https://api.x.com"
    web: str = "https://x.com"  # where receipts link a post (the sandbox: its stand-in)
    # `clarion metrics` reads X's counts only when asked: X charges for every post
    # read, and a run reads at most `max_reads` resources there (posts and the account).
    metrics: bool = False
    max_reads: int = 100


@dataclass(frozen=True)
class DiscourseAccount:
    url: str  # the forum, e.g. https://discuss.python.org
    username: str  # whom the API key posts as (the Api-Username header)
    category: int  # the id of the category topics go to
    # The forum's own limits when they differ from Discourse's defaults (its site
    # settings of the same names); publishing reads them from the forum itself.
    min_topic_title_length: int = 15
    max_topic_title_length: int = 255
    min_first_post_length: int = 20
    max_post_length: int = 32000


@dataclass(frozen=True)
class ThreadsAccount:
    user_id: str  # the account's Threads user id (GET /me answers it)
    api: str = "https://graph.threads.net"
    # Where Threads fetches a post's images from (it takes no upload, only a public
    # URL): this, then the image's path in the repository. Empty: the repository's
    # raw files on raw.githubusercontent.com at the published commit (public
    # repositories only).
    media_base_url: str = ""
    handle: str = ""  # the account's username, for its profile's address


@dataclass(frozen=True)
class LinkedInAccount:
    organization: str  # the page's URN, urn:li:organization:123456
    version: str = "202611"  # the Linkedin-Version header (YYYYMM): LinkedIn applies no default
    api: str = "https://api.linkedin.com"
    web: str = "https://www.linkedin.com"  # where receipts link a post (the sandbox: its stand-in)
    page: str = ""  # the page's name in its address, linkedin.com/company/NAME (for a farewell)


# ---------------------------------------------------------------- the entry


@functools.cache
def _load(path: str) -> Any:
    """`module:attribute` imported now (once: `measure` runs for every part of every post)."""
    module, _, attribute = path.partition(":")
    found = importlib.import_module(module)
    return getattr(found, attribute) if attribute else found


@dataclass(frozen=True)
class Network:
    name: str  # the key in front matter, settings and receipts
    display: str  # how messages name it
    account_type: type  # its [tool.clarion.accounts.NAME] table, as a dataclass
    text_rule: str  # "module:function", a TextRule
    unit: str  # what its length counts, for messages ("characters")
    media_limits: str  # "module:attribute", its NetworkLimits
    adapter: str  # module with `from_settings(settings, env, **options)`
    standin: str  # "module:class" of its local stand-in
    mention_syntax: MentionSyntax
    spoiler_field: bool = False  # the content warning has a field; else "CW: …" is prepended
    can_edit: bool = False  # a published part can be corrected in place
    can_delete: bool = True
    can_pin: bool = False
    can_be_asked: bool = True  # a lost answer can be recovered by asking the network
    single_embed: bool = False  # images or a link card, not both: with images the card goes
    # A post is one post there (a Discourse topic): its thread parts are joined
    # into one text by blank lines, and counted so.
    joins_parts: bool = False
    # A post needs `title:` in its front matter there (a Discourse topic title),
    # counted by `title_rule` ("module:function", (title, account) -> Measured).
    needs_title: bool = False
    title_rule: str = ""
    # It takes no image upload but fetches each image from a public URL (Threads):
    # the account's `media_base_url`, else the repository's raw files on GitHub.
    fetches_media: bool = False
    post_hosts: tuple[str, ...] = ()  # where its posts live on the web, for the site
    # The account's profile on the web, from its account settings ({handle}, {instance}):
    # what a farewell (`clarion sunset`) points followers to.
    profile: str = ""
    default_limit: int | None = None  # when the account's settings do not say
    # The environment variables its adapter reads its credentials from, all
    # needed: `clarion publish` names every one missing before connecting.
    secrets: tuple[str, ...] = ()
    # The scopes its access token needs for every call its adapter makes: the one
    # list, which README.md quotes as it is (tests/test_mastodon_scopes.py).
    token_scopes: tuple[str, ...] = ()
    # JSON Schema of the keys a post may set under its name besides `body`
    # (Mastodon's `visibility`): the post schema takes them from here.
    options: Mapping[str, Any] = field(default_factory=dict)
    # "module:function" of its watcher, which `clarion watch` calls to learn what
    # the network did to its published parts (clarion.watch.model.Watcher); empty:
    # it is not watched.
    watch: str = ""
    # "module:function" of its counts reader, which `clarion metrics` calls to read
    # the likes, reposts, replies and quotes of published parts and the followers
    # (clarion.metrics.readers.ReaderFactory); empty: its counts are not read.
    metrics: str = ""
    # The third-party client library making its adapter imports (a tenth of a
    # second or more of CPU): `clarion publish` makes such an adapter once the
    # run starts, not while the posts are checked (connect_ahead).
    client_library: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def measure(self, text: str, spoiler: str | None, account: Any) -> Measured:
        rule: TextRule = _load(self.text_rule)
        return rule(text, spoiler, account)

    def measure_title(self, title: str, account: Any) -> Measured:
        """The title as the network counts it (its `title_rule`)."""
        rule: Callable[[str, Any], Measured] = _load(self.title_rule)
        return rule(title, account)

    @property
    def limits(self) -> NetworkLimits:
        found: NetworkLimits = _load(self.media_limits)
        return found

    def profile_url(self, account: Any) -> str | None:
        """The address of the profile of `account` (its settings); None when the
        settings do not say enough (a field it needs is empty)."""
        if not self.profile or account is None:
            return None
        values = {  # "@name" and "https://host/" written either way
            f.name: str(getattr(account, f.name) or "").strip().lstrip("@").rstrip("/")
            for f in dataclasses.fields(account)
        }
        needed = [name for _, name, _, _ in string.Formatter().parse(self.profile) if name]
        if any(not values.get(name) for name in needed):
            return None
        return self.profile.format(**values)

    def adapter_module(self) -> Any:
        return _load(self.adapter)

    def standin_class(self) -> Any:
        return _load(self.standin)

    def metrics_reader(self) -> Any:
        """Its counts reader (`metrics`), imported now; None when it has none."""
        return _load(self.metrics) if self.metrics else None

    def watcher(self) -> Any:
        """Its watcher (`clarion.watch.model.Watcher`), imported now; only when `watch` is set."""
        return _load(self.watch)


_REGISTRY: dict[str, Network] = {}


def register(network: Network) -> Network:
    """Add (or replace) a network; its order of registration is its order everywhere."""
    _REGISTRY[network.name] = network
    return network


def unregister(name: str) -> None:
    """Remove a network (tests that register a toy one clean up with this)."""
    _REGISTRY.pop(name, None)


def get(name: str) -> Network:
    """The entry for `name`; KeyError for a name that is not a network."""
    return _REGISTRY[name]


def find(name: str) -> Network | None:
    return _REGISTRY.get(name)


def names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def all_networks() -> Iterator[Network]:
    return iter(tuple(_REGISTRY.values()))


def display(name: str) -> str:
    """How messages name `name`: its display name, or the name itself if unknown."""
    found = _REGISTRY.get(name)
    return found.display if found else name


# Names people write for a network Clarion knows by another name.
ALIASES = {"twitter": "x", "bsky": "bluesky", "mastadon": "mastodon", "toot": "mastodon"}


def suggest(name: str) -> str | None:
    """The known network a misspelt `name` most likely means, for "did you mean"."""
    import difflib

    lowered = name.strip().lower()
    if lowered in _REGISTRY:
        return lowered
    if lowered in ALIASES:
        return ALIASES[lowered]
    close = difflib.get_close_matches(lowered, list(_REGISTRY), n=1, cutoff=0.6)
    return close[0] if close else None


register(
    Network(
        name="bluesky",
        display="Bluesky",
        account_type=BlueskyAccount,
        text_rule="clarion.text.bluesky:measure",
        unit="characters",
        media_limits="clarion.media.limits:BLUESKY",
        adapter="clarion.adapters.bluesky",
        standin="clarion.sandbox.bluesky:BlueskyStandIn",
        watch="clarion.watch.bluesky:watch",
        metrics="clarion.metrics.bluesky:reader",
        mention_syntax=MentionSyntax.DOMAIN,
        can_pin=True,
        single_embed=True,
        post_hosts=("bsky.app",),
        profile="https://bsky.app/profile/{handle}",
        secrets=("CLARION_BLUESKY_APP_PASSWORD",),
    )
)
register(
    Network(
        name="mastodon",
        display="Mastodon",
        account_type=MastodonAccount,
        text_rule="clarion.text.mastodon:measure",
        unit="characters",
        media_limits="clarion.media.limits:MASTODON",
        adapter="clarion.adapters.mastodon",
        client_library="Mastodon.py",
        standin="clarion.sandbox.mastodon:MastodonStandIn",
        watch="clarion.watch.mastodon:watch",
        metrics="clarion.metrics.mastodon:reader",
        mention_syntax=MentionSyntax.FEDIVERSE,
        spoiler_field=True,
        can_edit=True,
        options={"visibility": {"enum": ["public", "unlisted", "private", "direct"]}},
        can_pin=True,
        profile="{instance}/@{handle}",
        default_limit=500,
        secrets=("CLARION_MASTODON_ACCESS_TOKEN",),
        token_scopes=(
            "read:accounts",
            "read:notifications",
            "read:statuses",
            "write:accounts",
            "write:statuses",
            "write:media",
        ),
    )
)
register(
    Network(
        name="x",
        display="X",
        account_type=XAccount,
        text_rule="clarion.text.x:measure",
        unit="weighted characters",
        media_limits="clarion.media.limits:X",
        adapter="clarion.adapters.x",
        client_library="tweepy",
        standin="clarion.sandbox.x:XStandIn",
        watch="clarion.watch.x:watch",
        metrics="clarion.metrics.x:reader",
        mention_syntax=MentionSyntax.PLAIN,
        # `thread: single` sends a thread as one post, its parts joined by blank
        # lines: X may refuse a thread's replies (self-serve tiers, since 2026-02).
        options={
            "thread": {
                "description": "single: send the parts as one post, joined by blank lines "
                "(they must fit in one post together); thread (the default): one post a part",
                "enum": ["single", "thread"],
                "default": "thread",
            }
        },
        can_be_asked=False,
        post_hosts=("x.com", "twitter.com"),
        profile="https://x.com/{handle}",
        secrets=(
            "CLARION_X_API_KEY",
            "CLARION_X_API_SECRET",
            "CLARION_X_ACCESS_TOKEN",
            "CLARION_X_ACCESS_TOKEN_SECRET",
        ),
    )
)
register(
    Network(
        name="threads",
        display="Threads",
        account_type=ThreadsAccount,
        text_rule="clarion.text.threads:measure",
        unit="characters",
        media_limits="clarion.media.limits:THREADS",
        adapter="clarion.adapters.threads",
        standin="clarion.sandbox.threads:ThreadsStandIn",
        # Deleted posts, and the access token 10 days before it expires.
        watch="clarion.watch.threads:watch",
        metrics="clarion.metrics.threads:reader",
        mention_syntax=MentionSyntax.PLAIN,
        # No edit endpoint; DELETE /{media-id} (developers.facebook.com/docs/threads/
        # posts/delete-posts); no idempotency key, but the account's posts can be read
        # back (the look-back recovers a lost answer).
        can_edit=False,
        can_delete=True,
        can_be_asked=True,
        fetches_media=True,
        post_hosts=("www.threads.net", "threads.net", "www.threads.com", "threads.com"),
        profile="https://www.threads.net/@{handle}",
        secrets=("CLARION_THREADS_ACCESS_TOKEN",),
        # developers.facebook.com/docs/threads/get-started, "Authorization": every call
        # needs threads_basic, publishing threads_content_publish, a thread's replies
        # threads_manage_replies, reading replies back (the look-back)
        # threads_read_replies; retracting needs threads_delete (.../delete-posts);
        # clarion metrics threads_manage_insights (developers.facebook.com/docs/threads/
        # insights, "Permissions").
        token_scopes=(
            "threads_basic",
            "threads_content_publish",
            "threads_manage_replies",
            "threads_read_replies",
            "threads_delete",
            "threads_manage_insights",
        ),
    )
)
register(
    Network(
        name="linkedin",
        display="LinkedIn",
        account_type=LinkedInAccount,
        text_rule="clarion.text.linkedin:measure",
        unit="characters",
        media_limits="clarion.media.limits:LINKEDIN",
        adapter="clarion.adapters.linkedin",
        standin="clarion.sandbox.linkedin:LinkedInStandIn",
        watch="clarion.watch.linkedin:watch",
        metrics="clarion.metrics.linkedin:reader",
        mention_syntax=MentionSyntax.NONE,
        # One post a post: a thread's parts joined by blank lines (SPEC, 3000).
        joins_parts=True,
        # PARTIAL_UPDATE of the commentary; DELETE; the page's posts can be read
        # back (no idempotency key: the look-back is what recovers a lost answer).
        can_edit=True,
        can_delete=True,
        can_be_asked=True,
        # Images (media, multiImage) or an article (the link card), not both.
        single_embed=True,
        post_hosts=("www.linkedin.com", "linkedin.com"),
        profile="{web}/company/{page}",
        secrets=("CLARION_LINKEDIN_ACCESS_TOKEN",),
        # The Posts API's organisation permissions: post, and read the page's posts
        # (the look-back and edits), from the Community Management API product;
        # clarion metrics reads reactions and comments with r_organization_social_feed
        # (.../shares/social-metadata-api) and impressions and shares with
        # rw_organization_admin (.../organizations/share-statistics, administrators).
        token_scopes=(
            "w_organization_social",
            "r_organization_social",
            "r_organization_social_feed",
            "rw_organization_admin",
        ),
    )
)

register(
    Network(
        name="discourse",
        display="Discourse",
        account_type=DiscourseAccount,
        text_rule="clarion.text.discourse:measure",
        unit="characters",
        media_limits="clarion.media.limits:DISCOURSE",
        adapter="clarion.adapters.discourse",
        standin="clarion.sandbox.discourse:DiscourseStandIn",
        watch="clarion.watch.discourse:watch",
        metrics="clarion.metrics.discourse:reader",
        mention_syntax=MentionSyntax.PLAIN,  # @username, a user of the forum
        # A post is one topic: its parts joined into the body, under `title:`.
        joins_parts=True,
        needs_title=True,
        title_rule="clarion.text.discourse:measure_title",
        # PUT /posts/{id}.json edits the topic's first post and title; DELETE
        # /t/{id}.json deletes the topic (docs.discourse.org); a topic carries the
        # post's external_id, which GET /t/external_id/{id}.json finds.
        can_edit=True,
        can_delete=True,
        can_be_asked=True,
        profile="{url}/u/{username}",
        default_limit=32000,
        secrets=("CLARION_DISCOURSE_API_KEY",),
    )
)
