"""The Mastodon stand-in's media rules, and the check refusing exactly what it refuses.

The stand-in takes an upload as Mastodon does (see src/clarion/sandbox/mastodon/media.py
for where each rule comes from): a file of 16 MiB or more is refused, a GIF of more
than 1280x720 pixels is refused whether or not it moves, only an animated GIF is
transcoded (to a `gifv`), and /api/v2/instance publishes the limits. The check
(`clarion.media.limits.MASTODON`) must refuse what the stand-in refuses, and only that.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from clarion.media.checks import check_images
from clarion.media.limits import MASTODON
from clarion.media.sniff import sniff
from clarion.sandbox.mastodon import (
    DESCRIPTION_LIMIT,
    IMAGE_SIZE_LIMIT,
    SANDBOX_TOKEN,
    MastodonStandIn,
)
from tests.adapters import test_mastodon
from tests.media.conftest import Images, Repo

MIB = 1024 * 1024
ALT = "The conference logo"
HEADERS = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}


running = test_mastodon.running  # one stand-in for the module


@pytest.fixture
def server(running: MastodonStandIn) -> MastodonStandIn:
    running.reset()
    running.media_processing_polls = 1
    running.max_characters = 500
    running.image_size_limit = IMAGE_SIZE_LIMIT
    running.description_limit = DESCRIPTION_LIMIT
    return running


def upload(server: MastodonStandIn, data: bytes, name: str = "a.png") -> requests.Response:
    info = sniff(data)
    mime = info.mime if info is not None else "application/octet-stream"
    return requests.post(
        f"{server.url}/api/v2/media",
        files={"file": (name, data, mime)},
        data={"description": ALT},
        headers=HEADERS,
        timeout=30,
    )


def padded(data: bytes, size: int) -> bytes:
    """`data` followed by zeros up to `size` bytes (decoders stop at the end marker)."""
    return data + bytes(size - len(data))


def test_a_file_of_exactly_16_mib_is_refused(server: MastodonStandIn, images: type[Images]) -> None:
    under = upload(server, padded(images.png(1500, 500), 16 * MIB - 1))
    exactly = upload(server, padded(images.png(1500, 500), 16 * MIB))

    assert under.status_code == 200
    assert exactly.status_code == 422
    assert exactly.json() == {"error": "Validation failed: File file size must be less than 16 MB"}


def test_the_size_limit_follows_the_instance(server: MastodonStandIn, images: type[Images]) -> None:
    server.image_size_limit = 1_000_000

    refused = upload(server, padded(images.png(), 1_000_000))
    taken = upload(server, padded(images.png(), 999_999))
    configuration = requests.get(f"{server.url}/api/v2/instance", timeout=5).json()

    assert refused.json() == {"error": "Validation failed: File file size must be less than 977 KB"}
    assert taken.status_code == 200
    assert configuration["configuration"]["media_attachments"]["image_size_limit"] == 1_000_000


@pytest.mark.parametrize("frames", [1, 2])
def test_the_gif_pixel_limit(server: MastodonStandIn, images: type[Images], frames: int) -> None:
    wide = upload(server, images.gif(1281, 720, frames=frames), "wide.gif")
    limit = upload(server, images.gif(1280, 720, frames=frames), "ok.gif")
    png = upload(server, images.png(1281, 720), "wide.png")  # the GIF limit is for GIFs

    assert wide.status_code == 422
    assert wide.json() == {"error": "1281x720 GIF files are not supported"}
    assert limit.status_code in (200, 202)
    assert png.status_code == 200


def test_the_image_pixel_limit(server: MastodonStandIn, images: type[Images]) -> None:
    huge = upload(server, images.png(7681, 4320))
    limit = upload(server, images.png(7680, 4320))

    assert huge.json() == {"error": "7681x4320 images are not supported"}
    assert limit.status_code == 200


def test_only_an_animated_gif_becomes_a_gifv(server: MastodonStandIn, images: type[Images]) -> None:
    still = upload(server, images.gif(4, 3), "still.gif")
    animated = upload(server, images.gif(4, 3, frames=2), "animated.gif")

    # A still GIF stays an image, processed during the upload.
    assert still.status_code == 200
    assert still.json()["type"] == "image"
    assert still.json()["url"].endswith(".gif")
    # An animated one is transcoded to a video: 202, then 206 while processing, then 200.
    assert animated.status_code == 202
    assert animated.json()["type"] == "gifv"
    assert animated.json()["url"] is None
    media = f"{server.url}/api/v1/media/{animated.json()['id']}"
    assert requests.get(media, headers=HEADERS, timeout=5).status_code == 206
    done = requests.get(media, headers=HEADERS, timeout=5)
    assert done.status_code == 200
    assert done.json()["url"].endswith(".mp4")


def test_the_instance_publishes_the_limits_the_check_uses(server: MastodonStandIn) -> None:
    server.max_characters = 640

    answer = requests.get(f"{server.url}/api/v2/instance", timeout=5).json()

    statuses = answer["configuration"]["statuses"]
    media = answer["configuration"]["media_attachments"]
    assert statuses["max_characters"] == 640
    assert statuses["max_media_attachments"] == MASTODON.max_images
    # Mastodon's image_size_limit is exclusive (`less_than:`); the check's max_bytes inclusive.
    assert media["image_size_limit"] == 16 * MIB == MASTODON.max_bytes + 1
    assert media["image_matrix_limit"] == 33_177_600 == MASTODON.max_pixels
    assert media["description_limit"] == 1500 == MASTODON.max_alt


Build = Callable[[type[Images]], bytes]
CASES: list[tuple[str, str, Build]] = [
    ("under-16mib.png", "png", lambda i: padded(i.png(1500, 500), 16 * MIB - 1)),
    ("16mib.png", "png", lambda i: padded(i.png(1500, 500), 16 * MIB)),
    ("16mib.gif", "gif", lambda i: padded(i.gif(480, 270, frames=2), 16 * MIB)),
    ("limit.gif", "gif", lambda i: i.gif(1280, 720)),
    ("wide.gif", "gif", lambda i: i.gif(1281, 720)),
    ("wide-animated.gif", "gif", lambda i: i.gif(1281, 720, frames=3)),
    ("tall.gif", "gif", lambda i: i.gif(720, 1281)),
    ("wide.png", "png", lambda i: i.png(1281, 720)),
    ("limit.png", "png", lambda i: i.png(7680, 4320)),
    ("huge.png", "png", lambda i: i.png(7681, 4320)),
    ("huge.jpg", "jpeg", lambda i: i.jpeg(4321, 7680, sof=0xC2)),
]


@pytest.mark.parametrize(("name", "kind", "build"), CASES, ids=[c[0] for c in CASES])
def test_the_check_refuses_what_the_stand_in_refuses(
    server: MastodonStandIn, images: type[Images], repo: Repo, name: str, kind: str, build: Build
) -> None:
    data = build(images)
    repo.write(f"media/{name}", data)

    answer = upload(server, data, name)
    report = check_images(repo.post, repo.root, [(f"media/{name}", ALT, 7)], ["mastodon"])

    refused_by_the_stand_in = answer.status_code == 422
    refused_by_the_check = not report.ok
    assert answer.status_code in (200, 202, 422), answer.text
    assert refused_by_the_check == refused_by_the_stand_in, (answer.json(), report.issues)
