"""Write receipts into a post's front matter, under `published:`, keeping every other byte.

A post file belongs to its author: comments, key order, quoting, blank lines,
line endings, a byte-order mark and the body must survive Clarion writing a
receipt into it, or every publish would leave a noisy diff behind. So a change
is made in two ways, and a result is only accepted after checking it:

1. ruamel.yaml round-trip on the front matter alone (keeps comments inside an
   existing `published:` block);
2. when ruamel would touch anything else, a textual splice: the author's lines
   stay as they are and only the `published:` block is (re)written.

A candidate is accepted when the lines outside the `published:` block are the
old lines, byte for byte, and the post parser (`clarion.post.frontmatter`) reads
back exactly the old data with the change applied. The file is then replaced
atomically. Calls on one file are serialised by a lock per path, because the
networks publish in parallel threads.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import itertools
import json
import os
import re
import stat
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, MutableMapping, MutableSequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from clarion.adapters.base import Receipt
from clarion.errors import ClarionError
from clarion.post import frontmatter, receipt_lines

__all__ = ["ReceiptError", "format_time", "record_edit", "record_receipt", "record_retraction"]

PUBLISHED = "published"


class ReceiptError(ClarionError):
    """A receipt could not be written. The message holds the receipt itself, so a
    person can add it by hand and nothing that went out is forgotten."""

    exit_code = 1


def format_time(at: dt.datetime) -> str:
    """`at` as written in a receipt: UTC, whole seconds, `Z`. Naive means UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_receipt(path: Path, network: str, index: int, receipt: Receipt) -> None:
    """Set entry `index` (0-based thread part) of `published[network]` to `receipt`.

    Appends when `index` is the next part; replaces an `outcome: unknown` entry;
    does nothing when the same receipt is already there. Raises `ReceiptError`
    for a gap, for a different receipt already recorded, or for a file that
    cannot be read as a post.
    """
    change = _SetPart(network, index, _receipt_fields(receipt))
    _update(Path(path), change)


def record_retraction(
    path: Path, network: str, at: dt.datetime, *, index: int | None = None
) -> None:
    """Mark the parts published on `network` (or only part `index`) as retracted,
    adding `retracted: <at>` to each entry. An earlier retraction time is kept."""
    _update(Path(path), _Mark(network, "retracted", _Time(format_time(at)), index, keep=True))


def record_edit(path: Path, network: str, index: int, at: dt.datetime) -> None:
    """Note that part `index` on `network` was edited in place: `edited: <at>`
    on its entry (the latest edit wins)."""
    _update(Path(path), _Mark(network, "edited", _Time(format_time(at)), index, keep=False))


# --- what a change does to the data -----------------------------------------------------


class _Time(str):
    """A timestamp kept as the exact text it was written as, emitted plain."""

    __slots__ = ()


Fields = tuple[tuple[str, str], ...]
_NewMap = Callable[[], MutableMapping[Any, Any]]
_NewSeq = Callable[[], MutableSequence[Any]]


def _receipt_fields(receipt: Receipt) -> Fields:
    at = _Time(format_time(receipt.at))
    if receipt.unknown:
        return (("outcome", "unknown"), ("at", at))
    if receipt.outcome is not None or not receipt.id or not receipt.url:
        raise ReceiptError(f"a receipt needs an id and a url, or outcome: unknown; got {receipt!r}")
    # Ids are always quoted so that a numeric X id is never read as a number.
    return (("id", DoubleQuotedScalarString(receipt.id)), ("url", receipt.url), ("at", at))


class _Refused(Exception):
    """The change does not fit the data already in the file."""


def _empty(value: Any) -> bool:
    """`published:` with nothing after it (read as null, or as "" by some loaders)."""
    return value is None or value == ""


def _entries(
    data: MutableMapping[Any, Any], network: str, new_map: _NewMap, new_seq: _NewSeq
) -> MutableSequence[Any]:
    """`data[published][network]`, created empty when absent."""
    published = data.get(PUBLISHED)
    if _empty(published):
        published = data[PUBLISHED] = new_map()
    if not isinstance(published, MutableMapping):
        raise _Refused(f"`{PUBLISHED}:` is not a mapping of networks")
    entries = published.get(network)
    if _empty(entries):
        entries = published[network] = new_seq()
    if not isinstance(entries, MutableSequence):
        raise _Refused(f"`{PUBLISHED}: {network}:` is not a list")
    return entries


@dataclass(frozen=True)
class _SetPart:
    network: str
    index: int
    fields: Fields

    def apply(self, data: MutableMapping[Any, Any], new_map: _NewMap, new_seq: _NewSeq) -> bool:
        """Apply to `data` (plain or ruamel); False when it is already there."""
        entries = _entries(data, self.network, new_map, new_seq)
        if self.index > len(entries) or self.index < 0:
            raise _Refused(
                f"it is part {self.index + 1} but only {len(entries)} part(s) have receipts"
            )
        if self.index < len(entries):
            existing = entries[self.index]
            fields = dict(self.fields)
            if not isinstance(existing, MutableMapping):
                raise _Refused(f"part {self.index + 1} holds something that is not a receipt")
            if dict(existing) == fields:
                return False
            if "id" in fields and str(existing.get("id")) == fields["id"]:
                return False  # the same post found again after a lost receipt: keep the first
            if existing.get("outcome") != "unknown":
                raise _Refused(f"part {self.index + 1} already has a different receipt")
        entry = new_map()
        for key, value in self.fields:
            entry[key] = value
        if self.index < len(entries):
            entries[self.index] = entry
        else:
            entries.append(entry)
        return True

    def describe(self) -> str:
        lines = [f"{PUBLISHED}:", f"  {self.network}:  # part {self.index + 1}"]
        for number, (key, value) in enumerate(self.fields):
            shown = json.dumps(value) if key == "id" else value  # a valid YAML quoted string
            lines.append(f"    {'- ' if number == 0 else '  '}{key}: {shown}")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Mark:
    network: str
    key: str
    at: _Time
    index: int | None
    keep: bool  # keep an existing value (the first retraction is the one that counts)

    def apply(self, data: MutableMapping[Any, Any], new_map: _NewMap, new_seq: _NewSeq) -> bool:
        published = data.get(PUBLISHED)
        entries = published.get(self.network) if isinstance(published, MutableMapping) else None
        if not isinstance(entries, MutableSequence) or not entries:
            raise _Refused(f"nothing was published on {self.network}")
        if self.index is not None and not 0 <= self.index < len(entries):
            raise _Refused(f"there is no part {self.index + 1} on {self.network}")
        chosen = range(len(entries)) if self.index is None else [self.index]
        changed = False
        for i in chosen:
            entry = entries[i]
            if not isinstance(entry, MutableMapping):
                raise _Refused(f"part {i + 1} on {self.network} is not a receipt")
            if entry.get(self.key) == self.at or (self.keep and self.key in entry):
                continue
            entry[self.key] = self.at
            changed = True
        return changed

    def describe(self) -> str:
        where = "every part" if self.index is None else f"part {self.index + 1}"
        return f"{PUBLISHED}: {self.network}: {where}: {self.key}: {self.at}"


_Change = _SetPart | _Mark


# --- the file ------------------------------------------------------------------------------

_BOM = "\ufeff"
_EOL = re.compile(r"\r\n|\r|\n")
_DASHES = re.compile(r"---[ \t]*")


@dataclass(frozen=True)
class _Split:
    """A post file cut where the front matter starts and ends; `lines` are the
    front matter's lines as (text, line ending)."""

    head: str  # byte-order mark and the opening --- line
    lines: tuple[tuple[str, str], ...]
    tail: str  # the closing --- line and the body, untouched

    @property
    def texts(self) -> list[str]:
        return [text for text, _ in self.lines]

    def newline(self) -> str:
        """The line ending new lines get: the front matter's most common one."""
        endings = Counter(end for _, end in self.lines if end)
        endings.update(_EOL.findall(self.head))
        return endings.most_common(1)[0][0]


def _split(text: str) -> _Split:
    """Cut like `frontmatter.split`, but keeping every character."""
    pos = 1 if text.startswith(_BOM) else 0
    lines: list[tuple[str, str]] = []
    head: str | None = None
    while pos < len(text):
        eol = _EOL.search(text, pos)
        end, next_pos = (eol.start(), eol.end()) if eol else (len(text), len(text))
        line = text[pos:end]
        if head is None:
            if not (_DASHES.fullmatch(line) and eol):
                break
            head = text[:next_pos]
        elif _DASHES.fullmatch(line):
            return _Split(head, tuple(lines), text[pos:])
        else:
            lines.append((line, text[end:next_pos]))
        pos = next_pos
    raise _Refused("the file has no front matter between two '---' lines")


def _top_level(doc: frontmatter.Document) -> dict[str, frontmatter.Position]:
    return {str(pointer[0]): pos for pointer, pos in doc.keys.items() if len(pointer) == 1}


def _published_block(doc: frontmatter.Document, texts: list[str]) -> tuple[int, int] | None:
    """Front matter lines [start, end) of the `published:` block: from its key to
    its last line of content. Comments and blank lines after it that are not
    indented belong to what follows, not to the block."""
    keys = _top_level(doc)
    if PUBLISHED not in keys:
        return None
    start = keys[PUBLISHED].line - 2  # file line 1 is the opening ---
    column = keys[PUBLISHED].column - 1
    later = [pos.line - 2 for pos in keys.values() if pos.line - 2 > start]
    end = min(later, default=len(texts))
    while end > start + 1:
        line = texts[end - 1]
        stripped = line.lstrip(" ")
        if stripped and not (stripped.startswith("#") and len(line) - len(stripped) <= column):
            break
        end -= 1
    return start, end


# --- ruamel.yaml, configured to give back what it read --------------------------------------


class _Constructor(RoundTripConstructor):
    """Timestamps stay the text they were (ruamel would rewrite `.5Z` as `.500000Z`)."""


def _construct_time(constructor: RoundTripConstructor, node: ScalarNode) -> _Time:
    return _Time(node.value)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _construct_time)


class _Representer(RoundTripRepresenter):
    pass


def _represent_time(representer: RoundTripRepresenter, value: _Time) -> Any:
    # Tagged as a timestamp so the emitter sees its implicit type and writes it plain.
    return representer.represent_scalar("tag:yaml.org,2002:timestamp", str(value))


_Representer.add_representer(_Time, _represent_time)


@dataclass(frozen=True)
class _Indent:
    mapping: int = 2
    sequence: int = 4  # where an item's content starts, from the parent key
    offset: int = 2  # where the dash is, from the parent key


_KEY_ALONE = re.compile(r"^((?:- +)*)(?:[^\s#'\"-][^#]*?|\"[^\"]*\"|'[^']*'):[ \t]*(?:#.*)?$")
_DASH = re.compile(r"-(?: +|$)")


def _guess_indent(texts: list[str]) -> _Indent:
    """The author's indentation, from each `key:` with nothing after it and the line below."""
    meaningful = [t for t in texts if t.strip() and not t.lstrip().startswith("#")]
    mappings: Counter[int] = Counter()
    offsets: Counter[int] = Counter()
    sequences: Counter[int] = Counter()
    for line, below in itertools.pairwise(meaningful):
        stripped = line.lstrip(" ")
        match = _KEY_ALONE.match(stripped)
        if match is None:
            continue
        key_column = len(line) - len(stripped) + len(match.group(1))
        below_stripped = below.lstrip(" ")
        below_column = len(below) - len(below_stripped)
        if below_column < key_column:
            continue
        dash = _DASH.match(below_stripped)
        if dash:
            offsets[below_column - key_column] += 1
            sequences[below_column + dash.end() - key_column] += 1
        elif below_column > key_column:
            mappings[below_column - key_column] += 1
    default = _Indent()
    offset = offsets.most_common(1)[0][0] if offsets else default.offset
    sequence = sequences.most_common(1)[0][0] if sequences else offset + 2
    return _Indent(
        mapping=mappings.most_common(1)[0][0] if mappings else default.mapping,
        sequence=max(sequence, offset + 2),
        offset=offset,
    )


def _yaml(indent: _Indent) -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = 1 << 30  # never re-wrap a long line
    yaml.indent(mapping=indent.mapping, sequence=indent.sequence, offset=indent.offset)
    return yaml


def _dump(yaml: YAML, data: Any) -> list[str]:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue().split("\n")[:-1]


def _block_style(data: MutableMapping[Any, Any], network: str) -> None:
    """Clarion's part of the file is block style even if it was once `published: {}`."""
    published = data[PUBLISHED]
    for node in (published, published[network]):
        if isinstance(node, CommentedMap | CommentedSeq):
            node.fa.set_block_style()


def _plain_copy(node: Any) -> Any:
    """`node` without its comments (they would be written twice by a textual splice)."""
    if isinstance(node, MutableMapping):
        mapping = CommentedMap()
        for key, value in node.items():
            mapping[key] = _plain_copy(value)
        return mapping
    if isinstance(node, MutableSequence):
        return CommentedSeq(_plain_copy(item) for item in node)
    return node


# --- putting it together ----------------------------------------------------------------------


def _rewrite(raw: bytes, change: _Change) -> bytes | None:
    """The new file contents, or None when the change is already there."""
    old = frontmatter.load(raw)
    expected = copy.deepcopy(old.data)
    if not change.apply(expected, dict, list):
        return None
    split = _split(raw.decode("utf-8"))
    texts = split.texts
    old_block = _published_block(old, texts)
    indent = _guess_indent(texts)

    # The common case, a receipt appended to a block as Clarion writes it: the
    # lines ruamel would write, without ruamel (receipt_lines.py).
    lines = _appended(change, old, texts, old_block, indent) if LINES else None
    if lines is not None:
        accepted = _accept(split, old_block, lines, expected)
        if accepted is not None:
            return accepted

    try:
        yaml = _yaml(indent)
        data = yaml.load("".join(t + "\n" for t in texts))
    except YAMLError as exc:
        raise _Refused(f"the front matter cannot be read for rewriting: {exc}") from None
    if data is None:
        data = CommentedMap()
        round_trip = None
    elif isinstance(data, CommentedMap):
        round_trip = data
    else:
        raise _Refused("the front matter is not a mapping")
    change.apply(data, CommentedMap, CommentedSeq)
    _block_style(data, change.network)

    if round_trip is not None:
        accepted = _accept(split, old_block, _dump(yaml, round_trip), expected)
        if accepted is not None:
            return accepted

    # ruamel changed something else: keep the author's lines, rewrite only our block.
    block = _dump(_yaml(indent), CommentedMap([(PUBLISHED, _plain_copy(data[PUBLISHED]))]))
    columns = [pos.column - 1 for pos in _top_level(old).values()]
    margin = " " * min(columns, default=0)
    block = [margin + line if line else line for line in block]
    start, end = old_block or (len(texts), len(texts))
    accepted = _accept(split, old_block, [*texts[:start], *block, *texts[end:]], expected)
    if accepted is None:
        raise _Refused("the front matter could not be rewritten without changing other text")
    return accepted


LINES = True  # False: always through ruamel (tests compare the two)


def _appended(
    change: _Change,
    old: frontmatter.Document,
    texts: list[str],
    block: tuple[int, int] | None,
    indent: _Indent,
) -> list[str] | None:
    if not isinstance(change, _SetPart):
        return None
    if any(pos.column != 1 for pos in _top_level(old).values()):
        return None
    fields = []
    for key, value in change.fields:
        if isinstance(value, _Time):
            written = str(value) if receipt_lines.timestamp(value) else None
        elif isinstance(value, DoubleQuotedScalarString):
            written = f'"{value}"' if receipt_lines.quoted(value) else None
        else:
            written = value if receipt_lines.plain(value) else None
        if written is None:
            return None
        fields.append((key, written))
    return receipt_lines.appended(
        texts,
        block,
        change.network,
        change.index,
        fields,
        mapping=indent.mapping,
        sequence=indent.sequence,
        offset=indent.offset,
    )


def _accept(
    split: _Split,
    old_block: tuple[int, int] | None,
    new_texts: list[str],
    expected: dict[str, Any],
) -> bytes | None:
    """The file bytes for the new front matter lines, if they change nothing but the
    `published:` block and read back as `expected`; else None."""
    try:
        probe = frontmatter.load(
            ("---\n" + "".join(t + "\n" for t in new_texts) + "---\n").encode()
        )
    except frontmatter.FrontMatterError:
        return None
    block = _published_block(probe, new_texts)
    if block is None:
        return None
    start, end = block
    old_start, old_end = old_block or (start, start)
    old_texts = split.texts
    if new_texts[:start] != old_texts[:old_start] or new_texts[end:] != old_texts[old_end:]:
        return None
    newline = split.newline()
    lines = [
        *(text + ending for text, ending in split.lines[:old_start]),
        *(text + newline for text in new_texts[start:end]),
        *(text + ending for text, ending in split.lines[old_end:]),
    ]
    result = (split.head + "".join(lines) + split.tail).encode()
    try:
        if frontmatter.load(result).data != expected:
            return None
    except frontmatter.FrontMatterError:
        return None
    return result


_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(path: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


def _update(path: Path, change: _Change) -> None:
    # One lock per file, however it is named. Never through a symbolic link: the
    # file is read without following one and replaced by a rename, which does not.
    path = Path(os.path.normpath(path.absolute()))
    with _lock(path):
        try:
            new = _rewrite(frontmatter.read(path), change)
        except (_Refused, frontmatter.FrontMatterError, UnicodeDecodeError) as exc:
            why = getattr(exc, "message", None) or str(exc)
            raise ReceiptError(
                f"{path}: could not record this in the front matter ({why}). "
                f"Add it by hand:\n{change.describe()}"
            ) from None
        except OSError as exc:
            raise ReceiptError(
                f"{path}: could not read the post ({exc.strerror}). "
                f"Add this by hand:\n{change.describe()}"
            ) from None
        if new is None:
            return
        try:
            _write_atomic(path, new)
        except OSError as exc:
            raise ReceiptError(
                f"{path}: could not write the post ({exc.strerror}). "
                f"Add this by hand:\n{change.describe()}"
            ) from None


def _write_atomic(path: Path, content: bytes) -> None:
    """Replace `path` by `content` all at once: a reader (or a crash) sees the old
    file or the new one, never half of one. The file keeps its mode."""
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        temporary.chmod(mode)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    # Make the rename itself durable; not every platform can open a directory.
    with contextlib.suppress(OSError):
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
