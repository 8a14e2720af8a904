"""The approval gate for a publish run: gathers the facts, lets `judge` decide.

For each post due, with `require_approval`:

1. the post must be a regular file whose content in the checkout is its
   content at HEAD (nothing uncommitted is ever sent);
2. `History.origins` finds the commits that brought that content, walking
   every parent, merge commits included;
3. for each origin, GitHub is asked for its pull requests, their reviews and
   commits, CODEOWNERS at their base and the teams named there; the content at
   each approved review's commit is compared with what would be sent;
4. `judge` decides; every origin must pass.

A post whose receipts were removed or changed by hand on the branch is held for
a person. Anything that cannot be confirmed holds the post with a message
saying how to fix it: the gate never lets a post through on doubt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from clarion.approval.client import (
    DEFAULT_API_URL,
    GitHubClient,
    PullRequest,
    TeamUnreadable,
    Unreachable,
)
from clarion.approval.codeowners import CODEOWNERS_LOCATIONS, TEAM
from clarion.approval.history import History, Origin
from clarion.approval.judge import FileOwners, PullEvidence, judge, latest_opinions
from clarion.errors import ClarionError, ConfigError, GitError
from clarion.git.repo import repo_root
from clarion.post import Post
from clarion.post.content import Content, blob_id, content_of, image_path, image_references
from clarion.settings import Settings

Gate = Callable[[Post], "str | None"]


class Held(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ApprovalGate:
    """Callable on a post: None if it may go, or the reason it is held."""

    def __init__(
        self, settings: Settings, client: GitHubClient, root: Path, *, prefix: str = ""
    ) -> None:
        self.settings = settings
        self.client = client
        self.root = root
        self.prefix = prefix  # where settings.root is inside the repository ("" at its top)
        self.history = History(root)
        self._head: str | None = None
        self._shallow: bool | None = None

    def __call__(self, post: Post) -> str | None:
        try:
            self._check(post)
        except Held as held:
            return held.reason
        except Unreachable as exc:
            return (
                f"{post.rel}: its approval could not be confirmed, because {exc}; "
                "it stays unpublished until a run can ask GitHub (the next run tries again)"
            )
        except GitError as exc:
            return f"{post.rel}: its history could not be read from git: {exc.message}"
        finally:
            self.history.close()  # its git processes; the next post starts them again
        return None

    # ------------------------------------------------------------ one post

    def _check(self, post: Post) -> None:
        subject = post.rel
        path = f"{self.prefix}/{post.rel}" if self.prefix else post.rel
        if self._shallow is None:
            self._shallow = self.history.is_shallow()
        if self._shallow:
            # Cut history makes every file look changed by the oldest commit kept.
            raise Held(
                f"{subject}: the checkout is shallow, so the commits that brought it cannot "
                "be found: check out the full history (actions/checkout with fetch-depth: 0)"
            )
        if self._head is None:
            self._head = self.history.resolve("HEAD")
        target, origins = self.history.origins(self._head, path)
        if target is None:
            raise Held(
                f"{subject} is not committed to git: commit it in a pull request and have a "
                "code owner approve it"
            )
        if self._in_checkout(post, path) != target:
            raise Held(
                f"{subject} has changes that are not committed: what would be sent is not "
                "what was reviewed (commit them in a pull request, or discard them)"
            )
        lost = self.history.lost_receipts(self._head, path)
        if lost:
            raise Held(
                f"{subject}: receipts it had were removed or changed by hand on the branch "
                f"({', '.join(lost)}), so Clarion cannot tell what is still on the network: a "
                "person must restore them from the file's history (git log -p -- "
                f"{subject}); only an `outcome: unknown` entry may be settled by hand"
            )
        branch = self.client.default_branch()
        for origin in origins:
            named = self._subject(subject, origin)
            verdict = judge(named, origin.sha, branch, self._evidence(origin, target, branch))
            if not verdict.approved:
                raise Held(verdict.reason)

    def _in_checkout(self, post: Post, path: str) -> Content | None:
        """What the checkout's file sends, read as the publisher will read it."""
        file = self.root / path
        if file.is_symlink() or not file.is_file():
            raise Held(f"{post.rel} is not a regular file: a post cannot be a symbolic link")

        def image_id(image: str) -> str | None:
            found = self.root / image
            try:
                resolved = found.resolve(strict=True)
                resolved.relative_to(self.root.resolve())
                return blob_id(resolved.read_bytes()) if resolved.is_file() else None
            except (OSError, ValueError):
                return None

        return content_of(file.read_bytes(), path, image_id)

    # ------------------------------------------------------------ one origin

    def _evidence(self, origin: Origin, target: Content, branch: str) -> list[PullEvidence] | None:
        pulls = self.client.pulls_for(origin.sha)
        if pulls is None:
            return None
        found = []
        for pull in pulls:
            into_default = pull.merged and pull.base_ref == branch
            if not into_default:
                found.append(PullEvidence(pull, False, (), (), frozenset(), frozenset(), {}))
                continue
            files = self._owners(pull, self._sent_files(origin))
            reviews = self.client.reviews(pull.number)
            sent = {f.path for f in files}
            writers = frozenset(
                person
                for commit in self.client.pull_commits(pull.number)
                if commit.files & sent
                for person in commit.people
            )
            approved = {
                r.commit_id
                for r in latest_opinions(reviews).values()
                if r.state == "APPROVED" and r.commit_id
            }
            covered = frozenset(
                sha for sha in approved if self._content_at(sha, origin.path) == target
            )
            teams: dict[str, frozenset[str] | int] = {}
            for file in files:
                for owner in file.owners:
                    if TEAM.fullmatch(owner) and owner[1:].lower() not in teams:
                        try:
                            teams[owner[1:].lower()] = self.client.team_members(owner[1:])
                        except TeamUnreadable as exc:
                            teams[owner[1:].lower()] = exc.status
            found.append(PullEvidence(pull, True, files, reviews, writers, covered, teams))
        return found

    def _subject(self, subject: str, origin: Origin) -> str:
        """How messages name what `origin` changed: the post, or one of its images."""
        objects = self.history.objects
        parents = self.history.parents(origin.sha)
        raw = objects.blob(origin.sha, origin.path)
        if not parents or any(objects.blob(p, origin.path) != raw for p in parents):
            return subject
        for image in self._sent_files(origin)[1:]:
            mine = objects.resolved_id(origin.sha, image)
            if any(objects.resolved_id(p, image) != mine for p in parents):
                return f"{subject} (its image {image})"
        return subject

    def _sent_files(self, origin: Origin) -> list[str]:
        """The post and each image it sends, as named at the origin."""
        raw = self.history.objects.blob(origin.sha, origin.path) or b""
        from clarion.post.frontmatter import FrontMatterError, load

        try:
            refs = image_references(load(raw).data)
        except FrontMatterError:
            refs = []
        files = [origin.path]
        for ref in refs:
            image = image_path(origin.path, ref)
            if image is not None and image not in files:
                files.append(image)
        return files

    def _owners(self, pull: PullRequest, paths: list[str]) -> tuple[FileOwners, ...]:
        found = self.client.codeowners(pull.base_sha)
        posts_dir = (f"{self.prefix}/" if self.prefix else "") + self.settings.posts.strip("/")
        example = f"`/{posts_dir}/ @your-org/communications`"
        if found is None:
            problem = (
                f"its base ({pull.base_sha[:7]}) has no CODEOWNERS file "
                f"({', '.join(CODEOWNERS_LOCATIONS)} were looked for): add one that names who "
                f"approves posts, e.g. {example}, in a pull request of its own"
            )
            return tuple(FileOwners(p, (), problem=problem) for p in paths)
        location, rules = found
        result = []
        for path in paths:
            rule = rules.rule_for(path)
            if rule is None or not rule.owners:
                decided = f" (line {rule.line} leaves it without owners)" if rule else ""
                problem = (
                    f"{location} at its base ({pull.base_sha[:7]}) names no code owner for "
                    f"{path}{decided}: add one, e.g. {example}"
                )
                result.append(FileOwners(path, (), problem=problem))
                continue
            source = f"{location} line {rule.line} at the base of {pull.ref}"
            result.append(FileOwners(path, rule.owners, source))
        return tuple(result)

    def _content_at(self, commit: str, path: str) -> Content | None:
        """The content at `commit`: from local git when it has the commit, else from GitHub."""
        if self.history.has_commit(commit):
            return self.history.content(commit, path)
        found = self.client.file(commit, path)
        if found is None:
            return None
        raw = found.data if found.data is not None else self.client.blob(found.sha)

        def image_id(image: str) -> str | None:
            remote = self.client.file(commit, image)
            return remote.sha if remote is not None else None

        return content_of(raw, path, image_id)


def approval_gate(settings: Settings, env: Mapping[str, str]) -> Gate:
    """The gate for a publish run: None (the post may go) or why it is held.

    The API is `GITHUB_API_URL` (default https://api.github.com), the repository
    `GITHUB_REPOSITORY` (owner/name), the token `GITHUB_TOKEN`. Raises
    ConfigError (at the first post judged) when GitHub refuses the token or
    does not know the repository.
    """
    repository = env.get("GITHUB_REPOSITORY", "").strip()
    token = env.get("GITHUB_TOKEN", "")
    if not repository or not token:
        reason = (
            "require_approval is on and approvals are read from GitHub, but "
            "GITHUB_REPOSITORY and GITHUB_TOKEN are not set (run in the publish workflow, "
            "or set require_approval = false in [tool.clarion] to publish without review)"
        )
        return lambda _post: reason
    try:
        top = repo_root(settings.root)
    except ClarionError as exc:
        not_git = f"the approval gate reads each post's history from git, and {exc.message}"
        return lambda _post: not_git
    api_url = env.get("GITHUB_API_URL") or DEFAULT_API_URL
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"GITHUB_API_URL={api_url!r} is not an http(s) URL: leave it unset for "
            f"{DEFAULT_API_URL}, or give your GitHub Enterprise API, e.g. "
            "https://github.example.com/api/v3"
        )
    client = GitHubClient(
        api_url,
        repository,
        token,
        timeout=settings.timeout,
        retries=settings.retries,
        backoff=settings.retry_backoff,
        max_wait=settings.max_retry_wait,
    )
    inside = settings.root.resolve().relative_to(top.resolve())
    prefix = "" if inside == Path() else PurePosixPath(*inside.parts).as_posix()
    return ApprovalGate(settings, client, top, prefix=prefix)
