"""Write imported entries as post files under `posts/archive/YYYY/`.

The front matter is emitted by ruamel.yaml: every string from the export is a
double-quoted scalar (ruamel escapes what YAML would read as a line break or
refuse), and only values Clarion builds itself (ids' digits, URLs of safe
characters, times) are written plain. Notes are comments, one line each. Tests
read every file back with `clarion.post.frontmatter`, the loader `clarion validate` uses.

The body is written as it was posted, with two changes so that it reads back as
the same text: line endings become LF and NUL bytes go (a post file is text),
and a line holding only `---`, which would start a new thread part, becomes
`- - -` (a comment in the file says so).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from clarion.importers import IMAGE, VIDEO, ArchiveError, Entry, Harvest, Media, Reason
from clarion.importers.sources import RefusedName, safe_name
from clarion.metrics.lines import FOLDER as METRICS_FOLDER
from clarion.metrics.lines import MetricsLine, month_file
from clarion.metrics.sink import LineSink
from clarion.post.receipts import format_time
from clarion.settings import Settings

NETWORK_NAMES = {"bluesky": "Bluesky", "mastodon": "Mastodon", "x": "X"}
ARCHIVE = "archive"
MEDIA = "media"
MAX_IMAGES = 4
PROGRESS_EVERY = 1000
MAX_REFUSALS_SHOWN = 20

_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9._~/?#=&%+@:-]*[A-Za-z0-9/_=%~-]")
_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*")  # never a number to YAML
# Plain words YAML 1.1 readers take for booleans or null: quoted for them.
_YAML11_SPECIAL = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
_SEPARATOR_LINE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_SURROGATE = re.compile("[\ud800-\udfff]")
# In a comment: anything that is not one printable line.
_COMMENT_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def plain_or_quoted(value: str, pattern: re.Pattern[str]) -> str:
    """`value`, written plain if it matches `pattern` and no YAML reader takes it
    for anything but a string; double-quoted otherwise."""
    if pattern.fullmatch(value) and value.lower() not in _YAML11_SPECIAL:
        return value
    return _quoted(value)


def _quoted(value: str) -> str:
    """`value`, to be written as a double-quoted scalar. A lone surrogate (JSON can
    hold one, UTF-8 cannot) becomes U+FFFD, as in the body: YAML refuses its escape."""
    text: str = DoubleQuotedScalarString(_SURROGATE.sub("\ufffd", value))
    return text


def url_scalar(url: str) -> str:
    return plain_or_quoted(url, _PLAIN_URL)


def comment(text: str) -> str:
    """One line of front matter comment holding `text`."""
    return "# " + _COMMENT_UNSAFE.sub(" ", text).rstrip()


def _shown(value: str) -> str:
    """`value` quoted for a note in a comment, what a comment cannot hold escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return _COMMENT_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class _Representer(RoundTripRepresenter):
    pass


def _represent_time(representer: RoundTripRepresenter, at: dt.datetime) -> Any:
    # Tagged as a timestamp, so the emitter writes it plain, in a receipt's form.
    return representer.represent_scalar("tag:yaml.org,2002:timestamp", format_time(at))


_Representer.add_representer(dt.datetime, _represent_time)


@functools.cache
def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Representer = _Representer
    yaml.width = 1 << 30  # a long text stays on its line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _front_matter(data: CommentedMap, head: str, notes: list[str]) -> str:
    """`data` as YAML, a comment line `head` above it and a comment line per note below."""
    data.yaml_set_start_comment(comment(head))
    data.yaml_end_comment_extend([CommentToken(comment(n) + "\n", CommentMark(0)) for n in notes])
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _flow(node: CommentedMap | CommentedSeq) -> Any:
    node.fa.set_flow_style()
    return node


@dataclass(frozen=True)
class Body:
    text: str
    dashes: int  # lines of `---` rewritten


def clean_text(text: str) -> Body:
    """Text as a post body holds it: LF line endings, no NUL, no `---` line, trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "")
    text = _SURROGATE.sub("\ufffd", text)
    text, dashes = _SEPARATOR_LINE.subn("- - -", text)
    return Body(text.strip(), dashes)


def empty_text(media: tuple[Media, ...]) -> str:
    """What stands for the text of a post that had none: a post file needs text."""
    images = sum(1 for m in media if m.kind == IMAGE)
    videos = sum(1 for m in media if m.kind == VIDEO)
    if images and not videos:
        return "(image)" if images == 1 else f"({images} images)"
    if videos and not images:
        return "(video)"
    return "(media)" if media else "(no text)"


@dataclass
class Tally:
    """What an import did, for the summary."""

    posts: int = 0
    parts: int = 0
    threads: int = 0
    images: int = 0
    present: int = 0
    elsewhere: int = 0  # parts whose receipt another post file already holds
    grown: list[str] = field(default_factory=list)  # imported before, with parts new since
    placeholders: int = 0  # alt texts written because the export had none
    not_attached: int = 0
    skipped: dict[Reason, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # what led outside the export, a line each
    counted: int = 0  # parts whose counts in the export became their first metrics line
    counts_file: str = ""  # the metrics file they went to

    def summary(self, network: str) -> list[str]:
        """The summary, a line per subject: the first says what was imported."""
        name = NETWORK_NAMES[network]
        lines = [
            f"imported {_count(self.posts, 'post')} from {_count(self.parts, name + ' post')} "
            f"({_count(self.threads, 'thread')}, {_count(self.images, 'image')})"
        ]
        skipped = [why.count(n) for why, n in self.skipped.items() if n]
        if skipped:
            lines.append("skipped " + ", ".join(skipped))
        if self.present:
            lines.append(f"{_count(self.present, 'post')} already imported, left as they are")
        if self.elsewhere:
            lines.append(
                f"{_count(self.elsewhere, name + ' post')} already in the repository with their "
                "receipts (published by Clarion, or moved), not imported again"
            )
        if self.grown:
            shown = ", ".join(self.grown[:3]) + (", ..." if len(self.grown) > 3 else "")
            lines.append(
                f"{_count(len(self.grown), 'thread')} imported before "
                f"{'has' if len(self.grown) == 1 else 'have'} new parts in this export, not "
                f"added (the files are left as they are: delete one and import again to take "
                f"them): {shown}"
            )
        if self.placeholders:
            lines.append(
                f"{_count(self.placeholders, 'image')} without a description got the alt text "
                f'"{placeholder_alt(network)}": write a real one before re-publishing'
            )
        if self.not_attached:
            lines.append(
                f"{self.not_attached:,} media not attached: a comment in each post says why"
            )
        if self.counted:
            lines.append(
                f"the likes and reposts of {_count(self.counted, name + ' post')}, as the "
                f"export has them, are their first lines in {self.counts_file}"
            )
        lines.extend(f"refused, not read: {line}" for line in self.refused[:MAX_REFUSALS_SHOWN])
        if len(self.refused) > MAX_REFUSALS_SHOWN:
            more = len(self.refused) - MAX_REFUSALS_SHOWN
            lines.append(f"refused, not read: {more:,} more that lead outside the export")
        return lines


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def placeholder_alt(network: str) -> str:
    return f"Image imported from {NETWORK_NAMES[network]} without a description"


Progress = Callable[[str], None]


def write_all(
    harvest: Harvest,
    settings: Settings,
    network: str,
    command: str,
    progress: Progress | None = None,
) -> Tally:
    """Write every entry that has no file yet; count what was done.

    A part whose receipt a post file elsewhere already holds (Clarion published
    it, or an earlier import was moved) is left out, so history is never doubled.
    """
    tally = Tally(skipped=dict(harvest.skipped), refused=list(harvest.refused))
    targets = {post_path(settings, entry) for entry in harvest.entries}
    ids = {part.id for entry in harvest.entries for part in entry.parts}
    known = published_elsewhere(settings, network, ids, targets)
    at = (harvest.counted_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    counts = FirstCounts(settings, network, at.strftime("%Y-%m-%dT%H:%M:%SZ"), tally)
    writer = _Writer(settings, command, tally, known, counts)
    with counts.sink:
        for done, entry in enumerate(harvest.entries, start=1):
            writer.write(entry)
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(f"{done:,} of {len(harvest.entries):,} posts")
    return tally


class FirstCounts:
    """The counts an export holds, written as the first metrics lines of the posts
    imported now (never again: a post file that exists is not imported twice)."""

    def __init__(self, settings: Settings, network: str, at: str, tally: Tally) -> None:
        self.root = settings.root
        self.network = network
        self.at = at
        self.tally = tally
        self.sink = LineSink(month_file(settings.root / METRICS_FOLDER, at))

    def record(self, entry: Entry, path: Path) -> None:
        rel = path.relative_to(self.root).as_posix()
        for index, part in enumerate(entry.parts):
            if part.likes is None and part.reposts is None:
                continue
            self.sink.write(
                MetricsLine(
                    self.network,
                    rel,
                    index,
                    part.id,
                    self.at,
                    likes=part.likes,
                    reposts=part.reposts,
                    replies=None,
                    quotes=None,
                    views=None,
                    followers=None,
                )
            )
            self.tally.counted += 1
            self.tally.counts_file = self.sink.path.relative_to(self.root).as_posix()


def post_path(settings: Settings, entry: Entry) -> Path:
    """Where an entry is written: stable, so a second import finds it."""
    first = entry.parts[0]
    at = first.at.astimezone(dt.UTC)
    # The id's last segment: the status id on X and Mastodon, the record key on Bluesky.
    key = safe_name(first.id.rstrip("/").rsplit("/", 1)[-1])
    return settings.posts_dir / ARCHIVE / f"{at:%Y}" / f"{at:%Y-%m-%d}-{entry.network}-{key}.md"


_TOKEN = re.compile(rb"[A-Za-z0-9:/._~-]+")


def _tokens(raw: bytes) -> set[str]:
    """The words of a file that could be an id or an at:// URI."""
    return {token.decode("ascii") for token in _TOKEN.findall(raw)}


def published_elsewhere(
    settings: Settings, network: str, ids: set[str], skip: set[Path]
) -> dict[str, str]:
    """Which of `ids` a receipt on `network` in a post (not one of `skip`) holds: id → post.

    Only a file that contains one of the ids at all is read as a post, so a large
    repository costs one read of each file.
    """
    from clarion.post import discover, read_post

    found: dict[str, str] = {}
    if not ids or not settings.posts_dir.is_dir():
        return found
    for path in discover(settings.posts_dir):
        if path in skip:
            continue
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        if ids.isdisjoint(_tokens(raw)):
            continue
        post = read_post(path, settings.root)
        for receipt in post.receipts.get(network, ()):
            if receipt.id in ids:
                found[receipt.id] = post.rel
    return found


class _Writer:
    def __init__(
        self,
        settings: Settings,
        command: str,
        tally: Tally,
        known: Mapping[str, str],
        counts: FirstCounts,
    ) -> None:
        self.settings = settings
        self.command = command
        self.tally = tally
        self.known = known
        self.counts = counts
        self.folders: set[Path] = set()

    def _folder(self, path: Path) -> None:
        if path not in self.folders:
            path.mkdir(parents=True, exist_ok=True)
            self.folders.add(path)

    def write(self, entry: Entry) -> None:
        parts = tuple(part for part in entry.parts if part.id not in self.known)
        if len(parts) < len(entry.parts):
            self.tally.elsewhere += len(entry.parts) - len(parts)
            if not parts:
                return
            entry = replace(entry, parts=parts)
        path = post_path(self.settings, entry)
        if path.exists():
            self.tally.present += 1
            self._check_grown(entry, path)
            return
        self._folder(path.parent)
        media, notes = self._media(entry, path)
        text = render(entry, self.command, media, notes)
        _write_new(path, text.encode("utf-8"))
        self.counts.record(entry, path)
        self.tally.posts += 1
        self.tally.parts += len(entry.parts)
        if len(entry.parts) > 1:
            self.tally.threads += 1

    def _check_grown(self, entry: Entry, path: Path) -> None:
        try:
            tokens = _tokens(path.read_bytes())
        except OSError:
            return
        if any(part.id not in tokens for part in entry.parts):
            self.tally.grown.append(path.relative_to(self.settings.root).as_posix())

    def _media(self, entry: Entry, path: Path) -> tuple[list[CommentedMap], list[str]]:
        """Copy the media of the post file `path`; the `media:` entries, and notes for
        what is not attached."""
        from clarion.media.sniff import sniff

        folder = path.parent
        post = path.relative_to(self.settings.root).as_posix()
        attached_media: list[CommentedMap] = []
        notes: list[str] = []
        attached = 0
        many = len(entry.parts) > 1
        for index, part in enumerate(entry.parts):
            where = f"part {index + 1}: " if many else ""
            for item in part.media:
                alt = " ".join(item.alt.split())
                described = f", alt {_shown(alt)}" if alt else ""
                if item.refused is not None:
                    notes.append(f"{where}{item.kind} not kept: {item.refused}{described}")
                    self.tally.refused.append(f"{post}: {where}{item.kind} {item.refused}")
                    self.tally.not_attached += 1
                    continue
                if item.read is None:
                    notes.append(f"{where}{item.kind} not in the export{described}")
                    self.tally.not_attached += 1
                    continue
                rel = f"{MEDIA}/{safe_name(item.name)}"
                if item.kind != IMAGE:
                    notes.append(
                        f"{where}{item.kind} {safe_name(item.name)} not kept "
                        f"(Clarion posts carry images only){described}"
                    )
                    self.tally.not_attached += 1
                    continue
                try:
                    data = item.read()
                except RefusedName as refused:
                    # Read through a link that leads outside the export: refused, as above.
                    notes.append(f"{where}{safe_name(item.name)} not kept: {refused}{described}")
                    self.tally.refused.append(f"{post}: {where}{item.kind} {refused}")
                    self.tally.not_attached += 1
                    continue
                except ArchiveError:
                    # One damaged file in the export costs its image, not the import.
                    notes.append(
                        f"{where}{safe_name(item.name)} not kept: the export's copy cannot be "
                        f"read{described}"
                    )
                    self.tally.not_attached += 1
                    continue
                if sniff(data) is None:
                    notes.append(
                        f"{where}{safe_name(item.name)} not kept: not a PNG, JPEG, GIF or WebP"
                        f"{described}"
                    )
                    self.tally.not_attached += 1
                    continue
                self._folder(folder / MEDIA)
                target = folder / rel
                if not target.exists():
                    _write_new(target, data)
                self.tally.images += 1
                if index == 0 and attached < MAX_IMAGES:
                    attached += 1
                    if not item.alt.strip():
                        self.tally.placeholders += 1
                    alt_text = item.alt.strip() or placeholder_alt(entry.network)
                    attached_media.append(
                        CommentedMap(
                            path=plain_or_quoted(rel, _PLAIN_WORD),
                            alt=_quoted(alt_text),
                        )
                    )
                else:
                    # Clarion attaches up to four images to the first part of a thread.
                    notes.append(
                        f"{where}image {rel} kept, not attached: Clarion attaches images "
                        f"to the first part only{described}"
                    )
                    self.tally.not_attached += 1
        return attached_media, notes


def render(entry: Entry, command: str, media: list[CommentedMap], media_notes: list[str]) -> str:
    """The post file for `entry`, given its `media:` entries and notes on other media."""
    network = entry.network
    bodies = []
    dashes = 0
    for part in entry.parts:
        body = clean_text(part.text)
        dashes += body.dashes
        bodies.append(body.text or empty_text(part.media))
    data = CommentedMap(platforms=_flow(CommentedSeq([network])))
    if entry.lang:
        data["lang"] = plain_or_quoted(entry.lang, _PLAIN_WORD)
    warning = " ".join((entry.content_warning or "").split())
    if warning:
        data["content_warning"] = _quoted(warning)
    if entry.visibility and network == "mastodon":
        data["mastodon"] = _flow(CommentedMap(visibility=entry.visibility))
    if entry.link is not None:
        data["link"] = CommentedMap(url=url_scalar(entry.link.url), title=_quoted(entry.link.title))
        if entry.link.description:
            data["link"]["description"] = _quoted(entry.link.description)
    if media:
        data["media"] = CommentedSeq(media)
    data["published"] = CommentedMap()
    data["published"][network] = CommentedSeq(
        CommentedMap(id=_quoted(part.id), url=url_scalar(part.url), at=part.at)
        for part in entry.parts
    )
    notes = [*entry.notes, *media_notes]
    if dashes:
        notes.append("a line '---' in the text is written '- - -' so it does not split the thread")
    head = (
        f"Imported from {NETWORK_NAMES[network]} by clarion import {command}. "
        "To re-publish it elsewhere, add networks to platforms."
    )
    return "---\n" + _front_matter(data, head, notes) + "---\n" + "\n\n---\n\n".join(bodies) + "\n"


def _write_new(path: Path, data: bytes) -> None:
    """Write through a temporary name, so an interrupted import leaves no half file
    that the next import would take for a finished one."""
    temp = path.with_name(f".{path.name}.partial")
    try:
        temp.write_bytes(data)
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
