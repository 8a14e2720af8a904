"""Read an export as the network hands it over: a zip, a tar, or the folder it unpacks to.

Files are only ever read by name and their bytes written to names the importer
chooses. Every name goes through `member_name`, and a folder's files through a
check of where their links lead, so nothing outside the export is ever read: a
member called `../../x`, an attachment's address `/../x/private.png` or a link
to `/home/someone/` is refused, and the refusal named in the summary.
A tar is unpacked into a temporary folder first (links and climbing names left
out, then tarfile's `data` filter), because reading a compressed tar out of
order decompresses it again and again.
"""

from __future__ import annotations

import json
import os
import re
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from types import TracebackType

from clarion.importers import ArchiveError

OUTSIDE = "leads outside the export"
LINK_OUTSIDE = "is a link to outside the export"
LINK = "is a link, which is not followed"
_DRIVE = re.compile(r"^[A-Za-z]:")


class RefusedName(ArchiveError):
    """A name in or of the export that is not read: it leads outside the export."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"{shown(name)} {why}")
        self.name = name
        self.why = why


def shown(name: str) -> str:
    """`name` quoted on one line, whatever it holds."""
    return json.dumps(name)


def member_name(name: str) -> str:
    """`name` as the export's member name: `/` between folders, no `.` or `..`.

    A backslash counts as `/` (as on Windows, where zips are made too). A name
    that climbs above the export's top or starts at the root of the machine or
    of a drive raises `RefusedName`, as does one holding a NUL. `""` names nothing.
    """
    if "\0" in name:
        raise RefusedName(name, "is not a file name")
    text = name.replace("\\", "/")
    if text.startswith("/") or _DRIVE.match(text):
        raise RefusedName(name, OUTSIDE)
    parts: list[str] = []
    for segment in text.split("/"):
        if segment == "..":
            if not parts:
                raise RefusedName(name, OUTSIDE)
            parts.pop()
        elif segment not in ("", "."):
            parts.append(segment)
    return "/".join(parts)


class Archive:
    """Files of an export by their POSIX path inside it, read-only.

    `path` is a zip, a tar (compressed or not), a folder, or one file of an
    unpacked export (its folder is then the export). `refused` says, a line
    each, which of its members were left out because they lead outside it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.refused: list[str] = []
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, zipfile.ZipInfo] = {}
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        self._names: list[str] | None = None
        if path.is_dir():
            self._folder = path
        elif not path.is_file():
            raise ArchiveError(f"{path}: no such file or folder")
        elif zipfile.is_zipfile(path):
            self._folder = path.parent
            try:
                self._zip = zipfile.ZipFile(path)
                infos = self._zip.infolist()
            except (zipfile.BadZipFile, OSError) as exc:
                raise ArchiveError(f"{path}: not a readable zip file ({exc})") from None
            for info in infos:
                if not info.is_dir() and (name := self._member(info.filename)):
                    self._members.setdefault(name, info)
        elif _is_tar(path):
            self._folder = self._unpack_tar(path)
        else:
            self._folder = path.parent
        self._top = self._folder.resolve()

    def _member(self, name: str) -> str | None:
        """`member_name(name)`, or None when it is refused (and said so)."""
        try:
            return member_name(name)
        except RefusedName as refused:
            self.refused.append(f"member {refused}")
            return None

    def _unpack_tar(self, path: Path) -> Path:
        self._temp = tempfile.TemporaryDirectory(prefix="clarion-import-")

        def keep(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo | None:
            # An export holds no links: one in it only ever points somewhere else.
            if member.issym() or member.islnk():
                self.refused.append(f"member {shown(member.name)} {LINK}")
                return None
            if self._member(member.name) is None:
                return None
            try:
                return tarfile.data_filter(member, destination)
            except tarfile.FilterError:
                self.refused.append(f"member {shown(member.name)} is not a file or folder")
                return None

        try:
            with tarfile.open(path) as tar:
                # `keep` ends in tarfile's own `data` filter.
                tar.extractall(self._temp.name, filter=keep)  # noqa: S202
        except (tarfile.TarError, OSError) as exc:
            self.close()
            raise ArchiveError(f"{path}: not a readable tar file ({exc})") from None
        return Path(self._temp.name)

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._temp is not None:
            self._temp.cleanup()

    def names(self) -> list[str]:
        """Every file in the export, as POSIX paths relative to it.

        In a folder, links to folders are not followed and a link to a file
        outside the export is left out (and said so in `refused`).
        """
        if self._names is None:
            if self._zip is not None:
                self._names = list(self._members)
            else:
                self._names = sorted(self._folder_names())
        return self._names

    def _folder_names(self) -> Iterable[str]:
        for folder, _, files in os.walk(self._folder):
            for file in files:
                path = Path(folder, file)
                name = path.relative_to(self._folder).as_posix()
                if path.is_symlink():
                    try:
                        self._file(name)
                    except RefusedName as refused:
                        self.refused.append(f"member {refused}")
                        continue
                if path.is_file():
                    yield name

    def _file(self, name: str) -> Path:
        """The file `name` (a `member_name`) of a folder, where its links lead.

        Raises `RefusedName` when that is outside the export.
        """
        real = (self._folder / name).resolve()
        if not real.is_relative_to(self._top):
            raise RefusedName(name, LINK_OUTSIDE)
        return real

    def read(self, name: str) -> bytes:
        """The bytes of the export's file `name`; `RefusedName` when it leads outside."""
        member = member_name(name)
        try:
            if self._zip is not None:
                return self._zip.read(self._members[member])
            return self._file(member).read_bytes()
        except (KeyError, OSError, zipfile.BadZipFile) as exc:
            raise ArchiveError(f"{self.path}: cannot read {name} ({exc})") from None

    def exists(self, name: str) -> bool:
        """Whether the export holds the file `name`; `RefusedName` when it leads outside."""
        member = member_name(name)
        if self._zip is not None:
            return member in self._members
        if not member or not (self._folder / member).is_file():
            return False
        self._file(member)
        return True

    def find_root(self, anchors: Iterable[str]) -> str:
        """The folder prefix (`""` or `"dir/"`) under which the first of `anchors` lies.

        Exports are often unpacked into, or zipped with, an extra folder.
        """
        wanted = list(anchors)
        for anchor in wanted:
            if self.exists(anchor):
                return ""
        for name in sorted(self.names(), key=lambda n: (n.count("/"), n)):
            for anchor in wanted:
                if name.endswith("/" + anchor):
                    return name[: -len(anchor)]
        listed = " or ".join(wanted)
        raise ArchiveError(f"{self.path}: there is no {listed} in it: is it the right export?")


def _is_tar(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False


def safe_name(name: str) -> str:
    """`name` as a plain file name: safe characters only, never hidden, never a path."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in base)
    return cleaned.lstrip(".")[:120] or "file"
