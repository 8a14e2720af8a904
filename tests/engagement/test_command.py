"""The real `clarion engagement` on the hand-made set (data/repo): its three
formats byte for byte (golden files), --since, and lines that are not metrics
lines reported by file:line, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.golden import assert_golden

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
UNMATCHED = (
    "warning: 1 post(s) counted in metrics/ are in no post file under posts/ now "
    "(deleted, or their receipts removed): left out\n"
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(HERE / "data" / "repo", root)
    return root


@pytest.mark.parametrize(
    ("args", "golden"),
    [
        (("--format", "text"), "text.txt"),
        ((), "text.txt"),
        (("--format", "json"), "json.json"),
        (("--format", "csv"), "csv.csv"),
        (("--since", "2026-02-05", "--format", "csv"), "since.csv"),
        (("--since", "2026-02-05"), "since.txt"),
    ],
)
def test_each_format(clarion: Run, repo: Path, args: tuple[str, ...], golden: str) -> None:
    proc = clarion("engagement", *args, cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == UNMATCHED
    assert_golden(proc.stdout, GOLDEN / golden)


def test_json_has_exactly_the_documented_keys(clarion: Run, repo: Path) -> None:
    proc = clarion("engagement", "--format", "json", cwd=repo)
    found = json.loads(proc.stdout)
    assert list(found) == ["networks"]
    figures = {
        "posts",
        "median_likes",
        "median_reposts",
        "median_replies",
        "median_likes_per_1000_followers",
        "with_link",
        "without_link",
    }
    for network in found["networks"].values():
        assert set(network) == figures | {"by_month"}
        assert (
            set(network["with_link"]) == set(network["without_link"]) == {"posts", "median_likes"}
        )
        for month, group in network["by_month"].items():
            assert len(month) == 7
            assert set(group) == figures


def test_bad_lines_are_named_and_skipped(clarion: Run, repo: Path) -> None:
    february = repo / "metrics" / "2026-02.jsonl"
    rows = february.read_text().splitlines(keepends=True)
    rows.insert(1, "<<<<<<< HEAD\n")
    rows.insert(3, '{"network": "x", "part": 0, "id": "2001", "at": "yesterday"}\n')
    february.write_text("".join(rows))
    (repo / "metrics" / "2026-04.jsonl").write_bytes(b'{"network": "x\xff"}\n')
    proc = clarion("engagement", "--format", "json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[:3] == [
        "warning: metrics/2026-02.jsonl:2: not JSON (Expecting value at column 1); the line is "
        "skipped (fix or delete it: each line is one JSON object, as clarion metrics writes)",
        'warning: metrics/2026-02.jsonl:4: "path" must be the post file, e.g. "posts/2026/cfp.md"; '
        "the line is skipped (fix or delete it: each line is one JSON object, as clarion "
        "metrics writes)",
        "warning: metrics/2026-04.jsonl:1: not UTF-8 text (byte 15); the line is skipped (fix or "
        "delete it: each line is one JSON object, as clarion metrics writes)",
    ]
    # The good lines still count: the same figures as without the bad ones.
    assert proc.stdout == (GOLDEN / "json.json").read_text()


def test_no_metrics_yet(clarion: Run, repo: Path) -> None:
    shutil.rmtree(repo / "metrics")
    proc = clarion("engagement", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "No counts to compare yet: `clarion metrics` writes them" in proc.stdout
    assert "there are no metrics lines in metrics/ yet" in proc.stderr
    shown = json.loads(clarion("engagement", "--format", "json", cwd=repo).stdout)
    assert {n: v["posts"] for n, v in shown["networks"].items()} == {
        "bluesky": 0,
        "mastodon": 0,
        "x": 0,
    }


@pytest.mark.parametrize("since", ["last week", "2026-13-01", "2026-02-30", "26-01-01"])
def test_a_date_that_is_not_one_is_a_usage_error(clarion: Run, repo: Path, since: str) -> None:
    proc = clarion("engagement", "--since", since, cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"clarion: --since {since!r} is not a date: write it as YYYY-MM-DD "
        "(e.g. --since 2026-01-01) or YYYY-MM\n"
    )
