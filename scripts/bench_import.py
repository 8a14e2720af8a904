"""Benchmark `clarion import x-archive` on a generated archive of N posts.

Generates an X archive zip in X's format (data/tweets.js, account.js,
tweets_media/) with N posts: links behind t.co, HTML entities, one post in 20
with an image, self-reply threads, replies to others and retweets. Then times,
each in a fresh process as a user runs it: the import into an empty repository,
the same import again (nothing to do), and `clarion validate` of the result.

    uv run python scripts/bench_import.py [N] [--runs R]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

USERNAME = "bench_org"
ACCOUNT_ID = "4242"
PYPROJECT = """\
[tool.clarion]
platforms = ["bluesky", "mastodon", "x"]
[tool.clarion.accounts.bluesky]
handle = "example.org"
[tool.clarion.accounts.mastodon]
instance = "https://fosstodon.org"
[tool.clarion.accounts.x]
handle = "bench_org"
"""
SENTENCES = [
    "Our next release is out, with faster builds &amp; a new plugin API.",
    "Join us at the community call on Thursday; everyone is welcome!",
    "Nous recherchons des bénévoles pour la conférence de cette année.",
    "新しいバージョンをリリースしました。ぜひお試しください。",
    "Thanks to the 120 contributors who made this possible 🎉🐍",
    "Security fix: please upgrade to 2.4.1 as soon as you can 🔒",
    "Is 3 &lt; 4? Always &gt; never.",
]


def png(width: int, height: int, shade: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def generate(target: Path, count: int) -> dict[str, int]:
    """The archive zip; returns what it holds, by kind."""
    rng = random.Random(2026)
    start = dt.datetime(2012, 1, 1, tzinfo=dt.UTC)
    tweets: list[dict[str, Any]] = []
    media: dict[str, bytes] = {}
    kinds = {"posts": 0, "thread parts": 0, "replies to others": 0, "retweets": 0, "images": 0}
    previous_own: str | None = None
    for index in range(count):
        tweet_id = str(10**17 + index * 1000)
        at = start + dt.timedelta(minutes=index * 37)
        text = " ".join(rng.sample(SENTENCES, 2))
        short = f"https://t.co/{index:010d}"
        data: dict[str, Any] = {
            "id_str": tweet_id,
            "id": tweet_id,
            "created_at": at.strftime("%a %b %d %H:%M:%S +0000 %Y"),
            "full_text": f"{text} {short} #n{index}",
            "lang": rng.choice(["en", "fr", "ja", "und"]),
            "entities": {
                "urls": [{"url": short, "expanded_url": f"https://example.org/p/{index}"}]
            },
            "display_text_range": ["0", "200"],
            "favorite_count": "0",
            "retweet_count": "0",
        }
        roll = rng.random()
        if roll < 0.05:
            data["full_text"] = f"RT @someone: {text}"
            kinds["retweets"] += 1
        elif roll < 0.10:
            data.update(
                in_reply_to_status_id_str="1",
                in_reply_to_user_id_str="99",
                in_reply_to_screen_name="someone",
            )
            data["full_text"] = "@someone " + data["full_text"]
            kinds["replies to others"] += 1
        elif roll < 0.30 and previous_own is not None:
            data.update(
                in_reply_to_status_id_str=previous_own,
                in_reply_to_user_id_str=ACCOUNT_ID,
                in_reply_to_screen_name=USERNAME,
            )
            data["full_text"] = f"@{USERNAME} " + data["full_text"]
            data["display_text_range"] = [str(len(USERNAME) + 2), "200"]
            kinds["thread parts"] += 1
        else:
            kinds["posts"] += 1
        if not data["full_text"].startswith("RT @"):
            previous_own = tweet_id
        if index % 20 == 0 and not data["full_text"].startswith("RT @"):
            media_short = f"https://t.co/m{index:09d}"
            name = f"img{index}.png"
            data["full_text"] += f" {media_short}"
            item = {
                "url": media_short,
                "media_url_https": f"https://pbs.twimg.com/media/{name}",
                "type": "photo",
                "id_str": str(int(tweet_id) + 1),
            }
            if index % 40 == 0:
                item["ext_alt_text"] = f"Chart number {index}"
            data["extended_entities"] = {"media": [item]}
            media[f"{tweet_id}-{name}"] = png(8, 6, index % 256)
            kinds["images"] += 1
        tweets.append({"tweet": data})
    account = [{"account": {"username": USERNAME, "accountId": ACCOUNT_ID}}]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps(tweets))
        archive.writestr("data/account.js", "window.YTD.account.part0 = " + json.dumps(account))
        archive.writestr("Your archive.html", "<html></html>")
        for name, content in media.items():
            archive.writestr(f"data/tweets_media/{name}", content)
    return kinds


def timed(args: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "clarion", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - start, proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        archive = base / "twitter-archive.zip"
        kinds = generate(archive, args.count)
        held = ", ".join(f"{n:,} {kind}" for kind, n in kinds.items())
        print(f"archive: {args.count:,} posts ({held}), {archive.stat().st_size / 1e6:.1f} MB zip")
        firsts, agains = [], []
        for run in range(args.runs):
            repo = base / f"repo{run}"
            (repo / "posts").mkdir(parents=True)
            (repo / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
            first, proc = timed(["import", "x-archive", str(archive)], repo)
            if proc.returncode != 0:
                sys.exit(f"import failed: {proc.stderr}")
            again, proc2 = timed(["import", "x-archive", str(archive)], repo)
            if proc2.returncode != 0:
                sys.exit(f"second import failed: {proc2.stderr}")
            firsts.append(first)
            agains.append(again)
        summary = proc.stderr.split("done in", 1)[-1].splitlines()[1:]
        print("\n".join(line.removeprefix("clarion import: ") for line in summary))
        print(
            f"clarion import x-archive: median {statistics.median(firsts):.2f} s "
            f"(min {min(firsts):.2f}, max {max(firsts):.2f}, {args.runs} runs, cold process)"
        )
        print(f"the same import again (nothing to do): median {statistics.median(agains):.2f} s")
        wall, proc = timed(["validate", "--format", "json"], base / "repo0")
        report = json.loads(proc.stdout)
        errors = sum(1 for post in report["posts"] if not post["ok"])
        print(
            f"clarion validate of the {len(report['posts']):,} imported posts: {wall:.2f} s, "
            f"{errors} invalid (exit {proc.returncode})"
        )


if __name__ == "__main__":
    main()
