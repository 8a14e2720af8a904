"""`clarion metrics --sandbox` and `clarion watch --sandbox`: in a repository made by
`clarion init`, each publishes the example post to the stand-ins as `publish
--sandbox` does, makes something happen there (counts and followers moved; posts
hidden, labelled, marked sensitive and deleted), reads it back with the real
metrics and watch code, prints what it would write or report, and changes no
file. Run as the real command, in a process of its own."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests import forkrun
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "sandbox_reads"
POST = "posts/example.md"  # clarion init's example: a thread of two parts, to every network


def clarion(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARION_", "GITHUB_"))}
    return forkrun.run(args, cwd=repo, env=env)


def files(repo: Path) -> dict[str, bytes]:
    """Every file of the work tree (not .git) and its bytes."""
    return {
        path.relative_to(repo).as_posix(): path.read_bytes()
        for path in sorted(repo.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(repo).parts
    }


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A repository as `clarion init` leaves it, and its files before any run."""
    root = tmp_path_factory.mktemp("sandbox-reads") / "announcements"
    done = clarion(root.parent, "init", str(root))
    assert done.returncode == 0, done.stderr
    return root, files(root)


def test_metrics_prints_the_lines_it_would_write_and_writes_none(
    repo: tuple[Path, dict[str, bytes]],
) -> None:
    root, before = repo
    done = clarion(root, "metrics", "--sandbox", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "then moving their counts and followers there and reading them" in done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    # A line for each part published (first read), its counts and followers as the
    # sandbox moved them: the same on every run, only the ids and times differ.
    ids = {}
    for line in report["lines"]:
        ids[line["id"]] = f"<{line['network']} part {line['part']}>"
        assert line["at"] == report["at"]
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    for real, name in ids.items():
        text = text.replace(json.dumps(real), json.dumps(name))
    text = re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "<time>", text)
    text = re.sub(r"metrics/\d{4}-\d{2}\.jsonl", "metrics/<month>.jsonl", text)
    assert_golden(text, GOLDEN / "metrics.json")
    assert files(root) == before
    assert not (root / "metrics").exists()


def test_metrics_text_says_it_would_write_them(repo: tuple[Path, dict[str, bytes]]) -> None:
    root, before = repo
    done = clarion(root, "metrics", "--sandbox")
    assert done.returncode == 0, done.stderr
    said = done.stdout.splitlines()
    [head] = [n for n, line in enumerate(said) if line.startswith("would write 10 lines to")]
    assert said[head].endswith(".jsonl (nothing is written):")
    written = [json.loads(line) for line in said[head + 1 :]]
    assert [(x["network"], x["path"], x["part"]) for x in written] == [
        (network, POST, part)
        for network, parts in [
            ("bluesky", 2),
            ("mastodon", 2),
            ("x", 2),
            ("threads", 2),
            ("linkedin", 1),  # a thread is one post on LinkedIn
            ("discourse", 1),  # and one topic on a forum
        ]
        for part in range(parts)
    ]
    assert "Discourse: 1 part(s) due, 1 read, 1 line(s) written" in said
    assert files(root) == before


def test_watch_reports_what_the_platforms_did_and_keeps_nothing(
    repo: tuple[Path, dict[str, bytes]],
) -> None:
    root, before = repo
    done = clarion(root, "watch", "--sandbox", "--format", "json")
    assert done.returncode == 1, done.stderr  # something new, as the real run says
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    assert [
        (f["network"], f["path"], f["part"], f["kind"], f["new"]) for f in report["findings"]
    ] == [
        ("bluesky", POST, 0, "hidden", True),
        ("bluesky", POST, 1, "labelled", True),
        ("mastodon", POST, 0, "sensitive", True),
        ("x", POST, 0, "deleted", True),
    ]
    # What the sandbox did is said on stderr, beside what was watched.
    assert f"sandbox: Bluesky: {POST}, part 1: hidden by the AppView" in done.stderr
    assert f"sandbox: X: {POST}, part 1: deleted on X, outside Clarion" in done.stderr
    assert "Discourse: 1 published part(s) looked at" in done.stderr
    assert files(root) == before
    assert not (root / "metrics" / "watch.json").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("watch", "--sandbox", "--issue"),
            "argument --issue: not allowed with argument --sandbox",
        ),
        (("watch", "--sandbox", "--format", "github"), "--sandbox writes no file"),
        (("metrics", "--sandbox", "--commit"), "argument --commit: not allowed with argument"),
    ],
)
def test_what_would_write_or_reach_github_is_refused(
    repo: tuple[Path, dict[str, bytes]], args: tuple[str, ...], said: str
) -> None:
    root, before = repo
    done = clarion(root, *args)
    assert done.returncode == 2
    assert said in done.stderr
    assert "Publishing" not in done.stderr  # refused before anything started
    assert files(root) == before
