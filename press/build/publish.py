"""The pipeline end to end: editions → up-to-date checks → parts → checked files in output/.

For each edition the build first compares the fingerprint of its inputs
with what its output recorded (``fingerprint.py``), and skips it when they
match and the output is still the file it wrote. The others are cut into
parts, planned and laid out in worker processes, reusing every part the
cache already holds (``plan.py``, ``schedule.py``), then assembled, finished
and preflighted in a worker (``workers.py``). A PDF is written to a
temporary file beside its target and moved into place only when the whole
edition passed, so a failed build never replaces a good file; one build at a
time writes to an output folder (``outputs.py``). ``verify_many`` builds
twice, the second time from nothing, and compares the bytes.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..content.editions import load_editions
from ..content.load import load_guide
from ..content.model import Edition, Guide
from ..errors import PressError, Problem
from ..pdf import colours, images, parts
from ..pdf import fonts as font_prep
from ..pdf.cover import cover_html
from ..pdf.pagesetup import sheets
from ..render.html import build_html, chapters_of
from . import fingerprint, outputs
from .cache import Store
from .outputs import write_atomic
from .plan import EditionPlan, digest
from .schedule import executor, run
from .tasks import Finished, FinishTask, warm_renderer

LAYOUT_VERSION = "1"  # bump when parts, layout records or assembly change


@dataclass
class Result:
    edition: str
    output: Path
    pages: int
    size: int
    seconds: float
    warnings: list[str] = field(default_factory=list)
    status: str = "built"  # built | up to date
    laid_out: int = 0  # parts laid out in this build
    reused: int = 0  # parts taken from the cache
    renumbered: int = 0  # parts given other page numbers without a layout


def cover_name(edition: Edition) -> str:
    return f"{Path(edition.output).stem}-cover.pdf"


def outputs_of(edition: Edition, output_dir: Path) -> list[Path]:
    files = [output_dir / edition.output]
    if edition.profile == "print":
        files.append(output_dir / cover_name(edition))
    return files


def inputs_of(guide: Guide, edition: Edition, media: list[str], whole: bool) -> fingerprint.Inputs:
    """Everything ``edition`` reads (media as found by its last build: only chapters can change it)."""
    root = guide.root
    content = root / "content"
    inputs = fingerprint.Inputs()
    inputs.files |= {content / "guide.yaml", *(chapter.path for _, chapter in chapters_of(guide, edition))}
    for folder in (root / "templates", root / "styles", content / "data"):
        inputs.files |= {p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")}
        inputs.folders.add(folder)
    catalog = root / "locales" / edition.lang / "LC_MESSAGES" / "messages.po"
    inputs.files |= {catalog, *(content / src for src in media), *fingerprint.press_sources()}
    inputs.folders |= {content / edition.lang, catalog.parent}
    inputs.values = {
        "edition": repr(edition),
        "environment": fingerprint.environment(),
        "press": __version__,
        "layout": LAYOUT_VERSION,
        "whole": whole,
        "media": sorted(media),
    }
    return inputs


def watched_files(guide: Guide) -> set[Path]:
    """Files that can change an edition's selection without being among its inputs: the
    source-language practices (regions select by their fact sheets) and editions.yaml."""
    source = guide.chapters[guide.source_lang]
    return {guide.root / "content" / "editions.yaml", *(source[cid].path for cid in guide.practices if cid in source)}


def build_many(
    root: Path,
    names: list[str],
    output_dir: Path,
    strict: bool,
    jobs: int,
    on_done: Callable[[Result], None] | None = None,
    force: bool = False,
    whole: bool = False,
    guide: Guide | None = None,
    store: Store | None = None,
    lock_wait: float | None = None,
) -> list[Result]:
    """Build editions, skipping those whose inputs did not change.

    An edition that fails does not stop the others: every edition that can be
    built is written, then the problems of all failed editions are raised
    together (and none of the failed editions' files is touched). The output
    folder is locked for the whole build (``lock_wait``: see ``outputs.locked``);
    ``store`` is the part cache (default: the project's, read unless ``force``).
    """
    guide = guide or load_guide(root)
    editions = load_editions(guide)
    web = [name for name in names if editions[name].is_web]
    if web:  # built by press/web/publish.py (the command line sends them there)
        raise PressError(f"edition(s) {', '.join(web)}: a web edition is no PDF (press/web/ builds it)")
    store = store or Store(root, read=not force)
    with outputs.locked(output_dir, lock_wait):
        started = time.perf_counter()  # not while waiting for the lock
        outputs.remove_stale(output_dir, fingerprint.record_path(root, output_dir, "").parent)
        results: dict[str, Result] = {}
        hashes: dict[Path, str] = {}
        todo: dict[str, fingerprint.Inputs] = {}
        for name in names:
            edition = editions[name]
            record = fingerprint.read_record(root, output_dir, name)
            media = list(record["values"].get("media", [])) if record else []
            inputs = inputs_of(guide, edition, media, whole)
            inputs.watched |= watched_files(guide)
            same = record is not None and record["fingerprint"] == inputs.fingerprint(root, hashes)
            if not force and record and same and fingerprint.outputs_intact(record):
                result = _up_to_date(edition, output_dir, started)
                fingerprint.write_record(root, output_dir, name, record["fingerprint"], inputs,
                                         outputs_of(edition, output_dir), hashes)  # fmt: skip
                results[name] = result
                if on_done:
                    on_done(result)
                continue
            todo[name] = inputs
        errors: list[PressError] = []
        if todo:
            errors = _build(guide, editions, todo, output_dir, strict, jobs, store, whole, hashes, results, on_done)
            store.prune()
        fingerprint.write_matrix(root, output_dir, list(editions))
        if errors:
            raise BuildError(errors, [n for n in names if n in results])
        return [results[name] for name in names]


def verify_many(
    root: Path, names: list[str], strict: bool, jobs: int, guide: Guide | None = None, whole: bool = False
) -> dict[str, list[str]]:
    """Build ``names`` twice into temporary folders, as a build does (the project's part cache)
    and then forced with an empty part cache of its own, and compare the bytes of every file.

    Neither output/ nor its records are touched (the temporary folders' records are removed).
    Raises a PressError naming every file that differs, and keeps both folders to compare; gives
    the names of the files compared, per edition.
    """
    guide = guide or load_guide(root)
    editions = load_editions(guide)
    scratch = Path(tempfile.mkdtemp(prefix="press-verify-"))
    first, second = scratch / "first", scratch / "second"
    kept = False
    try:
        build_many(root, names, first, strict, jobs, guide=guide, whole=whole)
        fresh = Store(root, read=False, folder=scratch / "parts")
        build_many(root, names, second, strict, jobs, force=True, whole=whole, guide=guide, store=fresh)
        compared = {name: [path.name for path in outputs_of(editions[name], first)] for name in names}
        problems: list[Problem] = []
        for name, files in compared.items():
            for file in files:
                problems += _differ(name, first / file, second / file)
        if problems:
            kept = True
            raise PressError(problems)
        return compared
    finally:
        for folder in (first, second):
            shutil.rmtree(fingerprint.matrix_path(root, folder).parent, ignore_errors=True)
        shutil.rmtree(scratch / "parts", ignore_errors=True)
        if not kept:
            shutil.rmtree(scratch, ignore_errors=True)


def _differ(name: str, one: Path, two: Path) -> list[Problem]:
    """The two builds of a file, if their bytes differ: where, and where to look."""
    first, second = one.read_bytes(), two.read_bytes()
    if first == second:
        return []
    at = next((i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), min(len(first), len(second)))
    message = (
        f"edition {name!r}: {one.name} differs between two builds from byte {at} ({len(first)} and {len(second)} bytes)"
    )
    return [Problem(None, None, message, f"compare {one} (part cache) with {two} (laid out afresh)")]


def _up_to_date(edition: Edition, output_dir: Path, started: float) -> Result:
    target = output_dir / edition.output
    return Result(edition.name, target, _page_count(target), target.stat().st_size, time.perf_counter() - started,
                  status="up to date")  # fmt: skip


def _page_count(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def _build(
    guide: Guide,
    editions: dict[str, Edition],
    todo: dict[str, fingerprint.Inputs],
    output_dir: Path,
    strict: bool,
    jobs: int,
    store: Store,
    whole: bool,
    hashes: dict[Path, str],
    results: dict[str, Result],
    on_done: Callable[[Result], None] | None,
) -> list[PressError]:
    root = guide.root
    errors: list[PressError] = []
    started = time.perf_counter()
    with executor(jobs) as pool:
        fonts = font_prep.prepare(root, run=lambda fn, work: pool.map(fn, *zip(*work, strict=True)))
        names = list(todo)
        for worker in range(jobs if jobs > 1 else 0):  # each worker parses an edition's styles while we plan
            edition = editions[names[worker % len(names)]]
            pool.submit_to(worker, warm_renderer, root, edition, fonts, base_key(root, edition, fonts, hashes))
        plans: dict[str, EditionPlan] = {}
        media: dict[str, list[str]] = {}
        for name in todo:
            try:
                plans[name], media[name] = _plan(guide, editions[name], store, strict, fonts, whole, hashes)
            except PressError as error:
                errors.append(error)

        def finished(name: str, done: Finished) -> None:
            edition = editions[name]
            files = dict(zip(outputs_of(edition, output_dir), (done.pdf, done.cover), strict=False))
            for target, data in files.items():  # written only once everything passed
                if data is not None:
                    write_atomic(target, data)
            inputs = todo[name]
            inputs.values["media"] = sorted(media[name])
            inputs.files |= {root / "content" / src for src in media[name]}
            fingerprint.write_record(root, output_dir, name, inputs.fingerprint(root, hashes), inputs,
                                     outputs_of(edition, output_dir), hashes)  # fmt: skip
            plan = plans[name]
            result = Result(name, output_dir / edition.output, done.pages, len(done.pdf),
                            time.perf_counter() - started, list(done.warnings), "built", plan.laid_out,
                            plan.reused, plan.renumbered)  # fmt: skip
            results[name] = result
            if on_done:
                on_done(result)

        outcome = run(pool, jobs, plans, lambda plan: finish_task(guide, plan, fonts, strict), finished)
    return errors + list(outcome.failed.values())


def finish_task(guide: Guide, plan: EditionPlan, fonts: font_prep.FontSet, strict: bool) -> FinishTask:
    """What a worker needs to finish a settled edition."""
    layouts = tuple(plan.done[i].layout for i in range(len(plan.parts)))
    entries = tuple((plan.done[i].path, plan.done[i].key) for i in range(len(plan.parts)))
    edition = plan.edition
    pages = sum(layout.pages for layout in layouts)
    if edition.profile == "print":
        pages += -pages % 4
    cover = cover_html(guide, edition, pages) if edition.profile == "print" else None
    stamp = digest(*(key for _, key in entries), edition.name, *plan.colours)
    keys = tuple(plan.layout_keys)
    return FinishTask(guide.root, edition, fonts, entries, layouts, stamp, strict, cover, keys, pages, plan.colours)


def _plan(
    guide: Guide,
    edition: Edition,
    store: Store,
    strict: bool,
    fonts: font_prep.FontSet,
    whole: bool,
    hashes: dict[Path, str],
) -> tuple[EditionPlan, list[str]]:
    """The edition's HTML cut into parts, with the keys of what its layout depends on."""
    root = guide.root
    used: list[str] = []

    def image_url(src: str) -> str:
        used.append(src)
        return images.prepare(root, src, edition.profile).url

    laid = colours.masked(root, edition, sheets(edition))  # the stylesheets as parts are laid out
    html = build_html(guide, edition, image_url, colours=laid.colours)
    styles = sorted(p for p in (root / "styles").rglob("*") if p.is_file())
    stylesheets = [p.read_text(encoding="utf-8") for p in styles if p.suffix == ".css"]
    base = base_key(root, edition, fonts, hashes, styles, laid)
    try:
        book = parts.split(html)
    except ValueError as error:
        raise PressError(f"edition {edition.name!r}: {error}") from None
    first_page = parts.uses_first_page(stylesheets)
    plan = EditionPlan(edition, root, book, base, store, strict, fonts, whole or whole_only(stylesheets), first_page)
    plan.colours = laid.real
    return plan, sorted(set(used))


def base_key(
    root: Path,
    edition: Edition,
    fonts: font_prep.FontSet,
    hashes: dict[Path, str],
    styles: list[Path] | None = None,
    laid: colours.Masked | None = None,
) -> str:
    """What every part's layout depends on but its HTML: styles (the files under styles/, the
    stylesheets as laid out: colour tokens as stand-ins), fonts, settings and versions."""
    styles = sorted(p for p in (root / "styles").rglob("*") if p.is_file()) if styles is None else styles
    laid = laid or colours.masked(root, edition, sheets(edition))
    texts = {root / "styles" / name: text for name, text in laid.sheets}

    def hashed(path: Path) -> str:
        text = texts.get(path)
        return fingerprint.hashed(path, hashes) if text is None else digest(text)

    return digest(
        LAYOUT_VERSION,
        __version__,
        repr(fingerprint.environment()),
        repr(fingerprint_of_press()),
        fonts.key,
        laid.edition_rules,
        edition.profile,
        edition.pdf_variant or "",
        *(f"{p.relative_to(root)}:{hashed(p)}" for p in styles),
    )


_press_digest: str | None = None


def fingerprint_of_press() -> str:
    """The press's own code: a change to it may change any layout."""
    global _press_digest
    if _press_digest is None:
        _press_digest = digest(*(fingerprint.sha256(p) for p in fingerprint.press_sources()))
    return _press_digest


def whole_only(stylesheets: list[str]) -> bool:
    """Stylesheets that change the page counter themselves make part numbers unknowable: render whole."""
    for text in stylesheets:
        if "counter-reset" in text and "page" in text.split("counter-reset", 1)[1][:40]:
            return True
        if "counter-set" in text or "counter-increment: page" in text:
            return True
    return False


class BuildError(PressError):
    """Some editions failed; the others were built and written."""

    def __init__(self, errors: list[PressError], built: list[str]) -> None:
        super().__init__([problem for error in errors for problem in error.problems])
        self.errors = errors
        self.built = built

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.errors, self.built))


# For tests and scripts: one edition, in this process, as bytes.


def render(
    guide: Guide, edition: Edition, strict: bool = True, whole: bool = False, force: bool = False, jobs: int = 1
) -> tuple[bytes, int, list[str]]:
    """The edition's finished PDF bytes, its page count and WeasyPrint's warnings (nothing written
    to output/; laid-out parts go to the project's cache as in a build; ``jobs`` > 1: in workers)."""
    store = Store(guide.root, read=not force)
    fonts = font_prep.prepare(guide.root)
    plan, _ = _plan(guide, edition, store, strict, fonts, whole, {})
    got: dict[str, Finished] = {}

    with executor(jobs) as pool:
        outcome = run(pool, jobs, {edition.name: plan}, lambda plan: finish_task(guide, plan, fonts, strict),
                      lambda name, done: got.update({name: done}))  # fmt: skip
    if outcome.failed:
        raise outcome.failed[edition.name]
    done = got[edition.name]
    return done.pdf, done.pages, list(done.warnings)


@dataclass
class Built:
    data: bytes
    document: Any  # weasyprint.Document: the laid-out pages, for checks on layout
    warnings: list[str]


def render_built(guide: Guide, edition: Edition, strict: bool = True) -> Built:
    """The edition rendered as one document (laid out afresh, in this process), keeping its
    laid-out pages too."""
    from ..pdf import layout

    documents: list[Any] = []
    with layout.observed(documents.append):
        data, _, warnings = render(guide, edition, strict, whole=True, force=True)
    return Built(data, documents[-1], warnings)


def build_one(root: Path, name: str, output_dir: Path, strict: bool) -> Result:
    """Build one edition in this process (the cache is used as in any build); its error as raised."""
    try:
        return build_many(root, [name], output_dir, strict, jobs=1)[0]
    except BuildError as error:
        raise error.errors[0] from None
