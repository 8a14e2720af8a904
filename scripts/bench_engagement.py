"""Benchmark `clarion engagement` on a year of metrics lines for N posts.

Generates, in a temporary repository, N published posts (one in five a thread,
about half with a link) sent over the year 2026 to Bluesky, Mastodon and X,
and the metrics lines a daily `clarion metrics` would have appended for them:
a part is read daily in its first 30 days and monthly after, and a line is
written only when its counts changed (likely in the first days, rarely after).
Then prints the size of the metrics files and the wall time of the real
`clarion engagement` (each format), each run in a fresh process.

    uv run python scripts/bench_engagement.py [N] [--runs R] [--keep DIR]

Targets (issue 12): the files under 50 MB, `clarion engagement` under 3 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clarion.metrics.lines import MetricsLine, format_line

NETWORKS = ("bluesky", "mastodon", "x")
YEAR_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
YEAR_END = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
READ_HOUR = 6  # the metrics workflow's daily run, UTC
# Followers at the start of the year and their change a day: the organisation
# grows on Bluesky and Mastodon and slowly loses followers on X.
FOLLOWERS = {"bluesky": (42_000, 60), "mastodon": (23_000, 15), "x": (310_000, -80)}
# How engaging a post is on each network, on average (likes of a first part).
REACH = {"bluesky": 60.0, "mastodon": 35.0, "x": 45.0}
LINK_PENALTY = {"bluesky": 1.0, "mastodon": 1.0, "x": 0.5}  # X's ranking and links

SENTENCES = [
    "Our next release is out, with faster builds and a new plugin API.",
    "Join us at the community call on Thursday; everyone is welcome!",
    "Nous recherchons des bénévoles pour la conférence de cette année.",
    "Die Anmeldung für den Sprint ist jetzt geöffnet.",
    "新しいバージョンをリリースしました。",
    "Thanks to the 120 contributors who made this possible 🎉",
    "Security fix: please upgrade to 2.4.1 as soon as you can.",
]
LINKS = [
    "https://example.org/blog/2026/release-notes",
    "https://docs.example.org/en/latest/changelog.html",
    "https://github.com/example/project/pull/1234",
]

PYPROJECT = """\
[tool.clarion]
platforms = ["bluesky", "mastodon", "x"]
require_approval = false

[tool.clarion.accounts.bluesky]
handle = "example.org"

[tool.clarion.accounts.mastodon]
instance = "https://fosstodon.org"

[tool.clarion.accounts.x]
handle = "example"
"""


def _id(network: str, rng: random.Random) -> str:
    if network == "bluesky":
        key = "".join(rng.choices("234567abcdefghijklmnopqrstuvwxyz", k=13))
        return f"at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/{key}"
    return str(rng.randrange(10**17, 10**19))


def _url(network: str, ident: str) -> str:
    if network == "bluesky":
        return "https://bsky.app/profile/example.org/post/" + ident.rsplit("/", 1)[1]
    if network == "mastodon":
        return f"https://fosstodon.org/@example/{ident}"
    return f"https://x.com/example/status/{ident}"


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _followers(network: str, moment: dt.datetime) -> int:
    start, per_day = FOLLOWERS[network]
    return start + int(per_day * (moment - YEAR_START).total_seconds() / 86_400)


def _reads(published: dt.datetime) -> list[tuple[int, dt.datetime]]:
    """(days since publishing, when) of each read of a part: daily in its first
    30 days, then every 30 days, within the year."""
    first = (published + dt.timedelta(days=1)).replace(hour=READ_HOUR, minute=0, second=0)
    days = [*range(30), *range(60, 400, 30)]
    return [(day + 1, when) for day in days if (when := first + dt.timedelta(days=day)) < YEAR_END]


def _change_chance(day: int) -> float:
    """The chance a part's counts changed since the read before: most likes come
    in the first days; a post is still found now and then, months later."""
    if day <= 30:
        return 0.04 + 0.9 * math.exp(-(day - 1) / 3)
    return 0.2


def generate(root: Path, count: int, seed: int = 2026) -> None:
    """A repository with `count` published posts and a year of their metrics lines."""
    rng = random.Random(seed)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    pending: dict[str, list[MetricsLine]] = {}
    span = (YEAR_END - YEAR_START).total_seconds()
    for n in range(count):
        published = YEAR_START + dt.timedelta(seconds=int(span * n / count) + 3600)
        path = f"posts/{published:%Y}/post-{n:05d}.md"
        parts = rng.choice((1, 1, 1, 1, 2, 3))
        targets = [net for net in NETWORKS if rng.random() < 0.85] or ["mastodon"]
        link = rng.random() < 0.5
        card = link and rng.random() < 0.5
        texts = [" ".join(rng.sample(SENTENCES, 2)) + f" #{n}" for _ in range(parts)]
        if link and not card:
            texts[0] += "\n" + rng.choice(LINKS)
        receipts: dict[str, list[str]] = {}
        for net in targets:
            ids = [_id(net, rng) for _ in range(parts)]
            receipts[net] = ids
            appeal = rng.lognormvariate(0, 1) * REACH[net] * (LINK_PENALTY[net] if link else 1)
            for part, ident in enumerate(ids):
                _part_lines(pending, rng, net, path, part, ident, published, appeal / (1 + part))
        _write_post(root / path, published, targets, receipts, texts, card)
    folder = root / "metrics"
    folder.mkdir()
    for month, lines in sorted(pending.items()):
        lines.sort(key=lambda line: line.at)  # appended run after run
        text = "".join(format_line(line) + "\n" for line in lines)
        (folder / f"{month}.jsonl").write_text(text, encoding="utf-8")


def _part_lines(
    pending: dict[str, list[MetricsLine]],
    rng: random.Random,
    network: str,
    path: str,
    part: int,
    ident: str,
    published: dt.datetime,
    appeal: float,
) -> None:
    likes = reposts = replies = quotes = 0
    views = 0 if network == "x" else None
    for day, when in _reads(published):
        if rng.random() >= _change_chance(day):
            continue
        share = appeal * (0.5 if day == 1 else 0.15 if day <= 30 else 0.03)
        grown = max(1, round(rng.expovariate(1 / max(share, 0.5))))
        likes += grown
        reposts += rng.randrange(0, 1 + grown // 4)
        replies += rng.randrange(0, 1 + grown // 8)
        quotes += rng.randrange(0, 1 + grown // 20)
        if views is not None:
            views += grown * rng.randrange(20, 60)
        line = MetricsLine(
            network,
            path,
            part,
            ident,
            _stamp(when),
            likes,
            reposts,
            replies,
            quotes,
            views,
            _followers(network, when),
        )
        pending.setdefault(line.month, []).append(line)


def _write_post(
    path: Path,
    published: dt.datetime,
    targets: list[str],
    receipts: dict[str, list[str]],
    texts: list[str],
    card: bool,
) -> None:
    front = ["---", f"platforms: [{', '.join(targets)}]", "lang: en"]
    if card:
        front += ["link:", f"  url: {LINKS[0]}", "  title: Release notes"]
    front.append("published:")
    for net, ids in receipts.items():
        front.append(f"  {net}:")
        for part, ident in enumerate(ids):
            at = _stamp(published + dt.timedelta(seconds=part + 1))
            front += [f'    - id: "{ident}"', f"      url: {_url(net, ident)}", f"      at: {at}"]
    front.append("---")
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n\n---\n\n".join(texts)
    path.write_text("\n".join(front) + "\n" + body + "\n", encoding="utf-8")


def measure(args: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess[bytes]]:
    """Wall and CPU seconds of one fresh `clarion` process (CPU: what it would take on
    a machine of its own; the wall time grows with whatever else the machine runs)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "clarion", *args], cwd=cwd, capture_output=True, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate into this new folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        if root.exists() and any(root.iterdir()):
            sys.exit(f"{root} is not empty")
        root.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        generate(root, args.count)
        files = sorted((root / "metrics").glob("*.jsonl"))
        size = sum(f.stat().st_size for f in files)
        lines = sum(f.read_bytes().count(b"\n") for f in files)
        print(
            f"generated {args.count:,} posts and {lines:,} metrics lines in {len(files)} files "
            f"({time.perf_counter() - started:.1f} s): {size / 1e6:.1f} MB "
            f"(target < 50 MB), {size / max(lines, 1):.0f} bytes a line"
        )
        print(f"load average before measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        shown = b""
        for fmt in ("text", "json", "csv"):
            walls, cpus = [], []
            for _ in range(args.runs):
                wall, cpu, proc = measure(["engagement", "--format", fmt], root)
                if proc.returncode != 0:
                    sys.exit(f"clarion engagement failed: {proc.stderr.decode()}")
                walls.append(wall)
                cpus.append(cpu)
                shown = proc.stdout if fmt == "text" else shown
            print(
                f"clarion engagement --format {fmt}: wall median {statistics.median(walls):.2f} s "
                f"(min {min(walls):.2f}, max {max(walls):.2f}), CPU median "
                f"{statistics.median(cpus):.2f} s, {args.runs} runs (target < 3 s)"
            )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        print()
        print(shown.decode())


if __name__ == "__main__":
    main()
