"""What the fork server of `tests.forkrun` loads before it forks a run: every
Clarion module, and what they load on first use (each network's client library,
the text rules' patterns, the post schema's validator, the HTTP transport,
PyGithub, the site's templates and matplotlib) and the TLS context every client
shares, so that no run loads them again.

Measured by listing the modules each forked run imported that the server had
not: before this list was complete, a run of `clarion watch` or `clarion site`
still spent a quarter to half a second importing."""

from __future__ import annotations

import gc
import importlib
import pkgutil

import clarion
from clarion import cli, networks

for _info in pkgutil.walk_packages(clarion.__path__, "clarion."):
    if not _info.name.endswith("__main__"):
        importlib.import_module(_info.name)

cli._parser()  # every command's arguments and help: 10 ms a run otherwise

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

    from clarion.adapters.http import tls
    from clarion.post import schema
    from clarion.site import render
    from clarion.site.config import SiteConfig

    schema.validator()
    schema._fast_check()
    yaml.safe_load("a: [1, {b: c}]\n")
    # The transport (httpcore, h11), and the one TLS context, made once per
    # process: loading the CA bundle costs each run 40 ms of CPU otherwise.
    httpx.Client(verify=tls()).close()
    # Clarion's site templates, compiled into the cache every build reads.
    site = render.Templates(SiteConfig(title="Warm-up", url=None))
    for template in render.SHIPPED.glob("*.html"):
        site.env.get_template(template.name)
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
