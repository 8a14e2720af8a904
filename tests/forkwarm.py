"""What the fork server of `tests.forkrun` loads before it forks a run: Clarion's
commands and what they load on first use (each network's adapter and client
library, the text rules' patterns), so that no run loads them again."""

from __future__ import annotations

import gc
import importlib

import clarion.cli  # noqa: F401
from clarion import networks

for _network in networks.all_networks():
    importlib.import_module(_network.adapter)
    _network.measure(
        "Warming up #WarmUp $ABC @alice.bsky.social @bob@example.social @carol "
        "https://example.org/a?b=c example.com 🎉👩‍👩‍👧🇩🇪 日本",
        None,
        None,
    )
for _module in (
    "clarion.commands.publish",
    "clarion.commands.validate",
    "clarion.commands.preview",
    "clarion.commands.status",
    "clarion.check.checks",
    "clarion.check.reporters.json",
    "clarion.check.reporters.text",
    "clarion.check.reporters.github",
    "clarion.publish.reporters",
    "clarion.git.repo",
    "clarion.post.receipts",
):
    importlib.import_module(_module)

# What is loaded now stays as it is: the collector never walks it again, so a
# forked run does not write to (and copy) the pages it lies on.
gc.collect()
gc.freeze()
