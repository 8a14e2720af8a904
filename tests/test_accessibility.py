"""Accessibility warnings (a screen reader reads what was written), as SPEC.md lists
them: alt text that is a file name, a placeholder, or the same for two images; a
multi-word #hashtag in one case; more than three emoji in a row; "fancy" letters.

Each folder under examples/warning/ is a case: post.md, which validates (warnings
do not fail) and draws the warning of expected.json at its line. The positive
examples draw none of these warnings.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests import forkrun
from tests.conftest import EXAMPLES, PYPROJECT, copy_examples

WARNING = sorted(p.name for p in (EXAMPLES / "warning").iterdir() if p.is_dir())
CODES = {
    "alt-file-name",
    "alt-placeholder",
    "alt-repeated",
    "hashtag-one-case",
    "emoji-run",
    "fancy-letters",
}


def _validate(root: Path) -> tuple[int, dict[str, Any]]:
    proc = forkrun.run(["validate", "--format", "json"], cwd=root)
    assert "Traceback" not in proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return proc.returncode, report


@pytest.fixture(scope="module")
def warning_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """All warning examples checked in one run."""
    root = tmp_path_factory.mktemp("warn") / "repo"
    (root / "posts").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    copy_examples("warning", root / "posts")
    code, report = _validate(root)
    assert code == 0, report
    return report


@pytest.mark.parametrize("case", WARNING)
def test_warning_example_warns_at_its_line(case: str, warning_report: dict[str, Any]) -> None:
    expected = json.loads((EXAMPLES / "warning" / case / "expected.json").read_text())
    posts = {p["path"]: p for p in warning_report["posts"]}
    post = posts[f"posts/{case}/post.md"]
    assert post["ok"], post["problems"]
    warnings = [p for p in post["problems"] if p["severity"] == "warning"]
    assert (expected["code"], expected["line"]) in [(p["code"], p["line"]) for p in warnings], (
        warnings
    )
    for problem in warnings:
        assert problem["message"]
    # One warning for one thing, not one per network.
    found = [p for p in warnings if p["code"] == expected["code"]]
    assert len(found) == 1, found


def test_positive_examples_draw_no_accessibility_warning(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "posts").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    copy_examples("positive", root / "posts")
    code, report = _validate(root)
    assert code == 0, report
    found = [
        (post["path"], p["code"], p["message"])
        for post in report["posts"]
        for p in post["problems"]
        if p["code"] in CODES
    ]
    assert not found


def test_history_is_not_warned_about(tmp_path: Path) -> None:
    """An imported archive validates as it is: what went out cannot be rewritten."""
    root = tmp_path / "repo"
    (root / "posts").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    shutil.copy(EXAMPLES / "warning" / "emoji-run" / "post.md", root / "posts" / "old.md")
    post = root / "posts" / "old.md"
    receipt = '    - id: "{0}"\n      url: https://x.com/example/status/{0}\n      at: 2020-01-01T00:00:00Z\n'
    post.write_text(
        post.read_text().replace(
            "lang: en\n",
            "lang: en\nplatforms: [x]\npublished:\n  x:\n" + receipt.format(1) + receipt.format(2),
        )
    )
    code, report = _validate(root)
    assert code == 0, report
    assert not [p for p in report["posts"][0]["problems"] if p["code"] in CODES]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#machinelearning", ["hashtag-one-case"]),
        ("#MachineLearning", []),
        ("#accessibility", []),  # one word: 13 letters
        ("#congratulations", ["hashtag-one-case"]),  # the price of the rule, documented
        ("#PYCON", []),
        ("issue#pythonsoftwarefoundation", []),  # not a hashtag
        ("https://example.org/#pythonsoftwarefoundation", []),
        ("🎉🎉🎉", []),
        ("🎉🎉🎉🎉", ["emoji-run"]),
        ("🎉 🎉 🎉 🎉", ["emoji-run"]),
        ("👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧", []),  # three families, each one emoji
        ("🇩🇪🇫🇷🇯🇵🇧🇷", ["emoji-run"]),
        ("👍🏽👍🏽👍🏽", []),
        ("★★★★★", ["emoji-run"]),
        ("1️⃣2️⃣3️⃣4️⃣", ["emoji-run"]),
        ("𝐛𝐨𝐥𝐝", ["fancy-letters"]),
        ("𝘪𝘵𝘢𝘭𝘪𝘤", ["fancy-letters"]),
        ("ℍ𝕖𝕝𝕝𝕠", ["fancy-letters"]),
        ("Ⓗⓔⓛⓛⓞ", ["fancy-letters"]),
        ("ℝ is the reals, and 𝑥 a variable", []),  # lone symbols of mathematics
        ("naïve café Ελληνικά 日本語", []),
        ("２０２６年のＰＣ", []),  # fullwidth forms are ordinary CJK typography
        ("ꜱᴍᴀʟʟ ᴄᴀᴘꜱ", ["fancy-letters"]),
    ],
)
def test_text_rules(text: str, expected: list[str]) -> None:
    from clarion.check.accessibility import text_problems

    assert [code for code, _message, _offset in text_problems(text)] == expected
