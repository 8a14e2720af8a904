"""The Mastodon token's scopes are one list: the registry's, covering every call the
adapter and `clarion watch` make, and quoted as it is wherever the documentation lists them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clarion import networks
from tests.conftest import ROOT

# What each Mastodon.py method the adapter calls needs (docs.joinmastodon.org/methods/).
SCOPE_OF_CALL = {
    "account_verify_credentials": "read:accounts",
    "account_statuses": "read:statuses",
    "status": "read:statuses",
    "status_source": "read:statuses",
    "status_post": "write:statuses",
    "status_update": "write:statuses",
    "status_delete": "write:statuses",
    "media_post": "write:media",
    "media": "write:media",  # GET /api/v1/media/:id, while it is processed
    "status_pin": "write:accounts",  # POST /api/v1/statuses/:id/pin
    "status_unpin": "write:accounts",
    "generate_media_edit_attributes": None,  # builds a request body; no call
}
# What each Mastodon route `clarion watch` reads needs (docs.joinmastodon.org/methods/).
SCOPE_OF_ROUTE = {
    "/api/v1/statuses": "read:statuses",  # GET ?id[]=, and /:id on servers before 4.3
    "/api/v1/statuses/": "read:statuses",
    "/api/v1/notifications": "read:notifications",  # its moderators' warnings
}
_ROUTE = re.compile(r'"(/api/v[12]/[a-z_/]+)')
_SCOPE = re.compile(r"\b(?:read|write|follow|push|admin)(?::[a-z_]+)+")
DOCS = sorted(p for p in (*ROOT.glob("*.md"), *ROOT.glob("posts/*.md")) if p.is_file())


def test_the_scopes_cover_every_call_the_adapter_and_the_watcher_make() -> None:
    called: set[str] = set()
    for source in (ROOT / "src" / "clarion" / "adapters").glob("mastodon*.py"):
        called.update(re.findall(r"\bapi\.([a-z_]+)\b", source.read_text(encoding="utf-8")))
    unknown = called - set(SCOPE_OF_CALL)
    assert not unknown, f"add the scope these calls need to SCOPE_OF_CALL: {unknown}"
    needed = {SCOPE_OF_CALL[call] for call in called} - {None}
    watched = set(_ROUTE.findall((ROOT / "src/clarion/watch/mastodon.py").read_text()))
    unknown = watched - set(SCOPE_OF_ROUTE)
    assert not unknown, f"add the scope these routes need to SCOPE_OF_ROUTE: {unknown}"
    needed |= {SCOPE_OF_ROUTE[route] for route in watched}
    scopes = set(networks.get("mastodon").token_scopes)
    assert needed <= scopes, f"the token also needs {needed - scopes}"
    known = {*SCOPE_OF_CALL.values(), *SCOPE_OF_ROUTE.values()}
    assert scopes <= known, "a scope no call of the adapter or the watcher needs"


@pytest.mark.parametrize("doc", DOCS, ids=[p.relative_to(ROOT).as_posix() for p in DOCS])
def test_the_documentation_lists_the_same_scopes(doc: Path) -> None:
    scopes = networks.get("mastodon").token_scopes
    listed = f"`{' '.join(scopes)}`"
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        found = _SCOPE.findall(line)
        if found:
            assert listed in line, f"{doc}:{number} lists {found}, not {listed}"
            assert set(found) == set(scopes), f"{doc}:{number}"


def test_the_readme_lists_them_in_both_tables() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = f"`{' '.join(networks.get('mastodon').token_scopes)}`"
    rows = [
        line
        for line in readme.splitlines()
        if line.startswith("|") and "CLARION_MASTODON_ACCESS_TOKEN" in line
    ]
    assert len(rows) == 2
    for row in rows:
        assert listed in row, row
