"""`sniff` and `sniff_file`: type and size from the content, never a crash."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from clarion.media.sniff import GIF, JPEG, PNG, WEBP, ImageInfo, describe_other, sniff, sniff_file


def test_png(images):
    assert sniff(data := images.png(3, 2)) == ImageInfo(PNG, 3, 2, len(data), animated=False)


def test_apng_is_animated(images):
    info = sniff(images.png(5, 4, frames=3))
    assert info is not None
    assert (info.mime, info.width, info.height, info.animated) == (PNG, 5, 4, True)


def test_png_with_chunks_before_the_first_frame(images):
    chunk = images.png_chunk(b"tEXt", b"Comment\x00" + b"x" * 5000)
    info = sniff(images.png(7, 9, before_idat=chunk))
    assert info is not None
    assert (info.width, info.height, info.animated) == (7, 9, False)


@pytest.mark.parametrize("sof", [0xC0, 0xC1, 0xC2, 0xC3, 0xC9, 0xCB])
def test_jpeg_frame_kinds(images, sof):
    info = sniff(images.jpeg(40, 30, sof=sof))
    assert info is not None
    assert (info.mime, info.width, info.height, info.animated) == (JPEG, 40, 30, False)


@pytest.mark.parametrize(("orientation", "size"), [(1, (40, 30)), (3, (40, 30)), (6, (30, 40))])
def test_jpeg_exif_rotation_gives_the_displayed_size(images, orientation, size):
    info = sniff(images.jpeg(40, 30, orientation=orientation))
    assert info is not None
    assert (info.width, info.height) == size


def test_jpeg_frame_header_deep_after_metadata(images, tmp_path):
    # Three ICC segments push the frame header ~196 KB in.
    data = images.jpeg(4000, 3000, padding=(65000, 65000, 65000))
    assert data.index(b"\xff\xc0") > 190_000
    path = tmp_path / "deep.jpg"
    path.write_bytes(data)
    assert sniff_file(path) == ImageInfo(JPEG, 4000, 3000, len(data))


def test_jpeg_scan_before_frame_header_is_not_an_image(images):
    data = images.jpeg()
    sof = data.index(b"\xff\xc0")
    sos = data.index(b"\xff\xda")
    # Drop the frame header: the scan then comes first.
    broken = data[:sof] + data[sof + 2 + int.from_bytes(data[sof + 2 : sof + 4]) : sos] + data[sos:]
    assert sniff(broken) is None


@pytest.mark.parametrize(("frames", "animated"), [(1, False), (2, True), (5, True)])
def test_gif(images, frames, animated):
    assert sniff(data := images.gif(300, 200, frames=frames)) == ImageInfo(
        GIF, 300, 200, len(data), animated
    )


def test_gif_with_zero_screen_uses_first_frame(images):
    data = bytearray(images.gif(4, 3))
    data[6:10] = bytes(4)
    info = sniff(bytes(data))
    assert info is not None
    assert (info.width, info.height) == (1, 1)


@pytest.mark.parametrize(
    ("build", "size", "animated"),
    [
        ("webp_lossless", (1, 1), False),
        ("webp_lossless", (16383, 700), False),
        ("webp_lossy", (1, 1), False),
        ("webp_lossy", (1024, 768), False),
        ("webp_extended", (1, 1), False),
        ("webp_extended", (20000, 3), False),
        ("webp_extended", (1, 1), True),
    ],
)
def test_webp(images, build, size, animated):
    kwargs = {"frames": 2} if animated else {}
    info = sniff(getattr(images, build)(*size, **kwargs))
    assert info is not None
    assert (info.mime, (info.width, info.height), info.animated) == (WEBP, size, animated)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, I am a text file named banner.png\n",
        b"\x89PNG\r\n\x1a\n",  # a signature and nothing else
        b"\xff\xd8\xff\xd9",  # start and end of image, no frame
        b"GIF89a",
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        b"BM" + bytes(60),
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
)
def test_not_images(data):
    assert sniff(data) is None


def test_zero_sized_png_is_not_an_image(images):
    assert sniff(images.png(0, 5)) is None


SAMPLES = {
    "png": lambda images: images.png(9, 7),
    "apng": lambda images: images.png(3, 3, frames=2),
    "jpeg-exif": lambda images: images.jpeg(17, 9, orientation=6),
    "jpeg-progressive": lambda images: images.jpeg(8, 8, sof=0xC2),
    "gif-animated": lambda images: images.gif(5, 5, frames=3),
    "webp-lossless": lambda images: images.webp_lossless(3, 4),
    "webp-lossy": lambda images: images.webp_lossy(5, 6),
    "webp-extended": lambda images: images.webp_extended(7, 8, frames=2),
}


def _samples(images) -> list[bytes]:
    return [make(images) for make in SAMPLES.values()]


def _valid(result: ImageInfo | None) -> bool:
    return result is None or (result.width > 0 and result.height > 0)


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_truncation_is_safe(images, sample):
    data = SAMPLES[sample](images)
    assert [end for end in range(len(data) + 1) if not _valid(sniff(data[:end]))] == []


def test_random_damage_is_safe(images):
    rng = random.Random(20261201)  # noqa: S311 (a fixed seed: the same fuzz every run)
    samples = _samples(images)
    for _ in range(3000):
        data = bytearray(rng.choice(samples))
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            del data[rng.randrange(len(data)) :]
        assert _valid(sniff(bytes(data)))


def test_random_bytes_behind_each_magic_are_safe():
    rng = random.Random(7)  # noqa: S311 (a fixed seed: the same fuzz every run)
    magics = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"RIFF\x10\x00\x00\x00WEBP"]
    for _ in range(3000):
        data = rng.choice(magics) + rng.randbytes(rng.randrange(64))
        assert _valid(sniff(data))


def test_sniff_file_reports_the_file_size(images, tmp_path):
    path = tmp_path / "big.png"
    with path.open("wb") as f:
        f.write(images.png(10, 10))
        f.truncate(3_000_000)  # a hole after IEND: trailing bytes, as some tools leave
    assert sniff_file(path) == ImageInfo(PNG, 10, 10, 3_000_000)


def test_sniff_file_of_empty_and_text_files(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "text.png"
    text.write_text("not a picture\n", encoding="utf-8")
    assert sniff_file(empty) is None
    assert sniff_file(text) is None


@pytest.mark.parametrize(
    ("head", "said"),
    [
        (b"", "an empty file"),
        (b"# Title\nsome words\n", "a text file"),
        (b"BM\x00\x00", "a BMP image"),
        (b"\x00\x00\x00\x18ftypheic", "a HEIC/HEIF image"),
        (b"\x00\x00\x00\x1cftypavif", "an AVIF image"),
        (b"<?xml version='1.0'?>\n<svg/>", "an SVG drawing"),
        (b"\x89PNG\r\n\x1a\nrest", "a damaged PNG (its header cannot be read)"),
        (b"\x00\x01\x02\x03\xfe", "not an image Clarion can read"),
    ],
)
def test_describe_other(head, said):
    assert describe_other(head) == said


def test_import_stays_light():
    # `clarion validate` imports the media checks, and with them the sniffing,
    # path and limits modules, on every run: no third-party packages (regex
    # loads only for alt text past a limit).
    code = (
        "import sys, clarion.media.checks\n"
        "heavy = {'regex', 'yaml', 'jsonschema', 'atproto', 'mastodon', 'tweepy', 'requests'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path.cwd()
    )
    assert out.stdout.strip() == "[]"


def test_sniff_file_without_mmap_reads_the_head(images, tmp_path, monkeypatch):
    # Some file systems cannot map files; the head is read instead.
    import mmap

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("mmap not supported")

    path = tmp_path / "photo.jpg"
    with path.open("wb") as f:
        f.write(images.jpeg(64, 48))
        f.truncate(40_000_000)
    monkeypatch.setattr(mmap, "mmap", refuse)
    assert sniff_file(path) == ImageInfo(JPEG, 64, 48, 40_000_000)
