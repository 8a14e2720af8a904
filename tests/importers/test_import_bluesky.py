"""`clarion import bluesky-car`: a repository CAR in, history on Bluesky out.

The sample CAR is built here (DAG-CBOR by libipld, the atproto library's codec;
CAR v1 framing by hand: atproto reads CARs but writes none). The test marked
`pds` takes a real one from the reference PDS with com.atproto.sync.getRepo.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from clarion.commands.importing import run
from clarion.importers.bluesky_car import expand_links
from clarion.post.frontmatter import load
from clarion.settings import load_settings
from tests.conftest import Run
from tests.importers.exports import (
    B_CARD,
    B_HELLO,
    B_IMAGE,
    B_QUOTE,
    B_REPLY_OTHER,
    B_THREAD,
    DID,
    CarBuilder,
    png,
    posts,
    repository_car,
    tree,
    write_bluesky_export,
)
from tests.pds_plugin import Pds

ARCHIVE = "posts/archive/2024"
HELLO = f"{ARCHIVE}/2024-02-03-bluesky-{B_HELLO}.md"
THREAD = f"{ARCHIVE}/2024-02-04-bluesky-{B_THREAD}.md"
CARD = f"{ARCHIVE}/2024-02-06-bluesky-{B_CARD}.md"
QUOTE = f"{ARCHIVE}/2024-02-07-bluesky-{B_QUOTE}.md"


def test_round_trip_through_the_command(repo: Path, clarion: Run, tmp_path: Path) -> None:
    export = write_bluesky_export(tmp_path / "export")

    proc = clarion("import", "bluesky-car", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    summary = proc.stderr
    assert "imported 4 posts from 5 Bluesky posts (1 thread, 1 image)" in summary
    assert "skipped 1 repost, 1 reply to others" in summary
    assert posts(repo) == [HELLO, THREAD, CARD, QUOTE]

    proc = clarion("validate", cwd=repo)
    assert proc.returncode == 0, proc.stdout
    proc = clarion("publish", "--dry-run", cwd=repo)
    assert proc.stdout.strip() == "nothing is due"

    before = tree(repo)
    proc = clarion("import", "bluesky-car", str(export / "repo.car"), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert tree(repo) == before

    hello = repo / HELLO
    hello.write_text(
        hello.read_text(encoding="utf-8").replace(
            "platforms: [bluesky]", "platforms: [bluesky, x]"
        ),
        encoding="utf-8",
    )
    proc = clarion("publish", "--dry-run", cwd=repo)
    due = [line for line in proc.stdout.splitlines() if "→" in line]
    assert due == [f"{HELLO} → X"]
    assert "| Read https://example.org/a/long/path — café ☕ #clarion" in proc.stdout


def test_what_bluesky_showed(repo: Path, tmp_path: Path) -> None:
    run(load_settings(repo), "bluesky-car", write_bluesky_export(tmp_path / "e"))

    hello = load((repo / HELLO).read_bytes())
    # The app showed the link shortened; the facet holds it whole.
    assert hello.body == "Read https://example.org/a/long/path — café ☕ #clarion\n"
    assert hello.data["lang"] == "en"
    assert hello.data["published"] == {
        "bluesky": [
            {
                "id": f"at://{DID}/app.bsky.feed.post/{B_HELLO}",
                "url": f"https://bsky.app/profile/{DID}/post/{B_HELLO}",
                "at": "2024-02-03T04:05:06Z",
            }
        ]
    }
    thread = load((repo / THREAD).read_bytes())
    # The reply's clock said an hour's offset: still part 2, as the reply says.
    assert thread.body == "Thread one\n\n---\n\nThread two\n- - -\nend\n"
    assert thread.data["content_warning"] == "Graphic media"
    assert thread.data["media"] == [{"path": f"media/{B_THREAD}-1.png", "alt": "A grey square"}]
    assert (repo / ARCHIVE / "media" / f"{B_THREAD}-1.png").read_bytes() == B_IMAGE
    assert [r["at"] for r in thread.data["published"]["bluesky"]] == [
        "2024-02-04T00:00:00Z",
        "2024-02-03T23:01:00Z",
    ]
    text = (repo / THREAD).read_text(encoding="utf-8")
    assert '# part 2: image not in the export, alt "A darker square"' in text

    card = load((repo / CARD).read_bytes())
    assert card.data["link"] == {
        "url": "https://example.org",
        "title": 'Example "Org"',
        "description": "Line one\nline two",
    }
    quote = (repo / QUOTE).read_text(encoding="utf-8")
    assert "# quotes https://bsky.app/profile/did:plc:otherotherotherotherothe/post/3yyy" in quote
    assert quote.endswith("---\n(no text)\n")


def test_without_blobs_the_alt_text_stays_in_a_comment(repo: Path, tmp_path: Path) -> None:
    export = write_bluesky_export(tmp_path / "e", with_blobs=False)
    run(load_settings(repo), "bluesky-car", export / "repo.car", handle="@example.org")
    thread = (repo / THREAD).read_text(encoding="utf-8")
    assert "media:" not in thread
    assert '# part 1: image not in the export, alt "A grey square"' in thread
    assert f"url: https://bsky.app/profile/example.org/post/{B_THREAD}" in thread
    assert not (repo / ARCHIVE / "media").exists()


def test_replies_to_others_on_request(repo: Path, tmp_path: Path) -> None:
    export = write_bluesky_export(tmp_path / "e")
    run(load_settings(repo), "bluesky-car", export, include_replies=True)
    reply = load((repo / ARCHIVE / f"2024-02-05-bluesky-{B_REPLY_OTHER}.md").read_bytes())
    assert reply.body == "@friend.example.com agreed\n"


def test_a_wide_tree_is_read_in_full(repo: Path, tmp_path: Path) -> None:
    # 40 posts: the builder puts them in a two-level tree; every one must come out.
    records = {
        f"app.bsky.feed.post/3k{i:03d}aaaaaaa": {
            "$type": "app.bsky.feed.post",
            "text": f"Post {i}",
            "createdAt": f"2024-03-{1 + i % 28:02d}T00:00:{i % 60:02d}Z",
        }
        for i in range(40)
    }
    (tmp_path / "r.car").write_bytes(repository_car(DID, records))
    run(load_settings(repo), "bluesky-car", tmp_path / "r.car")
    assert len(posts(repo)) == 40


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a car at all", "not a CAR file of a repository"),
        (None, "a block of the repository tree is missing"),
    ],
)
def test_a_broken_car(
    repo: Path, clarion: Run, tmp_path: Path, content: bytes | None, message: str
) -> None:
    if content is None:
        builder = CarBuilder()
        commit = builder.put({"did": DID, "version": 3, "data": builder.put({"x": 1})[:-1] + b"!"})
        content = builder.car(commit)
    (tmp_path / "r.car").write_bytes(content)
    proc = clarion("import", "bluesky-car", str(tmp_path / "r.car"), cwd=repo)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_handle_is_for_bluesky_only(repo: Path, tmp_path: Path) -> None:
    from clarion.errors import UsageError

    with pytest.raises(UsageError, match="--handle is for bluesky-car only"):
        run(load_settings(repo), "x-archive", tmp_path, handle="example.org")
    with pytest.raises(UsageError, match="not a Bluesky handle"):
        run(load_settings(repo), "bluesky-car", tmp_path, handle="not a handle")


@pytest.mark.parametrize(
    ("text", "facets", "expected"),
    [
        # Shortened by the app: written out.
        ("see e.org/abc...", [(4, 16, "https://e.org/abcdef")], "see https://e.org/abcdef"),
        # Shown in full already, or with words of its own: left as it is.
        ("https://e.org", [(0, 13, "https://e.org")], "https://e.org"),
        ("my blog!", [(0, 7, "https://e.org")], "my blog!"),
        # Byte offsets, past multi-byte characters.
        ("é ☕ e.org/x…", [(7, 17, "https://e.org/xyz")], "é ☕ https://e.org/xyz"),
        # Out of range or overlapping: ignored.
        ("abc", [(2, 40, "https://e.org")], "abc"),
    ],
)
def test_expand_links(text: str, facets: list[tuple[int, int, str]], expected: str) -> None:
    raw = [
        {
            "index": {"byteStart": start, "byteEnd": end},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
        }
        for start, end, uri in facets
    ]
    assert expand_links(text, raw) == expected


@pytest.mark.pds
def test_a_repository_from_the_real_pds(pds: Pds, repo: Path, clarion: Run, tmp_path: Path) -> None:
    from atproto import Client, models  # type: ignore[import-untyped]

    from tests.pds.test_pds import tid

    account = pds.create_account("importer")
    client = Client(base_url=pds.url)
    try:
        client.login(account.handle, account.password, fetch_bsky_profile=False)
        image = png(4, 3)
        blob = client.com.atproto.repo.upload_blob(
            None, content=image, headers={"Content-Type": "image/png"}
        ).blob
        created = []
        for number, text in enumerate(["Real one 🧵", "Real two", "Real three"]):
            embed = None
            if number == 0:
                embed = models.AppBskyEmbedImages.Main(
                    images=[models.AppBskyEmbedImages.Image(alt="A grey rectangle", image=blob)]
                )
            reply = None
            if created:
                reply = models.AppBskyFeedPost.ReplyRef(
                    root=models.create_strong_ref(created[0]),
                    parent=models.create_strong_ref(created[-1]),
                )
            record = models.AppBskyFeedPost.Record(
                text=text,
                created_at=client.get_current_time_iso(),
                langs=["en"],
                embed=embed,
                reply=reply,
            )
            created.append(
                client.com.atproto.repo.create_record(
                    models.ComAtprotoRepoCreateRecord.Data(
                        repo=account.did,
                        collection="app.bsky.feed.post",
                        rkey=tid(time.time_ns() // 1000),
                        record=record,
                    )
                )
            )
        car = client.com.atproto.sync.get_repo(models.ComAtprotoSyncGetRepo.Params(did=account.did))
        stored = client.com.atproto.sync.get_blob(
            models.ComAtprotoSyncGetBlob.Params(did=account.did, cid=blob.cid.encode())
        )
    finally:
        client.request.close()
    export = tmp_path / "export"
    (export / "blobs").mkdir(parents=True)
    (export / "repo.car").write_bytes(car)
    (export / "blobs" / blob.cid.encode()).write_bytes(stored)

    from clarion.importers import Options
    from clarion.importers.bluesky_car import read

    (entry,) = read(export, Options(handle=account.handle)).entries
    assert [part.id for part in entry.parts] == [c.uri for c in created]
    assert [part.text for part in entry.parts] == ["Real one 🧵", "Real two", "Real three"]
    assert entry.parts[0].url.startswith(f"https://bsky.app/profile/{account.handle}/post/")
    assert entry.parts[0].media[0].alt == "A grey rectangle"

    proc = clarion("import", "bluesky-car", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "imported 1 post from 3 Bluesky posts (1 thread, 1 image)" in proc.stderr
    proc = clarion("validate", cwd=repo)
    assert proc.returncode == 0, proc.stdout
