"""The layout cache: laid-out parts and what earlier builds learnt, in ``.cache/parts/``.

Entries are keyed by content hashes of everything their layout read
(``keys.py``), so an entry can only be reused by a build that would lay out
exactly the same document. Every entry carries its format version and the
SHA-256 of its payload; an entry that cannot be read, is from another
version, or does not match its checksum (a killed build, a disk error, an
edit by hand) is deleted and laid out again, never trusted. Writes go to a
temporary file moved into place, so readers never see half an entry.

Two kinds of entry:

* ``.part``: one laid-out part, its PDF and its ``PartLayout``;
* ``.json`` notes: small facts that let the next build plan before it lays
  anything out (a part's page count and anchors, which elements cannot
  begin a part).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from .. import sandbox
from ..pdf.partdata import PartLayout

FORMAT = "press-cache-2"  # 2: tagged parts are finished in their worker
FOLDER = Path(".cache") / "parts"
LIMIT_BYTES = 512 * 1024 * 1024  # older entries are removed beyond this


class Store:
    def __init__(self, root: Path, read: bool = True, folder: Path | None = None) -> None:
        self.folder = folder or root / FOLDER  # another folder: a build with a cache of its own (--verify)
        self.read = read  # --force: write entries, never reuse them

    def _path(self, key: str, suffix: str) -> Path:
        return self.folder / key[:2] / f"{key}{suffix}"

    def part_path(self, key: str) -> Path:
        return self._path(key, ".part")

    def get_part(self, key: str) -> tuple[Path, PartLayout] | None:
        """The cached part's file and layout record, if valid (its PDF is read when assembled)."""
        if not self.read:
            return None
        path = self.part_path(key)
        try:
            with _open(self.folder, path) as stream:
                header = json.loads(stream.readline())
                if header.get("format") != FORMAT or header.get("key") != key:
                    raise ValueError("another format")
                layout = PartLayout.from_json(header["layout"])
            return path, layout
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, CorruptEntry):
            path.unlink(missing_ok=True)
            return None

    def put_part(self, key: str, pdf: bytes, layout: PartLayout) -> Path:
        header = {"format": FORMAT, "key": key, "sha256": hashlib.sha256(pdf).hexdigest(), "layout": layout.to_json()}
        path = self.part_path(key)
        _write(path, json.dumps(header, ensure_ascii=True).encode() + b"\n" + pdf)
        return path

    def rekey_part(self, path: Path, old: str, new: str) -> Path:
        """Store the entry made under ``old`` under ``new`` as well (same PDF, same layout)."""
        with _open(self.folder, path) as stream:
            header = json.loads(stream.readline())
            pdf = stream.read()
        if header.get("key") != old or hashlib.sha256(pdf).hexdigest() != header.get("sha256"):
            raise CorruptEntry(path)
        return self.put_part(new, pdf, PartLayout.from_json(header["layout"]))

    def get_json(self, key: str) -> Any:
        if not self.read:
            return None
        path = self._path(key, ".json")
        try:
            with _open(self.folder, path) as stream:
                data = json.loads(stream.read())
            if data.get("format") != FORMAT or data.get("key") != key:
                raise ValueError("another format")
            return data["value"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError, CorruptEntry):
            path.unlink(missing_ok=True)
            return None

    def put_json(self, key: str, value: Any) -> None:
        data = {"format": FORMAT, "key": key, "value": value}
        _write(self._path(key, ".json"), json.dumps(data, ensure_ascii=False).encode())

    def prune(self, limit: int = LIMIT_BYTES) -> None:
        """Remove the least recently written entries beyond ``limit`` bytes."""
        entries = []
        for path in self.folder.glob("*/*"):
            with contextlib.suppress(OSError):
                stat = path.stat()
                entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= limit:
                break
            path.unlink(missing_ok=True)
            total -= size


def read_part_pdf(path: Path, key: str) -> bytes:
    """The PDF of a cached part, checked against its recorded checksum."""
    with _open(path.parent.parent, path) as stream:
        header = json.loads(stream.readline())
        pdf = stream.read()
    if (
        header.get("format") != FORMAT
        or header.get("key") != key
        or hashlib.sha256(pdf).hexdigest() != header["sha256"]
    ):
        path.unlink(missing_ok=True)
        raise CorruptEntry(path)
    return pdf


def _open(folder: Path, path: Path) -> BinaryIO:
    """An entry, opened only if it is a regular file in the cache (a planted link or FIFO is corrupt)."""
    try:
        return sandbox.open_regular(folder, path, limit=1 << 40)
    except sandbox.Refused as refused:
        if refused.reason == "is not found":
            raise FileNotFoundError(path) from None
        raise CorruptEntry(path) from None


class CorruptEntry(Exception):
    """A cache entry changed after it was planned with (its part is laid out again)."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.path,))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
