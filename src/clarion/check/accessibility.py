"""Accessibility warnings: a screen reader reads out what was written.

- alt text that is a file name (`IMG_2041.png`, the image's own name), a
  placeholder ("image", "photo", "screenshot", "picture", "img" and a few
  more), or the same as another image's;
- a #hashtag of several words run together in one case: read as one long word.
  Telling `#opensource` from `#accessibility` would need a dictionary, so the
  rule is a run of at least 15 letters all in one case (`#machinelearning`,
  `#PYTHONSOFTWAREFOUNDATION`): English words that long are rare
  (`#congratulations`), and writing one in CamelCase costs it nothing;
- more than three emoji in a row (spaces between them included): each one's
  name is read out; a flag, a skin tone or a family joined by ZWJ is one emoji;
- "fancy" letters: two or more in a row from Unicode's Mathematical
  Alphanumeric Symbols (U+1D400–U+1D7FF: 𝐛𝐨𝐥𝐝, 𝘪𝘵𝘢𝘭𝘪𝘤), the letter-like symbols
  that fill its gaps (ℍ, ℬ), circled, parenthesised and squared letters, and
  small capitals: spelled out or skipped by screen readers, not found by
  search. A lone ℝ or 𝑥 of mathematics is not flagged, nor fullwidth forms
  (ordinary in CJK text).

Only what is still to be sent is checked: a post that is history on every
network it names (an imported archive) cannot be rewritten. Each finding is one
warning, however many networks receive the text.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import PurePosixPath

from clarion import networks
from clarion.check.result import WARNING, PostResult
from clarion.post import Post

HASHTAG_LETTERS = 15  # a run of letters in one case at least this long is flagged
MAX_EMOJI_IN_A_ROW = 3

_IMAGE_SUFFIX = r"(?:png|jpe?g|gif|webp|avif|heic|heif|bmp|tiff?|svg)"
_FILE_NAME = re.compile(
    rf"(?:\S.*\S|\S)\.{_IMAGE_SUFFIX}"  # …name.png
    r"|(?:IMG|DSC|DSCN|DCIM|PXL|MVIMG|Screenshot|Screen Shot)[ _-]?\d[\w .-]*",  # a camera's
    re.IGNORECASE,
)
_PLACEHOLDERS = frozenset(
    {
        "image",
        "photo",
        "photograph",
        "screenshot",
        "screen shot",
        "picture",
        "pic",
        "img",
        "graphic",
        "alt",
        "alt text",
        "image description",
        "description",
        "untitled",
        "placeholder",
        "todo",
    }
)
_ARTICLE = re.compile(r"^(?:an?|the)\s+")

# A hashtag: '#' and a word, the '#' not inside a word, a URL (/#…) or an HTML
# entity (&#…); the character before it is looked at only for a long tag.
_HASHTAG = re.compile(rf"#(\w{{{HASHTAG_LETTERS},}})")
_NOT_BEFORE_HASHTAG = re.compile(r"[\w#&/=]")
_LETTERS = re.compile(r"[^\W\d_]+")

# Emoji: Extended_Pictographic, roughly; regional indicators go in pairs (flags);
# the letter-like ranges that are also emoji (🅰) count as fancy letters instead.
_PICTO_BMP = (
    "\u203c\u2049\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf\u23e9-\u23f3"
    "\u23f8-\u23fa\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf\u2934\u2935"
    "\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
)
# Skin tones (U+1F3FB-U+1F3FF) only follow an emoji: never one of their own.
_PICTO = (
    f"{_PICTO_BMP}"
    "\U0001f000-\U0001f0ff\U0001f18e-\U0001f1e5\U0001f200-\U0001f3fa\U0001f400-\U0001faff"
)
_TONE = "[\U0001f3fb-\U0001f3ff]?"
_ONE_EMOJI = (
    "(?:[\U0001f1e6-\U0001f1ff]{2}"
    "|[0-9#*]\ufe0f?\u20e3"
    f"|[{_PICTO}][\ufe0e\ufe0f]?{_TONE}(?:\u200d[{_PICTO}]\ufe0f?{_TONE})*[\U000e0020-\U000e007f]*)"
)
_EMOJI = re.compile(_ONE_EMOJI)
_EMOJI_CHAR = re.compile(f"[{_PICTO}\U0001f1e6-\U0001f1ff\u20e3]")  # an emoji's (a keycap's end)
_EMOJI_RUN = re.compile(rf"{_ONE_EMOJI}(?:[ \t\u00a0]*{_ONE_EMOJI}){{{MAX_EMOJI_IN_A_ROW},}}")

_FANCY_BMP = (
    "\u2102\u210a-\u2113\u2115\u2119-\u211d\u2124\u2128\u212c\u212d\u212f-\u2131\u2133\u2134"
    "\u249c-\u24e9"  # parenthesised and circled letters
    "\u1d00-\u1d22\ua730\ua731\u0299\u0262\u029c\u026a\u029f\u0274\u0280\u028f"  # small caps
)
_FANCY_CHARS = (
    f"{_FANCY_BMP}"
    "\U0001d400-\U0001d7ff"  # Mathematical Alphanumeric Symbols
    "\U0001f130-\U0001f189"  # squared and negative circled or squared letters
)
_FANCY = re.compile(f"[{_FANCY_CHARS}]{{2,}}")
_FANCY_CHAR = re.compile(f"[{_FANCY_CHARS}]")
# Where either check could start: any character outside the Basic Multilingual
# Plane, and the few inside it. Two simple classes, each one quick pass over the
# text, where one class of all the ranges costs several times both.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_BMP_CANDIDATE = re.compile(f"[{_PICTO_BMP}\u20e3{_FANCY_BMP}]")

# (code, message, offset in the text)
Finding = tuple[str, str, int]


def text_problems(text: str) -> list[Finding]:
    """What a screen reader would stumble on in `text`, in the order found."""
    found: list[Finding] = []
    if "#" in text:
        found.extend(_hashtags(text))
    if not text.isascii():
        found.extend(_emoji_and_fancy(text))
    found.sort(key=lambda finding: finding[2])
    return found


def _emoji_and_fancy(text: str) -> Iterator[Finding]:
    candidates = sorted(
        m.start() for pattern in (_ASTRAL, _BMP_CANDIDATE) for m in pattern.finditer(text)
    )
    # A run of four emoji needs four candidates; fancy letters, two side by side.
    if len(candidates) <= MAX_EMOJI_IN_A_ROW and all(
        later - earlier > 1 for earlier, later in itertools.pairwise(candidates)
    ):
        return
    emoji: list[int] = []
    fancy = False
    for at in candidates:
        if _FANCY_CHAR.match(text, at):
            fancy = True
        elif _EMOJI_CHAR.match(text, at):
            emoji.append(_emoji_start(text, at))
    if len(emoji) > MAX_EMOJI_IN_A_ROW:
        yield from _once_a_line(text, _emoji_runs(text, emoji))
    if fancy:
        yield from _fancy(text)


def _hashtags(text: str) -> Iterator[Finding]:
    for match in _HASHTAG.finditer(text):
        tag = match.group(1)
        at = match.start()
        if at and _NOT_BEFORE_HASHTAG.match(text, at - 1):
            continue
        if any(
            len(run) >= HASHTAG_LETTERS and (run.islower() or run.isupper())
            for run in _LETTERS.findall(tag)
        ):
            yield (
                "hashtag-one-case",
                f"#{tag} is all in one case, so a screen reader reads it as one long word: "
                "if it is several words, start each with a capital (#MachineLearning, "
                "not #machinelearning)",
                match.start(),
            )


def _emoji_runs(text: str, starts: list[int]) -> Iterator[Finding]:
    # A run is looked for only where an emoji can start: trying every position of
    # the text costs more than all the other checks together.
    end = 0
    for start in starts:
        match = _EMOJI_RUN.match(text, start) if start >= end else None
        if match is None:
            continue
        end = match.end()
        count = len(_EMOJI.findall(match.group()))
        yield (
            "emoji-run",
            f"{count} emoji in a row ({match.group()}): a screen reader reads out the name of "
            f"each; keep to {MAX_EMOJI_IN_A_ROW} or fewer",
            match.start(),
        )


def _emoji_start(text: str, at: int) -> int:
    """Where the emoji whose character is at `at` starts: a keycap's at its digit."""
    if text[at] != "\u20e3":
        return at
    return at - 2 if at >= 2 and text[at - 1] == "\ufe0f" else max(at - 1, 0)


def _fancy(text: str) -> Iterator[Finding]:
    """One finding a line, naming every run of fancy letters on it."""
    by_line: dict[int, list[re.Match[str]]] = {}
    for match in _FANCY.finditer(text):
        by_line.setdefault(text.count("\n", 0, match.start()), []).append(match)
    for matches in by_line.values():
        shown = ", ".join(f"'{m.group()}'" for m in matches)
        plain = unicodedata.normalize("NFKC", shown)
        instead = f" ({plain})" if plain != shown and plain.isascii() else ""
        yield (
            "fancy-letters",
            f"{shown} {'is' if len(matches) == 1 else 'are'} written in Unicode's mathematical "
            "or decorative letters, which screen readers spell out or skip and search does "
            f"not find: write plain letters{instead}",
            matches[0].start(),
        )


def _once_a_line(text: str, findings: Iterator[Finding]) -> Iterator[Finding]:
    """The first finding of each line: one warning says what to fix on it."""
    seen: set[int] = set()
    for finding in findings:
        line = text.count("\n", 0, finding[2])
        if line not in seen:
            seen.add(line)
            yield finding


def check_accessibility(post: Post, targets: Sequence[str], result: PostResult) -> None:
    if post.doc is None or (targets and set(targets) <= result.history):
        return  # history: what went out cannot be rewritten
    doc = post.doc
    for code, message, offset in text_problems(doc.body):
        line = doc.body_line + doc.body.count("\n", 0, offset)
        column = offset - doc.body.rfind("\n", 0, offset)
        result.add(WARNING, code, message, line, column)
    for pointer, value in _front_matter_texts(post):
        for code, message, offset in text_problems(value):
            line, column = _in_front_matter(post, pointer, value, offset)
            result.add(WARNING, code, message, line, column)
    _check_alt(post, result)


def _front_matter_texts(post: Post) -> Iterator[tuple[tuple[str, ...], str]]:
    """The texts sent that are written in the front matter: the content warning and
    each network's own body."""
    if post.content_warning:
        yield ("content_warning",), post.content_warning
    data = post.data
    for network in networks.names():
        body = post.option(network, "body") if network in data else None
        if isinstance(body, str):
            yield (network, "body"), body


def _in_front_matter(
    post: Post, pointer: tuple[str, ...], value: str, offset: int
) -> tuple[int, int]:
    """The file line and column of `value[offset]`, found in the front matter's own
    lines from the value's position on (a block scalar starts a line below its key)."""
    pos = post.position(pointer)
    end = value.find("\n", offset)
    rest = value[offset : end if end >= 0 else len(value)].rstrip()
    lines = post.doc.front_text.split("\n") if post.doc else []
    for index in range(max(pos.line - 2, 0), len(lines)):
        at = lines[index].find(rest)
        if at >= 0:
            return index + 2, at + 1  # the front matter starts on the file's line 2
    return pos.line, pos.column


def _check_alt(post: Post, result: PostResult) -> None:
    seen: dict[str, str] = {}  # alt text, normalised -> the first image's path
    for ref in post.media:
        alt = " ".join(ref.alt.split())
        if not alt:
            continue  # missing alt text is an error of its own
        pos = post.position((*ref.pointer, "alt"))
        name = PurePosixPath(ref.path).name
        plain = _ARTICLE.sub("", alt.casefold()).rstrip(".!:")
        if _FILE_NAME.fullmatch(alt) or alt in {name, PurePosixPath(name).stem}:
            result.add(
                WARNING,
                "alt-file-name",
                f"the alt text of {ref.path} is a file name ('{alt}'), which a screen reader "
                "reads out as it is: describe what the image shows",
                pos.line,
                pos.column,
            )
        elif plain in _PLACEHOLDERS:
            result.add(
                WARNING,
                "alt-placeholder",
                f"the alt text of {ref.path} is only '{alt}': describe what the image shows "
                "(who or what is in it, and any text it holds)",
                pos.line,
                pos.column,
            )
        key = alt.casefold()
        if key in seen:
            result.add(
                WARNING,
                "alt-repeated",
                f"the alt text of {ref.path} is the same as that of {seen[key]}: describe "
                "what each image shows, and how they differ",
                pos.line,
                pos.column,
            )
        else:
            seen[key] = ref.path
