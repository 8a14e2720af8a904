"""Anonymised exports in each network's real format, built by the tests themselves.

- X: `data/tweets.js` (`window.YTD.tweets.part0 = [{"tweet": {...}}]`, numbers as
  strings, HTML-escaped `full_text`, `entities.urls` t.co → expanded,
  `extended_entities.media`), `data/account.js`, `data/tweets_media/<id>-<name>`.
- Mastodon: `outbox.json` (ActivityStreams, Mastodon's HTML), `actor.json`,
  `media_attachments/files/...`.
- Bluesky: a repository CAR v1 (commit → Merkle Search Tree → records, all
  DAG-CBOR, encoded with libipld, the codec the atproto library uses) and blobs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import libipld

from tests.images import grey_png as png

USERNAME = "example_org"
ACCOUNT_ID = "1000"
OTHER_ID = "2000"
X_EPOCH = dt.datetime(2019, 3, 4, 12, 0, tzinfo=dt.UTC)


# ----------------------------------------------------------------------------- X


def x_time(at: dt.datetime) -> str:
    return at.strftime("%a %b %d %H:%M:%S +0000 %Y")


def tweet(
    tweet_id: str,
    text: str,
    at: dt.datetime,
    *,
    urls: Mapping[str, str] | None = None,
    media: Sequence[Mapping[str, Any]] = (),
    reply_to: tuple[str, str, str] | None = None,  # (status id, user id, screen name)
    display_start: int = 0,
    lang: str = "en",
    sensitive: bool = False,
) -> dict[str, Any]:
    """One entry of tweets.js, shaped as X writes it (every number a string)."""
    data: dict[str, Any] = {
        "edit_info": {"initial": {"editTweetIds": [tweet_id], "editsRemaining": "5"}},
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {
            "hashtags": [],
            "symbols": [],
            "user_mentions": [],
            "urls": [
                {
                    "url": short,
                    "expanded_url": long,
                    "display_url": long.split("//", 1)[-1][:26],
                    "indices": ["0", "23"],
                }
                for short, long in (urls or {}).items()
            ],
        },
        "display_text_range": [str(display_start), str(len(text))],
        "favorite_count": "3",
        "id_str": tweet_id,
        "truncated": False,
        "retweet_count": "1",
        "id": tweet_id,
        "possibly_sensitive": sensitive,
        "created_at": x_time(at),
        "favorited": False,
        "full_text": text,
        "lang": lang,
    }
    if media:
        data["extended_entities"] = {"media": list(media)}
        data["entities"]["media"] = [dict(m) for m in media]
    if reply_to is not None:
        status, user, name = reply_to
        data.update(
            in_reply_to_status_id_str=status,
            in_reply_to_status_id=status,
            in_reply_to_user_id_str=user,
            in_reply_to_user_id=user,
            in_reply_to_screen_name=name,
        )
    return {"tweet": data}


def photo(tweet_id: str, tco: str, name: str, alt: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "expanded_url": f"https://twitter.com/{USERNAME}/status/{tweet_id}/photo/1",
        "indices": ["30", "53"],
        "url": tco,
        "media_url": f"http://pbs.twimg.com/media/{name}",
        "id_str": str(int(tweet_id) + 7),
        "id": str(int(tweet_id) + 7),
        "media_url_https": f"https://pbs.twimg.com/media/{name}",
        "sizes": {"large": {"w": "4", "h": "3", "resize": "fit"}},
        "type": "photo",
        "display_url": "pic.twitter.com/abc",
    }
    if alt is not None:
        item["ext_alt_text"] = alt
    return item


def video(tweet_id: str, tco: str, name: str) -> dict[str, Any]:
    return {
        "expanded_url": f"https://twitter.com/{USERNAME}/status/{tweet_id}/video/1",
        "url": tco,
        "media_url_https": f"https://pbs.twimg.com/ext_tw_video_thumb/{tweet_id}/pu/img/thumb.jpg",
        "id_str": str(int(tweet_id) + 9),
        "type": "video",
        "video_info": {
            "variants": [
                {"content_type": "application/x-mpegURL", "url": "https://video.twimg.com/a.m3u8"},
                {
                    "bitrate": "832000",
                    "content_type": "video/mp4",
                    "url": f"https://video.twimg.com/ext_tw_video/{tweet_id}/pu/vid/{name}?tag=12",
                },
            ]
        },
    }


def js(kind: str, part: int, items: Sequence[Mapping[str, Any]]) -> str:
    return f"window.YTD.{kind}.part{part} = " + json.dumps(list(items), indent=2)


def account_js(username: str = USERNAME, account_id: str = ACCOUNT_ID) -> str:
    account = {
        "email": "someone@example.org",
        "createdVia": "web",
        "username": username,
        "accountId": account_id,
        "createdAt": "2010-01-01T00:00:00.000Z",
        "accountDisplayName": "Example Org",
    }
    return js("account", 0, [{"account": account}])


def write_x_archive(
    folder: Path,
    tweets: Sequence[Mapping[str, Any]],
    media: Mapping[str, bytes],
    *,
    more: Sequence[Mapping[str, Any]] = (),
) -> Path:
    """The unpacked archive: data/tweets.js (+ tweets-part1.js), account.js, media."""
    data = folder / "data"
    (data / "tweets_media").mkdir(parents=True, exist_ok=True)
    (data / "tweets.js").write_text(js("tweets", 0, tweets), encoding="utf-8")
    if more:
        (data / "tweets-part1.js").write_text(js("tweets", 1, more), encoding="utf-8")
    (data / "account.js").write_text(account_js(), encoding="utf-8")
    (folder / "Your archive.html").write_text("<html></html>", encoding="utf-8")
    for name, content in media.items():
        (data / "tweets_media" / name).write_bytes(content)
    return folder


def zip_folder(folder: Path, target: Path, *, inside: str = "") -> Path:
    """Zip `folder`'s files, optionally under one more folder, as X's zip is."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, inside + path.relative_to(folder).as_posix())
    return target


# An anonymised X archive exercising every rule.
T_HELLO = "1100000000000000001"
T_THREAD = "1100000000000000002"
T_THREAD_2 = "1100000000000000003"
T_THREAD_3 = "1100000000000000004"
T_REPLY_OTHER = "1100000000000000005"
T_RETWEET = "1100000000000000006"
T_IMAGE_ONLY = "1100000000000000007"
T_REPLY_OTHER_2 = "1100000000000000008"
T_VIDEO = "1100000000000000009"
T_LATER = "1200000000000000001"
X_IMAGES = {
    f"{T_THREAD}-grey.png": png(4, 3),
    f"{T_THREAD_3}-later.png": png(2, 2, 0x40),
    f"{T_IMAGE_ONLY}-only.png": png(3, 3, 0x20),
    f"{T_VIDEO}-clip.mp4": b"\x00\x00\x00\x18ftypmp42not really a video",
}


def sample_x_tweets() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(tweets.js, tweets-part1.js) of the sample archive, out of order as X writes them."""
    at = X_EPOCH
    me = (ACCOUNT_ID, USERNAME)
    part0 = [
        tweet(
            T_THREAD_2,
            f"@{USERNAME} 2/3 with a line\n---\nbetween &amp; more",
            at + dt.timedelta(days=1, minutes=1),
            reply_to=(T_THREAD, *me),
            display_start=len(USERNAME) + 2,
        ),
        tweet(
            T_HELLO,
            "Hello &amp; welcome &lt;3 https://t.co/AAAAAAAAAA #clarion",
            at,
            urls={"https://t.co/AAAAAAAAAA": "https://example.org/welcome?a=1&b=2"},
        ),
        tweet(
            T_THREAD,
            "A thread 🧵 1/3 https://t.co/MEDIAAAAAA",
            at + dt.timedelta(days=1),
            media=[photo(T_THREAD, "https://t.co/MEDIAAAAAA", "grey.png", "A grey square")],
        ),
        tweet(
            T_THREAD_3,
            f"@{USERNAME} 3/3 https://t.co/MEDIABBBBB",
            at + dt.timedelta(days=1, minutes=2),
            media=[photo(T_THREAD_3, "https://t.co/MEDIABBBBB", "later.png")],
            reply_to=(T_THREAD_2, *me),
            display_start=len(USERNAME) + 2,
        ),
        tweet(
            T_REPLY_OTHER,
            "@someone_else Thanks!",
            at + dt.timedelta(days=2),
            reply_to=("900", OTHER_ID, "someone_else"),
            display_start=14,
        ),
        tweet(
            T_RETWEET,
            "RT @someone_else: Big news https://t.co/CCCCCCCCCC",
            at + dt.timedelta(days=3),
            urls={"https://t.co/CCCCCCCCCC": "https://example.com/news"},
        ),
        tweet(
            T_IMAGE_ONLY,
            "https://t.co/MEDIACCCCC",
            at + dt.timedelta(days=4),
            media=[photo(T_IMAGE_ONLY, "https://t.co/MEDIACCCCC", "only.png")],
            lang="zxx",
            sensitive=True,
        ),
        tweet(
            T_REPLY_OTHER_2,
            f"@someone_else @{USERNAME} And one more thing",
            at + dt.timedelta(days=2, minutes=5),
            reply_to=(T_REPLY_OTHER, *me),
            display_start=len("@someone_else @") + len(USERNAME) + 1,
        ),
        tweet(
            T_VIDEO,
            "Watch this https://t.co/VIDEOAAAAA",
            at + dt.timedelta(days=5),
            media=[video(T_VIDEO, "https://t.co/VIDEOAAAAA", "clip.mp4")],
        ),
    ]
    part1 = [tweet(T_LATER, "A year later.", at + dt.timedelta(days=400), lang="und")]
    return part0, part1


def sample_x_archive(folder: Path) -> Path:
    part0, part1 = sample_x_tweets()
    return write_x_archive(folder, part0, X_IMAGES, more=part1)


# ----------------------------------------------------------------------- Mastodon

INSTANCE = "https://mastodon.example"
ACTOR = f"{INSTANCE}/users/example"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
FOLLOWERS = f"{ACTOR}/followers"


def note(
    status_id: str,
    content: str,
    at: dt.datetime,
    *,
    visibility: str = "public",
    reply_to: str | None = None,
    attachments: Sequence[Mapping[str, Any]] = (),
    summary: str | None = None,
    sensitive: bool = False,
    mentions: Sequence[tuple[str, str]] = (),  # (name, href)
    lang: str = "en",
) -> dict[str, Any]:
    """A `Create` activity of a `Note`, as Mastodon's export writes it."""
    to, cc = {
        "public": ([PUBLIC], [FOLLOWERS]),
        "unlisted": ([FOLLOWERS], [PUBLIC]),
        "private": ([FOLLOWERS], []),
        "direct": ([f"{INSTANCE}/users/friend"], []),
    }[visibility]
    object_id = f"{ACTOR}/statuses/{status_id}"
    published = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "id": f"{object_id}/activity",
        "type": "Create",
        "actor": ACTOR,
        "published": published,
        "to": to,
        "cc": cc,
        "object": {
            "id": object_id,
            "type": "Note",
            "summary": summary,
            "inReplyTo": reply_to,
            "published": published,
            "url": f"{INSTANCE}/@example/{status_id}",
            "attributedTo": ACTOR,
            "to": to,
            "cc": cc,
            "sensitive": sensitive,
            "atomUri": object_id,
            "conversation": f"tag:mastodon.example,2023:objectId={status_id}:objectType=Conversation",
            "content": content,
            "contentMap": {lang: content},
            "attachment": list(attachments),
            "tag": [{"type": "Mention", "href": href, "name": name} for name, href in mentions],
            "replies": {"id": f"{object_id}/replies", "type": "Collection"},
        },
    }


def attachment(path: str, alt: str | None, media_type: str = "image/png") -> dict[str, Any]:
    return {
        "type": "Document",
        "mediaType": media_type,
        "url": path,
        "name": alt,
        "blurhash": "U00000fQfQfQfQfQfQfQfQfQfQfQ",
        "width": 4,
        "height": 3,
    }


M_HELLO = "110000000000000001"
M_THREAD = "110000000000000002"
M_THREAD_2 = "110000000000000003"
M_REPLY_OTHER = "110000000000000004"
M_PRIVATE = "110000000000000005"
M_UNLISTED = "110000000000000006"
M_IMAGE_ONLY = "110000000000000007"
M_MEDIA = {
    "media_attachments/files/110/000/000/000/000/002/original/aaaa.png": png(4, 3),
    "media_attachments/files/110/000/000/000/000/003/original/bbbb.png": png(2, 2, 0x40),
    "media_attachments/files/110/000/000/000/000/007/original/cccc.png": png(3, 3, 0x20),
}


def sample_outbox() -> dict[str, Any]:
    at = dt.datetime(2023, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    files = list(M_MEDIA)
    items = [
        note(
            M_HELLO,
            '<p>Hello &amp; welcome to <a href="https://mastodon.example/tags/clarion" '
            'class="mention hashtag" rel="tag">#<span>clarion</span></a>, '
            '<span class="h-card" translate="no"><a href="https://other.example/@bob" '
            'class="u-url mention">@<span>bob</span></a></span>!</p>'
            "<p>Second paragraph<br />next line "
            '<a href="https://example.org/a/very/long/path" target="_blank" '
            'rel="nofollow noopener noreferrer" translate="no">'
            '<span class="invisible">https://</span><span class="ellipsis">example.org/a/very/lo'
            '</span><span class="invisible">ng/path</span></a></p>',
            at,
            mentions=[("@bob@other.example", "https://other.example/users/bob")],
        ),
        note(
            M_THREAD,
            "<p>A thread, part one</p>",
            at + dt.timedelta(days=1),
            attachments=[attachment("/" + files[0], "A grey square")],
            summary="Spoilers for the film",
            sensitive=True,
        ),
        note(
            M_THREAD_2,
            "<p>Part two</p><p>---</p>",
            at + dt.timedelta(days=1, minutes=1),
            reply_to=f"{ACTOR}/statuses/{M_THREAD}",
            attachments=[attachment(files[1], None)],
        ),
        note(
            M_REPLY_OTHER,
            '<p><span class="h-card"><a href="https://other.example/@bob" class="u-url mention">'
            "@<span>bob</span></a></span> thanks!</p>",
            at + dt.timedelta(days=2),
            reply_to="https://other.example/users/bob/statuses/55",
            mentions=[("@bob@other.example", "https://other.example/users/bob")],
        ),
        note(M_PRIVATE, "<p>Followers only</p>", at + dt.timedelta(days=3), visibility="private"),
        note(M_UNLISTED, "<p>Quietly</p>", at + dt.timedelta(days=4), visibility="unlisted"),
        note(
            M_IMAGE_ONLY,
            "",
            at + dt.timedelta(days=5),
            attachments=[attachment(files[2], "")],
            lang="de",
        ),
        {
            "id": f"{ACTOR}/statuses/110000000000000008/activity",
            "type": "Announce",
            "actor": ACTOR,
            "published": "2023-01-09T00:00:00Z",
            "to": [PUBLIC],
            "cc": [FOLLOWERS],
            "object": "https://other.example/users/bob/statuses/77",
        },
    ]
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }


def write_mastodon_export(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "outbox.json").write_text(json.dumps(sample_outbox()), encoding="utf-8")
    actor = {"id": ACTOR, "type": "Person", "preferredUsername": "example", "outbox": "outbox.json"}
    (folder / "actor.json").write_text(json.dumps(actor), encoding="utf-8")
    (folder / "likes.json").write_text("{}", encoding="utf-8")
    for name, data in M_MEDIA.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


# ------------------------------------------------------------------------ Bluesky

DID = "did:plc:abcdefghijklmnopqrstuvwx"
OTHER_DID = "did:plc:otherotherotherotherothe"


def cid_bytes(codec: int, data: bytes) -> bytes:
    """A CIDv1 with a sha-256 multihash, in binary."""
    return bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()


def cid_text(raw: bytes) -> str:
    return libipld.encode_cid(raw)


def blob_ref(data: bytes, mime: str) -> dict[str, Any]:
    # libipld encodes bytes that read as a CID as a CID link (tag 42).
    return {"$type": "blob", "ref": cid_bytes(0x55, data), "mimeType": mime, "size": len(data)}


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


class CarBuilder:
    """Blocks of a repository, written out as a CAR v1 with the commit as root."""

    def __init__(self) -> None:
        self.blocks: dict[bytes, bytes] = {}

    def put(self, value: Any) -> bytes:
        data = libipld.encode_dag_cbor(value)
        cid = cid_bytes(0x71, data)
        self.blocks[cid] = data
        return cid

    def node(self, left: bytes | None, entries: Sequence[tuple[str, bytes, bytes | None]]) -> bytes:
        """An MST node; `entries` are (key, record cid, subtree after it), keys sorted."""
        out = []
        previous = b""
        for key, value, subtree in entries:
            raw = key.encode()
            shared = 0
            while shared < min(len(raw), len(previous)) and raw[shared] == previous[shared]:
                shared += 1
            out.append({"p": shared, "k": raw[shared:], "v": value, "t": subtree})
            previous = raw
        return self.put({"l": left, "e": out})

    def car(self, root: bytes) -> bytes:
        header = libipld.encode_dag_cbor({"roots": [root], "version": 1})
        body = bytearray(_varint(len(header)) + header)
        for cid, data in self.blocks.items():
            body += _varint(len(cid) + len(data)) + cid + data
        return bytes(body)


def repository_car(did: str, records: Mapping[str, Mapping[str, Any]]) -> bytes:
    """A CAR whose tree has two levels (a left subtree and a subtree after an
    entry), so that reading it walks the whole Merkle Search Tree."""
    builder = CarBuilder()
    items = sorted((key, builder.put(dict(value))) for key, value in records.items())
    if len(items) < 5:
        root_node = builder.node(None, [(k, v, None) for k, v in items])
    else:
        left = builder.node(None, [(k, v, None) for k, v in items[:2]])
        after = builder.node(None, [(k, v, None) for k, v in items[3:5]])
        rest = [(k, v, None) for k, v in items[5:]]
        root_node = builder.node(left, [(items[2][0], items[2][1], after), *rest])
    commit = builder.put(
        {"did": did, "version": 3, "data": root_node, "rev": "3l2222222222a", "prev": None}
    )
    return builder.car(commit)


B_HELLO = "3kaaaaaaaaa22"
B_THREAD = "3kbbbbbbbbb22"
B_THREAD_2 = "3kccccccccc22"
B_REPLY_OTHER = "3kddddddddd22"
B_CARD = "3keeeeeeeee22"
B_REPOST = "3kfffffffff22"
B_QUOTE = "3kggggggggg22"
B_IMAGE = png(4, 3)
B_MISSING_IMAGE = png(2, 2, 0x40)


def _post_ref(did: str, rkey: str) -> dict[str, Any]:
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": cid_text(cid_bytes(0x71, rkey.encode())),
    }


def sample_records() -> dict[str, dict[str, Any]]:
    text = "Read example.org/a/long/pa... — café ☕ #clarion"
    start = text.encode().index(b"example.org")
    end = start + len(b"example.org/a/long/pa...")
    thread_root = _post_ref(DID, B_THREAD)
    post = "app.bsky.feed.post"
    return {
        f"{post}/{B_HELLO}": {
            "$type": post,
            "text": text,
            "createdAt": "2024-02-03T04:05:06.123456789Z",
            "langs": ["en"],
            "facets": [
                {
                    "index": {"byteStart": start, "byteEnd": end},
                    "features": [
                        {
                            "$type": "app.bsky.richtext.facet#link",
                            "uri": "https://example.org/a/long/path",
                        }
                    ],
                }
            ],
        },
        f"{post}/{B_THREAD}": {
            "$type": post,
            "text": "Thread one",
            "createdAt": "2024-02-04T00:00:00Z",
            "embed": {
                "$type": "app.bsky.embed.images",
                "images": [
                    {"alt": "A grey square", "image": blob_ref(B_IMAGE, "image/png")},
                ],
            },
            "labels": {
                "$type": "com.atproto.label.defs#selfLabels",
                "values": [{"val": "graphic-media"}],
            },
        },
        f"{post}/{B_THREAD_2}": {
            "$type": post,
            "text": "Thread two\n---\nend",
            "createdAt": "2024-02-04T00:01:00+01:00",  # an offset, earlier in UTC...
            "reply": {"root": thread_root, "parent": thread_root},
            "embed": {
                "$type": "app.bsky.embed.images",
                "images": [
                    {"alt": "A darker square", "image": blob_ref(B_MISSING_IMAGE, "image/png")},
                ],
            },
        },
        f"{post}/{B_REPLY_OTHER}": {
            "$type": post,
            "text": "@friend.example.com agreed",
            "createdAt": "2024-02-05T00:00:00Z",
            "reply": {"root": _post_ref(OTHER_DID, "3zzz"), "parent": _post_ref(OTHER_DID, "3zzz")},
        },
        f"{post}/{B_CARD}": {
            "$type": post,
            "text": "Our new site https://example.org",
            "createdAt": "2024-02-06T00:00:00Z",
            "embed": {
                "$type": "app.bsky.embed.external",
                "external": {
                    "uri": "https://example.org",
                    "title": 'Example "Org"',
                    "description": "Line one\nline two",
                },
            },
        },
        f"{post}/{B_QUOTE}": {
            "$type": post,
            "text": "",
            "createdAt": "2024-02-07T00:00:00Z",
            "embed": {"$type": "app.bsky.embed.record", "record": _post_ref(OTHER_DID, "3yyy")},
        },
        f"app.bsky.feed.repost/{B_REPOST}": {
            "$type": "app.bsky.feed.repost",
            "subject": _post_ref(OTHER_DID, "3xxx"),
            "createdAt": "2024-02-08T00:00:00Z",
        },
        "app.bsky.actor.profile/self": {"$type": "app.bsky.actor.profile", "displayName": "Ex"},
    }


def write_bluesky_export(folder: Path, *, with_blobs: bool = True) -> Path:
    """A folder with the CAR and, optionally, the blob the CAR's first image names."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "repo.car").write_bytes(repository_car(DID, sample_records()))
    if with_blobs:
        blobs = folder / "blobs"
        blobs.mkdir()
        (blobs / cid_text(cid_bytes(0x55, B_IMAGE))).write_bytes(B_IMAGE)
    return folder


# ------------------------------------------------------------------- assertions


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` by its path, with a hash of its bytes."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def posts(repo: Path) -> list[str]:
    """The imported post files, relative to the repository, in order."""
    archive = repo / "posts" / "archive"
    return sorted(p.relative_to(repo).as_posix() for p in archive.rglob("*.md"))
