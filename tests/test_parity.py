"""Translation parity and catalog completeness: ``python build.py check`` names what is out of step.

Each case breaks a fresh copy of the bilingual project in one way and asserts
the exit status and the exact lines printed on stderr. No PDF is rendered.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from press.checks.parity import source_hash
from press.cli import main
from tests.conftest import PROJECTS

CATALOG_ES = Path("locales/es/LC_MESSAGES/messages.po")
EN_INTRO = Path("content/en/front/intro.md")
ES_INTRO = Path("content/es/front/intro.md")
HINT_INTRO = "update the translation, then: python build.py translation mark-current intro --lang en"
OK = "ok: 6 chapter files in 2 languages, 2 editions\n"


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()  # drop anything printed while the copy was prepared
    code = main(["--root", str(root), "check"])
    out, err = capsys.readouterr()
    return code, out, err


def failure(*lines: str) -> str:
    """What check prints on stderr for these problems."""
    count = len(lines)
    summary = f"{count} problem{'s' if count != 1 else ''} found; nothing was written."
    return "".join(f"error: {line}\n" for line in lines) + summary + "\n"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"  # the edit must really change something
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    """1-based number of the line that is exactly ``text`` (catalog line numbers follow the shipped file)."""
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


@pytest.fixture
def bilingual(project) -> Path:
    return project("bilingual")


def test_a_clean_copy_passes(bilingual, capsys):
    assert check(bilingual, capsys) == (0, OK, "")


# --- structure: every chapter of the source language, with the same shape, in every language


def test_a_chapter_missing_in_english(bilingual, capsys):
    (bilingual / EN_INTRO).unlink()
    code, out, err = check(bilingual, capsys)
    assert (code, out) == (1, "")
    # guide.yaml line 16 is `front: [intro]`, where the chapter is listed
    assert err == failure("content/guide.yaml:16: chapter 'intro' has no file in content/en/ "
                          "(add a .md file with 'id: intro')")  # fmt: skip


def test_a_chapter_outside_the_book_order_still_needs_its_translation(bilingual, capsys):
    # regional chapters are not in guide.yaml's `chapters` (editions add them with extra_front),
    # so only the parity check can notice that one is untranslated, or translated without a source
    (bilingual / "content/es/regional").mkdir()
    (bilingual / "content/es/regional/foreword-andes.md").write_text(
        "---\nid: foreword-andes\ntype: chapter\ntitle: Prólogo andino\n---\n\nTexto.\n", encoding="utf-8"
    )
    (bilingual / "content/en/regional").mkdir()
    (bilingual / "content/en/regional/extra.md").write_text(
        "---\nid: extra\ntype: chapter\ntitle: Extra\n---\n\nText.\n", encoding="utf-8"
    )
    code, _, err = check(bilingual, capsys)
    assert code == 1
    assert err == failure(
        "content/en/regional/extra.md: chapter 'extra' has no 'es' source",
        "content/es/regional/foreword-andes.md: chapter 'foreword-andes' has no 'en' translation "
        "(add content/en/… with 'id: foreword-andes')",
    )


def _more_sections(root: Path) -> None:
    path = root / EN_INTRO
    path.write_text(path.read_text(encoding="utf-8") + "\n## A second section\n\nMore text.\n", encoding="utf-8")


def _more_notes(root: Path) -> None:
    path = root / EN_INTRO
    edit(path, "the share is high.", "the share is high.[^2]")
    path.write_text(path.read_text(encoding="utf-8") + "[^2]: A second note.\n", encoding="utf-8")


def _no_figure(root: Path) -> None:
    path = root / EN_INTRO
    edit(path, "```chart\nid: fig-shares\ndata: shares\ncaption: Share of children\n```\n\n", "")
    edit(path, "As [](#fig-shares) shows, the share is high.", "The share is high.")


def _figure_but_no_reference(root: Path) -> None:
    edit(root / EN_INTRO, "As [](#fig-shares) shows, the share is high.", "The share is high.")


def _no_sources(root: Path) -> None:
    edit(root / EN_INTRO, "sources:\n  - id: unicef-2023\n    author: UNICEF\n    title: Informe de prueba\n"
         "    year: 2023\n", "")  # fmt: skip


def _other_countries(root: Path) -> None:
    edit(root / "content/en/practices/01-alpha.md", "countries: [CO, PE]", "countries: [CO, EC]")


DIFFERS = "differ from intro.md (es)"


@pytest.mark.parametrize(("change", "expected"), [
    (_more_sections, [f"content/en/front/intro.md: section headings {DIFFERS}: 2×h2 instead of 1×h2"]),
    (_more_notes, [f"content/en/front/intro.md: notes {DIFFERS}: 2 instead of 1"]),
    (_no_figure, [f"content/en/front/intro.md: figures {DIFFERS}: none instead of fig-shares",
                  f"content/en/front/intro.md: cross-references {DIFFERS}: none instead of fig-shares"]),
    (_figure_but_no_reference, ["content/en/front/intro.md: figure '#fig-shares' is never referenced "
                                "(refer to it in the text with [](#fig-shares))"]),
    (_no_sources, [f"content/en/front/intro.md: sources {DIFFERS}: none instead of unicef-2023"]),
    (_other_countries, ["content/en/practices/01-alpha.md: fact sheet 'countries' values differ "
                        "from 01-alpha.md (es)"]),
], ids=["sections", "notes", "figure", "cross-reference", "sources", "countries"])  # fmt: skip
def test_a_translation_with_another_structure_fails(bilingual, capsys, change: Callable[[Path], None], expected):
    change(bilingual)
    code, out, err = check(bilingual, capsys)
    assert (code, out) == (1, "")
    assert err == failure(*expected)


def test_check_no_parity_skips_the_translation_checks(bilingual, capsys):
    _more_notes(bilingual)
    capsys.readouterr()
    assert main(["--root", str(bilingual), "check", "--no-parity"]) == 0
    assert capsys.readouterr().out == OK


# --- message catalogs: every template word translated, none fuzzy


def test_an_untranslated_catalog_entry(bilingual, capsys):
    path = bilingual / CATALOG_ES
    edit(path, 'msgid "Fact sheet"\nmsgstr "Ficha técnica"', 'msgid "Fact sheet"\nmsgstr ""')
    code, out, err = check(bilingual, capsys)
    assert (code, out) == (1, "")
    line = line_of(path, 'msgid "Fact sheet"')
    assert err == failure(f"locales/es/LC_MESSAGES/messages.po:{line}: untranslated entry 'Fact sheet'")


def test_an_untranslated_plural_form(bilingual, capsys):
    path = bilingual / CATALOG_ES
    edit(path, 'msgstr[1] "Países"', 'msgstr[1] ""')
    code, _, err = check(bilingual, capsys)
    assert code == 1
    line = line_of(path, 'msgid "Country"')
    assert err == failure(f"locales/es/LC_MESSAGES/messages.po:{line}: untranslated entry 'Country'")


def test_a_fuzzy_catalog_entry(bilingual, capsys):
    path = bilingual / CATALOG_ES
    edit(path, '\nmsgid "Contents"\n', '\n#, fuzzy\nmsgid "Contents"\n')
    code, out, err = check(bilingual, capsys)
    assert (code, out) == (1, "")
    line = line_of(path, 'msgid "Contents"')
    assert err == failure(
        f"locales/es/LC_MESSAGES/messages.po:{line}: fuzzy entry 'Contents' (check it and remove the fuzzy flag)"
    )


def test_a_missing_catalog(bilingual, capsys):
    (bilingual / "locales/en/LC_MESSAGES/messages.po").unlink()
    code, _, err = check(bilingual, capsys)
    assert code == 1
    assert err == failure("locales/en/LC_MESSAGES/messages.po: no message catalog for 'en' "
                          "(run: python build.py i18n init --lang en)")  # fmt: skip


def test_an_untranslated_body_word_is_reported_too(bilingual, capsys):
    path = bilingual / CATALOG_ES
    edit(path, 'msgstr "Lecciones aprendidas"', 'msgstr ""')
    code, _, err = check(bilingual, capsys)
    line = line_of(path, 'msgid "Lessons learned"')
    assert (code, err) == (
        1,
        failure(f"locales/es/LC_MESSAGES/messages.po:{line}: untranslated entry 'Lessons learned'"),
    )


def test_chart_data_without_a_language_fails_the_check(project, capsys):
    root = project("trilingual")
    shutil.copy2(PROJECTS / "bilingual/content/data/shares.yaml", root / "content/data")  # labels in es, en only
    code, _, err = check(root, capsys)
    assert code == 1
    assert "content/data/shares.yaml" in err and "'pt'" in err


def test_a_chart_label_cut_by_a_comma_fails_the_check(bilingual, capsys):
    path = bilingual / "content/data/shares.yaml"
    text = path.read_text(encoding="utf-8")
    label = re.search(r"label: \{es: ([^,}]+),", text)
    assert label, "shares.yaml has no {es: …, en: …} label"
    path.write_text(text.replace(label.group(0), f"label: {{es: {label.group(1)}, y más,", 1), encoding="utf-8")
    code, _, err = check(bilingual, capsys)
    assert code == 1
    assert "content/data/shares.yaml" in err and "'y más' as a language: a comma ended the text before it" in err


# --- staleness: translation_of records the version of the source that was translated


def test_a_translation_without_translation_of(bilingual, capsys):
    edit(bilingual / EN_INTRO, "translation_of: 8e1cc97407c34089a0904793eed4fa19212422fb\n", "")
    code, _, err = check(bilingual, capsys)
    assert code == 1
    assert err == failure(f"content/en/front/intro.md:2: translation does not record which source version it "
                          f"translates ({HINT_INTRO})")  # fmt: skip


def test_source_hash_is_the_git_blob_hash(bilingual):
    path = bilingual / ES_INTRO
    if shutil.which("git"):
        git = subprocess.run(["git", "hash-object", str(path)], capture_output=True, text=True, check=True)
        assert source_hash(path) == git.stdout.strip()
    # the fixture's English intro records the hash of its Spanish source
    assert f"translation_of: {source_hash(path)}\n" in (bilingual / EN_INTRO).read_text(encoding="utf-8")


OLD = "Una de cada cuatro personas en movimiento es un niño o niña.[^1]"
NEW = "Una de cada cuatro personas en movimiento es una niña o un niño.[^1]"


def test_a_stale_translation_outside_git_is_named(bilingual, capsys):
    edit(bilingual / ES_INTRO, OLD, NEW)
    code, _, err = check(bilingual, capsys)
    assert code == 1
    assert err == failure(f"content/en/front/intro.md:10: stale translation of intro.md ({HINT_INTRO}); "
                          "(the translated version is not in git history, so the change cannot be shown)")  # fmt: skip


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_stale_translation_shows_the_change_until_marked_current(bilingual, capsys):
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", *args],
                       cwd=bilingual, check=True, capture_output=True)  # fmt: skip

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "x")
    edit(bilingual / ES_INTRO, OLD, NEW)
    line = line_of(bilingual / ES_INTRO, NEW)

    code, out, err = check(bilingual, capsys)
    assert (code, out) == (1, "")
    assert err == failure(
        f"content/en/front/intro.md:10: stale translation of intro.md ({HINT_INTRO}); source changed:\n"
        f"    @@ -{line} +{line} @@\n"
        f"    -{OLD}\n"
        f"    +{NEW}"
    )

    capsys.readouterr()
    assert main(["--root", str(bilingual), "translation", "mark-current", "intro", "--lang", "en"]) == 0
    digest = source_hash(bilingual / ES_INTRO)
    assert capsys.readouterr().out == f"content/en/front/intro.md: translation_of {digest[:12]}\n"
    english = (bilingual / EN_INTRO).read_text(encoding="utf-8")
    assert re.findall(r"^translation_of: (\w+)$", english, re.MULTILINE) == [digest]  # replaced, not added
    assert check(bilingual, capsys) == (0, OK, "")
