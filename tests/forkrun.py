"""`clarion` run as a process of its own, forked from one that has loaded it already.

Each run is a real process: its own pid, working directory, environment,
standard streams and exit status, running Clarion's entry point with the
arguments given, as `python -m clarion ARGS` does. Only the interpreter's start
and Clarion's imports are done once per test worker, in a fork server
(multiprocessing's), instead of at every run: a third of a second of CPU a run,
a good part of the whole suite's.

`CLARION_TEST_COLD=1` starts every run as a new interpreter instead. The runs
that must be one (a program started and killed in the background, the newcomer's
first commands, the workflows under act) start one whatever this says.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# Loaded by the fork server before it forks any run: the commands and what they
# load on first use (the adapters' client libraries, the text rules).
PRELOAD = ["tests.forkwarm"]

_context: Any = None


def cold() -> bool:
    return os.environ.get("CLARION_TEST_COLD", "") not in ("", "0")


def run(
    args: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`clarion ARGS` in `cwd` with `env` (default: this process's), its output
    captured as text, as `subprocess.run(..., capture_output=True, text=True)`."""
    command = [sys.executable, "-m", "clarion", *args]
    environment = dict(os.environ if env is None else env)
    if cold():
        return subprocess.run(
            command,
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    global _context  # noqa: PLW0603 - one fork server per test worker
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    with tempfile.TemporaryDirectory(prefix="clarion-run-") as tmp:
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        process = _context.Process(
            target=_clarion, args=(list(args), str(cwd), environment, str(out), str(err))
        )
        process.start()
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired(command, timeout, _read(out), _read(err))
        return subprocess.CompletedProcess(command, process.exitcode, _read(out), _read(err))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _clarion(args: list[str], cwd: str, env: dict[str, str], out: str, err: str) -> None:
    """In the forked process: become `python -m clarion ARGS` and run it."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for fd, path in ((1, out), (2, err)):
        opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    os.close(null)
    # Fresh streams over the new descriptors, as a new interpreter makes them.
    sys.stdin = sys.__stdin__ = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = sys.__stderr__ = open(  # noqa: SIM115
        2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1
    )
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    from clarion.cli import main

    sys.argv = [str(Path(main.__code__.co_filename).with_name("__main__.py")), *args]

    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)
