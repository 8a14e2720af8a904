"""Images a network fetches itself, from a public address, instead of taking an upload.

Threads has no upload: a post names its image by URL and Meta's servers fetch it
("Threads retrieves your image from the URL provided, so it must be on a public
server", https://developers.facebook.com/docs/threads/posts). Clarion gives the
image's address under the account's `media_base_url`, or by default the
repository's raw file at the published commit on GitHub
(https://raw.githubusercontent.com/OWNER/REPO/COMMIT/PATH), which answers only
for a public repository.

The check warns about that default before a merge: in a pull request's check
it reads whether the repository is private from the event GitHub gives the
workflow (`repository.private` in the file `GITHUB_EVENT_PATH` names); elsewhere
it cannot tell, and says so.

On the `clarion validate` fast path: the standard library only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import quote

RAW_GITHUB = "https://raw.githubusercontent.com"


def image_url(
    path: Path, root: Path, *, base: str = "", repository: str = "", commit: str = ""
) -> str:
    """Where the network fetches the repository's image `path`: under `base` when
    set, else on raw.githubusercontent.com at `commit` of `repository` ("owner/name").

    ValueError, worded for people, when neither says where.
    """
    rel = PurePosixPath(path.resolve().relative_to(root.resolve()).as_posix())
    quoted = "/".join(quote(part) for part in rel.parts)
    if base.strip():
        return f"{base.strip().rstrip('/')}/{quoted}"
    if not repository or not commit:
        raise ValueError(
            f"no public address for {rel}: set media_base_url in the account's settings "
            "(where the repository's files are served), or publish from GitHub Actions, "
            "where GITHUB_REPOSITORY names the repository whose raw files are used"
        )
    return f"{RAW_GITHUB}/{repository}/{commit}/{quoted}"


def repository_private(environ: Mapping[str, str] | None = None) -> bool | None:
    """Whether the repository of this GitHub Actions run is private, from its event;
    None outside Actions or when the event does not say."""
    env = os.environ if environ is None else environ
    event_path = env.get("GITHUB_EVENT_PATH", "")
    if not event_path:
        return None
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    repository = event.get("repository") if isinstance(event, dict) else None
    private = repository.get("private") if isinstance(repository, dict) else None
    return private if isinstance(private, bool) else None


def fetch_warning(
    display: str, media_base_url: str, environ: Mapping[str, str] | None = None
) -> str | None:
    """The check's warning for a post whose images `display` fetches by URL, or None
    when they will be fetched from an address that answers."""
    if media_base_url.strip():
        return None
    private = repository_private(environ)
    if private is False:
        return None
    where = (
        "this repository is private, so raw.githubusercontent.com will not give them to "
        f"{display} and the post will fail there"
        if private
        else "that works only for a public repository"
    )
    return (
        f"{display} fetches images from a public address, by default the repository's raw "
        f"files on raw.githubusercontent.com at the published commit; {where}: set "
        "media_base_url in the account's settings to where the repository's files are "
        "served publicly"
    )
