"""A post published to all six networks' stand-ins, and `clarion metrics` while
LinkedIn's server fails and Threads refuses the token: every other network's
lines are written, and each failure is named."""

from __future__ import annotations

from pathlib import Path

from clarion.sandbox.server import Fault
from tests.metrics.newnets import published

EVERYWHERE = """\
---
platforms: [bluesky, mastodon, x, threads, linkedin, discourse]
title: Our spring sprint starts on Monday
lang: en
---
Our spring sprint starts on Monday, in person or online. Everyone is welcome.
"""


def test_failing_new_networks_leave_the_others_lines_written(tmp_path: Path) -> None:
    with published(tmp_path, {"2026/sprint.md": EVERYWHERE}) as metrics:
        linkedin = metrics.stand_in("linkedin")
        for _ in range(5):  # every try the run makes (retries = 3) fails
            linkedin.inject(Fault("status", "GET", "/rest/socialMetadata", status=503))
        metrics.stand_in("threads").inject(
            Fault(
                "status",
                "GET",
                "",
                status=401,
                body=b'{"error":{"message":"Error validating access token","code":190}}',
                headers={"Content-Type": "application/json"},
            )
        )
        report = metrics.run_json()
    assert report["exit"] == 2, report  # the worst of the failures: a refused token
    networks = report["networks"]
    assert "get a new long-lived token" in networks["threads"]["error"]
    assert (
        "LinkedIn refused reading reactions and comments: HTTP 503" in networks["linkedin"]["error"]
    )
    assert networks["x"]["skipped"]  # X is read only with metrics = true
    written = {line["network"] for line in metrics.lines()}
    assert written == {"bluesky", "mastodon", "discourse"}
    for name in ("bluesky", "mastodon", "discourse"):
        assert (networks[name]["error"], networks[name]["written"]) == (None, 1)
