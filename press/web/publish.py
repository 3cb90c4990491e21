"""The hook that builds web editions in ``python build.py``, beside the PDF editions.

A web edition is skipped, like a PDF, when the fingerprint of what it read
(``build.publish.inputs_of``, plus ``editions.yaml``: its language switcher
and download links follow the other editions) matches its record and its
files are still the ones written. Otherwise its site is written into a
temporary folder beside its target and swapped into place when complete, so
a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from ..build import fingerprint, outputs
from ..build.outputs import TEMPORARY
from ..build.publish import Result, inputs_of, watched_files
from ..content.model import Edition, Guide
from .site import build_site, site_folder


def build_web(
    guide: Guide,
    editions: dict[str, Edition],
    names: list[str],
    output_dir: Path,
    force: bool = False,
    on_done: Callable[[Result], None] | None = None,
    lock_wait: float | None = None,
) -> list[Result]:
    """Build the web editions ``names`` into ``output_dir/<output>/`` (``web/<name>`` by default)."""
    root = guide.root
    results = []
    with outputs.locked(output_dir, lock_wait):
        hashes: dict[Path, str] = {}
        for name in names:
            started = time.perf_counter()
            edition = editions[name]
            site = site_folder(output_dir, edition)
            _remove_stale(site.parent)
            record = fingerprint.read_record(root, output_dir, name)
            media = list(record["values"].get("media", [])) if record else []
            inputs = _inputs(guide, edition, media)
            current = inputs.fingerprint(root, hashes)
            if not force and record and record["fingerprint"] == current and fingerprint.outputs_intact(record):
                status = "up to date"
            else:
                media = _write(guide, edition, editions, output_dir, site)
                inputs = _inputs(guide, edition, media)
                current, status = inputs.fingerprint(root, hashes), "built"
            files = sorted(path for path in site.rglob("*") if path.is_file())
            fingerprint.write_record(root, output_dir, name, current, inputs, files, hashes)
            pages = sum(path.suffix == ".html" for path in files)
            size = sum(path.stat().st_size for path in files)
            result = Result(name, site, pages, size, time.perf_counter() - started, status=status)
            results.append(result)
            if on_done:
                on_done(result)
    return results


def _inputs(guide: Guide, edition: Edition, media: list[str]) -> fingerprint.Inputs:
    inputs = inputs_of(guide, edition, media, whole=False)
    inputs.values["site"] = edition.output  # the folder, for the summary of a quick no-op build
    inputs.files.add(guide.root / "content" / "editions.yaml")
    inputs.watched |= watched_files(guide)
    return inputs


def _write(guide: Guide, edition: Edition, editions: dict[str, Edition], output_dir: Path, site: Path) -> list[str]:
    """Build into a temporary folder beside ``site``, then swap it in; gives the media read."""
    site.parent.mkdir(parents=True, exist_ok=True)
    fresh = _temporary(site)
    try:
        media = build_site(guide, edition, editions, output_dir, fresh)
        fresh.chmod(0o755)  # mkdtemp's 0700 would hide the site from a web server
        old = _temporary(site) if site.exists() else None
        if old is not None:
            old.rmdir()
            site.rename(old)
        fresh.rename(site)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return media
    finally:
        if fresh.exists():
            shutil.rmtree(fresh, ignore_errors=True)


def _temporary(site: Path) -> Path:
    while True:
        candidate = site.with_name(f".{site.name}.{secrets.token_hex(4)}.tmp")
        with contextlib.suppress(FileExistsError):
            candidate.mkdir()
            return candidate


def _remove_stale(folder: Path) -> None:
    """Folders a killed build left (only under the lock, like ``outputs.remove_stale``)."""
    with contextlib.suppress(FileNotFoundError), os.scandir(folder) as entries:
        for entry in entries:
            if TEMPORARY.match(entry.name) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
