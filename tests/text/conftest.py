"""Fixtures of the text-rule tests: twitter-text's conformance data.

The data lives in shared/ beside the repository (SPEC: ../shared/data/
twitter-text/), read at test time and never copied in; a test that needs it is
skipped, with the path, when it is missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

TWITTER_TEXT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "twitter-text"


def _load(name: str) -> Any:
    path = TWITTER_TEXT_DATA / name
    if not path.is_file():
        pytest.skip(f"twitter-text conformance data not found at {path}")
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)["tests"]


@pytest.fixture(scope="session")
def validate_yml() -> dict[str, Any]:
    data: dict[str, Any] = _load("validate.yml")
    return data


@pytest.fixture(scope="session")
def extract_yml() -> dict[str, Any]:
    data: dict[str, Any] = _load("extract.yml")
    return data


@pytest.fixture(scope="session")
def v3_config() -> dict[str, Any]:
    data: dict[str, Any] = _load("v3.json")
    return data
