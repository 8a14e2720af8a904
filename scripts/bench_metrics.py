"""Benchmark `clarion metrics`: 10,000 published parts over Bluesky, Mastodon and X.

The stand-ins run in this process, each answering every request 50 ms late
(`StandIn.latency`); the posts and their stand-in copies are made directly
(publishing 10,000 parts through the APIs would measure publishing). Every part
was published in the last 30 days, so every part is due: the worst run. X is
read with `metrics = true` and a `max_reads` that covers it all.

Then the real `clarion metrics` runs twice in a process of its own: first
every part gets its first line, then after a tenth of the parts' counts moved,
only theirs. Printed: each run's wall time, its peak memory (the child's
maximum resident set), the requests each network answered, and how much the
metrics file grew, with the bytes a line takes.

    uv run python scripts/bench_metrics.py [PARTS] [--latency SECONDS] [--keep DIR]

Targets (issue 12): under 60 s and under 200 MB for 10,000 parts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from clarion.sandbox.bluesky import BlueskyStandIn, StoredRecord
from clarion.sandbox.bluesky.lexicon import POST
from clarion.sandbox.mastodon import MastodonStandIn
from clarion.sandbox.mastodon.state import Status
from clarion.sandbox.x import StoredTweet, XStandIn

NETWORKS = ("bluesky", "mastodon", "x")
TEXTS = [
    "Our next release is out, with faster builds and a new plugin API.",
    "Join us at the community call on Thursday; everyone is welcome!",
    "Security fix: please upgrade to 2.4.1 as soon as you can.",
    "Thanks to the 120 contributors who made this possible",
]


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed(root: Path, posts: int, bluesky: Any, mastodon: Any, x: Any) -> int:
    """`posts` posts, each published to the three networks; the parts made."""
    rng = random.Random(12)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    did = bluesky.account.did
    parts = 0
    for n in range(posts):
        published = now - dt.timedelta(seconds=int(29 * 86_400 * (posts - n) / posts) + 60)
        text = f"{rng.choice(TEXTS)} #{n}"
        rkey = f"3l{n:011d}"
        uri = f"at://{did}/{POST}/{rkey}"
        bluesky.records[uri] = StoredRecord(
            uri, f"bafy{n:040d}", {"$type": POST, "text": text}, _stamp(published)
        )
        status_id = mastodon.ids.next(published.timestamp())
        mastodon.statuses[status_id] = Status(
            status_id, published.timestamp(), text, "", "public", "en", False, None, [], None
        )
        tweet_id = x.snowflake()
        x.tweets[tweet_id] = StoredTweet(tweet_id, text, _stamp(published), tweet_id)
        receipts = {
            "bluesky": (uri, f"{bluesky.url}/profile/{bluesky.account.handle}/post/{rkey}"),
            "mastodon": (status_id, mastodon.status_url(status_id)),
            "x": (tweet_id, f"{x.url}/{x.username}/status/{tweet_id}"),
        }
        lines = ["---", "platforms: [bluesky, mastodon, x]", "lang: en", "published:"]
        for network, (ident, url) in receipts.items():
            lines += [
                f"  {network}:",
                f'    - id: "{ident}"',
                f"      url: {url}",
                f"      at: {_stamp(published)}",
            ]
        lines += ["---", text, ""]
        path = root / "posts" / f"{published:%Y}" / f"post-{n:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
        parts += 3
    return parts


def settings(bluesky: Any, mastodon: Any, x: Any, max_reads: int) -> str:
    return f"""\
[tool.clarion]
platforms = ["bluesky", "mastodon", "x"]
require_approval = false
timeout = 60
max_retry_wait = 30

[tool.clarion.accounts.bluesky]
handle = "{bluesky.account.handle}"
service = "{bluesky.url}"
appview = "{bluesky.url}"

[tool.clarion.accounts.mastodon]
instance = "{mastodon.url}"

[tool.clarion.accounts.x]
handle = "{x.username}"
api = "{x.url}"
metrics = true
max_reads = {max_reads}
"""


def move(rng: random.Random, share: float, bluesky: Any, mastodon: Any, x: Any) -> int:
    """Likes come in on `share` of the parts of each network; how many parts moved."""
    moved = 0
    for uri in rng.sample(sorted(bluesky.records), int(len(bluesky.records) * share)):
        bluesky.set_counts(uri, likes=rng.randrange(1, 500))
        moved += 1
    for status in rng.sample(sorted(mastodon.statuses), int(len(mastodon.statuses) * share)):
        mastodon.set_counts(status, likes=rng.randrange(1, 500))
        moved += 1
    for tweet in rng.sample(sorted(x.tweets), int(len(x.tweets) * share)):
        x.set_counts(tweet, likes=rng.randrange(1, 500), views=rng.randrange(500, 90_000))
        moved += 1
    return moved


def run_metrics(root: Path, env: dict[str, str]) -> tuple[float, float, dict[str, Any]]:
    """One `clarion metrics --format json` in its own process: seconds, peak MB, report."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", "clarion", "metrics", "--format", "json"],
            cwd=root,
            env=env,
            stdout=out,
            stderr=err,
        )
        # wait4 gives the child's own peak resident set (kilobytes on Linux).
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        report, said = out.read(), err.read().decode("utf-8", "replace")
    if child.returncode != 0:
        sys.exit(f"clarion metrics failed ({child.returncode}):\n{report.decode()}\n{said}")
    return seconds, usage.ru_maxrss / 1024, json.loads(report)


def size(root: Path) -> int:
    return sum(p.stat().st_size for p in (root / "metrics").glob("*.jsonl"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="?", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    posts = max(1, args.parts // len(NETWORKS))
    root = args.keep or Path(tempfile.mkdtemp(prefix="clarion-bench-metrics-"))
    root.mkdir(parents=True, exist_ok=True)
    stand_ins = (
        BlueskyStandIn(latency=args.latency),
        # Mastodon allows 300 requests in 5 minutes (DEFAULT_LIMITS): two runs of
        # 3,333 parts (168 requests each) in a row would meet it, which measures
        # the rate limit, not the run.
        MastodonStandIn(latency=args.latency, limits={"api": (100_000, 300.0)}),
        XStandIn(args.latency),
    )
    for stand_in in stand_ins:
        stand_in.start()
    bluesky, mastodon, x = stand_ins
    bluesky.followers, mastodon.engagement.followers, x.followers = 42_000, 23_000, 310_000
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARION_", "GITHUB_"))}
    env.update(x.sandbox_settings()[1])  # X's keys; Bluesky and Mastodon need none
    try:
        made = time.monotonic()
        parts = seed(root, posts, bluesky, mastodon, x)
        (root / "pyproject.toml").write_text(
            settings(bluesky, mastodon, x, max_reads=parts), encoding="utf-8"
        )
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(
            f"{parts:,} parts in {posts:,} posts over {len(NETWORKS)} networks, "
            f"{args.latency * 1000:.0f} ms a request (made in {time.monotonic() - made:.1f} s)"
        )
        rng = random.Random(7)
        for second in (False, True):
            label = "first run (every part new)"
            if second:
                moved = move(rng, 0.1, bluesky, mastodon, x)
                label = f"second run ({moved:,} parts moved)"
            before = size(root)
            for stand_in in stand_ins:
                stand_in.requests.clear()
            seconds, peak, report = run_metrics(root, env)
            grown = size(root) - before
            written = report["written"]
            per_line = grown / written if written else 0
            requests = ", ".join(
                f"{name} {report['networks'][name]['requests']}" for name in NETWORKS
            )
            print(
                f"{label}: {seconds:.1f} s, peak {peak:.0f} MB, {written:,} lines, "
                f"+{grown / 1e6:.2f} MB ({per_line:.0f} bytes a line); requests: {requests}"
            )
            for name in NETWORKS:
                for note in report["networks"][name]["notes"]:
                    print(f"  {note}")
        print(f"metrics files: {size(root) / 1e6:.2f} MB in {root / 'metrics'}")
    finally:
        for stand_in in stand_ins:
            stand_in.stop()
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
