"""Receipts appended as lines (clarion.post.receipt_lines) are the bytes ruamel writes.

Every golden case, and generated posts with receipts recorded one after the
other (as a publish run records them: networks interleaved, odd ids and URLs,
unknown outcomes replaced), are written twice: with the lines path, and with
`receipts.LINES` off (ruamel alone). The files must be identical at each step.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from clarion.adapters.base import Receipt
from clarion.post import receipt_lines, receipts
from tests.receipts.test_receipts_golden import CASES, apply_change, changes_of

AT = dt.datetime(2026, 12, 1, 15, 0, 5, tzinfo=dt.UTC)


def both_ways(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, before: bytes, steps: list[object]
) -> None:
    """Apply `steps` (golden changes or (network, index, receipt)) to two copies of
    `before`, with and without the lines path; the files agree after each step."""
    fast, slow = tmp_path / "fast.md", tmp_path / "slow.md"
    fast.write_bytes(before)
    slow.write_bytes(before)
    for step in steps:
        outcomes = []
        for path, lines in ((fast, True), (slow, False)):
            monkeypatch.setattr(receipts, "LINES", lines)
            try:
                if isinstance(step, dict):
                    apply_change(path, step)
                else:
                    network, index, receipt = step  # type: ignore[misc]
                    receipts.record_receipt(path, network, index, receipt)
                outcomes.append("recorded")
            except receipts.ReceiptError as exc:
                outcomes.append(str(exc).replace(str(path), "post"))
        assert outcomes[0] == outcomes[1], step
        assert fast.read_bytes() == slow.read_bytes(), step


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_cases_are_written_as_ruamel_writes_them(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    both_ways(monkeypatch, tmp_path, (case / "before.md").read_bytes(), changes_of(case))


POSTS = {
    "plain": "---\nplatforms: [bluesky, mastodon, x]\nlang: en\n---\nBody.\n",
    "four": "---\nplatforms:\n    - x\n    - bluesky\nx:\n    body: Four\n---\nBody.\n",
    "crlf": "---\r\nplatforms: [x, bluesky]\r\nlang: en\r\n---\r\nBody.\r\n",
    "middle": (
        '---\nplatforms: [x, mastodon]\npublished:\n  x:\n    - id: "1"\n'
        "      url: https://x.com/e/status/1\n      at: 2026-12-01T15:00:05Z\nlang: en\n---\nB\n"
    ),
    "comment-last": "---\nplatforms: [x]\n# the end\n---\nBody.\n",
    "indented": "---\n  platforms: [x]\n  lang: en\n---\nBody.\n",
    "block-body": "---\nplatforms: [x]\nx:\n  body: |\n    Text\n---\nB\n",
}
IDS = ["1864012345678901234", "at://did:plc:abc/app.bsky.feed.post/3lxyz", 'say "hi"', "a\\b", "é"]
URLS = [
    "https://x.com/example/status/{n}",
    "https://mastodon.example/@e/{n}",
    "https://example.org/a:{n}:",
    "https://example.org/{n}?q=[1]",
    "https://example.org/ü/{n}",
    "https://example.org/{n}#part",
]


@pytest.mark.parametrize("seed", range(40))
def test_generated_receipts_are_written_as_ruamel_writes_them(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)  # noqa: S311 (reproducible test data)
    post = rng.choice(sorted(POSTS))
    networks = rng.sample(["bluesky", "mastodon", "x", "linkedin"], k=rng.randint(1, 3))
    counts = dict.fromkeys(networks, 0)
    if post == "middle":
        counts["x"] = 1
    steps: list[object] = []
    for n in range(rng.randint(1, 8)):
        network = rng.choice(networks)
        index = counts.setdefault(network, 0)
        if rng.random() < 0.15:
            steps.append((network, index, Receipt(at=AT, outcome="unknown")))
            continue  # the next receipt of this network replaces it
        ident = rng.choice(IDS) if rng.random() < 0.3 else str(1000 + n)
        url = rng.choice(URLS).format(n=n)
        steps.append((network, index, Receipt(at=AT + dt.timedelta(seconds=n), id=ident, url=url)))
        counts[network] += 1
    both_ways(monkeypatch, tmp_path, POSTS[post].encode(), steps)


def test_a_receipt_after_clarions_own_is_appended_as_lines() -> None:
    """The lines path is taken where publishing needs it: after a receipt Clarion wrote."""
    texts = [
        "platforms: [x]",
        "published:",
        "  x:",
        '    - id: "1"',
        "      url: https://x.com/e/status/1",
        "      at: 2026-12-01T15:00:05Z",
    ]
    fields = [("id", '"2"'), ("url", "https://x.com/e/status/2"), ("at", "2026-12-01T15:00:06Z")]
    appended = receipt_lines.appended(
        texts, (1, 6), "x", 1, fields, mapping=2, sequence=4, offset=2
    )
    assert appended == [
        *texts,
        '    - id: "2"',
        "      url: https://x.com/e/status/2",
        "      at: 2026-12-01T15:00:06Z",
    ]
    # A new network's list goes at the end of the block; a gap is left to ruamel.
    new = receipt_lines.appended(
        texts, (1, 6), "bluesky", 0, fields, mapping=2, sequence=4, offset=2
    )
    assert new is not None and new[6:8] == ["  bluesky:", '    - id: "2"']
    assert (
        receipt_lines.appended(texts, (1, 6), "x", 2, fields, mapping=2, sequence=4, offset=2)
        is None
    )
    # A comment in the block, or an author's quoting, is left to ruamel.
    for changed in ("      # checked by hand", "      url: 'https://x.com/e/status/1'"):
        edited = [*texts[:4], changed, *texts[5:]]
        assert (
            receipt_lines.appended(edited, (1, 6), "x", 1, fields, mapping=2, sequence=4, offset=2)
            is None
        )
