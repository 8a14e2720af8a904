"""What the fork server of `tests.forkrun` loads before it forks a run: every
Clarion module, and what they load on first use (each network's client library,
the text rules' patterns, the post schema's validator, the HTTP transport,
PyGithub, the site's templates and matplotlib), so that no run loads them again.

Measured by listing the modules each forked run imported that the server had
not: before this list was complete, a run of `clarion watch` or `clarion site`
still spent a quarter to half a second importing."""

from __future__ import annotations

import gc
import importlib
import pkgutil

import clarion
from clarion import networks

for _info in pkgutil.walk_packages(clarion.__path__, "clarion."):
    if not _info.name.endswith("__main__"):
        importlib.import_module(_info.name)

for _network in networks.all_networks():
    _network.measure(
        "Warming up #WarmUp $ABC @alice.bsky.social @bob@example.social @carol "
        "https://example.org/a?b=c example.com 🎉👩‍👩‍👧🇩🇪 日本",
        None,
        None,
    )


def _libraries() -> None:
    """The parts of libraries that load on first use, not on import."""
    import httpx
    import yaml

    from clarion.post import schema

    schema.validator()
    schema._fast_check()
    yaml.safe_load("a: [1, {b: c}]\n")
    httpx.Client().close()  # the transport: httpcore, h11
    for name in (
        "github",
        "github.Auth",
        "github.GithubRetry",
        "github.GithubException",
        "github.PaginatedList",
        "jinja2",
        "matplotlib.figure",
        "matplotlib.ticker",
        "matplotlib.backends.backend_svg",
        "statistics",
        "tarfile",
        "tomlkit",
        "ruamel.yaml.mergevalue",
        "_strptime",
        "netrc",
        "encodings.unicode_escape",
        "encodings.utf_8_sig",
    ):
        importlib.import_module(name)


_libraries()

# What is loaded now stays as it is: the collector never walks it again, so a
# forked run does not write to (and copy) the pages it lies on.
gc.collect()
gc.freeze()
