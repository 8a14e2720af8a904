"""Where a post's content came from, and what its receipts were, read from git.

`History.origins` walks back from the commit being published through every
parent, merge commits included, for as long as the post's content (what it
sends, `clarion.post.content`) stays the same. The commits where the walk stops are
the *origins*: each brought that content and no parent of it had it. A merge
whose resolution rewrote the post is an origin itself; a commit that only
changed receipts, or moved the file (`git mv`), is walked through. The gate
then asks whether every origin came through an approved pull request.

`History.lost_receipts` reads every version the post ever had on the branch
and names the receipts that are gone or changed now: a part that went out must
never look as if it had not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clarion.errors import GitError
from clarion.git.run import Objects, run
from clarion.post.content import Content, blob_id, content_of, image_path, image_references
from clarion.post.frontmatter import FrontMatterError, load

# Commits visited at most for one post: far beyond any announcements
# repository, and a bound on what a crafted history can cost.
WALK_LIMIT = 200_000

_Key = tuple[str, tuple[str | None, ...]]


@dataclass(frozen=True)
class Origin:
    sha: str  # the commit that brought the content
    path: str  # the post's name in it (it may have been renamed since)


class History:
    """Answers about one repository's history; one per publish run (answers are cached)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = Objects(root)
        self._parents: dict[str, tuple[str, ...]] = {}
        self._times: dict[str, int] = {}
        self._loaded: set[str] = set()
        self._images: dict[tuple[str, str], tuple[str | None, ...]] = {}
        self._contents: dict[tuple[_Key, str], Content] = {}

    def close(self) -> None:
        self.objects.close()

    # ------------------------------------------------------------ git plumbing

    def _git(self, *args: str) -> bytes:
        proc = run(self.root, *args)
        if proc.returncode != 0:
            said = proc.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git {' '.join(args)} failed: {said}")
        return proc.stdout

    def parents(self, sha: str) -> tuple[str, ...]:
        if sha not in self._parents and sha not in self._loaded:
            # The whole graph below `sha` at once: one process, not one per commit.
            out = self._git("rev-list", "--timestamp", "--parents", sha).decode()
            for line in out.splitlines():
                time, commit, *parents = line.split()
                self._parents[commit] = tuple(parents)
                self._times[commit] = int(time)
            self._loaded.add(sha)
        return self._parents.get(sha, ())

    def resolve(self, rev: str) -> str:
        return self._git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()

    def is_shallow(self) -> bool:
        return self._git("rev-parse", "--is-shallow-repository").strip() == b"true"

    def has_commit(self, sha: str) -> bool:
        return run(self.root, "cat-file", "-e", f"{sha}^{{commit}}").returncode == 0

    def _renamed_from(self, parent: str, commit: str, path: str) -> str | None:
        out = self._git("diff", "-M", "--name-status", "-z", "--diff-filter=R", parent, commit)
        fields = out.decode("utf-8", "surrogateescape").split("\0")
        for i in range(0, len(fields) - 2, 3):
            if fields[i].startswith("R") and fields[i + 2] == path:
                return fields[i + 1]
        return None

    # ------------------------------------------------------------ content

    def _key(self, commit: str, path: str) -> tuple[_Key, bytes] | None:
        """What decides the content at `commit` (post blob and image blobs), and the post."""
        raw = self.objects.blob(commit, path)
        if raw is None:
            return None
        post = blob_id(raw)
        where = (post, path)
        if where not in self._images:
            try:
                refs = image_references(load(raw).data)
            except FrontMatterError:
                refs = []
            self._images[where] = tuple(image_path(path, ref) for ref in refs)
        images = tuple(
            None if p is None else self.objects.resolved_id(commit, p) for p in self._images[where]
        )
        return (post, images), raw

    def content(self, commit: str, path: str) -> Content | None:
        """What the post at `path` sends as of `commit`; None when it is not there."""
        found = self._key(commit, path)
        if found is None:
            return None
        key, raw = found
        cached = self._contents.get((key, path))
        if cached is None:
            cached = content_of(raw, path, lambda p: self.objects.resolved_id(commit, p))
            self._contents[(key, path)] = cached
        return cached

    # ------------------------------------------------------------ the walk

    def origins(self, head: str, path: str) -> tuple[Content | None, list[Origin]]:
        """The content at `head`, and the commits that brought it (newest first)."""
        target = self.content(head, path)
        if target is None:
            return None, []
        origins: list[Origin] = []
        for sha, name, same in self._walk(head, path, target):
            if not same:
                origins.append(Origin(sha, name))
        return target, origins

    def _walk(
        self, head: str, path: str, target: Content | None
    ) -> Iterator[tuple[str, str, list[tuple[str, str]]]]:
        """Each (commit, name) reached, with the parents walked on to.

        With a `target`, only parents with that same content are walked on to;
        without, every parent that has the post (under its name then).
        """
        seen: set[tuple[str, str]] = set()
        stack = [(head, path)]
        while stack:
            here = stack.pop()
            if here in seen:
                continue
            seen.add(here)
            if len(seen) > WALK_LIMIT:
                raise GitError(
                    f"the history of {path} is longer than {WALK_LIMIT:,} commits: too long "
                    "to confirm who approved it"
                )
            sha, name = here
            key = self._key(sha, name)
            same: list[tuple[str, str]] = []
            missing: list[str] = []
            for parent in self.parents(sha):
                theirs = self._key(parent, name)
                if theirs is None:
                    missing.append(parent)
                elif target is None or (
                    (key is not None and theirs[0] == key[0])
                    or self.content(parent, name) == target
                ):
                    same.append((parent, name))
            if not same:
                for parent in missing:
                    old = self._renamed_from(parent, sha, name)
                    if old is not None and (target is None or self.content(parent, old) == target):
                        same.append((parent, old))
            stack.extend(same)
            yield sha, name, same

    # ------------------------------------------------------------ receipts

    def lost_receipts(self, head: str, path: str) -> list[str]:
        """Receipts some version of the post held that `head` no longer holds as they were."""
        # The first receipt each part ever had (by commit time): what went out.
        first: dict[tuple[str, int], tuple[int, tuple[str, str]]] = {}
        for sha, name, _ in self._walk(head, path, None):
            raw = self.objects.blob(sha, name)
            when = self._times.get(sha, 0)
            for network, index, entry in _receipts(raw or b""):
                known = first.get((network, index))
                if entry is not None and (
                    known is None or when <= known[0]
                ):  # a tie: the one further back
                    first[(network, index)] = (when, entry)
        now = {(n, i): e for n, i, e in _receipts(self.objects.blob(head, path) or b"")}
        return [
            f"{network} part {index + 1} (id {entry[0]})"
            for (network, index), (_, entry) in sorted(first.items())
            if now.get((network, index)) != entry
        ]


def _receipts(raw: bytes) -> Iterator[tuple[str, int, tuple[str, str] | None]]:
    """(network, part, (id, url)) of each receipt; None for one without an id."""
    try:
        published: Any = load(raw).data.get("published")
    except FrontMatterError:
        return
    if not isinstance(published, dict):
        return
    for network, entries in published.items():
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            has_id = isinstance(entry, dict) and entry.get("id") is not None
            yield (
                str(network),
                index,
                (str(entry["id"]), str(entry.get("url"))) if has_id else None,
            )
