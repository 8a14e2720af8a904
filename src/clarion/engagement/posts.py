"""What engagement needs to know of each published post, read fast.

For each post file and each network it went to: the id and time of its first
part's receipt (a post's figures are its first part's; the time gives the
month, and `--since`), and whether what that network received of it holds a
link (a link card, or a URL in the text of its first part).

Ten thousand posts must be read in about a second, and most of a post's front
matter is its receipts, which the full YAML reader spends most of its time on.
So the front matter is cut into its top-level entries (Clarion's front matter
is block style: every top-level key starts a line), and the receipts and the
link card are read from their text in the shape Clarion and people write them.
A post whose networks' own tables change what they receive (`body`, `thread`),
or anything written another way, is read by the post reader
(`clarion.post.frontmatter.load`): an unusual file is read slower, never
differently (tests/engagement/test_posts.py compares the two on every shape
the receipt tests know). The text a network receives comes from the post model
either way (`Post.body_parts`).
"""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from clarion import networks
from clarion.post import Post, discover
from clarion.post.frontmatter import Document, FrontMatterError, decode, load, read, split
from clarion.post.frontmatter import split_parts as _split_parts
from clarion.post.model import relative


class Copy(NamedTuple):
    """A post as sent to one network (a named tuple: there are tens of thousands)."""

    path: str  # the post file, relative to the repository
    network: str
    id: str  # its first part's id there
    sent: str | None  # its first part's receipt time, as written (UTC, ...Z)
    link: bool  # a link card, or a URL in the text of its first part


@dataclass(frozen=True)
class Copies:
    """Every published post's copies, found by id and by path."""

    by_id: Mapping[tuple[str, str], Copy] = field(default_factory=dict)  # (network, its id)
    by_path: Mapping[tuple[str, str], Copy] = field(default_factory=dict)  # (network, file)

    def find(self, network: str, ident: str, path: str) -> Copy | None:
        """The copy a metrics line of a first part is about: by its id (a renamed
        file keeps its receipts), else by the file it names."""
        return self.by_id.get((network, ident)) or self.by_path.get((network, path))


def read_copies(root: Path, posts_dir: Path) -> Copies:
    """The copies of every post under `posts_dir` that has receipts. A file that
    cannot be read is skipped: `clarion validate` is where it is reported."""
    by_id: dict[tuple[str, str], Copy] = {}
    by_path: dict[tuple[str, str], Copy] = {}
    # Each post's path from the repository root, as the post model names it, from
    # the posts folder's once: resolving every file's path costs more than reading it.
    base = relative(posts_dir, root)
    prefix = "" if base in ("", ".") else base.rstrip("/") + "/"
    cut = len(os.fspath(posts_dir)) + 1  # discover gives paths that start with posts_dir's
    for path in discover(posts_dir):
        rel = prefix + os.fspath(path)[cut:].replace(os.sep, "/")
        for copy in _copies(path, rel):
            by_id[copy.network, copy.id] = copy
            by_path[copy.network, copy.path] = copy
    return Copies(by_id, by_path)


def _copies(path: Path, rel: str) -> Iterator[Copy]:
    try:
        text = decode(read(path))
        front, body, body_line = split(text)
    except (FrontMatterError, OSError):
        return
    fast = _fast(front)
    post: Post | None = None
    if fast is None:  # written another way: the post reader reads it all
        try:
            doc = load(text.encode())
        except FrontMatterError:
            return
        receipts = _receipts_from_data(doc.data.get("published"))
        post = Post(path, rel, doc, tuple(_split_parts(body, body_line)))
        card = post.link is not None
    else:
        receipts, card = fast
    found: dict[str, bool] = {}  # text -> has a link: most networks get the same text
    for network, (ident, sent) in receipts.items():
        if not ident:
            continue
        if card:  # a link card goes to every network: no need to read the text
            yield Copy(rel, network, ident, sent, True)
            continue
        if post is None:
            doc = Document({}, {}, {}, "", body, body_line)
            post = Post(path, rel, doc, tuple(_split_parts(body, body_line)))
        sent_parts = post.body_parts(network)
        first = sent_parts[0].text if sent_parts else ""
        if first not in found:
            found[first] = has_url(first)
        yield Copy(rel, network, ident, sent, found[first])


def _fast(front: str) -> tuple[dict[str, tuple[str | None, str | None]], bool] | None:
    """(first receipts, has a link card) read without the YAML reader, from front
    matter written the usual way; None when it is not, or when a network's own
    table changes what it receives (`body`, `thread`): the post reader decides then."""
    entries = top_level_entries(front)
    if entries is None:
        return None
    published = entries.get("published")
    if published is None:
        return {}, False
    for key, text in entries.items():
        if networks.find(key) and ("body" in text or "thread" in text):
            return None
    receipts = first_receipts(published)
    card = link_card(entries.get("link"))
    if receipts is None or card is None:
        return None
    return receipts, card


def has_url(text: str) -> bool:
    """Whether `text` holds a link: a URL with a scheme, or one without as
    twitter-text finds them (the broadest of the networks' rules: "example.org/x"
    counts)."""
    if _SCHEME.search(text):
        return True
    if not _DOMAIN.search(text):
        return False  # no letters after a dot: no domain, without the extractor's cost
    from clarion.text import x

    return bool(x.urls(text))


_SCHEME = re.compile(r"https?://[\w\[]", re.IGNORECASE)
_DOMAIN = re.compile(r"\w\.[^\W\d_]{2}")


# --------------------------------------------------------------------------- the shapes

_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?=[ \t\n]|\Z)")


_MARGIN = re.compile(r"\n(?=[^ \t#\n-])")  # a line that starts at the margin, after the first
_DASH = re.compile(r"^-", re.MULTILINE)


def top_level_entries(front: str) -> dict[str, str] | None:
    """The front matter's top-level entries, key -> its text (the key's line and
    the lines below it up to the next key, each line with its newline). None when
    a line at the margin is not a plain `key:` (a quoted or complex key, a flow
    mapping): read it whole then."""
    starts = [found.end() for found in _MARGIN.finditer(front)]
    if front and front[0] not in " \t#\n-":
        starts.insert(0, 0)
    if _DASH.search(front, 0, starts[0] if starts else len(front)):
        return None  # a list before any key
    entries: dict[str, str] = {}
    for start, end in zip(starts, [*starts[1:], len(front)], strict=True):
        found = _KEY.match(front, start)
        if found is None:
            return None
        key = found.group(1)
        if key in entries:
            return None  # twice: the post reader says so
        entries[key] = front[start:end]
    return entries


_URL_FIELD = re.compile(r"^ +url[ \t]*:[ \t]+(.*)$", re.MULTILINE)


def link_card(entry: str | None) -> bool | None:
    """Whether the `link:` entry gives a card a URL; None when it is written in a
    way only the post reader can say."""
    if entry is None:
        return False
    head, _, rest = entry.partition("\n")
    if not re.fullmatch(r"link[ \t]*:[ \t]*(?:#.*)?", head):
        return None  # link: {url: ...}, link: null, ...
    found = _URL_FIELD.findall(rest)
    if len(found) != 1:
        return None
    value = _scalar(found[0])
    return None if isinstance(value, bool) else value is not None


_HEADER = re.compile(r"published[ \t]*:[ \t]*(?:#.*)?")
_NETWORK = re.compile(r"( +)([A-Za-z0-9_-]+)[ \t]*:[ \t]*(?:#.*)?")
_ITEM = re.compile(r"( *)- +([a-z_]+)[ \t]*:(?:[ \t]+(.*))?")
_FIELD = re.compile(r"( +)([a-z_]+)[ \t]*:(?:[ \t]+(.*))?")
_PLAIN_END = re.compile(r"[ \t]+#.*$")
_WANTED = frozenset({"id", "at"})


# `published:` exactly as Clarion writes it, every receipt `id`, `url`, `at`: read by
# one expression; anything else (a comment, `outcome: unknown`, `retracted:`...) by
# the line scanner below.
_WRITTEN = re.compile(
    r"published:[ \t]*\n"
    r"(?:( +)[A-Za-z0-9_-]+:[ \t]*\n"
    r'(?:( +)- id: "[^"\\\n]*"\n\2  url: [^\n]*\n\2  at: [0-9T:.Z+-]+\n)+)+\n*'
)
_FIRST = re.compile(
    r'^ +([A-Za-z0-9_-]+):[ \t]*\n +- id: "([^"]*)"\n +url: [^\n]*\n +at: (\S+)$', re.MULTILINE
)


def first_receipts(entry: str) -> dict[str, tuple[str | None, str | None]] | None:
    """network -> (id, at) of the first receipt under it, from the `published:`
    entry as Clarion writes it (block style, one field a line). None when the
    entry is written another way: read it with the post reader then."""
    if _WRITTEN.fullmatch(entry + "\n"):
        return {network: (ident, at) for network, ident, at in _FIRST.findall(entry)}
    lines = entry.split("\n")
    if not _HEADER.fullmatch(lines[0]):
        return None
    found: dict[str, tuple[str | None, str | None]] = {}
    margin: int | None = None  # the networks' indentation
    network: str | None = None
    item = 0  # receipts seen under the network
    first: dict[str, str | None] = {}
    for line in lines[1:]:
        stripped = line.lstrip(" ")
        if not stripped or stripped[0] == "#":
            continue
        indent = len(line) - len(stripped)
        if margin is None or (indent == margin and stripped[0] != "-"):
            header = _NETWORK.fullmatch(line)
            if header is None or (margin is not None and len(header.group(1)) != margin):
                return None
            if network is not None:
                found[network] = (first.get("id"), first.get("at"))
            margin, network, item, first = len(header.group(1)), header.group(2), 0, {}
            continue
        if indent < margin:
            return None
        if stripped[0] == "-":
            field = _ITEM.fullmatch(line)
            item += 1
        elif item > 1:
            continue  # a later part's receipt: only the first part's counts
        else:
            field = _FIELD.fullmatch(line)
            if item == 0 or indent <= margin:
                return None
        if field is None:
            return None
        if item == 1 and field.group(2) in _WANTED:
            value = _scalar(field.group(3) or "")
            if isinstance(value, bool):
                return None
            first[field.group(2)] = value
    if network is not None:
        found[network] = (first.get("id"), first.get("at"))
    return found


def _scalar(text: str) -> str | bool | None:
    """A one-line scalar's text; None when empty; False when it is not a simple one
    (an escape, a flow collection, a block scalar): the post reader decides then."""
    text = text.strip()
    if not text:
        return None
    if text[0] == '"' and text[-1] == '"' and text.count('"') == 2 and "\\" not in text:
        return text[1:-1]  # the usual receipt: id: "..."
    if text[0] == '"':
        end = text.find('"', 1)
        if "\\" in text or end < 0 or _PLAIN_END.sub("", text[end + 1 :]):
            return False
        return text[1:end]
    if text[0] == "'":
        end = text.rfind("'")
        if end <= 0 or _PLAIN_END.sub("", text[end + 1 :]):
            return False
        return text[1:end].replace("''", "'")
    if text[0] in "[{|>&*!%@`":
        return False
    plain = _PLAIN_END.sub("", text) if "#" in text else text
    return None if plain in ("~", "null", "Null", "NULL") else plain


def _receipts_from_data(published: Any) -> dict[str, tuple[str | None, str | None]]:
    """network -> (id, at) of the first receipt, from `published:` as the post reader read it."""
    found: dict[str, tuple[str | None, str | None]] = {}
    if not isinstance(published, dict):
        return found
    for network, entries in published.items():
        if isinstance(entries, list) and entries and isinstance(entries[0], dict):
            ident, at = entries[0].get("id"), entries[0].get("at")
            found[str(network)] = (
                None if ident is None else str(ident),
                None if at is None else str(at),
            )
    return found


# --------------------------------------------------------------------------- aside


def read_copies_aside(root: Path, posts_dir: Path) -> Callable[[], Copies]:
    """Start `read_copies` in a child process, where the system forks and has a
    second processor, so the posts are read while the caller reads the metrics
    lines; the function returned gives the copies (read here if the child failed).
    Elsewhere (no fork, one processor, or other threads running, which a fork
    would leave in an unknown state) it reads them when called."""
    import threading

    alone = threading.active_count() == 1
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2 or not alone:
        return lambda: read_copies(root, posts_dir)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send, and end without running the parent's cleanup
        code = 0
        try:
            os.close(reader)
            with os.fdopen(writer, "wb") as out:
                pickle.dump(read_copies(root, posts_dir), out, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(writer)

    def result() -> Copies:
        with os.fdopen(reader, "rb") as received:
            data = received.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            return read_copies(root, posts_dir)
        copies: Copies = pickle.loads(data)  # noqa: S301 - from our own child process
        return copies

    return result
