"""Every subcommand's --help says what it does, with an example; -C DIR is documented."""

from __future__ import annotations

import argparse
import re

import pytest

from clarion import cli
from tests.conftest import ROOT, Run


def _subcommands() -> list[str]:
    parser = cli._parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def _help(*args: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as stopped:
        cli.main([*args, "--help"])
    assert stopped.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", _subcommands())
def test_each_subcommand_says_what_it_does_with_an_example(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = _help(command, capsys=capsys)
    usage, _, rest = shown.partition("\n\n")
    assert usage.startswith(f"usage: clarion {command}")
    description = rest.split("\n\n", 1)[0]
    # A sentence of its own, not straight into the argument lists.
    assert not description.startswith(("positional arguments:", "options:")), shown
    assert len(description.split()) >= 8, shown
    examples = [line for line in shown.splitlines() if line.startswith("example:")]
    assert examples, shown
    for line in examples:
        assert re.match(rf"example: clarion (-C \S+ )?{re.escape(command)}\b", line), line


def test_dash_c_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    shown = _help(capsys=capsys)
    assert re.search(r"^  -C DIR\s+\S", shown, re.MULTILINE), shown
    assert "example: clarion -C " in shown


def test_dash_c_runs_in_that_folder(clarion: Run) -> None:
    proc = clarion("-C", str(ROOT), "validate", cwd=ROOT / "src")
    assert proc.returncode == 0, proc.stdout + proc.stderr
