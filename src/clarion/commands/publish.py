"""`clarion publish`: publish what is due (or show it, or rehearse it in the sandbox)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from clarion import networks
from clarion.adapters.base import Adapter, Receipt
from clarion.commands import checked_posts
from clarion.errors import ClarionError, ConfigError, PublishFailedError
from clarion.logsafe import untrusted
from clarion.post import Post
from clarion.publish import Job, Publisher, PublishReport, RetryPolicy, plan
from clarion.result import PostResult
from clarion.settings import Settings, load_settings

if TYPE_CHECKING:
    from clarion.gitrepo import Repo


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


def mark_in_file(path: Path, network: str, what: str, index: int, at: dt.datetime) -> None:
    """Record a retraction or a correction on the part's receipt in the post file."""
    from clarion.receipts import record_edit, record_retraction

    if what == "retracted":
        record_retraction(path, network, at, index=index)
    else:
        record_edit(path, network, index, at)


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
    if fmt == "json":
        data = {
            "ok": not report.failed,
            "sent": report.sent(),
            "posts": [
                {
                    "path": post.path,
                    "networks": {
                        name: {
                            "state": n.state,
                            "message": n.message,
                            "receipts": [
                                {"part": i + 1, "id": r.id, "url": r.url, "outcome": r.outcome}
                                for i, r in n.sent
                            ],
                        }
                        for name, n in post.networks.items()
                    },
                }
                for post in report.posts
            ],
        }
        print(json.dumps(data, ensure_ascii=False))
        return
    for post in report.posts:
        states = [
            n
            for n in post.networks.values()
            if n.state not in ("published", "example", "retracted") or n.sent or n.message
        ]
        if not states:
            continue
        print(untrusted(post.path))
        for n in states:
            line = f"  {networks.display(n.network)}: {n.state}"
            urls = [r.url for _, r in n.sent if r.url]
            if urls:
                line += " " + " ".join(urls)
            if n.message:
                line += f" — {n.message}"
            print(untrusted(line))
    for network, message in report.auth_failures.items():
        print(f"{networks.display(network)}: {untrusted(message)}")


def run(
    settings: Settings, paths: Sequence[Path], fmt: str, *, dry_run: bool, sandbox: bool
) -> int:
    now = dt.datetime.now(dt.UTC)
    if sandbox:
        return _run_sandbox(settings, checked_posts(settings, paths), fmt, now)
    repo = None
    if not dry_run:
        from clarion.gitrepo import Repo, repo_root

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
    items = checked_posts(settings, paths)
    gate = None
    if settings.require_approval and not dry_run:
        from clarion.approval import approval_gate

        gate = approval_gate(settings, os.environ)
    jobs, report = plan(
        items, now, settings.platforms, settings.root, include_examples=dry_run, gate=gate
    )
    if dry_run:
        if fmt == "json":
            _summary(report, fmt)
        else:
            _print_dry_run(jobs)
            print()
            _summary(report, fmt)
        # An invalid post that is due would fail the real run: say so now.
        return 1 if report.failed else 0
    return _run_for_real(settings, repo, jobs, report, fmt)


def _progress(message: str) -> None:
    print(untrusted(message), file=sys.stderr, flush=True)


def _run_for_real(
    settings: Settings, repo: Repo | None, jobs: Sequence[Job], report: PublishReport, fmt: str
) -> int:
    from clarion.gitrepo import receipts_commit_message
    from clarion.receipts import record_receipt

    def committed(post: Post) -> None:
        if repo is not None:
            repo.commit([post.path], receipts_commit_message(post.rel))

    publisher = Publisher(
        adapter_factories(settings, os.environ),
        record_receipt,
        policy=policy(settings),
        progress=_progress,
        on_post_done=committed,
        mark=mark_in_file,
    )

    def stop(signum: int, _frame: object) -> None:
        # A cancelled workflow gets SIGINT, then SIGTERM: finish the parts on
        # their way, record, commit and push them, and start nothing new.
        _progress(f"stopping ({signal.Signals(signum).name}): finishing the parts on their way")
        publisher.stop()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        publisher.run(jobs, report)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        # What went out is reported even when the run or the push fails: it is
        # what a person needs to settle anything the repository could not keep.
        try:
            if repo is not None:
                _progress(repo.push().describe())
        finally:
            _summary(report, fmt)
    if report.auth_failures:
        raise ConfigError("; ".join(report.auth_failures.values()))
    if report.failed:
        raise PublishFailedError("some posts were not published, or need a person: see above")
    return 0


def _run_sandbox(
    settings: Settings, items: list[tuple[Post, PostResult]], fmt: str, now: dt.datetime
) -> int:
    from clarion.sandbox.networks import Sandbox

    with Sandbox() as box:
        sandbox_settings = box.settings(settings)
        jobs, report = plan(items, now, settings.platforms, settings.root, include_examples=True)
        kept: list[tuple[Path, str, int, Receipt]] = []
        print(
            "Publishing to local stand-ins of Bluesky, Mastodon and X on 127.0.0.1 "
            "(sandbox: no credentials, no network, no file changed; the approval gate is skipped).",
            file=sys.stderr,
        )
        publisher = Publisher(
            adapter_factories(sandbox_settings, box.env),
            lambda path, network, index, receipt: kept.append((path, network, index, receipt)),
            policy=policy(settings),
            progress=_progress,
        )
        publisher.run(jobs, report)
        _summary(report, fmt)
        if fmt == "text":
            print()
            print(untrusted(box.describe()))
    return 1 if report.failed else 0
