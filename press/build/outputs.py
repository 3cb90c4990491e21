"""What a build promises about its output folder: whole files with ordinary modes, one build
at a time, and nothing of a stopped build left behind.

* Files are written to ``.<name>.XXXXXXXX.tmp`` beside their target, created with mode 0666 so
  the kernel applies the umask (and a folder's default ACL) as for any new file, then moved into
  place: a reader sees the previous file or the new one, never half of one.
* A build that writes holds an advisory ``flock`` on the output folder itself (no lock file to
  publish by mistake). A second build of the same folder says it waits, and gives up with an
  error after ``PRESS_LOCK_WAIT_S`` seconds (default 600; 0 refuses at once). Worker processes
  forked during a build close their copy of the lock, and (on Linux) die with the build, so a
  killed build leaves no worker behind to hold the lock, or the pipes of whoever ran it.
* Under the lock, a build first removes the temporaries that a killed build (SIGKILL) left.
* SIGTERM and SIGHUP stop a build like Ctrl-C: ``finally`` blocks remove temporaries, and
  worker processes are stopped.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from ..errors import PressError, Problem

WAIT_VARIABLE = "PRESS_LOCK_WAIT_S"
DEFAULT_WAIT = 600
TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # write_atomic's (and mkstemp's) names
RECORD_TEMPORARY = re.compile(r"^\.record-[a-z0-9_]{8}$")  # fingerprint.write_record's
SIGNALS = (signal.SIGTERM, signal.SIGHUP)

_held: dict[int, int] = {}  # descriptor of each lock this process holds → this process's id


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _create_temporary(path)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _create_temporary(path: Path) -> tuple[int, Path]:
    """A new file beside ``path``. Not ``mkstemp``: its 0600 would survive the move. Asking for
    0666 lets the kernel apply the umask itself, which reading the umask cannot do without races."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        with contextlib.suppress(FileExistsError):
            return os.open(temporary, flags, 0o666), temporary


def lock_wait() -> float:
    value = os.environ.get(WAIT_VARIABLE, "").strip()
    if not value:
        return DEFAULT_WAIT
    if not value.isdigit():
        raise PressError(f"{WAIT_VARIABLE}={value!r} is not a whole number of seconds (default {DEFAULT_WAIT})")
    return int(value)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def locked(folder: Path, wait: float | None = None, notify: Callable[[str], None] = _say) -> Iterator[None]:
    """Hold the output folder's lock for the block, waiting up to ``wait`` seconds for it."""
    wait = lock_wait() if wait is None else wait
    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        if not _try_lock(handle):
            notify(f"waiting for another build of {folder} to finish (up to {wait:.0f} s)…")
            deadline = time.monotonic() + wait
            while not _try_lock(handle):
                if time.monotonic() >= deadline:
                    message = f"another build of this folder still runs after {wait:.0f} s"
                    raise PressError(
                        [Problem(folder, None, message, f"let it end or stop it; {WAIT_VARIABLE} sets the wait")]
                    )
                time.sleep(0.2)
        _held[handle] = os.getpid()
        yield
    finally:
        _held.pop(handle, None)
        os.close(handle)  # releases the lock


def _try_lock(handle: int) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def remove_stale(output: Path, records: Path) -> list[Path]:
    """Temporaries of killed builds in the output folder and its records. Only under the lock:
    every other build that writes there is then waiting, and has none of its own."""
    removed = []
    for folder, pattern in ((output, TEMPORARY), (records, RECORD_TEMPORARY)):
        with contextlib.suppress(FileNotFoundError), os.scandir(folder) as entries:
            for entry in entries:
                if pattern.match(entry.name) and entry.is_file(follow_symlinks=False):
                    Path(entry.path).unlink(missing_ok=True)
                    removed.append(Path(entry.path))
    return removed


class Stopped(BaseException):  # not an Exception: no ``except Exception`` on the way swallows it
    """SIGTERM or SIGHUP reached the build."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextlib.contextmanager
def stopping_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into ``Stopped`` in the block (the main thread only can)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _stop) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop(signum: int, frame: FrameType | None) -> None:
    if "multiprocessing" in sys.modules:  # workers end now, not after their current task
        for child in sys.modules["multiprocessing"].active_children():
            child.terminate()
    raise Stopped(signum)


def _in_forked_child() -> None:
    """A worker forked during a build: neither it nor its copy of the lock may outlive the build,
    and SIGTERM must end it as by default (the parent, and the worker limits, rely on that)."""
    for handle, parent in list(_held.items()):
        with contextlib.suppress(OSError):
            os.close(handle)
        _die_with(parent)
    _held.clear()
    for signum in SIGNALS:
        if signal.getsignal(signum) is _stop:
            with contextlib.suppress(ValueError):
                signal.signal(signum, signal.SIG_DFL)


def _die_with(parent: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG: killed when the build ends, however
        if os.getppid() != parent:  # it ended already
            os._exit(1)


os.register_at_fork(after_in_child=_in_forked_child)
