"""Benchmark `clarion validate --format json` on N generated posts.

Generates N posts (mixed languages, emoji, links, threads, no images) in a
temporary repository, then prints the wall time and peak memory of validating
all of them, and of `clarion --version`, each measured cold in a fresh process
as CI runs it.

    uv run python scripts/bench_validate.py [N] [--runs R]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SENTENCES = [
    "Our next release is out, with faster builds and a new plugin API.",
    "Join us at the community call on Thursday; everyone is welcome!",
    "Nous recherchons des bénévoles pour la conférence de cette année.",
    "Die Anmeldung für den Sprint ist jetzt geöffnet — schnell sein lohnt sich.",
    "新しいバージョンをリリースしました。ぜひお試しください。",
    "我们的年度报告已经发布，感谢所有贡献者。",
    "Спасибо всем, кто помог с переводом документации!",
    "¡Gracias a todas las personas que participaron en el hackathon!",
    "Thanks to the 120 contributors who made this possible 🎉🐍",
    "Security fix: please upgrade to 2.4.1 as soon as you can 🔒",
    "Flags of the host countries: 🇩🇪 🇫🇷 🇯🇵, and a family 👩‍👩‍👧 of emoji.",
]
LINKS = [
    "https://example.org/blog/2026/release-notes",
    "https://docs.example.org/en/latest/changelog.html#version-2-4",
    "example.com/tickets",
    "https://github.com/example/project/pull/1234",
]
TAGS = ["#OpenSource", "#Python", "#Community", "#Release", "#FOSS"]


def make_post(rng: random.Random, index: int) -> str:
    front = ["---", f"lang: {rng.choice(['en', 'de', 'fr', 'ja', 'zh', 'es'])}"]
    networks = rng.choice([["bluesky", "mastodon", "x"], ["bluesky", "mastodon"], ["x"], None])
    if networks:
        front.append(f"platforms: [{', '.join(networks)}]")
    if rng.random() < 0.2:
        front.append(f"publish_at: 2027-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T09:00:00+01:00")
    if rng.random() < 0.1:
        front.append("content_warning: Long thread ahead")
    if rng.random() < 0.1:
        front.append("mastodon: {visibility: unlisted}")
    front.append("---")
    parts = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        words = " ".join(rng.sample(SENTENCES, 2))
        parts.append(f"{words}\n{rng.choice(LINKS)} {rng.choice(TAGS)} #{index}")
    return "\n".join(front) + "\n" + "\n\n---\n\n".join(parts) + "\n"


def generate(root: Path, count: int) -> None:
    rng = random.Random(2026)
    (root / "pyproject.toml").write_text(
        '[tool.clarion]\nplatforms = ["bluesky", "mastodon", "x"]\n'
        '[tool.clarion.accounts.bluesky]\nhandle = "example.org"\n'
        '[tool.clarion.accounts.mastodon]\ninstance = "https://fosstodon.org"\n'
        '[tool.clarion.accounts.x]\nhandle = "example"\n',
        encoding="utf-8",
    )
    for index in range(count):
        folder = root / "posts" / str(2000 + index % 27)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"post-{index:05d}.md").write_text(make_post(rng, index), encoding="utf-8")


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants, from /proc (Linux)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(status.split("VmRSS:")[1].split()[0]) if "VmRSS:" in status else 0
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def measure(args: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess[bytes]]:
    """Wall seconds and peak memory (MB, the whole process tree: the check may use
    worker processes) of one fresh `clarion` process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "clarion", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    rusage_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    completed = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    return wall, max(peak, rusage_peak) / 1024, completed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.count)
        versions = [measure(["--version"], root)[0] for _ in range(5)]
        print(f"clarion --version: median {statistics.median(versions):.3f} s (of 5)")
        walls, peaks = [], []
        for _ in range(args.runs):
            wall, peak, proc = measure(["validate", "--format", "json"], root)
            walls.append(wall)
            peaks.append(peak)
            if proc.returncode not in (0, 1):
                sys.exit(f"validate failed: {proc.stderr.decode()}")
        report = json.loads(proc.stdout)
        invalid = sum(1 for post in report["posts"] if not post["ok"])
        print(
            f"clarion validate --format json on {len(report['posts'])} posts "
            f"({invalid} invalid): median {statistics.median(walls):.2f} s "
            f"(min {min(walls):.2f}, max {max(walls):.2f}, {args.runs} runs), "
            f"peak memory {max(peaks):.0f} MB (all its processes together)"
        )


if __name__ == "__main__":
    main()
