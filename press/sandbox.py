"""Only regular files inside the project reach the press, by every path.

Content, templates, styles, catalogs, fonts, the ICC profile and media are
read through :func:`read_bytes`, which resolves the real path (symbolic links
followed), refuses anything outside the project folder, and opens the file
without following a link and without blocking, then checks on the open file
that it is a regular file (not a device, FIFO or socket) and not larger than
its cap. So a link planted in ``content/media`` that points at a file
elsewhere on the disk, or at ``/dev/zero``, is refused where it is read, not
trusted because its cached copy is inside the project.

:func:`scan` walks the project's input folders before a build and lists, as
content errors, every entry that is a link out of the project or not a
regular file or folder, so the person sees all of them at once.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import ContentError, Problem

INPUT_FOLDERS = ("content", "templates", "styles", "locales")
MAX_FILE_BYTES = 64 * 1024 * 1024  # any single input file; media have their own, lower caps


class Refused(ContentError):
    """A file the sandbox will not read."""

    def __init__(self, path: Path, reason: str, hint: str = "") -> None:
        super().__init__([Problem(path, None, f"refused: this file {reason}", hint)])
        self.path, self.reason, self.hint = path, reason, hint  # "leads outside the project folder …"


def inside(root: Path, path: Path) -> Path:
    """The real path of ``path``, which must be inside ``root``."""
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        raise Refused(path, f"leads outside the project folder (to {real})",
                      "copy the file into the project instead of linking to it")  # fmt: skip
    return real


def open_regular(root: Path | None, path: Path, limit: int = MAX_FILE_BYTES) -> BinaryIO:
    """``path`` opened for reading: a regular file inside ``root`` of at most ``limit`` bytes (with
    no ``root``: a file :func:`scan` passed, opened so that a device or FIFO put there since cannot block)."""
    real = inside(root, path) if root is not None else path.resolve()
    try:
        handle = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise Refused(path, "is not found") from None
    except OSError as error:
        raise Refused(path, f"cannot be read ({error.strerror})", "check its permissions") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(path, f"is {_kind(info.st_mode)}, not a regular file", "use an ordinary file")
        if info.st_size > limit:
            raise Refused(path, f"is {_size(info.st_size)}, more than the limit of {_size(limit)}",
                          "use a smaller file")  # fmt: skip
    except BaseException:
        os.close(handle)
        raise
    return os.fdopen(handle, "rb")


def read_bytes(root: Path | None, path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, a regular file inside ``root`` of at most ``limit`` bytes."""
    with open_regular(root, path, limit) as stream:
        size = os.fstat(stream.fileno()).st_size
        data = stream.read(min(size, limit) + 1)  # read(n) reserves n bytes: not the cap, the file's size
        if len(data) > size:  # it grew while read: the rest, up to the cap
            data += stream.read(limit + 1 - len(data))
    if len(data) > limit:
        raise Refused(path, f"grew past the limit of {_size(limit)} while read", "use a smaller file")
    return data


def read_text(root: Path | None, path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """``read_bytes`` decoded as UTF-8 (a ``UnicodeDecodeError`` is the caller's to report)."""
    return read_bytes(root, path, limit).decode("utf-8")


def scan(root: Path, folders: tuple[str, ...] = INPUT_FOLDERS) -> list[Problem]:
    """Every entry of the input folders that is not a regular file or folder inside the project."""
    problems: list[Problem] = []
    base = root.resolve()
    for name in folders:
        top = root / name
        if top.is_symlink() or top.exists():
            problems.extend(_entry(base, top))
        if not top.is_dir() or top.is_symlink():
            continue
        for folder, subfolders, files in os.walk(top):
            for entry in [*subfolders, *files]:
                problems.extend(_entry(base, Path(folder) / entry))
    return problems


def check_project(root: Path) -> None:
    problems = scan(root)
    if problems:
        raise ContentError(problems)


def _entry(base: Path, path: Path) -> list[Problem]:
    try:
        info = path.lstat()
    except OSError:
        return []
    if stat.S_ISLNK(info.st_mode):
        real = path.resolve()
        if not real.is_relative_to(base):
            return [Problem(path, None, f"a symbolic link to {real}, outside the project folder",
                            "copy the file into the project instead of linking to it")]  # fmt: skip
        try:
            info = real.stat()
        except OSError:
            return [Problem(path, None, "a symbolic link to nothing", "delete it or point it at a file")]
    if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):
        return []
    return [Problem(path, None, f"{_kind(info.st_mode)}, not a regular file", "remove it from the project")]


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def _size(count: int) -> str:
    return f"{count / 1_048_576:.1f} MB" if count >= 1_048_576 else f"{count} bytes"
