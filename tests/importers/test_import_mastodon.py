"""`clarion import mastodon-outbox`: Mastodon's export in, history on Mastodon out."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from clarion.commands.importing import run
from clarion.html_text import html_to_text
from clarion.post.frontmatter import load
from clarion.settings import load_settings
from tests.conftest import Run
from tests.importers.exports import (
    M_HELLO,
    M_IMAGE_ONLY,
    M_REPLY_OTHER,
    M_THREAD,
    M_UNLISTED,
    png,
    posts,
    sample_outbox,
    tree,
    write_mastodon_export,
    zip_folder,
)

ARCHIVE = "posts/archive/2023"
HELLO = f"{ARCHIVE}/2023-01-02-mastodon-{M_HELLO}.md"
THREAD = f"{ARCHIVE}/2023-01-03-mastodon-{M_THREAD}.md"
UNLISTED = f"{ARCHIVE}/2023-01-06-mastodon-{M_UNLISTED}.md"
IMAGE_ONLY = f"{ARCHIVE}/2023-01-07-mastodon-{M_IMAGE_ONLY}.md"


def test_round_trip_through_the_command(repo: Path, clarion: Run, tmp_path: Path) -> None:
    export = zip_folder(write_mastodon_export(tmp_path / "export"), tmp_path / "archive.zip")

    proc = clarion("import", "mastodon-outbox", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    summary = proc.stderr
    assert "imported 4 posts from 5 Mastodon posts (1 thread, 3 images)" in summary
    assert (
        "skipped 1 boost, 1 reply to others, 1 followers-only or direct post (kept private)"
        in summary
    )
    assert posts(repo) == [HELLO, THREAD, UNLISTED, IMAGE_ONLY]

    proc = clarion("validate", cwd=repo)
    assert proc.returncode == 0, proc.stdout
    proc = clarion("publish", "--dry-run", cwd=repo)
    assert proc.stdout.strip() == "nothing is due"

    before = tree(repo)
    proc = clarion("import", "mastodon-outbox", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert tree(repo) == before

    thread = repo / THREAD
    thread.write_text(
        thread.read_text(encoding="utf-8").replace(
            "platforms: [mastodon]", "platforms: [mastodon, bluesky]"
        ),
        encoding="utf-8",
    )
    proc = clarion("publish", "--dry-run", cwd=repo)
    due = [line for line in proc.stdout.splitlines() if "→" in line]
    assert due == [f"{THREAD} → Bluesky"]
    # The content warning goes first where there is no spoiler field; the image goes along.
    assert "| CW: Spoilers for the film" in proc.stdout
    assert f"image {M_THREAD}-aaaa.png (image/png, 4×3), alt: A grey square" in proc.stdout


def test_what_mastodon_showed(repo: Path, tmp_path: Path) -> None:
    run(load_settings(repo), "mastodon-outbox", write_mastodon_export(tmp_path / "e"))

    hello = load((repo / HELLO).read_bytes())
    assert hello.body == (
        "Hello & welcome to #clarion, @bob@other.example!\n"
        "\n"
        "Second paragraph\n"
        "next line https://example.org/a/very/long/path\n"
    )
    assert hello.data["lang"] == "en"
    assert hello.data["published"] == {
        "mastodon": [
            {
                "id": M_HELLO,
                "url": f"https://mastodon.example/@example/{M_HELLO}",
                "at": "2023-01-02T03:04:05Z",
            }
        ]
    }
    thread = load((repo / THREAD).read_bytes())
    assert thread.data["content_warning"] == "Spoilers for the film"
    assert thread.body == "A thread, part one\n\n---\n\nPart two\n\n- - -\n"
    assert [r["id"] for r in thread.data["published"]["mastodon"]] == [
        M_THREAD,
        "110000000000000003",
    ]
    text = (repo / THREAD).read_text(encoding="utf-8")
    assert "# part 2: image media/110000000000000003-bbbb.png kept, not attached" in text
    assert (repo / ARCHIVE / "media" / "110000000000000003-bbbb.png").read_bytes() == png(
        2, 2, 0x40
    )

    assert load((repo / UNLISTED).read_bytes()).data["mastodon"] == {"visibility": "unlisted"}
    image_only = load((repo / IMAGE_ONLY).read_bytes())
    assert image_only.body == "(image)\n"
    assert image_only.data["lang"] == "de"
    assert image_only.data["media"] == [
        {
            "path": f"media/{M_IMAGE_ONLY}-cccc.png",
            "alt": "Image imported from Mastodon without a description",
        }
    ]


def test_replies_to_others_on_request(repo: Path, tmp_path: Path) -> None:
    export = write_mastodon_export(tmp_path / "e")
    run(load_settings(repo), "mastodon-outbox", export, include_replies=True)
    reply = load((repo / ARCHIVE / f"2023-01-04-mastodon-{M_REPLY_OTHER}.md").read_bytes())
    assert reply.body == "@bob@other.example thanks!\n"
    # Followers-only posts stay out whatever is asked: the repository is not private.
    assert "Followers only" not in "".join(
        p.read_text(encoding="utf-8") for p in (repo / "posts").rglob("*.md")
    )


def test_the_outbox_alone_and_the_old_tar_gz(repo: Path, tmp_path: Path) -> None:
    folder = write_mastodon_export(tmp_path / "e")
    run(load_settings(repo), "mastodon-outbox", folder)
    expected = tree(repo / "posts")

    for number, target in enumerate([folder / "outbox.json", _tar(folder, tmp_path / "a.tar.gz")]):
        other = tmp_path / f"repo{number}"
        (other / "posts").mkdir(parents=True)
        (other / "pyproject.toml").write_text((repo / "pyproject.toml").read_text())
        assert run(load_settings(other), "mastodon-outbox", target) == 0
        assert tree(other / "posts") == expected


def _tar(folder: Path, target: Path, *, hostile: bool = False) -> Path:
    with tarfile.open(target, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                tar.add(path, path.relative_to(folder).as_posix())
        if hostile:
            info = tarfile.TarInfo("../escaped.txt")
            info.size = 4
            tar.addfile(info, io.BytesIO(b"nope"))
    return target


def test_a_hostile_tar_member_is_refused_cleanly(repo: Path, clarion: Run, tmp_path: Path) -> None:
    # The member is left out and named; the rest of the export imports.
    target = _tar(write_mastodon_export(tmp_path / "e"), tmp_path / "a.tar.gz", hostile=True)
    proc = clarion("import", "mastodon-outbox", str(target), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert 'refused, not read: member "../escaped.txt" leads outside the export' in proc.stderr
    assert "imported 4 posts" in proc.stderr
    assert not (tmp_path / "escaped.txt").exists()


def test_not_an_outbox(repo: Path, clarion: Run, tmp_path: Path) -> None:
    (tmp_path / "outbox.json").write_text(json.dumps({"type": "Person"}))
    proc = clarion("import", "mastodon-outbox", str(tmp_path), cwd=repo)
    assert proc.returncode == 2
    assert "outbox.json holds no orderedItems" in proc.stderr


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("<p>a<br>b<br/>c</p>", "a\nb\nc"),
        ("<p>5 &lt; 6 &amp;&amp; &quot;x&quot;</p>", '5 < 6 && "x"'),
        ('<p><a href="https://e.org/x" rel="nofollow">e.org/x</a></p>', "https://e.org/x"),
        ('<p><a href="https://i/tags/a" class="mention hashtag">#<span>A</span></a></p>', "#A"),
        (
            '<p><a href="https://o.example/@bob" class="u-url mention">@<span>bob</span></a></p>',
            "@bob",
        ),
        ("<p>one\ntwo</p>", "one two"),
        ("plain text", "plain text"),
        ("<p></p><p>x</p><p></p>", "x"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_a_mention_takes_the_domain_of_its_link() -> None:
    html = (
        '<p><a href="https://a.example/@sam" class="u-url mention">@<span>sam</span></a> '
        '<a href="https://b.example/@sam" class="u-url mention">@<span>sam</span></a></p>'
    )
    assert (
        html_to_text(html, ["@sam@a.example", "@sam@b.example"]) == "@sam@a.example @sam@b.example"
    )


def test_a_local_mention_keeps_its_instance(repo: Path, tmp_path: Path) -> None:
    """On its own server Mastodon shows a local account as `@pycon`; the archive
    leaves that server, so the post names `@pycon@mastodon.example`."""
    outbox = sample_outbox()
    item = outbox["orderedItems"][0]["object"]
    item["content"] = (
        '<p>See you at <span class="h-card"><a href="https://mastodon.example/@pycon" '
        'class="u-url mention">@<span>pycon</span></a></span>!</p>'
    )
    item["tag"] = [
        {"type": "Mention", "href": "https://mastodon.example/users/pycon", "name": "@pycon"}
    ]
    export = write_mastodon_export(tmp_path / "e")
    (export / "outbox.json").write_text(json.dumps(outbox), encoding="utf-8")
    run(load_settings(repo), "mastodon-outbox", export)
    hello = load((repo / HELLO).read_bytes())
    assert hello.body == "See you at @pycon@mastodon.example!\n"
