"""`resolve_media`, `check_images` and `check_thumbnail` on real files in a
throwaway repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from clarion.check.result import ERROR, WARNING
from clarion.media.checks import MediaIssue, check_images, check_thumbnail
from clarion.media.limits import (
    BLUESKY,
    BLUESKY_1MB,
    DISCOURSE,
    LIMITS,
    LINKEDIN,
    MASTODON,
    THREADS,
    X,
)
from clarion.media.paths import MediaProblem, resolve_media
from clarion.media.sniff import GIF, JPEG, PNG, WEBP
from tests.unprivileged import without_root_file_access

ALL = ("bluesky", "mastodon", "x")
ALT = "A banner with the conference logo"


def codes(issues: tuple[MediaIssue, ...]) -> list[tuple[str, str | None]]:
    return sorted((issue.code, issue.network) for issue in issues)


# --------------------------------------------------------------------- resolve_media


def test_resolves_inside_the_repository(repo, images):
    repo.write("media/banner.png", images.png())
    assert (
        resolve_media(repo.post, repo.root, "media/banner.png")
        == (repo.post.parent / "media" / "banner.png").resolve()
    )


def test_dot_dot_that_stays_inside_is_fine(repo, images):
    (repo.root / "media").mkdir()
    (repo.root / "media" / "shared.png").write_bytes(images.png())
    found = resolve_media(repo.post, repo.root, "../../media/shared.png")
    assert found == (repo.root / "media" / "shared.png").resolve()


@pytest.mark.parametrize(
    ("rel", "code"),
    [
        ("/etc/hostname", "media-absolute-path"),
        ("../../../outside.png", "media-outside-repo"),
        ("media/../../../../outside.png", "media-outside-repo"),
        ("media/nothing.png", "media-missing"),
        ("", "media-missing"),
        ("   ", "media-missing"),
        ("media/bad\x00name.png", "media-missing"),
        ("media", "media-not-file"),
    ],
)
def test_bad_paths(repo, images, rel, code):
    repo.write("media/banner.png", images.png())
    (repo.root.parent / "outside.png").write_bytes(images.png())
    with pytest.raises(MediaProblem) as caught:
        resolve_media(repo.post, repo.root, rel)
    assert caught.value.code == code
    assert caught.value.message  # says how to fix it


def test_symlink_to_a_file_outside(repo, images):
    outside = repo.root.parent / "secret.png"
    outside.write_bytes(images.png())
    (repo.post.parent / "media").mkdir()
    (repo.post.parent / "media" / "logo.png").symlink_to(outside)
    with pytest.raises(MediaProblem) as caught:
        resolve_media(repo.post, repo.root, "media/logo.png")
    assert caught.value.code == "media-outside-repo"
    assert "symbolic link" in caught.value.message


def test_symlinked_folder_leading_outside(repo, images):
    elsewhere = repo.root.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pic.png").write_bytes(images.png())
    (repo.post.parent / "linked").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(MediaProblem) as caught:
        resolve_media(repo.post, repo.root, "linked/pic.png")
    assert caught.value.code == "media-outside-repo"


def test_symlink_inside_the_repository_is_fine(repo, images):
    real = repo.write("media/real.png", images.png())
    (real.parent / "alias.png").symlink_to("real.png")
    assert resolve_media(repo.post, repo.root, "media/alias.png") == real.resolve()


def test_repository_reached_through_a_symlink(repo, images, tmp_path):
    # The checkout itself may sit behind a link (a CI workspace): still inside.
    repo.write("media/banner.png", images.png())
    link = tmp_path / "workspace"
    link.symlink_to(repo.root, target_is_directory=True)
    post = link / "posts" / "2026" / "cfp.md"
    assert resolve_media(post, link, "media/banner.png").name == "banner.png"


# ---------------------------------------------------------------------- check_images


def test_four_good_images_of_each_type(repo, images):
    repo.write("media/a.png", images.png(1200, 675))
    repo.write("media/b.jpg", images.jpeg(1080, 1350))
    repo.write("media/c.gif", images.gif(400, 300))
    repo.write("media/d.webp", images.webp_lossy(800, 800))
    entries = [
        (f"media/{name}", ALT, 7 + i)
        for i, name in enumerate(["a.png", "b.jpg", "c.gif", "d.webp"])
    ]
    report = check_images(repo.post, repo.root, entries, ALL)
    assert report.issues == ()
    assert report.ok
    got = [
        (img.rel, img.line, img.info.mime, img.info.width, img.info.height) for img in report.images
    ]
    assert got == [
        ("media/a.png", 7, PNG, 1200, 675),
        ("media/b.jpg", 8, JPEG, 1080, 1350),
        ("media/c.gif", 9, GIF, 400, 300),
        ("media/d.webp", 10, WEBP, 800, 800),
    ]
    assert report.images[0].path == (repo.post.parent / "media" / "a.png").resolve()
    assert report.images[0].info.size == len(images.png(1200, 675))


def test_five_images(repo, images):
    for i in range(5):
        repo.write(f"media/{i}.png", images.png())
    entries = [(f"media/{i}.png", ALT, 10 + 2 * i) for i in range(5)]
    report = check_images(repo.post, repo.root, entries, ALL)
    assert codes(report.issues) == [
        ("media-too-many", "bluesky"),
        ("media-too-many", "mastodon"),
        ("media-too-many", "x"),
    ]
    assert {issue.line for issue in report.issues} == {18}  # the fifth image
    assert report.issues[0].message == (
        "Bluesky: the post has 5 images; Bluesky takes up to 4 per post: remove 1"
    )
    assert len(report.images) == 5


def test_text_file_named_png(repo):
    repo.write("media/banner.png", b"TODO: ask the designer for the banner\n")
    report = check_images(repo.post, repo.root, [("media/banner.png", ALT, 7)], ALL)
    assert codes(report.issues) == [("media-not-image", None)]
    assert report.issues[0].message == (
        "media/banner.png is a text file, not a PNG, JPEG, GIF or WebP image "
        "(the type is read from the content, not the name): export it as PNG or JPEG"
    )
    assert report.images == ()


def test_jpeg_named_png_is_judged_by_content(repo, images):
    repo.write("media/photo.png", images.jpeg(64, 48))
    report = check_images(repo.post, repo.root, [("media/photo.png", ALT, 7)], ALL)
    assert report.issues == ()
    assert report.images[0].info.mime == JPEG


def test_heic_photo_is_named_in_the_message(repo):
    repo.write("media/photo.jpg", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(100))
    report = check_images(repo.post, repo.root, [("media/photo.jpg", ALT, 7)], ALL)
    assert codes(report.issues) == [("media-not-image", None)]
    assert "is a HEIC/HEIF image, not a PNG" in report.issues[0].message


def test_missing_outside_and_absolute_paths_in_one_post(repo, images):
    outside = repo.root.parent / "outside.png"
    outside.write_bytes(images.png())
    (repo.post.parent / "media").mkdir()
    (repo.post.parent / "media" / "link.png").symlink_to(outside)
    entries = [
        ("media/gone.png", ALT, 7),
        ("../../../outside.png", ALT, 9),
        ("media/link.png", ALT, 11),
        (str(outside), ALT, 13),
    ]
    report = check_images(repo.post, repo.root, entries, ALL)
    got = [(issue.code, issue.line, issue.index) for issue in report.issues]
    assert got == [
        ("media-missing", 7, 0),
        ("media-outside-repo", 9, 1),
        ("media-outside-repo", 11, 2),
        ("media-absolute-path", 13, 3),
    ]
    assert all(issue.network is None and issue.severity == ERROR for issue in report.issues)
    assert report.images == ()


@pytest.mark.parametrize(
    ("size", "refused_by"),
    [
        (1_999_999, []),
        (2_000_000, []),
        (2_000_001, ["bluesky"]),
        (5 * 1024 * 1024, ["bluesky"]),
        (5 * 1024 * 1024 + 1, ["bluesky", "x"]),
        (16 * 1024 * 1024 - 1, ["bluesky", "x"]),
        (16 * 1024 * 1024, ["bluesky", "mastodon", "x"]),
    ],
)
def test_size_limits(repo, images, size, refused_by):
    repo.write("media/banner.png", images.png(1500, 500), size=size)
    report = check_images(repo.post, repo.root, [("media/banner.png", ALT, 7)], ALL)
    assert codes(report.issues) == [("media-too-large", n) for n in refused_by]
    assert report.images[0].info.size == size


def test_too_large_message(repo, images):
    repo.write("media/banner.png", images.png(), size=2_400_000)
    report = check_images(repo.post, repo.root, [("media/banner.png", ALT, 7)], ["bluesky"])
    (issue,) = report.issues
    assert issue.message == (
        "Bluesky: media/banner.png is 2.4 MB (2,400,000 bytes); Bluesky accepts images "
        "up to 2,000,000 bytes: resize or recompress it"
    )
    assert issue.format("posts/2026/cfp.md") == f"posts/2026/cfp.md:7: {issue.message}"


def test_older_pds_limit_can_be_chosen(repo, images):
    repo.write("media/banner.png", images.png(), size=1_500_000)
    entries = [("media/banner.png", ALT, 7)]
    assert check_images(repo.post, repo.root, entries, ["bluesky"]).issues == ()
    report = check_images(
        repo.post, repo.root, entries, ["bluesky"], limits={"bluesky": BLUESKY_1MB}
    )
    assert codes(report.issues) == [("media-too-large", "bluesky")]


def test_animated_gif_gets_xs_larger_limit(repo, images):
    repo.write("media/anim.gif", images.gif(480, 270, frames=3), size=10_000_000)
    repo.write("media/still.gif", images.gif(480, 270), size=10_000_000)
    animated = check_images(repo.post, repo.root, [("media/anim.gif", ALT, 7)], ["x", "mastodon"])
    still = check_images(repo.post, repo.root, [("media/still.gif", ALT, 7)], ["x", "mastodon"])
    assert animated.issues == ()
    assert codes(still.issues) == [("media-too-large", "x")]
    repo.write("media/huge.gif", images.gif(480, 270, frames=2), size=15 * 1024 * 1024 + 1)
    report = check_images(repo.post, repo.root, [("media/huge.gif", ALT, 7)], ["x"])
    assert codes(report.issues) == [("media-too-large", "x")]
    assert "X accepts animated GIFs up to 15,728,640 bytes" in report.issues[0].message


def test_animated_gif_must_be_alone_on_x(repo, images):
    repo.write("media/anim.gif", images.gif(480, 270, frames=2))
    repo.write("media/photo.jpg", images.jpeg())
    entries = [("media/anim.gif", ALT, 7), ("media/photo.jpg", ALT, 9)]
    report = check_images(repo.post, repo.root, entries, ["x", "mastodon"])
    assert codes(report.issues) == [("media-gif-not-alone", "x")]
    assert report.issues[0].line == 7


def test_animation_shows_still_on_bluesky(repo, images):
    repo.write("media/anim.webp", images.webp_extended(64, 64, frames=2))
    report = check_images(repo.post, repo.root, [("media/anim.webp", ALT, 7)], ALL)
    assert [(i.code, i.network, i.severity) for i in report.issues] == [
        ("media-animation-lost", "bluesky", WARNING)
    ]
    assert report.ok


def test_mastodon_pixel_limits(repo, images):
    repo.write("media/wide.gif", images.gif(1281, 720))  # GIF limit: 921,600 pixels
    repo.write("media/ok.gif", images.gif(1280, 720))
    repo.write("media/huge.png", images.png(7681, 4320))  # image limit: 33,177,600
    entries = [("media/wide.gif", ALT, 7), ("media/ok.gif", ALT, 9), ("media/huge.png", ALT, 11)]
    report = check_images(repo.post, repo.root, entries, ["mastodon"])
    got = [(issue.code, issue.line) for issue in report.issues]
    assert got == [("media-too-many-pixels", 7), ("media-too-many-pixels", 11)]
    assert report.issues[0].message == (
        "Mastodon: media/wide.gif is 1281x720 (922,320 pixels); Mastodon refuses GIFs "
        "over 921,600 pixels: scale it down"
    )


def test_large_animated_gif_is_a_warning_on_x(repo, images):
    repo.write("media/anim.gif", images.gif(1920, 1080, frames=2))
    report = check_images(repo.post, repo.root, [("media/anim.gif", ALT, 7)], ["x"])
    assert [(i.code, i.severity) for i in report.issues] == [("media-gif-dimensions", WARNING)]


@pytest.mark.parametrize("alt", ["", "   \n"])
def test_alt_missing(repo, images, alt):
    repo.write("media/banner.png", images.png())
    report = check_images(repo.post, repo.root, [("media/banner.png", alt, 7)], ALL)
    assert codes(report.issues) == [("alt-missing", None)]
    assert len(report.images) == 1


@pytest.mark.parametrize(
    ("length", "refused_by"),
    [
        (1000, []),
        (1001, ["x"]),
        (1500, ["x"]),
        (1501, ["mastodon", "x"]),
        (2000, ["mastodon", "x"]),
        (2001, ["bluesky", "mastodon", "x"]),
    ],
)
def test_alt_length(repo, images, length, refused_by):
    repo.write("media/banner.png", images.png())
    report = check_images(repo.post, repo.root, [("media/banner.png", "a" * length, 7)], ALL)
    assert codes(report.issues) == [("alt-too-long", n) for n in refused_by]


def test_bluesky_counts_alt_in_graphemes(repo, images):
    repo.write("media/banner.png", images.png())
    alt = "e\u0301" * 1100  # 2200 code points, 1100 graphemes
    report = check_images(repo.post, repo.root, [("media/banner.png", alt, 7)], ALL)
    assert codes(report.issues) == [("alt-too-long", "mastodon"), ("alt-too-long", "x")]
    over = check_images(repo.post, repo.root, [("media/banner.png", "é" * 2001, 7)], ["bluesky"])
    assert codes(over.issues) == [("alt-too-long", "bluesky")]
    assert "is 2,001 characters; Bluesky accepts up to 2,000" in over.issues[0].message


def test_only_the_named_networks_are_checked(repo, images):
    repo.write("media/banner.png", images.png(), size=3_000_000)
    report = check_images(repo.post, repo.root, [("media/banner.png", "a" * 1200, 7)], ["mastodon"])
    assert report.issues == ()
    report = check_images(repo.post, repo.root, [("media/banner.png", "a" * 1200, 7)], [])
    assert report.issues == ()


def test_unknown_network_is_a_programming_error(repo):
    with pytest.raises(ValueError, match="myspace"):
        check_images(repo.post, repo.root, [], ["myspace"])


def test_unreadable_file(repo, images):
    path = repo.write("media/banner.png", images.png())
    path.chmod(0)
    try:
        without_root_file_access(_unreadable_is_reported, repo)
    finally:
        path.chmod(0o644)


def _unreadable_is_reported(repo):
    report = check_images(repo.post, repo.root, [("media/banner.png", ALT, 7)], ALL)
    assert codes(report.issues) == [("media-unreadable", None)]


def test_a_bad_image_does_not_hide_the_others(repo, images):
    repo.write("media/good.jpg", images.jpeg())
    repo.write("media/bad.png", b"not an image")
    entries = [("media/bad.png", "", 7), ("media/good.jpg", ALT, 9)]
    report = check_images(repo.post, repo.root, entries, ALL)
    assert [(i.code, i.line) for i in report.issues] == [("alt-missing", 7), ("media-not-image", 7)]
    assert [img.rel for img in report.images] == ["media/good.jpg"]


# ------------------------------------------------------------------- check_thumbnail


def test_thumbnail_within_bluesky_card_limit(repo, images):
    repo.write("media/card.jpg", images.jpeg(1200, 630), size=999_000)
    report = check_thumbnail(repo.post, repo.root, "media/card.jpg", 12, ALL)
    assert report.issues == ()
    assert report.images[0].info.width == 1200


def test_thumbnail_over_bluesky_card_limit(repo, images):
    # 1.5 MB: fine as an image (2 MB), too large for a card thumbnail (1 MB).
    repo.write("media/card.jpg", images.jpeg(1200, 630), size=1_500_000)
    report = check_thumbnail(repo.post, repo.root, "media/card.jpg", 12, ALL)
    assert [(i.code, i.network, i.line) for i in report.issues] == [
        ("media-too-large", "bluesky", 12)
    ]
    assert report.issues[0].message == (
        "Bluesky: link thumbnail: media/card.jpg is 1.5 MB (1,500,000 bytes); Bluesky "
        "accepts link card thumbnails up to 1,000,000 bytes: resize or recompress it"
    )
    # Where the card is dropped (Bluesky with images), the others do not upload it.
    assert check_thumbnail(repo.post, repo.root, "media/card.jpg", 12, ["x", "mastodon"]).ok


def test_thumbnail_path_is_checked_whatever_the_networks(repo):
    report = check_thumbnail(repo.post, repo.root, "../../../../etc/passwd", 12, [])
    assert [(i.code, i.line) for i in report.issues] == [("media-outside-repo", 12)]
    assert report.issues[0].message.startswith("link thumbnail: ")


def test_limits_table():
    assert LIMITS == {
        "bluesky": BLUESKY,
        "mastodon": MASTODON,
        "x": X,
        "threads": THREADS,
        "linkedin": LINKEDIN,
        "discourse": DISCOURSE,
    }
    assert (BLUESKY.max_bytes, BLUESKY.max_images, BLUESKY.max_alt) == (2_000_000, 4, 2000)
    assert (MASTODON.max_bytes, MASTODON.max_images, MASTODON.max_alt) == (16_777_215, 4, 1500)
    assert (X.max_bytes, X.max_animated_gif_bytes, X.max_images, X.max_alt) == (
        5_242_880,
        15_728_640,
        4,
        1000,
    )


def test_checks_take_a_relative_post_path(repo, images, monkeypatch):
    repo.write("media/banner.png", images.png())
    monkeypatch.chdir(repo.root)
    report = check_images(Path("posts/2026/cfp.md"), Path(), [("media/banner.png", ALT, 7)], ALL)
    assert report.issues == ()
