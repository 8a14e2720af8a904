"""Fixtures of the Bluesky adapter's tests: each runs against the stand-in and the real PDS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.adapters.bluesky_fixtures import Backend, pds_backend, stand_in_backend


@pytest.fixture(params=["stand-in", pytest.param("pds", marks=pytest.mark.pds)])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "pds":
        yield from pds_backend(request)
    else:
        yield from stand_in_backend()


@pytest.fixture
def sandbox() -> Iterator[Backend]:
    """The stand-in alone, for the faults only it can make."""
    yield from stand_in_backend()
