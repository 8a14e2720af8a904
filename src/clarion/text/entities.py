"""What the networks' text rules share: mentions, graphemes, twitter_text.

Each network links a mention only in its own syntax: `@name` on X,
`@handle.domain` on Bluesky, `@user@instance` on Mastodon. `foreign_mentions`
finds the mentions of a text written in another network's syntax, which that
network will show as plain text (or, on X, link to the wrong account: X links
the `@alice` of `@alice.bsky.social`).
"""

from __future__ import annotations

import builtins
import functools
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import re
import sys
import threading
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clarion import networks
from clarion.networks import MentionSyntax

if TYPE_CHECKING:
    import regex

# After "@" (not following a character that makes it part of a word, an
# address or a path): what any network's syntax allows, a name with dots and
# hyphens and a second "@" with a domain. Trailing dots and hyphens are the
# sentence's.
_MENTION_BODY = re.compile(r"\w(?:[\w.-]*\w)?(?:@\w(?:[\w.-]*\w)?)?")
_AT = re.compile("[@\uff20]")
_NOT_BEFORE = re.compile(r"[\w@\uff20/=+.-]")


def mention_syntax(mention: str) -> MentionSyntax:
    """The syntax `mention` ("@..." as written) is in."""
    name = mention[1:]
    if "@" in name:
        return MentionSyntax.FEDIVERSE
    if "." in name:
        return MentionSyntax.DOMAIN
    return MentionSyntax.PLAIN


def foreign_mentions(network: str, text: str) -> list[str]:
    """The mentions in `text` (as written, with "@") not in `network`'s syntax."""
    entry = networks.find(network)
    if entry is None:
        raise ValueError(f"unknown network {network!r}")
    if "@" not in text and "\uff20" not in text:
        return []
    return [mention for mention, syntax in _mentions(text) if syntax != entry.mention_syntax]


@functools.lru_cache(maxsize=1024)
def _mentions(text: str) -> tuple[tuple[str, MentionSyntax], ...]:
    """(mention as written, its syntax) for each mention-like `@...`."""
    found = []
    end = 0
    for sign in _AT.finditer(text):
        at = sign.start()
        if at < end or (at and _NOT_BEFORE.match(text, at - 1)):
            continue
        body = _MENTION_BODY.match(text, at + 1)
        if body:
            mention = text[at : body.end()]
            found.append((mention, mention_syntax(mention)))
            end = body.end()
    return tuple(found)


# --- graphemes ---------------------------------------------------------------

# Code points that never join a neighbour into a grapheme cluster (their
# Grapheme_Cluster_Break is Other, Control but CR, LV or LVT): most text.
# tests/text/test_entities.py checks this against the `regex` module's data.
_ALONE = (
    "\x00-\x0c\x0e-\x7f\xa0-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205f"
    "\u20a0-\u20cf\u2100-\u2bff\u3000-\u3029\u3030-\u3098\u309b-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff9d\U0001f000-\U0001f1e5\U0001f200-\U0001f3fa"
    "\U0001f400-\U0001faff"
)
_MAY_JOIN = re.compile(f"[^{_ALONE}]+")


def grapheme_count(text: str) -> int:
    """The number of extended grapheme clusters in `text` (`regex`'s `\\X`).

    Only around code points that may join a neighbour is `\\X` run (on them
    and one code point each side): two code points that both never join are
    always two clusters, so the rest counts one per code point.
    """
    if text.isascii():
        return len(text) - text.count("\r\n")
    windows: list[list[int]] = []
    for run in _MAY_JOIN.finditer(text):
        start, end = max(run.start() - 1, 0), min(run.end() + 1, len(text))
        if windows and start < windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    count = len(text)
    cluster = _cluster()
    for start, end in windows:
        count += len(cluster.findall(text[start:end])) - (end - start)
    return count


@functools.cache
def _cluster() -> regex.Pattern[str]:
    import regex

    return regex.compile(r"\X")


# --- twitter_text -------------------------------------------------------------

# twitter_text is loaded under this name so that its package `__init__` never
# runs: it imports pkg_resources (0.15 s and a deprecation warning) and parses
# a 400 KB emoji file (0.1 s), which only `parse_tweet` needs.
_ALIAS = "clarion.text._twitter_text"


def twitter_text_dir() -> Path:
    """Where the twitter_text package (twitter-text-parser) is installed."""
    spec = importlib.util.find_spec("twitter_text")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("twitter-text-parser is not installed", name="twitter_text")
    return Path(next(iter(spec.submodule_search_locations)))


def twitter_text_module(name: str) -> types.ModuleType:
    """A module of twitter_text ("extract_urls", "regexp.valid_gtld"...).

    Its regexes are compiled when first used, not when their module runs:
    twitter_text compiles every piece it assembles a pattern from (the
    top-level domains alone three times), 0.2 s of which Clarion needs the
    few final patterns, and only for texts holding a possible URL. Each
    pattern is the same string with the same flags, so it matches the same.
    """
    with _LOADING:
        if _ALIAS not in sys.modules:
            package = types.ModuleType(_ALIAS)
            package.__path__ = [str(twitter_text_dir())]
            package.__package__ = _ALIAS
            sys.meta_path.insert(0, _AliasFinder(Path(package.__path__[0])))
            sys.modules[_ALIAS] = package
    return importlib.import_module(f"{_ALIAS}.{name}")


_LOADING = threading.Lock()


class _Deferred:
    """What twitter_text's `re.compile` gives under the alias: the pattern and
    flags (which its modules read to assemble bigger patterns), compiled on
    first use of anything else."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        # As re.compile reports them: a str pattern is Unicode unless ASCII.
        self.flags = flags if flags & re.ASCII else flags | re.UNICODE

    def __getattr__(self, name: str) -> Any:
        value = getattr(re.compile(self.pattern, self.flags), name)
        setattr(self, name, value)  # the next use finds it without coming here
        return value


# The `re` that twitter_text's modules import under the alias.
_DEFERRING_RE = types.ModuleType("re")
_DEFERRING_RE.__dict__.update(vars(re))
_DEFERRING_RE.compile = _Deferred  # type: ignore[attr-defined]


def _import(name: str, *args: Any, **kwargs: Any) -> types.ModuleType:
    if name == "re" and not kwargs.get("level", args[3] if len(args) > 3 else 0):
        return _DEFERRING_RE
    module: types.ModuleType = builtins.__import__(name, *args, **kwargs)
    return module


_BUILTINS = {**vars(builtins), "__import__": _import}


class _AliasLoader(importlib.machinery.SourceFileLoader):
    def exec_module(self, module: types.ModuleType) -> None:
        module.__builtins__ = _BUILTINS  # type: ignore[attr-defined]
        super().exec_module(module)


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Finds the modules of twitter_text under the alias (and nothing else)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(_ALIAS + "."):
            return None
        where = self.directory.joinpath(*fullname[len(_ALIAS) + 1 :].split("."))
        if (where / "__init__.py").is_file():
            init = str(where / "__init__.py")
            return importlib.util.spec_from_file_location(
                fullname,
                init,
                loader=_AliasLoader(fullname, init),
                submodule_search_locations=[str(where)],
            )
        source = where.with_suffix(".py")
        if not source.is_file():
            return None
        return importlib.util.spec_from_file_location(
            fullname, str(source), loader=_AliasLoader(fullname, str(source))
        )
