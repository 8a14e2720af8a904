"""The X archive ("Download an archive of your data"): a zip, or the folder it unpacks to.

What it holds, as X writes it:

- `data/tweets.js` (`data/tweet.js` in archives before 2022), continued in
  `tweets-part1.js`, ...: JavaScript assigning a JSON list to
  `window.YTD.tweets.part0`, one `{"tweet": {...}}` per post, in the v1.1 API's
  shape with every number as a string. `full_text` is HTML-escaped (`&amp;`,
  `&lt;`, `&gt;`) and holds `t.co` links; `entities.urls` maps each to its
  `expanded_url`; `extended_entities.media` lists the photos and videos, whose
  shared `t.co` link ends the text. A reply starts with the `@names` it answers,
  outside `display_text_range`.
- A retweet is in the same list, marked only by its text: `RT @name: ...`
  (`retweeted` is false there and `retweeted_status` is absent).
- `data/account.js`: `username` and `accountId`.
- `data/tweets_media/` (`tweet_media/` before 2022): each file named
  `<tweet id>-<file name of the media URL>`.
- Each post's `favorite_count` and `retweet_count` (strings) as they were when
  the archive was made: `data/manifest.js` says when (`archiveInfo.generationDate`).
  They become the first metrics lines of the posts imported (SPEC, "Engagement").
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from clarion.importers import (
    IMAGE,
    OTHER,
    REPLIES,
    RETWEETS,
    UNREADABLE,
    VIDEO,
    ArchiveError,
    Entry,
    Harvest,
    Media,
    Options,
    Part,
    join_threads,
    language,
    parse_iso,
    utc,
)
from clarion.importers.sources import Archive

NETWORK = "x"
_TWEETS = ("data/tweets.js", "data/tweet.js")
_MEDIA_FOLDERS = ("data/tweets_media/", "data/tweet_media/")
_PART_FILE = re.compile(r"^data/tweets?(?:-part\d+)?\.js$")
_TCO = re.compile(r"https?://t\.co/[A-Za-z0-9]+")
_ENTITY = re.compile(r"&(amp|lt|gt|quot|#39);")
_UNESCAPE = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "#39": "'"}
_MENTIONS_ONLY = re.compile(r"^(?:[@＠]\w+\s*)+$")
_MEDIA_KINDS = {"photo": IMAGE, "video": VIDEO, "animated_gif": VIDEO}


@dataclass(frozen=True)
class _Tweet:
    id: str
    at: dt.datetime
    data: Mapping[str, Any]
    reply_to: str | None  # the status answered
    reply_to_user: str | None

    @property
    def retweet(self) -> bool:
        return str(self.data.get("full_text", "")).startswith("RT @")


def read(archive: Archive, options: Options) -> Harvest:
    root = archive.find_root(_TWEETS)
    username, account_id = _account(archive, root)
    tweets, unreadable = _tweets(archive, root)
    media_files = _media_files(archive, root)
    counted_at = _generated(archive, root)

    retweets = [t for t in tweets if t.retweet]
    own = [t for t in tweets if not t.retweet]
    own.sort(key=lambda t: (t.at, int(t.id) if t.id.isdigit() else 0, t.id))

    def mine(tweet: _Tweet) -> bool:
        if account_id and tweet.reply_to_user:
            return tweet.reply_to_user == account_id
        screen_name = str(tweet.data.get("in_reply_to_screen_name") or "")
        return screen_name.lower() == username.lower()

    threads = join_threads(own, lambda t: t.id, lambda t: t.reply_to)
    entries: list[Entry] = []
    replies = 0
    for thread in threads:
        first = thread[0]
        if first.reply_to is not None and not mine(first) and not options.include_replies:
            replies += len(thread)
            continue
        entries.append(_entry(thread, username, media_files, archive, mine))
    if options.include_retweets:
        entries.extend(
            _entry([t], username, media_files, archive, mine)
            for t in sorted(retweets, key=lambda t: t.at)
        )
    skipped = {
        RETWEETS: 0 if options.include_retweets else len(retweets),
        REPLIES: replies,
        UNREADABLE: unreadable,
    }
    return Harvest(entries, skipped, archive.refused, counted_at)


def _generated(archive: Archive, root: str) -> dt.datetime | None:
    """When X made the archive (`data/manifest.js`), or None when it does not say."""
    name = root + "data/manifest.js"
    if not archive.exists(name):
        return None
    try:
        manifest = _load_js(archive, name)
    except ArchiveError:
        return None  # the counts are then dated when imported; the posts are what matter
    info = manifest.get("archiveInfo") if isinstance(manifest, dict) else None
    return parse_iso(info.get("generationDate")) if isinstance(info, dict) else None


def _number(value: object) -> int | None:
    """A count as the archive writes it (a string of digits, or a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _load_js(archive: Archive, name: str) -> Any:
    """The JSON a `window.YTD.<kind>.partN = ...` file assigns."""
    text = archive.read(name).decode("utf-8-sig", errors="replace")
    start = text.find("=")
    if start < 0:
        raise ArchiveError(f"{archive.path}: {name} is not an X archive data file")
    try:
        return json.loads(text[start + 1 :])
    except json.JSONDecodeError as exc:
        raise ArchiveError(
            f"{archive.path}: {name} is not readable (line {exc.lineno}: {exc.msg})"
        ) from None


def _account(archive: Archive, root: str) -> tuple[str, str]:
    name = root + "data/account.js"
    if not archive.exists(name):
        raise ArchiveError(
            f"{archive.path}: there is no data/account.js in it, which names the account "
            "for the posts' URLs: import the whole archive X gave you"
        )
    data = _load_js(archive, name)
    account = data[0].get("account", {}) if isinstance(data, list) and data else {}
    username = account.get("username") if isinstance(account, dict) else None
    if not isinstance(username, str) or not re.fullmatch(r"\w{1,50}", username):
        raise ArchiveError(f"{archive.path}: data/account.js names no username")
    account_id = account.get("accountId")
    return username, str(account_id) if account_id is not None else ""


def _tweets(archive: Archive, root: str) -> tuple[list[_Tweet], int]:
    files = sorted(
        (n for n in archive.names() if n.startswith(root) and _PART_FILE.match(n[len(root) :])),
        key=_part_number,
    )
    tweets: dict[str, _Tweet] = {}
    unreadable = 0
    for name in files:
        items = _load_js(archive, name)
        if not isinstance(items, list):
            raise ArchiveError(f"{archive.path}: {name} does not hold a list of posts")
        for item in items:
            tweet = _tweet(item)
            if tweet is None:
                unreadable += 1
            else:
                tweets[tweet.id] = tweet
    return list(tweets.values()), unreadable


def _part_number(name: str) -> tuple[int, str]:
    found = re.search(r"-part(\d+)\.js$", name)
    return (int(found.group(1)) if found else 0, name)


def _tweet(item: object) -> _Tweet | None:
    data = item.get("tweet", item) if isinstance(item, dict) else None
    if not isinstance(data, dict):
        return None
    tweet_id = data.get("id_str") or data.get("id")
    at = _created_at(data.get("created_at"))
    if not isinstance(tweet_id, str | int) or not str(tweet_id).isdigit() or at is None:
        return None
    if not isinstance(data.get("full_text", data.get("text")), str):
        return None
    reply_to = data.get("in_reply_to_status_id_str") or data.get("in_reply_to_status_id")
    reply_user = data.get("in_reply_to_user_id_str") or data.get("in_reply_to_user_id")
    return _Tweet(
        str(tweet_id),
        at,
        data,
        str(reply_to) if reply_to else None,
        str(reply_user) if reply_user else None,
    )


def _created_at(value: object) -> dt.datetime | None:
    """`Wed Mar 04 12:34:56 +0000 2019`, as the archive writes it."""
    if not isinstance(value, str):
        return None
    try:
        return utc(dt.datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y"))
    except ValueError:
        return None


MediaFiles = Mapping[str, Mapping[str, str]]


def _media_files(archive: Archive, root: str) -> MediaFiles:
    """Post id → file name in the media folder → its path in the archive."""
    found: dict[str, dict[str, str]] = {}
    for folder in _MEDIA_FOLDERS:
        prefix = root + folder
        for name in archive.names():
            if name.startswith(prefix):
                file = name[len(prefix) :]
                found.setdefault(file.split("-", 1)[0], {}).setdefault(file, name)
    return found


def _entry(
    thread: list[_Tweet],
    username: str,
    media_files: MediaFiles,
    archive: Archive,
    mine: Callable[[_Tweet], bool],
) -> Entry:
    parts = []
    for tweet in thread:
        self_reply = tweet.reply_to is not None and mine(tweet)
        text, media = _text_and_media(tweet, media_files, archive, strip_mentions=self_reply)
        parts.append(
            Part(
                tweet.id,
                f"https://x.com/{username}/status/{tweet.id}",
                tweet.at,
                text,
                media,
                likes=_number(tweet.data.get("favorite_count")),
                reposts=_number(tweet.data.get("retweet_count")),
            )
        )
    first = thread[0].data
    sensitive = first.get("possibly_sensitive") in (True, "true")
    return Entry(
        NETWORK,
        tuple(parts),
        lang=language(first.get("lang")),
        content_warning="Sensitive content" if sensitive else None,
    )


def _text_and_media(
    tweet: _Tweet, media_files: MediaFiles, archive: Archive, *, strip_mentions: bool
) -> tuple[str, tuple[Media, ...]]:
    data = tweet.data
    text = str(data.get("full_text", data.get("text", "")))
    if strip_mentions:
        text = _without_reply_mentions(text, data.get("display_text_range"))
    entities = data.get("entities") if isinstance(data.get("entities"), dict) else {}
    extended = data.get("extended_entities")
    media_items = extended.get("media") if isinstance(extended, dict) else None
    if not isinstance(media_items, list):
        media_items = entities.get("media") if isinstance(entities, dict) else None
    media_items = [m for m in media_items or [] if isinstance(m, dict)]

    links: dict[str, str] = {}
    for url in entities.get("urls", []) if isinstance(entities, dict) else []:
        if isinstance(url, dict) and isinstance(url.get("url"), str):
            expanded = url.get("expanded_url")
            links[url["url"]] = expanded if isinstance(expanded, str) and expanded else url["url"]
    # The media's own t.co link stands for the attachments, which the post carries.
    for item in media_items:
        if isinstance(item.get("url"), str):
            links[item["url"]] = ""
    text = _TCO.sub(lambda m: links.get(m.group(), m.group()), text)
    text = _ENTITY.sub(lambda m: _UNESCAPE[m.group(1)], text)
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    return text.strip(), tuple(_media(tweet, item, media_files, archive) for item in media_items)


def _without_reply_mentions(text: str, display_range: object) -> str:
    """A reply's text without the `@names` X hides before `display_text_range`."""
    if not isinstance(display_range, list) or not display_range:
        return text
    try:
        start = int(display_range[0])
    except (TypeError, ValueError):
        return text
    head = text[:start]
    if start <= 0 or not _MENTIONS_ONLY.match(head):
        return text
    return text[start:]


def _media(
    tweet: _Tweet, item: Mapping[str, Any], media_files: MediaFiles, archive: Archive
) -> Media:
    kind = _MEDIA_KINDS.get(str(item.get("type")), OTHER)
    source = item.get("media_url_https") or item.get("media_url") or ""
    if kind == VIDEO:
        source = _best_video(item) or source
    base = PurePosixPath(urlsplit(str(source)).path).name
    name = f"{tweet.id}-{base}" if base else f"{tweet.id}-{item.get('id_str', 'media')}"
    alt = item.get("ext_alt_text")
    files = media_files.get(tweet.id, {})
    member = files.get(name)
    if member is None and kind == VIDEO:
        # The archive may keep another variant of a video than the best one.
        member = next((path for file, path in files.items() if file.endswith(".mp4")), None)
        if member is not None:
            name = PurePosixPath(member).name
    return Media(
        kind,
        name,
        alt if isinstance(alt, str) else "",
        partial(archive.read, member) if member is not None else None,
    )


def _best_video(item: Mapping[str, Any]) -> str | None:
    info = item.get("video_info")
    variants = info.get("variants") if isinstance(info, dict) else None
    if not isinstance(variants, list):
        return None
    mp4 = [v for v in variants if isinstance(v, dict) and v.get("content_type") == "video/mp4"]
    if not mp4:
        return None
    best = max(mp4, key=lambda v: int(v.get("bitrate") or 0))
    url = best.get("url")
    return url if isinstance(url, str) else None
