"""Fixtures for the site tests: the example repository (see siterepo.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.site.siterepo import make_repo, run_site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example repository's site, built once by the real command for the
    read-only tests."""
    base = tmp_path_factory.mktemp("built")
    repo = make_repo(base / "repo")
    out = base / "site"
    proc = run_site(repo, out)
    assert proc.returncode == 0, proc.stderr
    return out
