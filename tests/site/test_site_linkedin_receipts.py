"""The archive site links a LinkedIn receipt only when it is a post's page on
LinkedIn itself (`receipt_url_allowed`), as the adapter writes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from clarion.networks import LinkedInAccount
from clarion.settings import Settings
from clarion.site.collect import receipt_url_allowed

SETTINGS = Settings(
    root=Path(), account_tables={"linkedin": LinkedInAccount("urn:li:organization:1")}
)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://www.linkedin.com/feed/update/urn:li:share:7400000000000000001/", True),
        ("https://www.linkedin.com/feed/update/urn:li:ugcPost:7400000000000000002/", True),
        ("https://linkedin.com/feed/update/urn:li:activity:7400000000000000003", True),
        ("http://www.linkedin.com/feed/update/urn:li:share:1/", False),
        ("https://www.linkedin.com.evil.example/feed/update/urn:li:share:1/", False),
        ("https://www.linkedin.com/feed/update/urn:li:share:1/?utm=x", False),
        ("https://www.linkedin.com@evil.example/feed/update/urn:li:share:1/", False),
        ("https://www.linkedin.com/company/example/", False),
        ("http://127.0.0.1:8000/feed/update/urn:li:share:1/", False),  # a sandbox receipt
    ],
)
def test_only_a_post_on_linkedin_is_linked(url: str, allowed: bool) -> None:
    assert receipt_url_allowed("linkedin", url, SETTINGS) is allowed
    assert receipt_url_allowed("linkedin", url, Settings(root=Path())) is allowed
