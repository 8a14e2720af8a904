"""Read an export as the network hands it over: a zip, a tar, or the folder it unpacks to.

Files are only ever read by name and their bytes written to names the importer
chooses, so a member called `../../x` in a hostile zip cannot write anywhere.
A tar is unpacked into a temporary folder first (with tarfile's `data` filter),
because reading a compressed tar out of order decompresses it again and again.
"""

from __future__ import annotations

import tarfile
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from types import TracebackType

from clarion.importers import ArchiveError


class Archive:
    """Files of an export by their POSIX path inside it, read-only.

    `path` is a zip, a tar (compressed or not), a folder, or one file of an
    unpacked export (its folder is then the export).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        self._names: list[str] | None = None
        self._name_set: set[str] | None = None
        if path.is_dir():
            self._folder = path
        elif not path.is_file():
            raise ArchiveError(f"{path}: no such file or folder")
        elif zipfile.is_zipfile(path):
            self._folder = path.parent
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise ArchiveError(f"{path}: not a readable zip file ({exc})") from None
        elif _is_tar(path):
            self._folder = self._unpack_tar(path)
        else:
            self._folder = path.parent

    def _unpack_tar(self, path: Path) -> Path:
        self._temp = tempfile.TemporaryDirectory(prefix="clarion-import-")
        try:
            with tarfile.open(path) as tar:
                tar.extractall(self._temp.name, filter="data")
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
        """Every file in the export, as POSIX paths relative to it."""
        if self._names is None:
            if self._zip is not None:
                self._names = [i.filename for i in self._zip.infolist() if not i.is_dir()]
            else:
                root = self._folder
                self._names = [
                    p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
                ]
        return self._names

    def read(self, name: str) -> bytes:
        try:
            if self._zip is not None:
                return self._zip.read(name)
            return (self._folder / name).read_bytes()
        except (KeyError, OSError, zipfile.BadZipFile) as exc:
            raise ArchiveError(f"{self.path}: cannot read {name} ({exc})") from None

    def exists(self, name: str) -> bool:
        if self._zip is not None:
            if self._name_set is None:
                self._name_set = set(self.names())
            return name in self._name_set
        return (self._folder / name).is_file()

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
