"""Tests of files that cannot be read or written, also where the tests run as root.

Root reads and writes any file whatever its mode: the capabilities
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH bypass the permission bits. So, run as
root (as CI is), `without_root_file_access(body, *args)` runs `body(*args)` in a
child process from which `setpriv` has dropped those two capabilities: the files
a test made are still its own, and their modes count as for anyone. Otherwise
`body` runs here. Either way the test runs: it is never skipped for being root.

`body` and `args` go to the child by pickle, so `body` is a module-level
function and `args` plain values (paths, dataclasses).
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DROPPED = "-dac_override,-dac_read_search"

CHILD = """\
import pickle, sys
status = open("/proc/self/status").read()
effective = int(status.split("CapEff:")[1].split()[0], 16)
assert not effective & 0b110, f"CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH kept: {effective:x}"
body, args = pickle.loads(sys.stdin.buffer.read())
body(*args)
"""


def without_root_file_access(body: Callable[..., None], *args: object) -> None:
    if os.geteuid() != 0:
        body(*args)
        return
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail(
            "running as root, this test needs setpriv (util-linux) to drop root's file access"
        )
    proc = subprocess.run(
        [
            setpriv,
            f"--inh-caps={DROPPED}",
            f"--bounding-set={DROPPED}",
            "--",
            sys.executable,
            "-c",
            CHILD,
        ],
        input=pickle.dumps((body, args)),
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
