"""The images of a post, and its link thumbnail, judged as each network will judge them.

Each image must resolve inside the repository (`clarion.media.paths`), be an
image Clarion can read (`clarion.media.sniff`), and fit the limits of every
network the post goes to (`clarion.media.limits`). The result is a report of
issues; reporters add the file and say it.

This module is on the `clarion validate` fast path: nothing heavier than what
`clarion.settings` already imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from clarion.check.result import ERROR, WARNING, Severity
from clarion.media.limits import LIMITS, NetworkLimits
from clarion.media.paths import MediaProblem, resolve_media
from clarion.media.sniff import GIF, KINDS, ImageInfo, describe_other, sniff_file


@dataclass(frozen=True)
class MediaIssue:
    """One problem with a post's media. `message` says what and how to fix it;
    the reporter adds the file and line."""

    code: str
    message: str
    line: int | None
    network: str | None = None  # None: a problem on every network
    severity: Severity = ERROR
    index: int | None = None  # position in the `images` given; None: the thumbnail or the post

    def format(self, where: str) -> str:
        """`where:line: message`, for plain text."""
        return f"{where}:{self.line}: {self.message}" if self.line else f"{where}: {self.message}"


@dataclass(frozen=True)
class CheckedImage:
    """An image that exists inside the repository and is one Clarion can send."""

    rel: str  # as written in the post
    path: Path  # resolved, inside the repository
    alt: str
    line: int | None
    info: ImageInfo


@dataclass(frozen=True)
class MediaReport:
    issues: tuple[MediaIssue, ...]
    # Every image that resolved and sniffed, in order, even when a network's
    # limit refuses it: a refusal on a network already published is only a warning.
    images: tuple[CheckedImage, ...]

    @property
    def ok(self) -> bool:
        return not any(issue.severity == ERROR for issue in self.issues)


ImageEntry = tuple[str, str, int | None]  # (path relative to the post, alt text, line)


def _limits_for(
    networks: Iterable[str], limits: Mapping[str, NetworkLimits] | None
) -> list[NetworkLimits]:
    table = LIMITS if limits is None else {**LIMITS, **limits}
    chosen = []
    for network in dict.fromkeys(networks):
        if network not in table:
            raise ValueError(f"no media limits for network {network!r}")
        chosen.append(table[network])
    return chosen


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB ({n:,} bytes)"


def _alt_length(alt: str, graphemes: bool, limit: int) -> int:
    if not graphemes or len(alt) <= limit:
        # A grapheme holds one or more code points: within the limit in code
        # points means within it in graphemes, and `regex` need not load.
        return len(alt)
    # Loaded only for the rare alt text past the limit in code points; through
    # importlib because `regex` ships no type stubs.
    regex = importlib.import_module("regex")
    return len(regex.findall(r"\X", alt))


def _locate(
    post_file: Path, repo_root: Path, rel: str, *, line: int | None, index: int | None, what: str
) -> tuple[Path, ImageInfo] | MediaIssue:
    """The resolved file and what it holds, or the issue that stops further checks."""
    try:
        path = resolve_media(post_file, repo_root, rel)
    except MediaProblem as problem:
        return MediaIssue(problem.code, f"{what}{problem.message}", line, index=index)
    head = b""
    try:
        info = sniff_file(path)
        if info is None:
            with path.open("rb") as f:
                head = f.read(4096)
    except OSError as exc:
        return MediaIssue(
            "media-unreadable",
            f"{what}{rel} cannot be read ({exc.strerror or exc}): check its permissions",
            line,
            index=index,
        )
    if info is None:
        return MediaIssue(
            "media-not-image",
            f"{what}{rel} is {describe_other(head)}, not a PNG, JPEG, GIF or WebP image "
            "(the type is read from the content, not the name): export it as PNG or JPEG",
            line,
            index=index,
        )
    return path, info


def _network_issues(
    limits: NetworkLimits,
    rel: str,
    info: ImageInfo,
    line: int | None,
    index: int | None,
    *,
    max_bytes: int,
    accepts: str,
    what: str = "",
) -> list[MediaIssue]:
    out: list[MediaIssue] = []
    net = limits.name

    def issue(code: str, message: str, severity: Severity = ERROR) -> None:
        out.append(
            MediaIssue(code, f"{net}: {what}{message}", line, limits.network, severity, index)
        )

    if info.mime not in limits.mime_types:
        issue(
            "media-type-unsupported",
            f"{rel} is a {info.kind} image, which {net} does not accept: convert it to "
            + " or ".join(sorted(KINDS[m] for m in limits.mime_types)),
        )
        return out
    if info.size > max_bytes:
        issue(
            "media-too-large",
            f"{rel} is {_size(info.size)}; {net} accepts {accepts} up to {max_bytes:,} bytes: "
            "resize or recompress it",
        )
    pixels = info.width * info.height
    pixel_limit = limits.max_gif_pixels if info.mime == GIF else None
    pixel_limit = pixel_limit or limits.max_pixels
    if pixel_limit is not None and pixels > pixel_limit:
        kind = "GIFs" if info.mime == GIF and limits.max_gif_pixels else "images"
        issue(
            "media-too-many-pixels",
            f"{rel} is {info.width}x{info.height} ({pixels:,} pixels); {net} refuses {kind} "
            f"over {pixel_limit:,} pixels: scale it down",
        )
    if info.mime == GIF and info.animated and limits.gif_advised_max is not None:
        max_w, max_h = limits.gif_advised_max
        if info.width > max_w or info.height > max_h:
            issue(
                "media-gif-dimensions",
                f"{rel} is {info.width}x{info.height}; {net} advises animated GIFs of at most "
                f"{max_w}x{max_h} and may refuse larger ones: scale it down",
                WARNING,
            )
    if info.animated and not limits.shows_animation:
        issue(
            "media-animation-lost",
            f"{rel} is animated, but {net} shows only its first frame",
            WARNING,
        )
    return out


def check_images(
    post_file: Path,
    repo_root: Path,
    images: Sequence[ImageEntry],
    networks: Iterable[str],
    *,
    limits: Mapping[str, NetworkLimits] | None = None,
) -> MediaReport:
    """Check a post's `media:` list against the repository and each network.

    `images` holds `(path, alt, line)` per entry, path as written (relative to
    the post file). `networks` are the post's target networks; a network-specific
    issue carries its `network`, so a caller can downgrade a network that is
    history. `limits` replaces entries of `LIMITS` (e.g. `{"bluesky": BLUESKY_1MB}`).
    """
    targets = _limits_for(networks, limits)
    issues: list[MediaIssue] = []
    good: list[CheckedImage] = []
    for index, (rel, alt, line) in enumerate(images):
        if not alt.strip():
            issues.append(
                MediaIssue(
                    "alt-missing",
                    f"{rel or 'an image'} has no alt text: add `alt:` describing the image "
                    "for people who cannot see it",
                    line,
                    index=index,
                )
            )
        else:
            for net in targets:
                length = _alt_length(alt, net.alt_in_graphemes, net.max_alt)
                if length > net.max_alt:
                    issues.append(
                        MediaIssue(
                            "alt-too-long",
                            f"{net.name}: the alt text of {rel} is {length:,} characters; "
                            f"{net.name} accepts up to {net.max_alt:,}: shorten it",
                            line,
                            net.network,
                            index=index,
                        )
                    )
        found = _locate(post_file, repo_root, rel, line=line, index=index, what="")
        if isinstance(found, MediaIssue):
            issues.append(found)
            continue
        path, info = found
        good.append(CheckedImage(rel, path, alt, line, info))
        for net in targets:
            animated_gif = info.mime == GIF and info.animated
            if animated_gif and net.max_animated_gif_bytes is not None:
                max_bytes, accepts = net.max_animated_gif_bytes, "animated GIFs"
            else:
                max_bytes, accepts = net.max_bytes, "images"
            issues.extend(
                _network_issues(net, rel, info, line, index, max_bytes=max_bytes, accepts=accepts)
            )
            if animated_gif and net.animated_gif_alone and len(images) > 1:
                issues.append(
                    MediaIssue(
                        "media-gif-not-alone",
                        f"{net.name}: {rel} is an animated GIF, and {net.name} takes an "
                        "animated GIF only as the sole image of a post: remove the other "
                        "images, or use a still image",
                        line,
                        net.network,
                        index=index,
                    )
                )
    for net in targets:
        if len(images) > net.max_images:
            extra = len(images) - net.max_images
            _, _, line = images[net.max_images]
            issues.append(
                MediaIssue(
                    "media-too-many",
                    f"{net.name}: the post has {len(images)} images; {net.name} takes up to "
                    f"{net.max_images} per post: remove {extra}",
                    line,
                    net.network,
                    index=net.max_images,
                )
            )
    return MediaReport(tuple(issues), tuple(good))


def check_thumbnail(
    post_file: Path,
    repo_root: Path,
    rel: str,
    line: int | None,
    networks: Iterable[str],
    *,
    limits: Mapping[str, NetworkLimits] | None = None,
) -> MediaReport:
    """Check `link.thumbnail`. Only networks with `max_thumbnail_bytes` upload it
    (Bluesky; the others draw their own card from the URL), so pass the networks
    that will get the card: not Bluesky when the post has images, since there the
    card is dropped. The path is checked whatever the networks."""
    what = "link thumbnail: "
    found = _locate(post_file, repo_root, rel, line=line, index=None, what=what)
    if isinstance(found, MediaIssue):
        return MediaReport((found,), ())
    path, info = found
    issues: list[MediaIssue] = []
    for net in _limits_for(networks, limits):
        if net.max_thumbnail_bytes is None:
            continue
        issues.extend(
            issue
            for issue in _network_issues(
                net,
                rel,
                info,
                line,
                None,
                max_bytes=net.max_thumbnail_bytes,
                accepts="link card thumbnails",
                what=what,
            )
            if issue.code != "media-animation-lost"  # a card thumbnail is a still anyway
        )
    return MediaReport(tuple(issues), (CheckedImage(rel, path, "", line, info),))
