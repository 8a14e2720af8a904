"""`clarion import x-archive|mastodon-outbox|bluesky-car PATH`: a network's history
into posts/archive/, as posts that are history there (never sent again).

Progress and the summary go to standard error; nothing else is printed.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

from clarion.errors import ClarionError, UsageError
from clarion.importers import Harvest, Options
from clarion.importers.writing import write_all
from clarion.logsafe import untrusted
from clarion.settings import Settings

KINDS = {"x-archive": "x", "mastodon-outbox": "mastodon", "bluesky-car": "bluesky"}


def run(
    settings: Settings,
    kind: str,
    path: Path,
    *,
    include_retweets: bool = False,
    include_replies: bool = False,
    handle: str | None = None,
) -> int:
    network = KINDS.get(kind)
    if network is None:
        raise UsageError(f"unknown kind of export {kind}: use one of {', '.join(KINDS)}")
    if handle is not None and network != "bluesky":
        raise UsageError("--handle is for bluesky-car only: the other exports name the account")
    options = Options(include_retweets, include_replies, handle)
    started = time.monotonic()
    _say(f"reading {path}")
    # The export stays open while writing: media are copied from it post by post.
    with contextlib.ExitStack() as open_files:
        harvest = _read(network, path, options, open_files)
        _say(f"writing {len(harvest.entries):,} posts under {settings.posts}/archive/")
        try:
            tally = write_all(harvest, settings, network, kind, _say)
        except OSError as exc:
            # What is written is whole: importing again carries on from there.
            raise ClarionError(
                f"cannot write {exc.filename or settings.posts}: {exc.strerror or exc}; "
                "the posts written so far are complete, so import again once it is fixed"
            ) from None
    seconds = time.monotonic() - started
    _say(f"done in {seconds:.1f} s")
    for line in tally.summary(network):
        _say(line)
    return 0


def _read(network: str, path: Path, options: Options, open_files: contextlib.ExitStack) -> Harvest:
    if network == "bluesky":
        from clarion.importers import bluesky_car

        return bluesky_car.read(path, options)
    from clarion.importers.sources import Archive

    archive = open_files.enter_context(Archive(path))
    if network == "x":
        from clarion.importers import x_archive

        return x_archive.read(archive, options)
    from clarion.importers import mastodon_outbox

    return mastodon_outbox.read(archive, options)


def _say(message: str) -> None:
    print(f"clarion import: {untrusted(message)}", file=sys.stderr, flush=True)
