"""Editions as data, and what each profile must deliver to its reader or printer."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from press.build.publish import build_one
from press.content import isbn
from press.content.editions import load_editions
from press.content.load import load_guide
from press.errors import EditionError, PreflightError
from press.pdf import images
from press.pdf.cover import spine_width_mm, spread
from press.render import barcode
from tests.conftest import make_project

MM = 72 / 25.4


@pytest.fixture(scope="module")
def regional(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project("regional", tmp_path_factory.mktemp("regional"))


@pytest.fixture(scope="module")
def built(regional: Path) -> dict[str, PdfReader]:
    out = regional / "output"
    results = {name: build_one(regional, name, out, strict=True) for name in ("guide-en", "print-es", "caribbean")}
    readers = {name: PdfReader(result.output) for name, result in results.items()}
    readers["print-es-cover"] = PdfReader(out / "print-es-cover.pdf")
    return readers


def test_regions_select_practices_and_editions_inherit(regional):
    editions = load_editions(load_guide(regional))
    caribbean, south = editions["caribbean"], editions["south-america"]
    assert caribbean.practices == ("beta",) and south.practices == ("alpha",)
    assert caribbean.extra_front == ("foreword-caribbean",)
    assert caribbean.chapters == ("foreword-caribbean", "intro", "beta", "references", "notes")
    # inherited from print-es through caribbean's parent, overridden where it says so
    assert (caribbean.profile, caribbean.isbn, caribbean.caliper_mm) == ("print", "978-0-306-40615-7", 0.12)
    assert (caribbean.lang, south.lang, south.paper, south.notes) == ("en", "es", "a4", "book")
    assert editions["guide-en"].notes == "chapter" and editions["guide-es"].notes == "footnotes"


def test_print_pdf_has_bleed_trim_and_crop_marks(built):
    pdf = built["print-es"]
    for page in pdf.pages:
        trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
        assert (trim.width, trim.height) == pytest.approx((612, 792))  # US Letter
        assert float(trim.left) - float(bleed.left) == pytest.approx(3 * MM)
        assert float(bleed.left) - float(media.left) > 5 * MM  # the marks sit outside the bleed
        marks = page.get_contents().get_data()
        assert b"1 1 1 1 K" in marks  # registration colour


def test_print_pdf_is_pdfx_with_a_cmyk_output_intent_and_no_rgb(built):
    pdf = built["print-es"]
    root = pdf.trailer["/Root"]
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/DestOutputProfile"].get_object()["/N"] == 4  # a CMYK profile
    assert b"PDF/X-4" in root["/Metadata"].get_object().get_data()
    for page in pdf.pages:
        assert not re.search(rb"(?<![A-Za-z/])(rg|RG)(?![A-Za-z])", page.get_contents().get_data())


def test_print_page_count_is_padded_to_a_multiple_of_four(built):
    assert len(built["print-es"].pages) % 4 == 0 and len(built["caribbean"].pages) % 4 == 0
    assert "CARIBBEAN EDITION" in built["caribbean"].pages[0].extract_text()  # set in capitals


def test_screen_pdf_is_tagged_with_language_links_and_metadata(built):
    pdf = built["guide-en"]
    root = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    info = pdf.metadata
    assert (info.title, info.author, info.subject) == ("Test guide", "Inter-American Dialogue", "A test subtitle")
    assert info["/Keywords"] == "test"
    links = [a.get_object() for page in pdf.pages for a in page.get("/Annots", [])]
    assert any(link.get("/Subtype") == "/Link" for link in links)  # contents entries are live links


@pytest.mark.parametrize(("pages", "caliper", "spine"), [(112, 0.1, 5.6), (64, 0.12, 3.8), (16, 0.12, 1.0)])
def test_spine_width_follows_page_count_and_caliper(pages, caliper, spine):
    assert spine_width_mm(pages, caliper) == spine


def test_cover_spread_is_two_covers_and_a_spine_wide(built, regional):
    cover = built["print-es-cover"]
    assert len(cover.pages) == 1
    trim = cover.pages[0].trimbox
    edition = load_editions(load_guide(regional))["print-es"]
    expected = spread(edition, len(built["print-es"].pages))
    assert float(trim.width) / MM == pytest.approx(expected.width_mm, abs=0.05)
    assert float(trim.width) / MM == pytest.approx(2 * 215.9 + spine_width_mm(16, 0.12), abs=0.05)
    assert "ISBN 978-0-306-40615-7" in cover.pages[0].extract_text()


def _decode(bits: str) -> str:
    """Read an EAN-13 module string back into its 13 digits."""
    left = [bits[3 + 7 * i : 10 + 7 * i] for i in range(6)]
    right = [bits[50 + 7 * i : 57 + 7 * i] for i in range(6)]
    l_codes = {code: str(d) for d, code in enumerate(barcode._L)}
    g_codes = {code: str(d) for d, code in enumerate(barcode._G)}
    r_codes = {code: str(d) for d, code in enumerate(barcode._R)}
    parity = "".join("L" if code in l_codes else "G" for code in left)
    first = str(barcode._PARITY.index(parity))
    return first + "".join(l_codes.get(c) or g_codes[c] for c in left) + "".join(r_codes[c] for c in right)


def test_barcode_digits():
    bits = barcode.modules("978-0-306-40615-7")
    assert len(bits) == 95 and bits[:3] == "101" and bits[45:50] == "01010" and bits[-3:] == "101"
    assert _decode(bits) == "9780306406157"
    assert isbn.check_digit("978030640615") == 7
    assert isbn.isbn_problem("978-0-306-40615-7") is None
    assert isbn.isbn_problem("978-0-306-40615-3") == "ISBN '978-0-306-40615-3' has a wrong check digit (expected 7)"
    assert "13 digits" in (isbn.isbn_problem("0-306-40615-2") or "")


def edition_problems(root: Path, editions_yaml: str) -> list[str]:
    """The problems ``load_editions`` reports for this editions.yaml, as the command line prints them."""
    (root / "content" / "editions.yaml").write_text(editions_yaml)
    with pytest.raises(EditionError) as caught:
        load_editions(load_guide(root))
    return [p.format(root) for p in caught.value.problems]


def test_print_accent_must_be_cmyk_and_book_notes_need_a_notes_chapter(project):
    root = project("bilingual")
    assert edition_problems(
        root,
        "editions:\n"
        "  guide-es: {lang: es, accent: '#c03'}\n"
        "  print-es: {lang: es, profile: print, accent: '#c03'}\n"
        "  notes-es: {lang: es, notes: book}\n",
    ) == [
        "content/editions.yaml:3: edition 'print-es': a print accent must be a CMYK colour "
        '(write it as "device-cmyk(C M Y K)" with values from 0 to 1)',
        "content/editions.yaml:4: edition 'notes-es': notes: book needs a chapter of type 'notes' in its back matter "
        "(add one (content/<lang>/back/notes.md) to chapters.back, or use notes: footnotes)",
    ]


def test_a_text_per_language_has_languages_as_keys_and_a_comma_does_not_cut_it_silently(project):
    """In an unquoted {es: …}, YAML ends the text at a comma and makes the rest a key: the shipped
    regional covers once lost half their subtitle that way."""
    root = project("bilingual")
    assert edition_problems(
        root,
        "editions:\n"
        "  guide-es: {lang: es, subtitle: {es: Para niñas, niños y adolescentes}}\n"
        "  guide-en: {lang: en, title_suffix: {fr: Édition}}\n"
        '  quoted: {lang: es, subtitle: {es: "Para niñas, niños y adolescentes"}, title_suffix: Edición}\n',
    ) == [
        "content/editions.yaml:2: edition 'guide-es': subtitle has 'niños y adolescentes' as a language: a comma "
        'ended the text before it (quote the text: {es: "…, …"})',
        "content/editions.yaml:3: edition 'guide-en': title_suffix: 'fr' is not a language of the guide "
        "(languages: es, en)",
    ]


def test_low_resolution_image_fails_print_preflight_and_names_it(project):
    root = project("regional")
    small = root / "content" / "media" / "route.png"
    from PIL import Image

    with Image.open(small) as image:
        image.resize((420, 210)).save(small)
    with pytest.raises(PreflightError) as caught:
        build_one(root, "print-es", root / "output", strict=True)
    message = caught.value.problems[0].format(root)
    assert message.startswith("content/media/route.png: edition 'print-es': preflight: image printed at ")
    assert message.endswith("dpi, below 300 (use a larger image, or print it smaller)")
    assert list((root / "output").iterdir()) == []  # the build locked the folder, and wrote nothing


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_edition_does_not_stop_the_others(project, jobs, capsys):
    from PIL import Image

    from press.cli import main

    root = project("regional")
    small = root / "content" / "media" / "route.png"
    with Image.open(small) as image:
        image.resize((420, 210)).save(small)  # too small for print, fine for the screen
    assert main(["--root", str(root), "--strict", "-j", str(jobs), "-e", "print-es", "guide-es"]) == 1
    assert sorted(p.name for p in (root / "output").iterdir()) == ["guide-es.pdf"]
    err = capsys.readouterr().err
    assert "edition 'print-es': preflight: image printed at" in err
    assert err.rstrip().endswith("1 problem found; built and written: guide-es; the failed editions were not written.")


def test_screen_images_are_prepared_once_as_jpeg_and_reused(project):
    root = project("regional")
    first = images.prepare(root, "media/route.png", "screen")
    cached = root / first.url
    assert cached.suffix == ".jpg" and cached.parent == root / ".cache" / "images"
    stamp = cached.stat().st_mtime_ns
    assert images.prepare(root, "media/route.png", "screen") == first
    assert cached.stat().st_mtime_ns == stamp  # reused, not written again
    from PIL import Image

    with Image.open(cached) as image:
        assert max(image.size) == images.SCREEN_MAX_PX
    assert images.prepare(root, "media/route.png", "print").url == "content/media/route.png"  # full resolution
    shutil.copy(root / "content" / "media" / "route.png", root / "content" / "media" / "copy.png")
    assert images.prepare(root, "media/copy.png", "screen").url == first.url  # keyed by content


def test_print_pdf_and_cover_are_reproducible(regional):
    """PDF/X metadata carries a random document id in WeasyPrint; ours derive from the content."""
    from press.build.publish import render
    from press.pdf.cover import render_cover

    guide = load_guide(regional)
    edition = load_editions(guide)["print-es"]
    first, pages, _ = render(guide, edition)
    assert render(guide, edition)[0] == first
    assert render_cover(guide, edition, pages) == render_cover(guide, edition, pages)
