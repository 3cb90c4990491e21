"""``PRESS_TRACE=1``: a timeline of a build on stderr, from the parent and its workers alike.

Each line: seconds since the parent imported this module: the workers inherit that
moment through the environment, and ``perf_counter`` is the machine's
monotonic clock, so their lines and the parent's share one time axis;
then the process id and its peak resident memory so far. For finding where a build
waits; it costs nothing when the variable is unset.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .limits import status_kb

ENABLED = bool(os.environ.get("PRESS_TRACE"))
START = float(os.environ.setdefault("PRESS_TRACE_START", str(time.perf_counter())))  # workers: the parent's


def trace(message: str) -> None:
    if ENABLED:
        print(f"{time.perf_counter() - START:7.2f} [{os.getpid()} {_peak_mb()}] {message}", file=sys.stderr, flush=True)


def _peak_mb() -> str:
    """The process's peak resident memory so far (Linux), in MB."""
    peak = status_kb("VmHWM")
    return "? MB" if peak is None else f"{peak // 1024} MB"


@contextmanager
def span(message: str) -> Iterator[None]:
    """Trace the start and the end of a piece of work."""
    trace(f"{message} …")
    try:
        yield
    finally:
        trace(f"{message} done")
