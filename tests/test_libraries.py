"""WeasyPrint loaded with the quick library search finds the very libraries the full search finds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

MAPPED = """
import sys
{load}
import weasyprint
names = ("libpango", "libharfbuzz", "libfontconfig", "libgobject", "libpangoft2")
with open("/proc/self/maps") as maps:
    paths = {{line.split()[-1] for line in maps if "/" in line and line.split("/")[-1].startswith(names)}}
print(sorted(paths))
"""

# The first import of WeasyPrint's library bindings fails as a missing library would.
FAILS_ONCE = """
import importlib.abc, sys
class Once(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "weasyprint.text.ffi":
            sys.meta_path.remove(self)
            raise OSError("cannot load library 'libpango-1.0-0'")
sys.meta_path.insert(0, Once())
from press.pdf.libraries import load_weasyprint
load_weasyprint()
import weasyprint
print(len(weasyprint.HTML(string="<p>ok</p>").write_pdf()) > 0)
"""


def run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout


def test_the_quick_search_loads_the_libraries_the_full_search_loads():
    if not Path("/proc/self/maps").exists():
        return
    full = run(MAPPED.format(load=""))
    quick = run(MAPPED.format(load="from press.pdf.libraries import load_weasyprint; load_weasyprint()"))
    assert quick == full and "libpango-1.0" in full


def test_a_library_the_quick_search_misses_is_looked_for_again_the_usual_way():
    assert run(FAILS_ONCE) == "True\n"  # and nothing else printed: WeasyPrint's advice is not shown
