"""twitter-text's conformance data, for the text-rule tests.

The data lives in shared/ beside the repository (SPEC: ../shared/data/
twitter-text/), read at test time and never copied in. Each case is its own
test (`conformance_cases`), named by its section and description, so one that
fails does not hide the others.

Where the data is missing the tests that need it are skipped, with the path;
with CLARION_REQUIRE_CONFORMANCE=1 (as in CI) that is a failure instead, so
they cannot be skipped unnoticed.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml

TWITTER_TEXT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "twitter-text"
REQUIRE_ENV = "CLARION_REQUIRE_CONFORMANCE"


@dataclass(frozen=True)
class Missing:
    """The one case collected in place of a data file's cases when it is missing."""

    path: Path


def unavailable(path: Path) -> NoReturn:
    reason = f"twitter-text conformance data not found at {path}"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 requires it)", pytrace=False)
    pytest.skip(reason)


@functools.cache
def _read(name: str) -> Any:
    """The file's content, or None if it is missing (decided at collection)."""
    path = TWITTER_TEXT_DATA / name
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    if name.endswith(".json"):
        return json.loads(text)
    # libyaml's loader where PyYAML has it: the same data, ten times faster (0.2 s
    # of each worker's collection).
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["tests"]  # noqa: S506 (a safe loader)


def _load(name: str) -> Any:
    data = _read(name)
    if data is None:
        unavailable(TWITTER_TEXT_DATA / name)
    return data


def conformance_cases(name: str, sections: Callable[[dict[str, Any]], Iterable[str]]) -> list[Any]:
    """`pytest.param((section, case))` for every case of the chosen sections of
    `name`, with the id "section: description"; one `Missing` case if the file is not there."""
    data = _read(name)
    if data is None:
        return [pytest.param(Missing(TWITTER_TEXT_DATA / name), id=f"{name} missing")]
    return [
        pytest.param((section, case), id=f"{section}: {case['description']}")
        for section in sorted(sections(data))
        for case in data[section]
    ]


@pytest.fixture(autouse=True)
def _conformance_data_present(request: pytest.FixtureRequest) -> None:
    """A `Missing` case skips, or fails under CLARION_REQUIRE_CONFORMANCE=1."""
    callspec = getattr(request.node, "callspec", None)
    for value in callspec.params.values() if callspec is not None else ():
        if isinstance(value, Missing):
            unavailable(value.path)


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
