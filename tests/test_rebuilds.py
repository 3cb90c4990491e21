"""What is rebuilt when: skipped editions, reused parts, and results equal to a clean build.

Every incremental result is compared, byte for byte, with what ``--force``
writes for the same inputs; broken caches are ignored, never trusted.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from press.build import fingerprint
from press.build.cache import FOLDER, Store
from press.build.plan import whole_spreads
from press.build.publish import _plan, build_many
from press.cli import main
from press.content.editions import load_editions
from press.content.load import load_guide
from press.pdf.fonts import CACHE as FONT_CACHE
from press.pdf.fonts import prepare
from tests.conftest import make_project

REPO = Path(__file__).resolve().parent.parent


def build(root: Path, *names: str, force: bool = False) -> dict[str, object]:
    results = build_many(root, list(names) or ["guide-es", "guide-en"], root / "output", True, 1, force=force)
    return {r.edition: r for r in results}


def outputs(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "output").glob("*.pdf"))}


def same_as_forced(root: Path, *names: str) -> None:
    """The current outputs are byte-identical to what a forced clean build writes."""
    incremental = outputs(root)
    build(root, *names, force=True)
    assert outputs(root) == incremental


@pytest.fixture
def built(project):
    root = project("bilingual")
    build(root)
    return root


def test_a_second_build_skips_every_edition(built):
    results = build(built)
    assert {name: r.status for name, r in results.items()} == {"guide-es": "up to date", "guide-en": "up to date"}


def test_a_no_op_run_stops_before_loading_content_or_weasyprint(built):
    code = (
        "import sys; from press.cli import main; code = main(['--root', sys.argv[1], '--strict']); "
        "print(code, 'weasyprint' in sys.modules, 'press.content.load' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code, str(built)], capture_output=True, text=True, check=True, cwd=REPO)
    assert run.stdout.splitlines()[-1] == "0 False False"
    assert "2 edition(s) up to date" in run.stdout


def test_a_touched_file_is_checked_by_content(built):
    chapter = built / "content" / "es" / "practices" / "01-alpha.md"
    chapter.write_text(chapter.read_text(encoding="utf-8"), encoding="utf-8")  # new mtime, same text
    assert {r.status for r in build(built).values()} == {"up to date"}


@pytest.mark.parametrize(
    ("path", "old", "new", "rebuilt"),
    [
        ("content/es/practices/01-alpha.md", "\n\n:::", " Una frase más.\n\n:::", {"guide-es"}),
        ("locales/es/LC_MESSAGES/messages.po", 'msgstr "Lección clave"', 'msgstr "Lección principal"', {"guide-es"}),
        ("styles/tokens.css", "--secondary: #1f8383;", "--secondary: #1f6f83;", {"guide-es", "guide-en"}),
        ("templates/chapter.html", '<div class="chapter-body">', '<div class="chapter-body body">', None),
        ("content/guide.yaml", "year: 2024", "year: 2025", {"guide-es", "guide-en"}),
    ],
)
def test_a_change_rebuilds_what_it_affects_and_gives_the_forced_bytes(built, path, old, new, rebuilt):
    target = built / path
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{path} no longer holds {old!r}"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    results = build(built)
    changed = {name for name, r in results.items() if r.status == "built"}
    assert changed == (rebuilt or {"guide-es", "guide-en"})
    for name in changed:  # a colour is painted in at assembly: its parts are not laid out again
        assert (results[name].laid_out == 0) == path.endswith("tokens.css")
    same_as_forced(built)


def test_an_edit_inside_one_chapter_lays_out_that_chapter_only(built):
    chapter = built / "content" / "en" / "practices" / "01-alpha.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("\n\n:::", " One more sentence.\n\n:::", 1), encoding="utf-8")
    result = build(built)["guide-en"]
    assert (result.laid_out, result.status) == (1, "built")
    assert result.reused >= 2


def test_an_edit_to_another_editions_entry_rebuilds_nothing(project):
    root = project("regional")
    build(root, "guide-es", "print-es")
    editions = root / "content" / "editions.yaml"
    text = editions.read_text(encoding="utf-8")
    assert "paper: a4" in text
    editions.write_text(text.replace("paper: a4", "paper: a5"), encoding="utf-8")  # south-america's entry
    assert {r.status for r in build(root, "guide-es", "print-es").values()} == {"up to date"}


def test_a_missing_or_changed_output_is_rebuilt(built):
    (built / "output" / "guide-en.pdf").unlink()
    results = build(built)
    assert results["guide-en"].status == "built" and results["guide-es"].status == "up to date"
    (built / "output" / "guide-es.pdf").write_bytes(b"%PDF-1.7 not what was written")
    assert build(built)["guide-es"].status == "built"
    same_as_forced(built)


def corrupt(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("damage", ["truncated", "other-version", "garbage"])
def test_a_broken_cache_entry_is_ignored_and_laid_out_again(built, damage):
    before = outputs(built)
    for record in (built / ".cache" / "builds").rglob("*.json"):
        record.unlink()  # force the editions through the cache
    entries = sorted((built / FOLDER).rglob("*.part"))
    assert entries
    for entry in entries:
        if damage == "truncated":
            corrupt(entry)
        elif damage == "other-version":
            header, _, pdf = entry.read_bytes().partition(b"\n")
            data = json.loads(header)
            data["format"] = "press-cache-0"
            entry.write_bytes(json.dumps(data).encode() + b"\n" + pdf)
        else:
            entry.write_bytes(b"\x00garbage\n")
    results = build(built)
    assert all(r.laid_out >= 1 for r in results.values())  # a truncated PDF is caught when assembled
    assert outputs(built) == before


def test_a_half_written_cache_file_is_never_read(built):
    for record in (built / ".cache" / "builds").rglob("*.json"):
        record.unlink()
    entry = sorted((built / FOLDER).rglob("*.part"))[0]
    (entry.parent / f".tmp-{entry.name}").write_bytes(entry.read_bytes()[:100])  # a killed writer's leftover
    assert all(r.reused >= 1 for r in build(built).values())


def test_a_damaged_trimmed_font_is_trimmed_again(built):
    font = sorted((built / FONT_CACHE).glob("*.ttf"))[0]
    corrupt(font)
    before = outputs(built)
    build(built, force=True)
    assert outputs(built) == before
    assert fingerprint.sha256(font) == json.loads(Path(f"{font}.json").read_text())["sha256"]


def test_the_summary_says_which_editions_were_up_to_date(built, capsys):
    assert main(["--root", str(built), "--strict"]) == 0
    assert "2 edition(s) up to date" in capsys.readouterr().out
    (built / "styles" / "tokens.css").write_text(
        (built / "styles" / "tokens.css").read_text().replace("#e0792b", "#e0702b"), encoding="utf-8"
    )
    assert main(["--root", str(built), "--strict", "-e", "guide-en"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"guide-en: \d+ pages, \d+ part\(s\) laid out, \d+ reused", out)
    assert "1 edition(s) built, 0 up to date" in out


def test_after_a_change_of_styles_the_last_page_counts_place_every_part(tmp_path):
    """The cache remembers each part's last page count (a hint, whatever its styles), so that after
    a change of styles every part is planned at its real first page before any is laid out again."""
    root = make_project("bilingual", tmp_path / "hints")
    build(root, "guide-es")
    real = first_pages(root)  # from the cache's notes of what was just laid out
    tokens = root / "styles" / "tokens.css"
    tokens.write_text(tokens.read_text(encoding="utf-8").replace("--size-note: 8pt;", "--size-note: 8.01pt;"))
    assert first_pages(root) == real
    shutil.rmtree(root / FOLDER / "hi")  # the hints' folder (their keys begin "hint-"): estimates only
    assert first_pages(root, known=False)
    build(root, "guide-es")
    same_as_forced(root, "guide-es")


@pytest.mark.parametrize(("pages", "spreads"), [(0.3, 2), (2.9, 2), (3.1, 4), (5.2, 6), (6.8, 6), (7.1, 8)])
def test_a_part_never_laid_out_is_estimated_in_whole_spreads(pages, spreads):
    assert whole_spreads(pages) == spreads


def first_pages(root: Path, known: bool = True) -> list[int]:
    """The first page of each part as the plan has it before laying anything out; ``known``:
    that each part's page count came from the cache (else: that none did)."""
    guide = load_guide(root)
    plan, _ = _plan(guide, load_editions(guide)["guide-es"], Store(root), True, prepare(root), False, {})
    assert [i for i in range(len(plan.parts)) if (plan._known(i)[0] is not None) != known] == []
    return plan.numbers()[0]


def test_workers_write_what_one_process_writes(project):
    """Two workers (parts, the book's finish and its cover spread made side by side, second
    guesses) write the bytes one process writes, laying out everything in order."""
    root = project("regional")
    names = [name for name, edition in load_editions(load_guide(root)).items() if not edition.is_web]
    written = {}
    for jobs in (1, 2):
        output = root / f"output-{jobs}"
        build_many(root, names, output, True, jobs, force=True)
        written[jobs] = {p.name: p.read_bytes() for p in sorted(output.glob("*.pdf"))}
    assert any(name.endswith("-cover.pdf") for name in written[2]), "a print edition with its cover spread"
    assert written[2] == written[1]
