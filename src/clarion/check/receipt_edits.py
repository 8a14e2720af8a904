"""Receipts are written by Clarion only: flag a pull request that edits them.

Compared with the pull request's base, the one hand edit allowed is settling an
`outcome: unknown` entry: replacing it with the real id/url, or deleting it. A
receipt in a newly added file that is not a rename is flagged too.
"""

from __future__ import annotations

import subprocess
from typing import Any

from clarion import networks
from clarion.check.result import ERROR, WARNING, CheckResult, PostResult
from clarion.git.run import run
from clarion.post.content import receipts_of
from clarion.post.frontmatter import FrontMatterError, load, read, split_parts
from clarion.settings import Settings


def _git(settings: Settings, *args: str) -> subprocess.CompletedProcess[bytes]:
    return run(settings.root, *args)


def _wording(raw: bytes) -> tuple[Any, ...] | None:
    """What a post says: its parts, per-network texts and content warning."""
    try:
        doc = load(raw)
    except FrontMatterError:
        return None
    parts = tuple(part.text for part in split_parts(doc.body, doc.body_line))
    data = doc.data
    overrides = tuple(
        data[n].get("body") if isinstance(data.get(n), dict) else None for n in networks.names()
    )
    return parts, overrides, data.get("content_warning")


def _renames(settings: Settings, base: str) -> dict[str, str] | None:
    """New path → old path for files changed since `base`; None when git cannot tell."""
    proc = _git(
        settings, "diff", "--name-status", "-M", "-z", f"{base}...HEAD", "--", settings.posts
    )
    if proc.returncode != 0:
        proc = _git(settings, "diff", "--name-status", "-M", "-z", base, "--", settings.posts)
        if proc.returncode != 0:
            return None
    fields = proc.stdout.decode("utf-8", "replace").split("\0")
    renames: dict[str, str] = {}
    i = 0
    while i < len(fields) - 1:
        status = fields[i]
        if status.startswith(("R", "C")):
            renames[fields[i + 2]] = fields[i + 1]
            i += 3
        else:
            i += 2
    return renames


def _allowed(old: list[Any], new: list[Any]) -> bool:
    """Only `outcome: unknown` entries settled (filled in or deleted), nothing else."""
    j = 0
    for entry in old:
        unknown = isinstance(entry, dict) and entry.get("outcome") == "unknown"
        if j < len(new) and new[j] == entry:
            j += 1
        elif unknown and j < len(new) and isinstance(new[j], dict) and "id" in new[j]:
            j += 1  # settled with the real receipt
        elif unknown:
            continue  # deleted: to be sent again
        else:
            return False
    return j == len(new)


def check_receipt_edits(result: CheckResult, settings: Settings, base: str) -> None:
    if _git(settings, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").returncode != 0:
        from clarion.errors import UsageError

        raise UsageError(
            f"--base {base}: no such commit here (fetch it first: git fetch origin {base})"
        )
    renames = _renames(settings, base) or {}
    for post in result.posts:
        raw = _raw(settings, post.path)
        if raw is None:
            continue  # refused or unreadable: the post's own check says why
        current = receipts_of(raw)
        source = renames.get(post.path, post.path)
        shown = _git(settings, "show", f"{base}:{source}")
        if shown.returncode != 0:
            imported = post.path.startswith(f"{settings.posts}/archive/")
            if any(current.values()) and imported:
                # `clarion import` writes history with its receipts: a reviewer sees
                # the archive's own files; a forged one could only stop a post going out.
                post.add(
                    WARNING,
                    "receipt-imported",
                    "an imported post with receipts: check that it came from `clarion import`",
                    _published_line(settings, post.path),
                    1,
                )
            elif any(current.values()):
                post.add(
                    ERROR,
                    "receipt-in-new-file",
                    "this new post already has receipts under published:, which only Clarion "
                    "writes: remove the published: block (if the post was moved, move it with "
                    "git mv so the receipts go with it)",
                    _published_line(settings, post.path),
                    1,
                )
            continue
        old = receipts_of(shown.stdout)
        _check_correction(post, raw, shown.stdout, current)
        for network in networks.names():
            if not _allowed(old.get(network, []), current.get(network, [])):
                post.add(
                    ERROR,
                    "receipt-edited",
                    f"published.{network} was changed by hand: receipts are written by Clarion "
                    "only; the one edit allowed is replacing an 'outcome: unknown' entry with the "
                    "real id/url or deleting it. Restore it from the base branch.",
                    _published_line(settings, post.path),
                    1,
                    network,
                )


def _raw(settings: Settings, rel: str) -> bytes | None:
    """The post file's bytes, never through a link; None when it cannot be read so."""
    try:
        return read(settings.root / rel)
    except (FrontMatterError, OSError):
        return None


def _check_correction(
    post: PostResult, raw: bytes, base_raw: bytes, current: dict[str, list[Any]]
) -> None:
    """A published post whose text changed: flag it, and say what `edit: true` will do."""
    out = [
        n
        for n in networks.names()
        if any(isinstance(e, dict) and "id" in e for e in current.get(n, []))
    ]
    if not out:
        return
    before, after = _wording(base_raw), _wording(raw)
    if before is None or after is None or before == after:
        return
    data = load(raw).data
    names = ", ".join(networks.display(n) for n in out)
    editable = [networks.display(n) for n in out if networks.get(n).can_edit]
    fixed = [networks.display(n) for n in out if not networks.get(n).can_edit]
    if data.get("edit") is True:
        message = (
            f"the text of this published post changed: with edit: true it is corrected in "
            f"place on {', '.join(editable) or 'no network'}"
        )
        if fixed:
            message += f"; {', '.join(fixed)} cannot edit a published post and keep the old text"
        post.add(WARNING, "published-text-changed", message, None, None)
    elif data.get("retract") is not True:
        post.add(
            ERROR,
            "published-text-changed",
            f"this post is already published on {names}, so changing its text changes nothing "
            "there: add 'edit: true' to correct it in place where the network allows it "
            "(Mastodon), add 'retract: true' to delete it, or restore the published text",
            None,
            None,
        )


def _published_line(settings: Settings, rel: str) -> int | None:
    raw = _raw(settings, rel)
    if raw is None:
        return None
    try:
        doc = load(raw)
    except FrontMatterError:
        return None
    return doc.position(("published",)).line
