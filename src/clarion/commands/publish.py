"""`clarion publish`: publish what is due (or show it, or rehearse it in the sandbox)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clarion import networks
from clarion.adapters.base import Adapter, Receipt
from clarion.check.checks import check_post
from clarion.check.result import PostResult
from clarion.commands import checked_posts, post_paths
from clarion.errors import ClarionError, ConfigError, PublishFailedError
from clarion.logsafe import untrusted
from clarion.post import Post, read_post
from clarion.publish import Job, Mark, Publisher, PublishReport, RetryPolicy, State, plan
from clarion.publish.reporters import REPORTERS
from clarion.publish.state import effective_state, networks_of
from clarion.settings import Settings, load_settings

if TYPE_CHECKING:
    from clarion.git.repo import Repo
    from clarion.sandbox.networks import Sandbox


def adapter_factories(
    settings: Settings, env: Mapping[str, str]
) -> dict[str, Callable[[], Adapter]]:
    def factory(network: str) -> Callable[[], Adapter]:
        def make() -> Adapter:
            module = networks.get(network).adapter_module()
            adapter: Adapter = module.from_settings(settings, env, timeout=settings.timeout)
            return adapter

        return make

    return {network: factory(network) for network in settings.accounts}


def missing_credentials(names: Iterable[str], env: Mapping[str, str]) -> dict[str, str]:
    """For each network of `names` (in the registry's order) with a credential not
    set in `env`, one message naming every variable missing, never a value."""
    wanted = set(names)
    found: dict[str, str] = {}
    for entry in networks.all_networks():
        missing = [name for name in entry.secrets if not env.get(name, "").strip()]
        if entry.name in wanted and missing:
            found[entry.name] = _not_set(entry.display, missing)
    return found


def _not_set(display: str, names: Sequence[str]) -> str:
    """The one wording for every network's missing credentials."""
    one = len(names) == 1
    listed = names[0] if one else ", ".join(names[:-1]) + " and " + names[-1]
    it, secret = ("it", "an environment secret") if one else ("them", "environment secrets")
    return (
        f"{display}: {listed} {'is' if one else 'are'} not set: add {it} as {secret} "
        f"of the repository's publish environment (Settings → Environments → publish), "
        f"which the publish workflow hands to clarion; README.md (Accounts and secrets) "
        f"says where to get {it}. Nothing is sent to {display} until then"
    )


def _credentials_said_once(report: PublishReport) -> None:
    """A network stopped by refused credentials is explained once, in the report's
    credentials lines: its posts say only that it stopped there."""
    for post in report.posts:
        for outcome in post.networks.values():
            said = report.auth_failures.get(outcome.network)
            if said and said in outcome.message:
                name = networks.display(outcome.network)
                outcome.message = f"stopped: the {name} credentials were refused"


class FileSink:
    """Receipts written into the post files the moment they come, each post's
    committed when its jobs are done (when the repository is a git one)."""

    def __init__(self, repo: Repo | None) -> None:
        self.repo = repo

    def record(self, path: Path, network: str, index: int, receipt: Receipt) -> None:
        from clarion.post.receipts import record_receipt

        record_receipt(path, network, index, receipt)

    def mark(self, path: Path, network: str, what: Mark, index: int, at: dt.datetime) -> None:
        from clarion.post.receipts import record_edit, record_retraction

        if what == Mark.RETRACTED:
            record_retraction(path, network, at, index=index)
        else:
            record_edit(path, network, index, at)

    def post_done(self, post: Post) -> None:
        if self.repo is not None:
            from clarion.git.repo import receipts_commit_message

            self.repo.commit([post.path], receipts_commit_message(post.rel))


class MemorySink:
    """The sandbox's: receipts kept in memory, no file changed."""

    def __init__(self) -> None:
        self.kept: list[tuple[Path, str, int, Receipt]] = []

    def record(self, path: Path, network: str, index: int, receipt: Receipt) -> None:
        self.kept.append((path, network, index, receipt))

    def mark(self, path: Path, network: str, what: Mark, index: int, at: dt.datetime) -> None:
        pass

    def post_done(self, post: Post) -> None:
        pass


def policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(settings.retries, settings.retry_backoff, settings.max_retry_wait)


def _print_dry_run(jobs: Sequence[Job]) -> None:
    if not jobs:
        print("nothing is due")
    for job in jobs:
        out = job.outgoing
        print(untrusted(f"{job.post.rel} → {networks.display(out.network)}"))
        for part in out.parts[job.start :]:
            print(f"  part {part.index + 1}/{len(out.parts)}:")
            # As the network counts and sends it (Bluesky shortens long links).
            text = networks.get(out.network).measure(part.text, out.spoiler, None).text
            for line in text.split("\n"):
                print(f"    | {untrusted(line)}")
            for image in part.images:
                print(
                    untrusted(
                        f"    image {image.path.name} ({image.mime}, "
                        f"{image.width}×{image.height}), alt: {image.alt}"
                    )
                )
            if part.link is not None:
                print(f"    link card: {untrusted(part.link.title)} <{untrusted(part.link.url)}>")


def _summary(report: PublishReport, fmt: str) -> None:
    shown = REPORTERS[fmt](report)
    if shown:
        print(shown)


def run(
    settings: Settings, paths: Sequence[Path], fmt: str, *, dry_run: bool, sandbox: bool
) -> int:
    now = dt.datetime.now(dt.UTC)
    if sandbox:
        return _run_sandbox(settings, checked_posts(settings, paths), fmt, now)
    repo = None
    if not dry_run:
        from clarion.git.repo import Repo, repo_root

        try:
            repo_root(settings.root)
        except ClarionError:
            _progress("not a git repository: receipts are written to the files but not committed")
        else:
            repo = Repo.at(settings.root, settings.git_author, posts=settings.posts_dir)
            # A run that waited for the one before it starts from its own
            # event's commit: bring it up to the tip, where that run's receipts
            # are, and read the settings found there.
            caught_up = repo.catch_up()
            if caught_up.remote is None or caught_up.moved:
                _progress(caught_up.describe())
            if caught_up.moved:
                settings = load_settings(settings.root)
                repo = Repo.at(settings.root, settings.git_author, posts=settings.posts_dir)
            # Receipts a refused push left on clarion/receipts are read before
            # anything is decided, so nothing is sent twice; a branch holding
            # anything else stops the run.
            repo.adopt_receipts_branch()
    if dry_run:
        return _dry_run(settings, checked_posts(settings, paths), fmt, now)
    posts = [read_post(path, settings.root) for path in post_paths(settings, paths)]
    publisher = Publisher(
        adapter_factories(settings, os.environ),
        FileSink(repo),
        policy=policy(settings),
        progress=_progress,
    )
    # The networks are connected while the posts are checked: their logins go
    # out now, not after the checks. Those whose adapter loads a client library
    # (a tenth of a second or more of imports, in this thread) are made once the
    # run starts, each in its own thread: made here, they would hold up the
    # checks, and so every network's first post.
    publisher.connect_ahead(
        name for name in _may_send_to(settings, posts, now) if not networks.get(name).client_library
    )
    try:
        items = [(post, check_post(post, settings)) for post in posts]
        gate = None
        if settings.require_approval:
            from clarion.approval import approval_gate

            gate = approval_gate(settings, os.environ)
        jobs, report = plan(
            items, now, settings.platforms, settings.root, include_examples=False, gate=gate
        )
        return _run_for_real(settings, repo, publisher, jobs, report, fmt)
    finally:
        publisher.close_unused()


def _dry_run(
    settings: Settings, items: list[tuple[Post, PostResult]], fmt: str, now: dt.datetime
) -> int:
    jobs, report = plan(items, now, settings.platforms, settings.root, include_examples=True)
    if fmt != "json":
        _print_dry_run(jobs)
        print()
    _summary(report, fmt)
    # An invalid post that is due would fail the real run: say so now.
    return 1 if report.failed else 0


def _may_send_to(settings: Settings, posts: Iterable[Post], now: dt.datetime) -> list[str]:
    """The networks a run may send to, known before the posts are checked: where a
    post would have something due if it were valid (a check only takes jobs away),
    with an account and its credentials set; in the registry's order."""
    valid = PostResult("")
    due = {
        network
        for post in posts
        for network in networks_of(post, settings.platforms)
        if network in settings.accounts
        and effective_state(post, valid, network, now, include_examples=False).job is not None
    }
    missing = missing_credentials(due, os.environ)
    return [e.name for e in networks.all_networks() if e.name in due and e.name not in missing]


def _progress(message: str) -> None:
    print(untrusted(message), file=sys.stderr, flush=True)


def _run_for_real(
    settings: Settings,
    repo: Repo | None,
    publisher: Publisher,
    jobs: Sequence[Job],
    report: PublishReport,
    fmt: str,
) -> int:
    # Every credential missing, of every network with something due, is found
    # before anything connects: those networks are not attempted, the others are.
    due = {job.outgoing.network for job in jobs if job.outgoing.network in settings.accounts}
    missing = missing_credentials(due, os.environ)
    report.auth_failures.update(missing)
    outcomes = {post.path: post for post in report.posts}
    for job in jobs:
        if job.outgoing.network in missing:
            outcome = outcomes[job.post.rel].networks[job.outgoing.network]
            outcome.state = State.FAILED
            name = networks.display(outcome.network)
            outcome.message = f"not sent: the {name} credentials are not set"
    jobs = [job for job in jobs if job.outgoing.network not in missing]

    def stop(signum: int, _frame: object) -> None:
        # A cancelled workflow gets SIGINT, then SIGTERM: finish the parts on
        # their way, record, commit and push them, and start nothing new.
        publisher.stop()  # first, so the line below proves the stop took effect
        _progress(f"stopping ({signal.Signals(signum).name}): finishing the parts on their way")

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        publisher.run(jobs, report)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _credentials_said_once(report)
        # What went out is reported even when the run or the push fails: it is
        # what a person needs to settle anything the repository could not keep.
        try:
            if repo is not None:
                _progress(repo.push().describe())
        finally:
            _summary(report, fmt)
    if report.auth_failures:
        stopped = " and ".join(networks.display(n) for n in report.auth_failures)
        raise ConfigError(f"{stopped}: credentials missing or refused (see above)")
    if report.failed:
        raise PublishFailedError("some posts were not published, or need a person: see above")
    return 0


@dataclass(frozen=True)
class Sent:
    """A part the sandbox published: where its receipt would have been written."""

    path: str  # the post file, relative to the repository
    network: str
    part: int  # 0-based
    receipt: Receipt


@dataclass
class SandboxRun:
    """What publishing to the sandbox's stand-ins did, kept in memory."""

    settings: Settings  # the repository's, every account on its stand-in
    env: dict[str, str]  # the credentials the stand-ins accept
    report: PublishReport
    sent: list[Sent]

    def reading_settings(self) -> Settings:
        """The settings `clarion metrics` and `clarion watch` read the stand-ins with:
        the accounts of the networks the posts went to, each read in full (X, read
        only when its settings ask since X charges for reads, is asked: a stand-in
        charges nothing)."""
        went = {sent.network for sent in self.sent}
        tables: dict[str, Any] = {}
        for name, account in self.settings.account_tables.items():
            if name in went:
                asks = any(f.name == "metrics" for f in dataclasses.fields(account))
                tables[name] = dataclasses.replace(account, metrics=True) if asks else account
        return dataclasses.replace(self.settings, account_tables=tables)


def publish_to_sandbox(
    box: Sandbox, settings: Settings, items: list[tuple[Post, PostResult]], now: dt.datetime
) -> SandboxRun:
    """Publish what is due, the example posts too, to the stand-ins of `box`, with
    the real adapters, the receipts kept in memory: no file is changed."""
    sandbox_settings = box.settings(settings)
    jobs, report = plan(items, now, settings.platforms, settings.root, include_examples=True)
    sink = MemorySink()
    publisher = Publisher(
        adapter_factories(sandbox_settings, box.env),
        sink,
        policy=policy(settings),
        progress=_progress,
    )
    publisher.run(jobs, report)
    rel = {post.path: post.rel for post, _ in items}
    sent = [Sent(rel[path], network, index, receipt) for path, network, index, receipt in sink.kept]
    return SandboxRun(sandbox_settings, dict(box.env), report, sent)


@contextmanager
def rehearsal(settings: Settings, then: str) -> Iterator[tuple[Sandbox, SandboxRun]]:
    """The stand-ins started and the example posts published to them as `publish
    --sandbox` does, for `clarion metrics --sandbox` and `clarion watch --sandbox`,
    which say what they do `then`; the stand-ins stop when they are done."""
    from clarion.sandbox.networks import Sandbox

    items = checked_posts(settings, [])
    with Sandbox(settings=settings) as box:
        _progress(
            f"Publishing the example posts to local stand-ins of {_names(box)} on 127.0.0.1, "
            f"then {then} (sandbox: no credentials, no network, no file changed; the "
            "approval gate is skipped)."
        )
        run = publish_to_sandbox(box, settings, items, dt.datetime.now(dt.UTC))
        if run.report.failed:
            _progress(REPORTERS["text"](run.report))
        yield box, run


def _names(box: Sandbox) -> str:
    names = [networks.display(name) for name in box.stand_ins]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _run_sandbox(
    settings: Settings, items: list[tuple[Post, PostResult]], fmt: str, now: dt.datetime
) -> int:
    from clarion.sandbox.networks import Sandbox

    with Sandbox(settings=settings) as box:
        print(
            f"Publishing to local stand-ins of {_names(box)} on 127.0.0.1 (sandbox: no "
            "credentials, no network, no file changed; the approval gate is skipped).",
            file=sys.stderr,
        )
        report = publish_to_sandbox(box, settings, items, now).report
        _summary(report, fmt)
        if fmt != "json":
            print()
            print(untrusted(box.describe()))
    return 1 if report.failed else 0
