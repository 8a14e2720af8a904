"""The example posts: every negative example fails with its code and line, every
positive one passes, and one broken file never stops the others being checked.

Adding a case is adding a folder under examples/negative/ (post.md and
expected.json) or a file under examples/positive/.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests import forkrun
from tests.conftest import EXAMPLES, Run, copy_examples

NEGATIVE = sorted(p.name for p in (EXAMPLES / "negative").iterdir() if p.is_dir())
POSITIVE = sorted(p.name for p in (EXAMPLES / "positive").glob("*.md"))


def _png(size: int) -> bytes:
    """A valid 1x1 PNG padded with a private ancillary chunk to `size` bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    tail = chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00")) + chunk(b"IEND", b"")
    pad = size - len(head) - len(tail) - 12
    return head + chunk(b"prVt", b"\0" * max(pad, 0)) + tail


def _generate(case: Path, recipe: dict[str, Any]) -> None:
    if "png" in recipe:
        (case / recipe["png"]).write_bytes(_png(recipe["bytes"]))
    if "pad_to" in recipe:
        post = case / "post.md"
        text = post.read_bytes()
        post.write_bytes(text + b"padding " * ((recipe["pad_to"] - len(text)) // 8 + 1))


@pytest.fixture
def negative_repo(repo: Path) -> Path:
    copy_examples("negative", repo / "posts")
    (repo.parent / "outside.png").write_bytes(_png(100))
    for case in (repo / "posts").iterdir():
        expected = json.loads((case / "expected.json").read_text())
        _generate(case, expected.get("generate", {}))
    return repo


@pytest.fixture(scope="module")
def negative_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """All negative examples checked in one run of `clarion validate --format json`."""

    from tests.conftest import PYPROJECT

    root = tmp_path_factory.mktemp("neg") / "repo"
    (root / "posts").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    copy_examples("negative", root / "posts")
    (root.parent / "outside.png").write_bytes(_png(100))
    for case in (root / "posts").iterdir():
        _generate(case, json.loads((case / "expected.json").read_text()).get("generate", {}))
    proc = forkrun.run(["validate", "--format", "json"], cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


@pytest.mark.parametrize("case", NEGATIVE)
def test_negative_example_fails_with_file_and_line(
    case: str, negative_report: dict[str, Any]
) -> None:
    expected = json.loads((EXAMPLES / "negative" / case / "expected.json").read_text())
    posts = {p["path"]: p for p in negative_report["posts"]}
    post = posts[f"posts/{case}/post.md"]
    assert not post["ok"]
    errors = [p for p in post["problems"] if p["severity"] == "error"]
    codes = [(p["code"], p["line"]) for p in errors]
    assert (expected["code"], expected["line"]) in codes, errors
    for problem in errors:
        assert problem["message"]


def test_every_negative_example_was_checked(negative_report: dict[str, Any]) -> None:
    """One run reports on every file: a broken one never stops the rest."""
    assert len(negative_report["posts"]) == len(NEGATIVE)


@pytest.mark.parametrize("case", POSITIVE)
def test_positive_example_passes(case: str, repo: Path, clarion: Run) -> None:
    copy_examples("positive", repo / "posts")
    proc = clarion("validate", f"posts/{case}", "--format", "json", cwd=repo)
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, report
    assert report["ok"]


def test_text_output_names_file_and_line(negative_repo: Path, clarion: Run) -> None:
    proc = clarion("validate", "posts/unknown-key", cwd=negative_repo)
    assert proc.returncode == 1
    assert (
        "posts/unknown-key/post.md:3:1: error[unknown-key]: unknown key 'platfroms'" in proc.stdout
    )
    assert "Traceback" not in proc.stderr
