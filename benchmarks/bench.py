#!/usr/bin/env python3
"""Benchmark the build: per edition wall time, pages per second and peak memory,
then the whole matrix serial versus parallel. Not a test: it reports, it does
not assert. Run: ``python benchmarks/bench.py [--edition NAME ...] [--jobs N]``.

Each measurement runs in a fresh Python process, so peak memory (max RSS) is
that of one build, and no cache of an earlier run warms it (the prepared image
cache in .cache/ is emptied first unless --warm).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
from pathlib import Path
from press.build.publish import build_many
root, out, jobs, names = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
started = time.perf_counter()
results = build_many(root, names, out, strict=True, jobs=jobs)
wall = time.perf_counter() - started
peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "pages": sum(r.pages for r in results),
                  "peak_mb": max(peak_self, peak_children) / 1024}))
"""


def run(names: list[str], jobs: int, out: Path) -> dict[str, float]:
    command = [sys.executable, "-c", CHILD, str(ROOT), str(out), str(jobs), *names]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if result.returncode != 0:
        sys.exit(f"build failed for {names}:\n{result.stderr}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edition", nargs="+", help="editions to measure (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="workers for the parallel run")
    parser.add_argument("--warm", action="store_true", help="keep the prepared-image cache")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from press.content.load import load_guide
    from press.content.editions import load_editions

    names = args.edition or list(load_editions(load_guide(ROOT)))
    if not args.warm:
        shutil.rmtree(ROOT / ".cache" / "images", ignore_errors=True)
    with tempfile.TemporaryDirectory() as temporary:
        out = Path(temporary)
        print(f"{'edition':28} {'pages':>5} {'seconds':>8} {'pages/s':>8} {'peak MB':>8}")
        for name in names:
            row = run([name], 1, out)
            rate = row["pages"] / row["wall"]
            print(f"{name:28} {row['pages']:>5.0f} {row['wall']:>8.2f} {rate:>8.1f} {row['peak_mb']:>8.0f}")
        started = time.perf_counter()
        serial = run(names, 1, out)
        parallel = run(names, args.jobs, out)
        print()
        print(f"matrix of {len(names)} editions, {serial['pages']:.0f} pages:")
        print(f"  serial            {serial['wall']:7.2f} s  ({serial['pages'] / serial['wall']:.1f} pages/s)")
        print(
            f"  parallel ({args.jobs} jobs) {parallel['wall']:7.2f} s  "
            f"({parallel['pages'] / parallel['wall']:.1f} pages/s, peak {parallel['peak_mb']:.0f} MB per process)"
        )
        print(
            f"  speed-up          {serial['wall'] / parallel['wall']:7.2f}×  "
            f"(total {time.perf_counter() - started:.0f} s)"
        )


if __name__ == "__main__":
    main()
