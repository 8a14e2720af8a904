"""Every check a post goes through: the schema, then each target network's own
rules, counted exactly as that network counts. Produces a `CheckResult`;
reporters decide how it is shown."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from clarion import networks
from clarion.check.accessibility import check_accessibility
from clarion.check.result import ERROR, WARNING, CheckResult, PartCount, PostResult, Severity
from clarion.check.template import check_template_text
from clarion.post import Post, read_post, schema
from clarion.post.compose import compose, spoiler
from clarion.settings import Settings
from clarion.text import foreign_mentions

# Below this many posts a second process costs more than it saves.
PARALLEL_THRESHOLD = 1500
# Posts checked (and encoded) together in one process: a report's whole document
# as one string would double the memory of a big tree.
SERIAL_CHUNK = 256

# A reporter's encoding of some results (clarion.check.reporters.json.encode).
Encoder = Callable[[list[PostResult]], str]

# The settings, the posts and the encoder of a run shared between processes: set
# before the fork, so each worker has them without their being sent.
_work: tuple[Settings, list[Path], Encoder | None] | None = None


def check_paths(paths: Iterable[Path], settings: Settings) -> CheckResult:
    """Check every post; a big tree is shared between the machine's cores."""
    return CheckResult(
        [result for part in _checked(list(paths), settings, None) for result in part]
    )


def check_paths_encoded(
    paths: Iterable[Path], settings: Settings, encode: Encoder
) -> tuple[bool, list[str]]:
    """Check every post, as `check_paths`, and encode the results where they were
    found, a chunk at a time (`encode`: a reporter's): whether all are valid, and
    the chunks' encodings in the order of `paths`. A big tree's workers then send
    back text, not results to rebuild, and encode side by side."""
    parts = _checked(list(paths), settings, encode)
    return all(ok for ok, _ in parts), [text for _, text in parts]


def _checked(files: list[Path], settings: Settings, encode: Encoder | None) -> list[Any]:
    """`_check_chunk` of every chunk of `files`, in order."""
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_THRESHOLD or workers < 2 or not hasattr(os, "fork"):
        size, workers = SERIAL_CHUNK, 1
    else:
        size = -(-len(files) // (workers * 4))
    chunks = [(i, min(i + size, len(files))) for i in range(0, len(files), size)]
    global _work  # noqa: PLW0603 - inherited by the forked workers
    _work = (settings, files, encode)
    try:
        if workers == 1:
            return [_check_chunk(chunk) for chunk in chunks]
        import multiprocessing

        _warm_up(settings)
        # This process checks its share too, rather than wait: one worker fewer, and
        # half as many results sent back through a pipe when there are two cores.
        share = len(chunks) // workers
        with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
            theirs = pool.map_async(_check_chunk, chunks[share:])
            ours = [_check_chunk(chunk) for chunk in chunks[:share]]
            return [*ours, *theirs.get()]
    finally:
        _work = None


def _warm_up(settings: Settings) -> None:
    """Check a post that names every network and holds a bit of everything the
    rules look for (a link, a tag, each kind of mention, emoji, other scripts),
    and forget it: the patterns and tables the rules load on first use are then
    loaded once, here, rather than in every worker."""
    from clarion.post.frontmatter import load, split_parts

    raw = (
        f"---\nplatforms: [{', '.join(networks.names())}]\ntitle: Warming up every rule\n"
        "content_warning: Warm-up\n---\nGrüße aus 日本 🎉👩‍👩‍👧🇩🇪 1️⃣ #WarmUp $ABC "
        "@alice.bsky.social @bob@example.social @carol https://example.org/a?b=c example.com "
        "𝐛𝐨𝐥𝐝\n"
    )
    doc = load(raw.encode("utf-8"))
    parts = tuple(split_parts(doc.body, doc.body_line))
    check_post(Post(settings.root / "warm-up.md", "warm-up.md", doc, parts), settings)


def _check_chunk(chunk: tuple[int, int]) -> Any:
    """The results of posts `files[start:stop]` of the run (`_work`): a list of
    `PostResult`, or with an encoder, whether they are all valid and their encoding."""
    if _work is None:  # pragma: no cover - set before the fork
        raise RuntimeError("worker started without its posts")
    settings, files, encode = _work
    start, stop = chunk
    results = [check_post(read_post(path, settings.root), settings) for path in files[start:stop]]
    if encode is None:
        return results
    return all(result.ok for result in results), encode(results)


def check_post(post: Post, settings: Settings) -> PostResult:
    result = PostResult(post.rel)
    if post.error is not None:
        err = post.error
        result.add(ERROR, err.code, err.message, err.line, err.column)
        return result
    schema_ok = _check_schema(post, result)
    _check_schedule(post, result)
    _check_body(post, result)
    check_template_text(post, result)
    if not schema_ok:
        # Types are wrong somewhere: the network checks would only guess.
        return result
    targets = post.networks(settings.platforms)
    # History first: a network left (its account removed) never invalidates it.
    result.history.update(n for n in targets if post.is_history(n))
    _check_accounts(post, targets, settings, result)
    for network in targets:
        _check_text(post, network, settings, result)
        _check_title(post, network, settings, result)
    _check_media(post, targets, settings, result)
    check_accessibility(post, targets, result)
    return result


def _severity(result: PostResult, network: str | None) -> Severity:
    """A network already published in full is history: its checks only warn."""
    return WARNING if network is not None and network in result.history else ERROR


def _check_schema(post: Post, result: PostResult) -> bool:
    ok = True
    for problem in schema.problems(dict(post.data)):
        ok = False
        pos = post.position(problem.pointer)
        result.add(ERROR, problem.code, problem.message, pos.line, pos.column)
    return ok


def _check_schedule(post: Post, result: PostResult) -> None:
    text = post.publish_at_text
    if text is None:
        return
    pos = post.position(("publish_at",))
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        result.add(
            ERROR,
            "publish-at-invalid",
            f"publish_at '{text}' is not a date and time: write it as 2026-12-01T15:00:00+00:00",
            pos.line,
            pos.column,
        )
        return
    if when.tzinfo is None:
        result.add(
            ERROR,
            "publish-at-no-offset",
            f"publish_at '{text}' has no UTC offset: add one, e.g. {text}+00:00",
            pos.line,
            pos.column,
        )


def _check_body(post: Post, result: PostResult) -> None:
    if not post.parts or all(not part.text for part in post.parts):
        line = post.doc.body_line if post.doc else None
        result.add(
            ERROR, "empty-body", "the post has no text: write it after the closing ---", line, 1
        )
        return
    for index, part in enumerate(post.parts):
        if not part.text:
            result.add(
                ERROR,
                "empty-part",
                f"thread part {index + 1} is empty: remove the extra '---' line or write the part",
                part.line,
                1,
            )


def _check_accounts(
    post: Post, targets: Sequence[str], settings: Settings, result: PostResult
) -> None:
    accounts = settings.accounts
    for network in targets:
        if network not in accounts and network not in result.history:
            pos = post.position(("platforms",))
            result.add(
                ERROR,
                "no-account",
                f"this repository has no {networks.display(network)} account: remove {network} "
                f"from platforms, or add [tool.clarion.accounts.{network}] to pyproject.toml",
                pos.line,
                pos.column,
                network,
            )


def _check_text(post: Post, network: str, settings: Settings, result: PostResult) -> None:
    entry = networks.get(network)
    name = entry.display
    severity = _severity(result, network)
    account = settings.account(network)
    counts: list[PartCount] = []
    for part in compose(post, network):
        if not part.text:
            continue
        measured = entry.measure(part.text, spoiler(post, network), account)
        count = PartCount(
            measured.text,
            measured.length,
            measured.limit,
            part.line,
            measured.bytes,
            measured.byte_limit,
        )
        counts.append(count)
        where = f"part {part.index + 1}" if len(post.parts) > 1 else "the text"
        if part.joined > 1:
            where = "the text"
        if count.length > count.limit:
            over = count.length - count.limit
            fix = (
                f"shorten it by {over}, split it into a thread with a '---' line, "
                f"or give {name} its own text under {network}: body:"
            )
            if part.joined > 1 and entry.joins_parts:
                fix = (
                    f"its {part.joined} parts are joined into one {name} post: shorten them "
                    f"by {over}, or give {name} its own text under {network}: body:"
                )
            elif part.joined > 1:
                fix = (
                    f"its {part.joined} parts are joined into one post by `thread: single`: "
                    f"shorten them by {over}, or remove `thread: single` to send a thread"
                )
            result.add(
                severity,
                f"{network}-too-long",
                f"{name}: {where} is {count.length}/{count.limit} {entry.unit}: {fix}",
                part.line,
                1,
                network,
            )
        if measured.invalid:
            result.add(
                severity,
                f"{network}-{measured.invalid_code}",
                f"{name}: {where} {measured.invalid}",
                part.line,
                1,
                network,
            )
        if count.bytes is not None and count.byte_limit and count.bytes > count.byte_limit:
            result.add(
                severity,
                f"{network}-too-many-bytes",
                f"{name}: {where} is {count.bytes}/{count.byte_limit} bytes of UTF-8: shorten it",
                part.line,
                1,
                network,
            )
        _check_mentions(network, part.text, part.line, result)
    result.networks[network] = counts


def _check_title(post: Post, network: str, settings: Settings, result: PostResult) -> None:
    """A network that needs a title (a Discourse topic's) gets `title:`, within its limits."""
    entry = networks.get(network)
    if not entry.needs_title or (
        network not in settings.accounts and network not in result.history
    ):
        return  # no account there: that is the error already
    name = entry.display
    severity = _severity(result, network)
    title = post.title
    if title is None or not title.strip():
        pos = post.position(("title",) if "title" in post.data else ("platforms",))
        result.add(
            severity,
            f"{network}-title-missing",
            f"{name}: a post there is a topic, which needs a title: add `title: ...` to the "
            "front matter (what the topic is about, in a short sentence)",
            pos.line,
            pos.column,
            network,
        )
        return
    measured = entry.measure_title(title, settings.account(network))
    pos = post.position(("title",))
    if measured.length > measured.limit:
        result.add(
            severity,
            f"{network}-title-too-long",
            f"{name}: the title is {measured.length}/{measured.limit} characters: shorten it "
            f"by {measured.length - measured.limit}",
            pos.line,
            pos.column,
            network,
        )
    if measured.invalid:
        result.add(
            severity,
            f"{network}-title-invalid",
            f"{name}: the title {measured.invalid}",
            pos.line,
            pos.column,
            network,
        )


def _check_mentions(network: str, text: str, line: int, result: PostResult) -> None:
    for mention in foreign_mentions(network, text):
        name = networks.display(network)
        result.add(
            WARNING,
            "mention-not-linked",
            f"{name}: {mention} is not a {name} mention and will not link there: "
            f"give {name} its own text under {network}: body:",
            line,
            1,
            network,
        )


def _check_media(
    post: Post, targets: Sequence[str], settings: Settings, result: PostResult
) -> None:
    media = post.media
    link = post.link
    one_embed = [n for n in targets if networks.get(n).single_embed]
    for network in one_embed if media and link is not None else ():
        pos = post.position(("link",))
        name = networks.display(network)
        result.add(
            WARNING,
            f"{network}-card-dropped",
            f"{name}: a post has one embed, so with images the link card is dropped there "
            "(the URL in the text stays a link)",
            pos.line,
            pos.column,
            network,
        )
    for network in targets if media else ():
        entry = networks.get(network)
        if not entry.fetches_media or network in result.history:
            continue
        # Images it fetches from a public address: the default one answers only for
        # a public repository.
        from clarion.media.public import fetch_warning

        base = str(getattr(settings.account(network), "media_base_url", "") or "")
        message = fetch_warning(entry.display, base)
        if message:
            pos = post.position(("media",))
            result.add(WARNING, f"{network}-media-url", message, pos.line, pos.column, network)
    if not media and (link is None or link.thumbnail is None):
        return
    from clarion.media.checks import MediaIssue, check_images, check_thumbnail
    from clarion.media.limits import LIMITS, for_account

    issues: list[MediaIssue] = []
    if media:
        entries = [(ref.path, ref.alt, post.position((*ref.pointer, "path")).line) for ref in media]
        # An account's settings may lower a limit (Bluesky's image_max_bytes).
        limits = {n: for_account(LIMITS[n], settings.account(n)) for n in targets if n in LIMITS}
        issues.extend(
            check_images(post.path, settings.root, entries, targets, limits=limits).issues
        )
    if link is not None and link.thumbnail is not None:
        card_networks = [n for n in targets if not (media and n in one_embed)]
        line = post.position(("link", "thumbnail")).line
        issues.extend(
            check_thumbnail(post.path, settings.root, link.thumbnail, line, card_networks).issues
        )
    for issue in issues:
        severity = issue.severity
        if severity == ERROR:
            severity = _severity(result, issue.network)
        result.add(severity, issue.code, issue.message, issue.line, 1, issue.network)
