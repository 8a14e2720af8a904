"""Paths inside an export stay inside it (SPEC guarantee 4).

An export is untrusted: an attachment's address, a zip or tar member's name and
a link in the folder it unpacks to can each point outside it. Nothing outside is
ever read: what points there is refused and named in the summary (and, for an
attachment, in its post's comments), and the rest of the export imports.

Each case puts a private image next to the export, where `../x/private.png`
from the export's top reaches it, and then looks for its bytes in the repository.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.importers.exports import (
    B_THREAD,
    M_MEDIA,
    T_THREAD,
    attachment,
    note,
    png,
    posts,
    sample_outbox,
    sample_x_archive,
    write_bluesky_export,
    write_mastodon_export,
    zip_folder,
)

PRIVATE = png(5, 5, 0x11)  # bytes found nowhere else, to look for in the repository
M_HOSTILE = "110000000000000009"
HOSTILE = f"posts/archive/2023/2023-01-08-mastodon-{M_HOSTILE}.md"
M_THREAD_FILE = "posts/archive/2023/2023-01-03-mastodon-110000000000000002.md"
AAAA = next(iter(M_MEDIA))  # the first part's image of the sample thread
X_THREAD_FILE = f"posts/archive/2019/2019-03-05-x-{T_THREAD}.md"
B_THREAD_FILE = f"posts/archive/2024/2024-02-04-bluesky-{B_THREAD}.md"


def _private(tmp_path: Path) -> Path:
    path = tmp_path / "x" / "private.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PRIVATE)
    return path


def _copied(repo: Path) -> list[str]:
    return [
        p.relative_to(repo).as_posix()
        for p in repo.rglob("*")
        if p.is_file() and p.read_bytes() == PRIVATE
    ]


def _mastodon_export(folder: Path, url: str) -> Path:
    """The sample export, and one more post whose attachment's address is `url`."""
    write_mastodon_export(folder)
    outbox = sample_outbox()
    outbox["orderedItems"].append(
        note(
            M_HOSTILE,
            "<p>Look</p>",
            dt.datetime(2023, 1, 8, tzinfo=dt.UTC),
            attachments=[attachment(url, "A private picture")],
        )
    )
    (folder / "outbox.json").write_text(json.dumps(outbox), encoding="utf-8")
    return folder


def _imported_the_rest(stderr: str) -> None:
    assert "imported 5 posts from 6 Mastodon posts (1 thread, 3 images)" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    "url",
    [
        "/../x/private.png",
        "../x/private.png",
        "/media_attachments/../../x/private.png",
        "/system/media_attachments/files/../../../../x/private.png",
        "/%2e%2e/x/private.png",
        "%2E%2E%2Fx%2Fprivate.png",
        "..\\x\\private.png",
        "/media_attachments\\..\\..\\x\\private.png",
        "https://files.mastodon.example/../x/private.png",
    ],
)
def test_an_attachment_address_that_leaves_the_export_is_refused(
    repo: Path, clarion: Run, tmp_path: Path, url: str
) -> None:
    _private(tmp_path)
    export = _mastodon_export(tmp_path / "export", url)

    proc = clarion("import", "mastodon-outbox", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert _copied(repo) == []
    _imported_the_rest(proc.stderr)
    assert HOSTILE in posts(repo)
    shown = json.dumps(url)
    refusal = f"refused, not read: {HOSTILE}: image {shown} leads outside the export"
    assert refusal in proc.stderr
    text = (repo / HOSTILE).read_text(encoding="utf-8")
    assert "media:" not in text
    assert f'# image not kept: {shown} leads outside the export, alt "A private picture"' in text


@pytest.mark.parametrize("absolute", [True, False])
def test_an_absolute_address_is_looked_for_inside_the_export(
    repo: Path, clarion: Run, tmp_path: Path, absolute: bool
) -> None:
    # Mastodon's addresses start with "/": the top of the export, never of the machine.
    private = _private(tmp_path)
    url = str(private) if absolute else private.as_uri()
    export = _mastodon_export(tmp_path / "export", url)

    proc = clarion("import", "mastodon-outbox", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert _copied(repo) == []
    _imported_the_rest(proc.stderr)
    text = (repo / HOSTILE).read_text(encoding="utf-8")
    assert '# image not in the export, alt "A private picture"' in text


@pytest.mark.parametrize("member", ["../x/private.png", "..\\x\\private.png"])
def test_a_zip_member_named_outside_the_export_is_refused(
    repo: Path, clarion: Run, tmp_path: Path, member: str
) -> None:
    export = zip_folder(_mastodon_export(tmp_path / "export", member), tmp_path / "e.zip")
    with zipfile.ZipFile(export, "a") as archive:
        archive.writestr(zipfile.ZipInfo(member), PRIVATE)

    proc = clarion("import", "mastodon-outbox", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert _copied(repo) == []
    _imported_the_rest(proc.stderr)
    shown = json.dumps(member)
    assert f"refused, not read: member {shown} leads outside the export" in proc.stderr
    assert f"refused, not read: {HOSTILE}: image {shown} leads outside the export" in proc.stderr


def test_x_archive_zip_members_named_outside_it_are_refused(
    repo: Path, clarion: Run, tmp_path: Path
) -> None:
    export = zip_folder(sample_x_archive(tmp_path / "a"), tmp_path / "a.zip")
    hostile = [
        f"data/tweets_media/../../../x/{T_THREAD}-grey.png",
        "/etc/private.png",
        "..\\..\\private.png",
        "C:/private.png",
    ]
    with zipfile.ZipFile(export, "a") as archive:
        for name in hostile:
            archive.writestr(zipfile.ZipInfo(name), PRIVATE)

    proc = clarion("import", "x-archive", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _copied(repo) == []
    assert "(1 thread, 3 images)" in proc.stderr  # every image of the archive itself
    for name in hostile:
        assert f"refused, not read: member {json.dumps(name)} leads outside the export" in (
            proc.stderr
        )


def _link(path: Path, target: Path) -> None:
    path.unlink()
    path.symlink_to(target)


def test_a_link_out_of_a_mastodon_folder_is_refused(
    repo: Path, clarion: Run, tmp_path: Path
) -> None:
    private = _private(tmp_path)
    export = write_mastodon_export(tmp_path / "export")
    _link(export / AAAA, private)

    proc = clarion("import", "mastodon-outbox", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _copied(repo) == []
    assert "imported 4 posts from 5 Mastodon posts (1 thread, 2 images)" in proc.stderr
    shown = json.dumps("/" + AAAA)
    assert (
        f"refused, not read: {M_THREAD_FILE}: part 1: image {shown} is a link to outside the export"
        in proc.stderr
    )


def test_a_linked_folder_out_of_a_mastodon_export_is_refused(
    repo: Path, clarion: Run, tmp_path: Path
) -> None:
    export = write_mastodon_export(tmp_path / "export")
    outside = tmp_path / "elsewhere"
    shutil.move(export / "media_attachments", outside)
    (export / "media_attachments").symlink_to(outside, target_is_directory=True)

    proc = clarion("import", "mastodon-outbox", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "(1 thread, 0 images)" in proc.stderr
    assert not (repo / "posts" / "archive" / "2023" / "media").exists()
    assert "is a link to outside the export" in proc.stderr


def test_a_link_that_stays_inside_the_folder_is_followed(
    repo: Path, clarion: Run, tmp_path: Path
) -> None:
    export = write_mastodon_export(tmp_path / "export")
    (export / "kept.png").write_bytes((export / AAAA).read_bytes())
    _link(export / AAAA, Path(os.path.relpath(export / "kept.png", (export / AAAA).parent)))

    proc = clarion("import", "mastodon-outbox", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "(1 thread, 3 images)" in proc.stderr
    assert "refused" not in proc.stderr


def test_a_link_out_of_an_x_folder_is_refused(repo: Path, clarion: Run, tmp_path: Path) -> None:
    private = _private(tmp_path)
    export = sample_x_archive(tmp_path / "a")
    member = f"data/tweets_media/{T_THREAD}-grey.png"
    _link(export / member, private)

    proc = clarion("import", "x-archive", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _copied(repo) == []
    assert "(1 thread, 2 images)" in proc.stderr
    assert f"refused, not read: member {json.dumps(member)} is a link to outside the export" in (
        proc.stderr
    )
    assert '# part 1: image not in the export, alt "A grey square"' in (
        repo / X_THREAD_FILE
    ).read_text(encoding="utf-8")


def test_an_x_data_file_linked_from_outside_is_refused(
    repo: Path, clarion: Run, tmp_path: Path
) -> None:
    export = sample_x_archive(tmp_path / "a")
    outside = tmp_path / "account.js"
    shutil.move(export / "data" / "account.js", outside)
    (export / "data" / "account.js").symlink_to(outside)

    proc = clarion("import", "x-archive", str(export), cwd=repo)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert '"data/account.js" is a link to outside the export' in proc.stderr


def test_a_blob_linked_from_outside_a_bluesky_folder_is_refused(
    repo: Path, clarion: Run, tmp_path: Path
) -> None:
    private = _private(tmp_path)
    export = write_bluesky_export(tmp_path / "export")
    blob = next((export / "blobs").iterdir())
    _link(blob, private)

    proc = clarion("import", "bluesky-car", str(export), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _copied(repo) == []
    assert "imported 4 posts from 5 Bluesky posts (1 thread, 0 images)" in proc.stderr
    member = json.dumps(f"blobs/{blob.name}")
    assert f"refused, not read: member {member} is a link to outside the export" in proc.stderr
    assert '# part 1: image not in the export, alt "A grey square"' in (
        repo / B_THREAD_FILE
    ).read_text(encoding="utf-8")


def test_links_and_climbing_names_in_a_tar_are_refused(
    repo: Path, clarion: Run, tmp_path: Path
) -> None:
    private = _private(tmp_path)
    folder = write_mastodon_export(tmp_path / "export")
    target = tmp_path / "export.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path != folder / AAAA:
                tar.add(path, path.relative_to(folder).as_posix())
        link = tarfile.TarInfo(AAAA)
        link.type = tarfile.SYMTYPE
        link.linkname = str(private)
        tar.addfile(link)
        hard = tarfile.TarInfo("media_attachments/hard.png")
        hard.type = tarfile.LNKTYPE
        hard.linkname = "../x/private.png"
        tar.addfile(hard)
        climbing = tarfile.TarInfo("../escaped.txt")
        climbing.size = 4
        tar.addfile(climbing, io.BytesIO(b"nope"))

    proc = clarion("import", "mastodon-outbox", str(target), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _copied(repo) == []
    assert not (tmp_path / "escaped.txt").exists()
    assert "imported 4 posts from 5 Mastodon posts (1 thread, 2 images)" in proc.stderr
    for refusal in [
        f"member {json.dumps(AAAA)} is a link, which is not followed",
        'member "media_attachments/hard.png" is a link, which is not followed',
        'member "../escaped.txt" leads outside the export',
    ]:
        assert f"refused, not read: {refusal}" in proc.stderr
