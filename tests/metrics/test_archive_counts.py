"""The likes and reposts an X archive holds become the first metrics lines of the
posts imported, dated when X made the archive; importing again adds none."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.conftest import Run
from tests.importers.exports import ACCOUNT_ID, USERNAME, tweet, write_x_archive

AT = dt.datetime(2019, 3, 4, 12, 0, tzinfo=dt.UTC)
FIRST, SECOND, THIRD = "1100000000000000101", "1100000000000000102", "1100000000000000103"
MANIFEST = 'window.__THAR_CONFIG = {"archiveInfo": {"generationDate": "2026-11-01T10:00:00.597Z"}}'


def archive(folder: Path, *, manifest: bool = True) -> Path:
    first = tweet(FIRST, "Our first release is out", AT)
    first["tweet"].update(favorite_count="42", retweet_count="7")
    second = tweet(
        SECOND,
        "More in the notes",
        AT + dt.timedelta(minutes=1),
        reply_to=(FIRST, ACCOUNT_ID, USERNAME),
    )
    second["tweet"].update(favorite_count="5", retweet_count="0")
    third = tweet(THIRD, "An old post without counts", AT + dt.timedelta(days=1))
    del third["tweet"]["favorite_count"], third["tweet"]["retweet_count"]
    written = write_x_archive(folder, [first, second, third], {})
    if manifest:
        (written / "data" / "manifest.js").write_text(MANIFEST, encoding="utf-8")
    return written


def test_an_archives_counts_are_the_first_lines(repo: Path, clarion: Run, tmp_path: Path) -> None:
    proc = clarion("import", "x-archive", str(archive(tmp_path / "x")), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert (
        "the likes and reposts of 2 X posts, as the export has them, are their first lines in "
        "metrics/2026-11.jsonl" in proc.stderr
    )
    file = repo / "metrics" / "2026-11.jsonl"
    lines = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines()]
    path = f"posts/archive/2019/2019-03-04-x-{FIRST}.md"
    assert lines == [
        {
            "network": "x",
            "path": path,
            "part": 0,
            "id": FIRST,
            "at": "2026-11-01T10:00:00Z",
            "likes": 42,
            "reposts": 7,
            "replies": None,
            "quotes": None,
            "views": None,
            "followers": None,
        },
        {
            "network": "x",
            "path": path,
            "part": 1,
            "id": SECOND,
            "at": "2026-11-01T10:00:00Z",
            "likes": 5,
            "reposts": 0,
            "replies": None,
            "quotes": None,
            "views": None,
            "followers": None,
        },
    ]
    before = file.read_bytes()
    again = clarion("import", "x-archive", str(archive(tmp_path / "x2")), cwd=repo)
    assert again.returncode == 0, again.stderr
    assert "first lines" not in again.stderr
    assert file.read_bytes() == before


def test_an_archive_that_does_not_say_when_is_dated_when_imported(
    repo: Path, clarion: Run, tmp_path: Path
) -> None:
    proc = clarion("import", "x-archive", str(archive(tmp_path / "x", manifest=False)), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    [file] = (repo / "metrics").glob("*.jsonl")
    lines = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines()]
    today = dt.datetime.now(dt.UTC)
    assert {line["at"][:7] for line in lines} <= {
        f"{today:%Y-%m}",
        f"{today + dt.timedelta(minutes=5):%Y-%m}",
    }
    assert file.name == f"{lines[0]['at'][:7]}.jsonl"
