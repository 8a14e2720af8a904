"""Reading metrics/*.jsonl (clarion.metrics.lines): the newest line of each part,
streamed, and a line that is not a metrics line named by file:line and skipped."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from clarion.metrics import lines
from clarion.metrics.lines import BadLine, MetricsLine, format_line

B = "at://did:plc:abc/app.bsky.feed.post/"


def line(part: int = 0, at: str = "2026-01-02T06:00:00Z", likes: int = 1, **other: object) -> str:
    fields = {
        "network": "bluesky",
        "path": "posts/2026/a.md",
        "part": part,
        "id": f"{B}a{part}",
        "at": at,
        "likes": likes,
        "reposts": 0,
        "replies": 0,
        "quotes": 0,
        "views": None,
        "followers": 100,
    }
    fields.update(other)
    return format_line(MetricsLine(**fields))  # type: ignore[arg-type]


def write(folder: Path, name: str, *rows: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_the_newest_line_of_each_part_wins_across_files(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    write(folder, "2026-01.jsonl", line(likes=1), line(part=1, likes=5))
    write(folder, "2026-02.jsonl", line(at="2026-02-01T06:00:00Z", likes=7))
    write(folder, "notes.txt", "not a metrics file")  # not YYYY-MM.jsonl: not read
    bad: list[BadLine] = []
    found = lines.latest(folder, bad.append)
    assert bad == []
    assert found[("bluesky", f"{B}a0", 0)].likes == 7
    assert found[("bluesky", f"{B}a1", 1)].likes == 5
    assert lines.latest(folder, bad.append, parts=(0,)).keys() == {("bluesky", f"{B}a0", 0)}


def test_a_renamed_post_is_one_part_by_its_id(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    write(
        folder, "2026-01.jsonl", line(likes=3), line(at="2026-01-03T06:00:00Z", path="posts/b.md")
    )
    (found,) = lines.latest(folder, print).values()
    assert (found.path, found.likes) == ("posts/b.md", 1)


def test_lines_out_of_order_keep_the_newest_by_time(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    write(folder, "2026-01.jsonl", line(at="2026-01-09T06:00:00Z", likes=9), line(likes=2))
    (found,) = lines.latest(folder, print).values()
    assert found.likes == 9


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"network": "bluesky", "pa', "not JSON (Unterminated string"),
        ("<<<<<<< HEAD", "not JSON (Expecting value"),
        ("[1, 2]", "not a JSON object but an array"),
        (line(part=-1), '"part" must be the 0-based number of the thread part'),
        (line(at="2026-01-02 06:00"), '"at" must be a UTC time ending in Z'),
        (line(likes=-3), '"likes" must be a whole number of at least 0, or null'),
        (line(followers="many"), '"followers" must be a whole number'),
        (line(replies=True), '"replies" must be a whole number'),
        (line(views=1.5), '"views" must be a whole number'),
        (line(id=12), '"id" must be the part\'s id on the network, a string'),
        (line(network=""), '"network" must be a network\'s name'),
    ],
)
def test_a_bad_line_is_named_by_file_and_line_and_skipped(
    tmp_path: Path, text: str, reason: str
) -> None:
    folder = tmp_path / "metrics"
    path = write(folder, "2026-01.jsonl", line(likes=1), "", text, line(part=1, likes=4))
    bad: list[BadLine] = []
    found = lines.latest(folder, bad.append)
    assert [(b.file, b.line) for b in bad] == [(path, 3)]
    message = str(bad[0])
    assert message.startswith(f"{path}:3: {reason}"), message
    assert "fix or delete it" in message
    assert {key[2] for key in found} == {0, 1}  # the good lines around it are read


def test_line_numbers_hold_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines, "_CHUNK_BYTES", 2000)  # a chunk of a few lines
    folder = tmp_path / "metrics"
    rows = [
        line(part=n % 3, likes=n, at=f"2026-01-02T06:{n // 60:02d}:{n % 60:02d}Z")
        for n in range(500)
    ]
    rows[321] = rows[321][:40]  # cut short, as a killed write leaves it
    rows[400] = line(part=0, likes=-1)
    path = write(folder, "2026-01.jsonl", *rows)
    bad: list[BadLine] = []
    found = lines.latest(folder, bad.append)
    assert [b.line for b in bad] == [322, 401]
    assert found[("bluesky", f"{B}a2", 2)].likes == 497
    bad.clear()
    only_first = lines.latest(folder, bad.append, parts=(0,))
    # Line 322 was part 0's (n = 321, 321 % 3 == 0) until cut: it no longer says so.
    assert [b.line for b in bad] == [322, 401]
    assert only_first[("bluesky", f"{B}a0", 0)].likes == 498
    assert path.is_file()


def test_lines_of_other_parts_are_not_checked_when_only_some_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    write(folder, "2026-01.jsonl", line(likes=1), line(part=2, likes=-5))
    bad: list[BadLine] = []
    assert len(lines.latest(folder, bad.append, parts=(0,))) == 1
    assert bad == []
    lines.latest(folder, bad.append)
    assert [b.line for b in bad] == [2]


def test_no_folder_no_lines(tmp_path: Path) -> None:
    assert lines.metrics_files(tmp_path / "metrics") == []
    assert lines.latest(tmp_path / "metrics", print) == {}


def test_a_line_reads_back_as_written(tmp_path: Path) -> None:
    written = MetricsLine(
        "mastodon", "posts/2026/é.md", 2, "1001", "2026-03-01T06:00:00Z", 3, 2, 1, None, None, 900
    )
    folder = tmp_path / "metrics"
    write(folder, "2026-03.jsonl", format_line(written))
    assert list(lines.read_lines(folder, print)) == [written]
    assert lines.month_file(folder, written.at) == folder / "2026-03.jsonl"
    assert "é" in format_line(written)  # kept as written, not escaped


def naive_latest(folder: Path) -> dict[tuple[str, str, int], MetricsLine]:
    """The rule, spelt out: every line parsed, the newest by time, the later on a tie."""
    found: dict[tuple[str, str, int], MetricsLine] = {}
    for path in lines.metrics_files(folder):
        for raw in path.read_text(encoding="utf-8").splitlines():
            data = json.loads(raw)
            line = MetricsLine(**data)
            key = (line.network, line.id, line.part)
            if key not in found or line.at >= found[key].at:
                found[key] = line
    return found


@pytest.mark.parametrize("seed", range(12))
def test_latest_is_the_newest_line_however_the_lines_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Lines as clarion metrics writes them are compared without being parsed; lines
    written otherwise (spaces, escapes, another key order) are parsed: both ways
    give the rule's answer, in any mix, in chunks of any size, in time order within
    each file (as appended) or not (as a merge may leave them), files overlapping
    in time or not."""
    rng = random.Random(seed)  # noqa: S311 - test data
    monkeypatch.setattr(lines, "_CHUNK_BYTES", rng.choice([300, 2000, 1 << 20]))
    folder = tmp_path / "metrics"
    plain = seed % 3 != 0  # no escape in any string: the keys are read from the text
    ids = ["1", "2", f"{B}x"] + ([] if plain else ['q"uote', "é/ü"])
    written = 1.0 if seed % 2 else 0.6  # the share of lines as format_line writes them
    in_order = seed % 4 < 2
    for n, month in enumerate(("2026-01", "2026-02")):
        days = f"2026-0{1 + n % 2 if seed % 5 else 1}"  # seed 0, 5, 10: both files one month
        rows = []
        for _ in range(rng.randrange(20, 60)):
            rows.append(
                {
                    "network": rng.choice(["bluesky", "x"]),
                    "path": rng.choice(["posts/a.md", "posts/ñ.md"] + ([] if plain else ["b\\c"])),
                    "part": rng.choice([0, 0, 1, 2]),
                    "id": rng.choice(ids),
                    "at": f"{days}-{rng.randrange(1, 28):02d}T06:00:{rng.randrange(60):02d}Z",
                    "likes": rng.randrange(100),
                    "reposts": rng.choice([None, 3]),
                    "replies": 0,
                    "quotes": None,
                    "views": rng.choice([None, 10_000]),
                    "followers": 5,
                }
            )
        if in_order:
            rows.sort(key=lambda fields: str(fields["at"]))
        texts = []
        for fields in rows:
            style = rng.random()
            if style < written:
                texts.append(format_line(MetricsLine(**fields)))  # type: ignore[arg-type]
            elif style < 0.8:
                texts.append(json.dumps(fields))  # spaces, escapes
            else:
                texts.append(json.dumps(dict(reversed(fields.items())), ensure_ascii=False))
        write(folder, f"{month}.jsonl", *texts)
    bad: list[BadLine] = []
    assert lines.latest(folder, bad.append) == naive_latest(folder)
    only = lines.latest(folder, bad.append, parts=(0,))
    assert only == {k: v for k, v in naive_latest(folder).items() if k[2] == 0}
    assert bad == []
