"""A receipt appended as lines of text, where the `published:` block is as Clarion writes it.

Publishing records a receipt after every part it sends, each time reading the
post's front matter into ruamel.yaml and writing it out again (15-20 ms, under
the post's lock, while the other networks wait to record theirs). Almost always
the block holds only what Clarion wrote before, in the form ruamel writes it
for the file's indentation, and the new receipt goes at the end of a network's
list, or of the block, or starts the block at the end of the front matter: then
the lines ruamel would write are known, and are written here directly.

Anything else (a comment or a blank line in the block, quoting or flow style
of the author's, indentation other than ruamel's, a replaced `outcome: unknown`)
is left to ruamel. Either way `receipts._accept` then checks the result: the
other lines unchanged and the file reading back as the old data with the
receipt added. tests/receipts/test_receipt_lines.py checks these lines are the
bytes ruamel writes, on every golden case and on generated ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Values as ruamel writes them and reads them back unchanged: an id in double
# quotes (printable ASCII, nothing to escape), a URL or a timestamp plain.
_QUOTED = re.compile(r'"[ !#-\[\]-~]*"\Z')
_URL = re.compile(
    r"[a-z][a-z0-9+.-]*://[A-Za-z0-9\-._~/?#@!$&()*+,;=%:]*[A-Za-z0-9\-._~/?#@!$&()*+,;=%]\Z"
)
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")
_WORDS = frozenset({"unknown"})
_KEY = re.compile(r"[a-z][a-z_]*\Z")
_NETWORK = re.compile(r"[a-z][a-z0-9_-]*\Z")


def plain(text: str) -> bool:
    """Whether ruamel writes the string `text` plain (a URL or a word it reads
    back as the same string)."""
    return bool(_URL.match(text)) or text in _WORDS


def quoted(text: str) -> bool:
    """Whether ruamel writes `text` in double quotes as `"text"`, nothing escaped."""
    return bool(_QUOTED.match(f'"{text}"'))


def timestamp(text: str) -> bool:
    """Whether `text` is a receipt's time as written (`format_time`)."""
    return bool(_TIME.match(text))


def _as_written(value: str) -> bool:
    return bool(_QUOTED.match(value) or _URL.match(value) or _TIME.match(value)) or (
        value in _WORDS
    )


def appended(
    texts: Sequence[str],
    block: tuple[int, int] | None,
    network: str,
    index: int,
    fields: Sequence[tuple[str, str]],
    *,
    mapping: int,
    sequence: int,
    offset: int,
) -> list[str] | None:
    """The front matter lines `texts` with receipt `index` of `network` appended,
    its `fields` (key, value as written) at the indentation ruamel is given;
    None when ruamel is needed. `block`: the lines [start, end) of `published:`."""
    if sequence != offset + 2 or not _NETWORK.match(network):
        return None
    network_line = " " * mapping + f"{network}:"
    dash, inside = " " * (mapping + offset) + "- ", " " * (mapping + sequence)
    entry = [
        (dash if n == 0 else inside) + f"{key}: {value}" for n, (key, value) in enumerate(fields)
    ]
    if block is None:
        if index != 0 or not texts or not _ends_with_content(texts):
            return None
        return [*texts, "published:", network_line, *entry]
    start, end = block
    if texts[start] != "published:":
        return None
    counts: dict[str, tuple[int, int]] = {}  # network -> (entries, the line after its list)
    current = ""
    for number in range(start + 1, end):
        line = texts[number]
        if line.startswith(" " * mapping) and line.endswith(":") and line[mapping] != " ":
            current = line[mapping:-1]
            if not _NETWORK.match(current) or current in counts:
                return None
            counts[current] = (0, number + 1)
            continue
        if not current:
            return None
        if line.startswith(dash):
            body, first = line[len(dash) :], True
        elif line.startswith(inside):
            body, first = line[len(inside) :], False
        else:
            return None
        key, separator, value = body.partition(": ")
        if not separator or not _KEY.match(key) or not _as_written(value):
            return None
        entries, _ = counts[current]
        if entries == 0 and not first:
            return None
        counts[current] = (entries + first, number + 1)
    if any(entries == 0 for entries, _ in counts.values()):
        return None
    if network not in counts:
        return None if index != 0 else [*texts[:end], network_line, *entry, *texts[end:]]
    entries, after = counts[network]
    if index != entries:
        return None
    return [*texts[:after], *entry, *texts[after:]]


def _ends_with_content(texts: Sequence[str]) -> bool:
    """Whether the front matter's last line is content at the margin's level or
    deeper: not blank, not a comment (where ruamel may put a new key elsewhere)."""
    last = texts[-1].strip()
    return bool(last) and not last.startswith("#")
