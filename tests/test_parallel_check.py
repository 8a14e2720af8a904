"""A big tree (past `PARALLEL_THRESHOLD` posts) is checked by forked workers,
after one process has loaded every rule's patterns: the report is the one a
single process gives, post for post and byte for byte."""

from __future__ import annotations

import importlib.util
import io
import random
from pathlib import Path

import pytest

from clarion.check.checks import PARALLEL_THRESHOLD, check_post
from clarion.check.reporters import get
from clarion.check.result import CheckResult
from clarion.post import discover, read_post
from clarion.settings import load_settings
from tests.conftest import ROOT, Run


def _bench() -> object:
    spec = importlib.util.spec_from_file_location(
        "bench_validate", ROOT / "scripts" / "bench_validate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_workers_report_what_one_process_reports(repo: Path, clarion: Run) -> None:
    bench = _bench()
    rnd = random.Random(7)  # noqa: S311 (reproducible test data)
    posts = repo / "posts"
    for index in range(PARALLEL_THRESHOLD + 20):
        folder = posts / str(2000 + index % 7)
        folder.mkdir(exist_ok=True)
        text = bench.make_post(rnd, index)  # type: ignore[attr-defined]
        (folder / f"post-{index:05d}.md").write_text(text, encoding="utf-8")
    (posts / "broken.md").write_text("---\nlang: [en\n---\nBroken.\n", encoding="utf-8")
    (posts / "other.md").write_text(
        "---\nplatforms: [threads, linkedin, discourse]\n---\nEveryone @else #Tag 🎉\n",
        encoding="utf-8",
    )
    proc = clarion("validate", "--format", "json", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    settings = load_settings(repo)
    one = [check_post(read_post(path, repo), settings) for path in discover(posts, repo)]
    expected = io.StringIO()
    get("json")(CheckResult(one), expected)
    assert proc.stdout == expected.getvalue()
