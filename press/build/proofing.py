"""Build → proof: lay out editions, run the proof rules, write the reports; approve and diff pages.

The rules and reports live in ``checks/proof/`` and read only what they are
given (laid-out pages, PDF bytes); this module runs the stages that make those:
``proof_editions`` lays each edition out as one document (as ``--whole`` does),
``approve`` and ``diff`` build the PDF as a build does (an up-to-date one in
output/ is reused) and compare it with ``approved/<edition>/``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from ..checks.proof import approved, pictures, report
from ..checks.proof import settings as proof_settings
from ..checks.proof.proof import Proof, proof, stale
from ..content.editions import load_editions
from ..content.model import Edition, Guide
from ..errors import PressError, Problem
from ..pdf import fonts as font_prep
from ..pdf import images, weasy
from ..render.html import build_html, chapters_of
from . import fingerprint
from .publish import build_many

THUMBNAIL = 520  # pixels wide, the pages drawn in the proof report


def files_of(guide: Guide, edition: Edition) -> dict[str, str]:
    return {chapter.id: chapter.path.relative_to(guide.root).as_posix() for _, chapter in chapters_of(guide, edition)}


def proof_editions(guide: Guide, names: list[str], output: Path, strict: bool = True) -> int:
    """Proof ``names``; print each table, write ``output/proof/<edition>.html``; 1 if a problem is open."""
    root = guide.root
    editions = load_editions(guide)
    settings = proof_settings.load(root)
    fonts = font_prep.prepare(root)
    proofs: list[Proof] = []
    files: dict[str, set[str]] = {}
    reports: dict[str, tuple[Proof, dict[int, Image.Image]]] = {}
    for name in _pdf_editions(editions, names):
        edition = editions[name]
        html = build_html(guide, edition, lambda src, e=edition: images.prepare(root, src, e.profile).url)
        rendered = weasy.render_document(html, root, edition, strict, fonts=fonts)
        chapter_files = files_of(guide, edition)
        files[name] = set(chapter_files.values())
        result = proof(rendered.document, name, edition.lang, edition.notes, chapter_files, settings)
        proofs.append(result)
        shown = sorted({finding.page for finding in result.findings})
        pdf = weasy.write_pdf(rendered, edition, False, [rendered.document.pages[i] for i in shown], fonts=fonts)
        thumbs = dict(zip(shown, (image for image, _ in pictures.rasterise(pdf, THUMBNAIL)), strict=True))
        reports[name] = (result, thumbs)
    old = stale(settings, proofs, files)
    for name, (result, thumbs) in reports.items():
        target = output / "proof" / f"{name}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        mine = [a for a in old if a.file in files[name] and a.edition in (None, name)]
        target.write_text(report.html(result, name, thumbs.__getitem__, mine), encoding="utf-8")
        accepted = len(result.findings) - len(result.open)
        print(f"{name}: {len(result.pages)} pages, {len(result.open)} problem(s), {accepted} accepted"
              f"  → {_rel(target, root)}")  # fmt: skip
        if result.findings:
            print(report.table(result))
    for acceptance in old:
        print(f"stale: content/proof.yaml:{acceptance.where}: the acceptance of {acceptance.rule} in "
              f"{acceptance.file} matches nothing now; remove it")  # fmt: skip
    open_count = sum(len(result.open) for result in proofs)
    print(f"{open_count} open problem(s), {len(old)} stale acceptance(s) in {len(proofs)} edition(s)")
    return 1 if open_count or old else 0


def _pdf_editions(editions: dict[str, Edition], names: list[str]) -> list[str]:
    web = [name for name in names if editions[name].is_web]
    if web:
        print(f"not proofed (web editions have no pages): {', '.join(web)}")
    return [name for name in names if name not in web]


def _built_pdf(guide: Guide, name: str, output: Path, jobs: int) -> bytes:
    """The edition's PDF in output/, built first unless it is up to date."""
    edition = load_editions(guide)[name]
    if edition.is_web:
        raise PressError(f"edition {name!r} is a web edition: approve and diff compare PDF pages")
    build_many(guide.root, [name], output, True, jobs, guide=guide)
    return (output / edition.output).read_bytes()


def approve(guide: Guide, name: str, output: Path, jobs: int) -> int:
    folder = guide.root / "approved" / name
    pages, size = approved.write(folder, name, _built_pdf(guide, name, output, jobs))
    print(f"{name}: {pages} pages approved → {_rel(folder, guide.root)}/ ({size / 1024:.0f} KB)")
    return 0


def diff(guide: Guide, name: str, output: Path, jobs: int) -> int:
    """Compare the edition with its approved pages; write ``output/proof/<edition>-diff.html``; 1 if any changed."""
    folder = guide.root / "approved" / name
    if not (folder / "pages.json").is_file():
        raise PressError([Problem(folder, None, f"edition {name!r} has no approved pages",
                                  f"approve them first: python build.py approve {name}")])  # fmt: skip
    old, old_images = approved.read(folder)
    new, new_images = approved.pages_of(_built_pdf(guide, name, output, jobs))
    changes = approved.compare(old, new)
    target = output / "proof" / f"{name}-diff.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(approved.html(name, changes, old_images, new_images, len(new)), encoding="utf-8")
    where = _rel(target, guide.root)
    print(f"{name}: {approved.summary(changes)} since approved ({len(old)} → {len(new)} pages)  → {where}")
    for change in changes:
        print(f"  {approved.label(change)}")
    return 1 if changes else 0


def check_approved(guide: Guide, names: list[str], output: Path) -> list[Problem]:
    """For ``check --approved``: each PDF edition with approved pages, as built in output/, unchanged."""
    root = guide.root
    problems = []
    for name in names:
        folder = root / "approved" / name
        if not (folder / "pages.json").is_file():
            continue
        edition = load_editions(guide)[name]
        pdf = output / edition.output
        if not pdf.is_file() or not fingerprint.up_to_date(root, output, name):
            problems.append(Problem(pdf, None, f"edition {name!r} is not built or not up to date",
                                    f"build it first: python build.py -e {name}"))  # fmt: skip
            continue
        old, _ = approved.read(folder)
        new, _ = approved.pages_of(pdf.read_bytes())
        changes = approved.compare(old, new)
        if changes:
            message = f"edition {name!r}: {approved.summary(changes)} since approved"
            hint = f"look: python build.py diff {name}; then python build.py approve {name}"
            problems.append(Problem(folder / "pages.json", None, message, hint))
    return problems


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
