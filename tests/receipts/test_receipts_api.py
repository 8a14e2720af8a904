"""record_receipt and friends on real files: the file's mode, atomic replacement,
and the refusals that keep a receipt from being lost silently."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from clarion.adapters.base import Receipt
from clarion.errors import ClarionError
from clarion.post import frontmatter
from clarion.post.receipts import (
    ReceiptError,
    format_time,
    record_edit,
    record_receipt,
    record_retraction,
)
from tests.unprivileged import without_root_file_access

AT = dt.datetime(2026, 12, 1, 15, 0, 5, tzinfo=dt.UTC)
POST = "---\nplatforms: [x]\n---\nPart one.\n---\nPart two.\n"


def x_receipt(n: int, at: dt.datetime = AT) -> Receipt:
    return Receipt(at=at, id=str(n), url=f"https://x.com/example/status/{n}")


def unknown(at: dt.datetime = AT) -> Receipt:
    return Receipt(at=at, outcome="unknown")


def published(path: Path) -> object:
    return frontmatter.load(path.read_bytes()).data.get("published")


@pytest.fixture
def post(tmp_path: Path) -> Path:
    path = tmp_path / "post.md"
    path.write_text(POST)
    return path


def test_format_time() -> None:
    assert format_time(AT) == "2026-12-01T15:00:05Z"
    local = dt.datetime(2026, 12, 1, 16, 0, 5, 999_999, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert format_time(local) == "2026-12-01T15:00:05Z"
    assert format_time(dt.datetime(2026, 12, 1, 15, 0, 5)) == "2026-12-01T15:00:05Z"  # naive is UTC


def test_keeps_mode_and_leaves_no_temporary_file(post: Path) -> None:
    post.chmod(0o640)
    record_receipt(post, "x", 0, x_receipt(1))
    assert stat.S_IMODE(post.stat().st_mode) == 0o640
    assert sorted(p.name for p in post.parent.iterdir()) == ["post.md"]


def test_replaces_the_file_atomically(post: Path) -> None:
    """A reader holding the old file keeps reading the old bytes: the new file is a
    new inode put in place by rename, never the old one rewritten in place."""
    with post.open("rb") as reader:
        record_receipt(post, "x", 0, x_receipt(1))
        assert reader.read() == POST.encode()
    assert published(post) == {
        "x": [{"id": "1", "url": "https://x.com/example/status/1", "at": "2026-12-01T15:00:05Z"}]
    }


def test_never_writes_through_a_symlink(tmp_path: Path, post: Path) -> None:
    """A link could lead anywhere (outside the repository): receipts go into
    regular files only, and the refusal says what to record by hand."""
    link = tmp_path / "link.md"
    link.symlink_to(post)
    with pytest.raises(ReceiptError, match="symbolic link") as raised:
        record_receipt(link, "x", 0, x_receipt(1))
    assert "https://x.com/example/status/1" in raised.value.message
    assert link.is_symlink()
    assert post.read_text() == POST


def test_never_writes_into_a_pipe(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.md"
    os.mkfifo(pipe)
    with pytest.raises(ReceiptError, match="not a regular file"):
        record_receipt(pipe, "x", 0, x_receipt(1))


def test_gap_is_refused_and_the_receipt_is_in_the_message(post: Path) -> None:
    with pytest.raises(ReceiptError) as caught:
        record_receipt(post, "x", 1, x_receipt(1864012345678901234))
    message = caught.value.message
    assert "part 2 but only 0 part(s) have receipts" in message
    assert 'id: "1864012345678901234"' in message
    assert "url: https://x.com/example/status/1864012345678901234" in message
    assert "at: 2026-12-01T15:00:05Z" in message
    assert isinstance(caught.value, ClarionError)
    assert caught.value.exit_code == 1
    assert post.read_text() == POST


def test_a_different_receipt_is_never_overwritten(post: Path) -> None:
    record_receipt(post, "x", 0, x_receipt(1))
    before = post.read_bytes()
    with pytest.raises(ReceiptError, match="already has a different receipt"):
        record_receipt(post, "x", 0, x_receipt(2))
    with pytest.raises(ReceiptError, match="already has a different receipt"):
        record_receipt(post, "x", 0, unknown())
    assert post.read_bytes() == before


def test_the_same_post_found_again_keeps_the_first_record(post: Path) -> None:
    """An adapter that recovers a lost receipt reports a later time: no change."""
    record_receipt(post, "x", 0, x_receipt(1))
    before = post.read_bytes()
    record_receipt(post, "x", 0, x_receipt(1, AT + dt.timedelta(minutes=5)))
    assert post.read_bytes() == before


def test_unknown_is_replaced_by_the_real_receipt(post: Path) -> None:
    record_receipt(post, "x", 0, unknown())
    assert published(post) == {"x": [{"outcome": "unknown", "at": "2026-12-01T15:00:05Z"}]}
    record_receipt(post, "x", 0, x_receipt(1))
    assert published(post) == {
        "x": [{"id": "1", "url": "https://x.com/example/status/1", "at": "2026-12-01T15:00:05Z"}]
    }


def test_receipt_without_url_is_refused(post: Path) -> None:
    with pytest.raises(ReceiptError, match="needs an id and a url"):
        record_receipt(post, "x", 0, Receipt(at=AT, id="1"))
    with pytest.raises(ReceiptError, match="needs an id and a url"):
        record_receipt(post, "x", 0, Receipt(at=AT, outcome="lost"))
    assert post.read_text() == POST


def test_extra_is_never_written(post: Path) -> None:
    receipt = Receipt(
        at=AT,
        id="at://did:plc:abc/app.bsky.feed.post/3l1",
        url="https://bsky.app/x",
        extra={"cid": "bafyrei"},
    )
    record_receipt(post, "bluesky", 0, receipt)
    assert "bafyrei" not in post.read_text()
    assert "cid" not in post.read_text()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("No front matter at all.\n", "front matter"),
        ("---\nplatforms: [x\n---\nUnclosed flow list.\n", "not valid YAML"),
        ("---\nplatforms: [x]\n", "not closed"),
        ("---\n- a list\n---\nNot a mapping.\n", "it must be keys and values"),
        ("---\npublished: [x]\n---\nA list of receipts.\n", "not a mapping of networks"),
        ("---\npublished:\n  x: {id: '1'}\n---\nA mapping.\n", "is not a list"),
    ],
)
def test_unreadable_front_matter_is_refused(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "post.md"
    path.write_text(text)
    with pytest.raises(ReceiptError, match=why) as caught:
        record_receipt(path, "x", 0, x_receipt(7))
    assert "Add it by hand" in caught.value.message
    assert path.read_text() == text


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReceiptError, match="could not read the post"):
        record_receipt(tmp_path / "gone.md", "x", 0, x_receipt(7))


def test_unwritable_folder_is_refused(post: Path) -> None:
    post.parent.chmod(0o500)
    try:
        without_root_file_access(_refused_in_an_unwritable_folder, post)
    finally:
        post.parent.chmod(0o700)
    assert post.read_text() == POST


def _refused_in_an_unwritable_folder(post: Path) -> None:
    with pytest.raises(ReceiptError, match="could not write the post"):
        record_receipt(post, "x", 0, x_receipt(7))


def test_retraction_keeps_the_first_time_and_edit_the_last(post: Path) -> None:
    record_receipt(post, "x", 0, x_receipt(1))
    record_receipt(post, "x", 1, x_receipt(2))
    record_retraction(post, "x", AT + dt.timedelta(hours=1), index=1)
    record_retraction(post, "x", AT + dt.timedelta(hours=2))
    record_edit(post, "x", 0, AT + dt.timedelta(minutes=1))
    record_edit(post, "x", 0, AT + dt.timedelta(minutes=2))
    entries = published(post)["x"]  # type: ignore[index]
    assert [e.get("retracted") for e in entries] == ["2026-12-01T17:00:05Z", "2026-12-01T16:00:05Z"]
    assert [e.get("edited") for e in entries] == ["2026-12-01T15:02:05Z", None]


def test_retraction_needs_something_published(post: Path) -> None:
    with pytest.raises(ReceiptError, match="nothing was published on x"):
        record_retraction(post, "x", AT)
    record_receipt(post, "x", 0, x_receipt(1))
    with pytest.raises(ReceiptError, match="there is no part 2 on x"):
        record_edit(post, "x", 1, AT)
