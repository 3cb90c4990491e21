"""The pipeline end to end: one edition → checked PDF bytes → output file.

``render`` is a pure function of the content, templates, styles and fonts; a
PDF is written to a temporary file beside its target and moved into place
only after preflight passed, so a failed build never replaces a good file.
Editions build in parallel worker processes.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..checks import preflight
from ..content.editions import load_editions
from ..content.load import load_guide
from ..content.model import Edition, Guide
from ..errors import PressError, Problem
from ..pdf import images, weasy
from ..pdf.cover import render_cover
from ..pdf.marks import add_crop_marks
from ..render.html import build_html


@dataclass
class Result:
    edition: str
    output: Path
    pages: int
    size: int
    seconds: float
    warnings: list[str] = field(default_factory=list)


def render(guide: Guide, edition: Edition, strict: bool = True) -> tuple[bytes, int, list[str]]:
    """The edition's PDF bytes, its page count and WeasyPrint's warnings."""
    built = render_built(guide, edition, strict)
    return built.data, len(built.document.pages), built.warnings


@dataclass
class Built:
    data: bytes
    document: Any  # weasyprint.Document: the laid-out pages, for checks on layout
    warnings: list[str]


def render_built(guide: Guide, edition: Edition, strict: bool = True) -> Built:
    """Render, pad and preflight an edition; keep its laid-out document too."""
    html = build_html(guide, edition, lambda src: images.prepare(guide.root, src, edition.profile).url)
    rendered = weasy.render_document(html, guide.root, edition, strict)
    if edition.profile == "print":
        preflight.check_image_resolution(rendered.document, edition, guide.root)
        pad_to_multiple(rendered.document, 4)
    data = weasy.write_pdf(rendered, edition, strict)
    if edition.profile == "print":
        data = add_crop_marks(data)
    preflight.check(data, edition)
    return Built(data, rendered.document, rendered.warnings)


def pad_to_multiple(document: object, multiple: int) -> int:
    """Insert blank pages before the back cover until the count divides evenly."""
    pages = document.pages  # type: ignore[attr-defined]
    blank = next((p for p in pages if getattr(p._page_box.page_type, "blank", False)), None)
    missing = -len(pages) % multiple
    if missing and blank is None:
        raise RuntimeError("no blank page to pad with")
    for _ in range(missing):
        pages.insert(len(pages) - 1, blank)
    return missing


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build_one(root: Path, name: str, output_dir: Path, strict: bool) -> Result:
    """Render, check and write one edition (and its cover spread, for print)."""
    started = time.perf_counter()
    guide = load_guide(root)
    edition = load_editions(guide)[name]
    data, pages, warnings = render(guide, edition, strict)
    files = {output_dir / edition.output: data}
    if edition.profile == "print":
        cover = render_cover(guide, edition, pages, strict)
        preflight.check(cover, edition, cover=True)
        files[output_dir / cover_name(edition)] = cover
    for target, content in files.items():  # written only once everything passed
        write_atomic(target, content)
    return Result(name, output_dir / edition.output, pages, len(data), time.perf_counter() - started, warnings)


def cover_name(edition: Edition) -> str:
    return f"{Path(edition.output).stem}-cover.pdf"


def build_many(
    root: Path,
    names: list[str],
    output_dir: Path,
    strict: bool,
    jobs: int,
    on_done: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Build editions, in parallel worker processes when jobs > 1.

    An edition that fails does not stop the others: every edition that can be
    built is written, then the problems of all failed editions are raised
    together (and none of the failed editions' files is touched).
    """
    results: list[Result] = []
    problems: list[Problem] = []

    def collect(outcome: Callable[[], Result]) -> None:
        try:
            results.append(outcome())
        except PressError as error:
            problems.extend(error.problems)
            return
        if on_done is not None:
            on_done(results[-1])

    if jobs <= 1 or len(names) <= 1:
        for name in names:
            collect(partial(build_one, root, name, output_dir, strict))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(build_one, root, name, output_dir, strict) for name in names]
            for future in as_completed(futures):
                collect(future.result)
    if problems:
        raise BuildError(problems, [r.edition for r in results])
    order = {name: index for index, name in enumerate(names)}
    return sorted(results, key=lambda r: order[r.edition])


class BuildError(PressError):
    """Some editions failed; the others were built and written."""

    def __init__(self, problems: list[Problem], built: list[str]) -> None:
        super().__init__(problems)
        self.built = built
