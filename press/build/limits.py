"""Every piece of work a build sends to a worker is bounded in memory and time.

A pathological stylesheet or document (a custom property that expands
without end, an SVG of nested ``<use>``) must end with an error naming the
edition, not with a machine that swaps or a build that never ends. Each
task runs under:

* a memory cap: the worker's address space (``RLIMIT_AS``), so an allocation
  past it fails with ``MemoryError`` instead of swapping;
* a CPU-time cap per task: the soft ``RLIMIT_CPU`` is moved to "used so far +
  the cap" when a task starts, and ``SIGXCPU`` ends the task;
* a wall-clock cap per task (``SIGALRM``), for time spent waiting; the
  parent also stops the workers if nothing comes back well after it.

The caps are settings of whoever runs the build, not of the content (on a
shared server the authors must not raise them): ``--memory-limit`` and
``--time-limit``, or ``PRESS_MEMORY_LIMIT_MB`` and ``PRESS_TIME_LIMIT_S``,
which the options set so that worker processes inherit them.
"""

from __future__ import annotations

import os
import resource
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from ..errors import Problem, RenderError

MEMORY_VARIABLE = "PRESS_MEMORY_LIMIT_MB"
TIME_VARIABLE = "PRESS_TIME_LIMIT_S"
DEFAULT_MEMORY_MB = 2048  # a worker laying out a 370-page book peaks near 260 MB resident, 600 MB mapped
DEFAULT_SECONDS = 300  # a whole 108-page edition lays out in about 12 s


@dataclass(frozen=True)
class Limits:
    memory_mb: int = DEFAULT_MEMORY_MB
    seconds: int = DEFAULT_SECONDS

    @classmethod
    def from_environment(cls) -> Limits:
        return cls(_setting(MEMORY_VARIABLE, DEFAULT_MEMORY_MB), _setting(TIME_VARIABLE, DEFAULT_SECONDS))


def _setting(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) <= 0:
        raise RenderError([Problem(None, None, f"{name}={value!r} is not a positive whole number",
                                   f"unset it, or give a number (default {default})")])  # fmt: skip
    return int(value)


class LimitExceeded(RenderError):
    """A task went past a memory or time cap."""


class _OutOfTime(BaseException):  # not an Exception: no ``except Exception`` inside WeasyPrint swallows it
    def __init__(self, kind: str) -> None:
        self.kind = kind


@contextmanager
def bounded(what: str, limits: Limits | None = None) -> Iterator[None]:
    """Run the block under the caps; past one, raise ``LimitExceeded`` naming ``what``
    (e.g. "edition 'guide-es', part 3")."""
    limits = limits or Limits.from_environment()
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return
    previous_memory = _cap_memory(limits.memory_mb)
    previous_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime) + limits.seconds + 1
    hard = previous_cpu[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise _OutOfTime("CPU" if signum == signal.SIGXCPU else "wall-clock")

    handlers = {
        signal.SIGXCPU: signal.signal(signal.SIGXCPU, stop),
        signal.SIGALRM: signal.signal(signal.SIGALRM, stop),
    }
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    signal.setitimer(signal.ITIMER_REAL, limits.seconds)
    try:
        yield
    except _OutOfTime as stopped:
        raise LimitExceeded([Problem(None, None, f"{what}: stopped after {limits.seconds} s of {stopped.kind} time",
                                     "look for a runaway rule or image in what changed; "
                                     "--time-limit raises the cap")]) from None  # fmt: skip
    except Exception as error:  # MemoryError itself, wrapped by a library (WeasyPrint's fetcher does), or
        # any failure of C code that ran out (SystemError "error return without exception set")
        if not (_out_of_memory(error) or _at_cap(limits.memory_mb)):
            raise
        raise LimitExceeded([Problem(None, None, f"{what}: needed more than {limits.memory_mb} MB of memory",
                                     "look for a runaway rule or image in what changed; "
                                     "--memory-limit raises the cap")]) from None  # fmt: skip
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_CPU, previous_cpu)
        resource.setrlimit(resource.RLIMIT_AS, previous_memory)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def _out_of_memory(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, MemoryError):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _at_cap(megabytes: int) -> bool:
    """Whether this process's address space is at (nearly) the cap, as the failed task left it: then any
    error is the cap's (what the task allocated is still held by the traceback)."""
    size = status_kb("VmSize") or 0
    return size * 1024 >= 0.9 * megabytes * 1024 * 1024


def status_kb(field: str) -> int | None:
    """A size in kB from ``/proc/self/status`` (``VmSize``, ``VmRSS``, ``VmHWM``; None where unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next((int(line.split()[1]) for line in status if line.startswith(field + ":")), None)
    except (OSError, ValueError, IndexError):
        return None


def _cap_memory(megabytes: int) -> tuple[int, int]:
    previous = resource.getrlimit(resource.RLIMIT_AS)
    cap = megabytes * 1024 * 1024
    if previous[1] != resource.RLIM_INFINITY:
        cap = min(cap, previous[1])
    resource.setrlimit(resource.RLIMIT_AS, (cap, previous[1]))
    return previous
