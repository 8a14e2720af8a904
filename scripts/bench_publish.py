"""Benchmark `clarion publish`: a 3-part thread with two images to every
network the registry knows (Bluesky, Mastodon, X, Threads, LinkedIn,
Discourse), against the sandbox stand-ins with latency added to every request.

Prints the wall time of the command, the critical path (the most requests one
network makes × the latency: the time a network needs when it sends them one
after the other), their ratio, and the overhead from the command's start to its
first request. Where an adapter sends requests side by side, its round trips
(requests that arrived together count once) are fewer than its requests: the
shortest chain it achieves is printed too, with the wall time against it.

    uv run python scripts/bench_publish.py [--latency 0.1] [--runs 3]
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import clarion
from clarion.sandbox.networks import Sandbox

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415478da63606060000000040001f61738550000000049454e44ae426082"
)

POST = """\
---
title: A benchmark thread, as one forum topic
lang: en
media:
  - path: one.png
    alt: The first picture
  - path: two.png
    alt: The second picture
---
Part one of a benchmark thread with a link https://example.org/bench #Clarion

---

Part two of the thread.

---

Part three of the thread.
"""


def round_trips(arrivals: list[float], latency: float) -> int:
    """Requests that arrived within half a latency of the first of a round are one
    round trip: a request that waited for an answer comes a full latency later."""
    rounds, start = 0, None
    for at in sorted(arrivals):
        if start is None or at - start >= latency / 2:
            rounds, start = rounds + 1, at
    return rounds


def run_once(
    latency: float,
) -> tuple[float, float, float, dict[str, int], float, dict[str, int]]:
    with tempfile.TemporaryDirectory() as tmp, Sandbox(latency=latency) as box:
        root = Path(tmp)
        tables, secrets = box.accounts()
        names = list(box.stand_ins)
        settings = [
            "[tool.clarion]",
            "require_approval = false",
            f"platforms = {json.dumps(names)}",
        ]
        for name, account in tables.items():
            settings.append(f"[tool.clarion.accounts.{name}]")
            settings.extend(
                f"{item.name} = {json.dumps(getattr(account, item.name))}"
                for item in dataclasses.fields(account)
            )
        (root / "pyproject.toml").write_text("\n".join(settings) + "\n")
        posts = root / "posts"
        posts.mkdir()
        (posts / "one.png").write_bytes(PNG)
        (posts / "two.png").write_bytes(PNG)
        (posts / "bench.md").write_text(POST)
        for stand_in in box.stand_ins.values():
            if hasattr(stand_in, "root"):  # Threads fetches the images from its stand-in
                stand_in.root = root
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLARION_")}
        env.update(secrets)
        start = time.time()
        proc = subprocess.run(
            [sys.executable, "-m", "clarion", "publish"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.time() - start
        if proc.returncode != 0:
            sys.exit(f"publish failed:\n{proc.stdout}\n{proc.stderr}")
        counts = {name: len(box.get(name).requests) for name in names}
        rounds = {
            name: round_trips([r.at for r in box.get(name).requests], latency) for name in names
        }
        if os.environ.get("BENCH_TRACE"):
            for name in names:
                for r in box.get(name).requests:
                    print(f"{r.at - start:6.3f} {name:9} {r.method} {r.path}", file=sys.stderr)
        arrivals = [r.at for name in names for r in box.get(name).requests]
        first, last = min(arrivals), max(arrivals) + latency
        return wall, max(counts.values()) * latency, first - start, counts, last - first, rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    # Clarion's modules compiled first, as an installed clarion's are: where
    # Python runs with PYTHONDONTWRITEBYTECODE, a checkout's changed modules
    # would otherwise be compiled again at every start of the command.
    compileall.compile_dir(Path(clarion.__file__).parent, quiet=1)
    results = [run_once(args.latency) for _ in range(args.runs)]
    wall = statistics.median(r[0] for r in results)
    critical = results[0][1]
    overhead = statistics.median(r[2] for r in results)
    counts = results[0][3]
    network_phase = statistics.median(r[4] for r in results)
    # The fewest seen: a loaded machine can only spread requests sent together apart.
    rounds = {name: min(r[5][name] for r in results) for name in counts}
    chain = max(rounds.values()) * args.latency
    print(f"requests per network: {counts}")
    print(f"round trips per network: {rounds} (requests sent side by side count once)")
    print(
        f"network phase (first request to last answer): {network_phase:.2f} s, "
        f"{network_phase / critical:.2f}× the critical path"
    )
    print(
        f"shortest chain {chain:.2f} s ({max(rounds.values())} round trips); "
        f"wall / shortest chain {wall / chain:.2f}"
    )
    print(
        f"wall {wall:.2f} s (median of {args.runs}); critical path {critical:.2f} s "
        f"({max(counts.values())} requests × {args.latency * 1000:.0f} ms); "
        f"ratio {wall / critical:.2f}; start to first request {overhead:.2f} s"
    )


if __name__ == "__main__":
    main()
