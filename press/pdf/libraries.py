"""WeasyPrint loaded without its slow library search: a fifth of every worker's start-up.

WeasyPrint finds Pango, HarfBuzz, fontconfig and GObject by trying several
names for each (``weasyprint/text/ffi.py``), and cffi asks
``ctypes.util.find_library`` for every name it cannot open directly. On
Linux a name the linker cache does not hold then costs a run of gcc and of
ld (about 17 ms each): about 0.2 s of the 0.55 s WeasyPrint takes to import,
in every worker of every build. While WeasyPrint loads, names are looked up
in the linker cache alone (``ldconfig -p``, the search's own first step);
the names WeasyPrint tries include each library's file name, which the
loader opens directly. Should that leave a library unfound, WeasyPrint is
loaded again with the full search, so nothing that loaded before fails now.
"""

from __future__ import annotations

import ctypes.util
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout


def load_weasyprint() -> None:
    """Import WeasyPrint (once per process), finding its libraries quickly."""
    if "weasyprint" in sys.modules:
        return
    with _linker_cache_only(), redirect_stdout(io.StringIO()):  # its advice, should it fail: not ours
        try:
            import weasyprint

            return
        except OSError:  # a library found only by the full search: below
            for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
                del sys.modules[name]
    import weasyprint  # noqa: F401


@contextmanager
def _linker_cache_only() -> Iterator[None]:
    quick = getattr(ctypes.util, "_findSoname_ldconfig", None)  # glibc Linux only
    if quick is None or not sys.platform.startswith("linux"):
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = quick
    try:
        yield
    finally:
        ctypes.util.find_library = original
