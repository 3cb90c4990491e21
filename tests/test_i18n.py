"""Languages: Babel formatting, template words from the catalogs, a third language with no code change."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from pypdf import PdfReader

from press.build.publish import render
from press.cli import main
from press.content.editions import load_editions
from press.content.load import load_guide
from press.render.i18n import Formatter
from tests.conftest import REPO, make_project
from tests.pdfinspect import page_texts, reader

NBSP = "\u00a0"
PLACEHOLDER = re.compile(r"%\(\w+\)[ds]")


def catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def catalog_of(root: Path, lang: str) -> Catalog:
    return catalog(root / "locales" / lang / "LC_MESSAGES" / "messages.po")


def fragments(message: str) -> tuple[str, ...]:
    """The literal words of a message, without its %(placeholders)s and bare punctuation."""
    return tuple(" ".join(part.split()) for part in PLACEHOLDER.split(message) if re.search(r"\w", part))


def pdf_text(pdf: PdfReader) -> str:
    """All the text of a PDF on one line: words hyphenated at a line end joined, whitespace collapsed."""
    text = "\n".join(page_texts(pdf))
    text = re.sub(r"[\u2010\u00ad]\s*\n\s*", "", text)  # WeasyPrint's automatic hyphen is U+2010
    return " ".join(text.split())


def has_phrase(text: str, phrase: str) -> bool:
    """``phrase`` occurs as whole words, in any case (CSS sets some labels in capitals)."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


# --- Babel through press.i18n.Formatter


@pytest.mark.parametrize(("lang", "decimal", "percent", "integer"), [
    ("es", "16,4", f"25{NBSP}%", "16.400"),
    ("en", "16.4", "25%", "16,400"),
    ("pt", "16,4", "25%", "16.400"),
])  # fmt: skip
def test_numbers(lang, decimal, percent, integer):
    fmt = Formatter(lang)
    assert fmt.number(16.4) == decimal
    assert fmt.number(16.4, "decimal") == decimal
    assert fmt.number(0.25, "percent") == percent
    assert fmt.number(16400, "integer") == integer
    assert fmt.number(16400.4, "integer") == integer  # rounded


@pytest.mark.parametrize(("lang", "names"), [
    ("es", {"CO": "Colombia", "PE": "Perú", "DO": "República Dominicana", "BR": "Brasil"}),
    ("en", {"CO": "Colombia", "PE": "Peru", "DO": "Dominican Republic", "BR": "Brazil"}),
    ("pt", {"CO": "Colômbia", "PE": "Peru", "DO": "República Dominicana", "BR": "Brasil"}),
])  # fmt: skip
def test_country_names(lang, names):
    fmt = Formatter(lang)
    assert {code: fmt.country(code) for code in names} == names


@pytest.mark.parametrize(("lang", "two", "three"), [
    ("es", "Colombia y Perú", "Colombia, Perú y Brasil"),
    ("en", "Colombia and Peru", "Colombia, Peru, and Brazil"),
    ("pt", "Colômbia e Peru", "Colômbia, Peru e Brasil"),
])  # fmt: skip
def test_countries_are_joined_in_the_language(lang, two, three):
    fmt = Formatter(lang)
    assert fmt.countries(("CO",)) == fmt.country("CO")
    assert fmt.countries(("CO", "PE")) == two
    assert fmt.countries(("CO", "PE", "BR")) == three
    assert fmt.countries(()) == ""


@pytest.mark.parametrize(("lang", "long", "language"), [
    ("es", "26 de febrero de 2024", "Español"),
    ("en", "February 26, 2024", "English"),
    ("pt", "26 de fevereiro de 2024", "Português"),
])  # fmt: skip
def test_dates_and_language_names(lang, long, language):
    fmt = Formatter(lang)
    assert fmt.date(date(2024, 2, 26)) == long
    assert fmt.language(lang) == language


# --- the helpers of the PDF comparisons below must neither miss a word nor find one by accident


def test_phrase_matching_is_whole_word_and_case_insensitive():
    text = "FICHA TÉCNICA Países Colombia y Perú Figures LECCIÓN CLAVE"
    assert has_phrase(text, "Ficha técnica") and has_phrase(text, "Lección clave") and has_phrase(text, "países")
    assert not has_phrase(text, "Figure")  # "Figures" is another word
    assert not has_phrase(text, "País")
    assert fragments("First published: %(date)s.") == ("First published:",)
    assert fragments("%(num)d experience from the region,\n each") == ("experience from the region, each",)


# --- no word of the other language in a bilingual project's PDFs


@pytest.fixture(scope="module")
def bilingual_texts(tmp_path_factory) -> dict[str, str]:
    root = make_project("bilingual", tmp_path_factory.mktemp("i18n") / "bilingual")
    guide = load_guide(root)
    editions = load_editions(guide)
    return {lang: pdf_text(reader(render(guide, editions[f"guide-{lang}"])[0])) for lang in ("es", "en")}


def translation_pairs(messages: Catalog) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(English words, translated words) of every catalog form whose translation differs from the English.

    Entries translated by the same word (Spanish "p." for "p.") are skipped: they cannot tell the
    languages apart. A plural entry gives its singular (form 0) and its plural (the last form).
    """
    pairs = []
    for message in messages:
        if not message.id:
            continue
        if message.pluralizable:
            forms = [(message.id[0], message.string[0]), (message.id[1], message.string[-1])]
        else:
            forms = [(message.id, message.string)]
        for english, translated in forms:
            ours, theirs = fragments(english), fragments(translated)
            if [f.casefold() for f in ours] != [f.casefold() for f in theirs]:
                pairs.append((ours, theirs))
    return pairs


def all_forms(messages: Catalog) -> tuple[set[str], set[str]]:
    """Every English and every translated fragment of a catalog, plural forms included."""
    english: set[str] = set()
    translated: set[str] = set()
    for message in messages:
        if message.id:
            ids = message.id if message.pluralizable else (message.id,)
            strings = message.string if message.pluralizable else (message.string,)
            english.update(f for text in ids for f in fragments(text))
            translated.update(f for text in strings for f in fragments(text))
    return english, translated


def test_no_english_template_word_in_the_spanish_pdf_and_no_spanish_in_the_english(bilingual_texts):
    messages = catalog_of(REPO, "es")
    english, spanish = all_forms(messages)
    same = {f.casefold() for f in english} & {f.casefold() for f in spanish}  # "p.": tells nothing apart
    english = {f for f in english if f.casefold() not in same}
    spanish = {f for f in spanish if f.casefold() not in same}
    assert len(english) >= 25 and len(spanish) >= 25  # the comparison is about the whole catalog
    assert sorted(f for f in english if has_phrase(bilingual_texts["es"], f)) == []
    assert sorted(f for f in spanish if has_phrase(bilingual_texts["en"], f)) == []


def test_translated_template_words_appear_where_the_english_ones_do(bilingual_texts):
    es, en = bilingual_texts["es"], bilingual_texts["en"]
    pairs = translation_pairs(catalog_of(REPO, "es"))
    shown = []
    for english, spanish in pairs:
        in_en = all(has_phrase(en, f) for f in english)
        in_es = all(has_phrase(es, f) for f in spanish)
        assert in_en == in_es, (english, spanish, in_en, in_es)
        if in_en:
            shown.append(english)
    # the words a practice, the contents and the credits always show: if these were missing the
    # check above would pass on empty PDFs
    for word in ("Contents", "Fact sheet", "Lessons learned", "Challenges", "Context of implementation",
                 "Recommendations for replication", "Key lesson", "Good practices", "Guide of good practices",
                 "Published by", "Period", "Thematic areas", "Population reached", "Countries",
                 "Implementing organisation", "Figure", "First published:", "Since", "Practice"):  # fmt: skip
        assert (word,) in shown, word
    assert "colombia y perú" in es.casefold() and "colombia and peru" in en.casefold()


# --- a third language: data only


@pytest.fixture
def trilingual(project) -> Path:
    return project("trilingual")


PT_WORDS = {  # msgid → the Portuguese catalog's word, which the PDF must show
    "Contents": "Sumário",
    "Fact sheet": "Ficha técnica",
    "Lessons learned": "Lições aprendidas",
    "Challenges": "Desafios",
    "Context of implementation": "Contexto de implementação",
    "Recommendations for replication": "Recomendações para a replicação",
    "Key lesson": "Lição-chave",
    "Good practices": "Boas práticas",
    "Guide of good practices": "Guia de boas práticas",
    "Population reached": "População alcançada",
    "Published by": "Publicado por",
    "Thematic areas": "Áreas temáticas",
}


def test_portuguese_catalog_translates_every_word_of_the_template():
    template = catalog(REPO / "locales" / "messages.pot")
    messages = catalog(Path(__file__).parent / "projects/trilingual/locales/pt/LC_MESSAGES/messages.po")
    assert not messages.fuzzy
    assert str(messages.locale) == "pt"
    assert messages.num_plurals == Catalog(locale="pt").num_plurals  # CLDR's plural rule for pt
    assert messages.plural_expr == Catalog(locale="pt").plural_expr
    ids = [m.id for m in template if m.id]
    assert sorted(map(str, ids)) == sorted(str(m.id) for m in messages if m.id)
    for msgid in ids:
        entry = messages.get(msgid)
        assert entry is not None and not entry.fuzzy, msgid
        strings = entry.string if entry.pluralizable else (entry.string,)
        assert len(strings) == (messages.num_plurals if entry.pluralizable else 1), msgid
        assert all(strings), msgid
        if entry.pluralizable:  # the placeholder kept in every form
            assert all(PLACEHOLDER.findall(s) == PLACEHOLDER.findall(entry.id[0]) for s in strings), msgid
        else:
            assert PLACEHOLDER.findall(entry.string) == PLACEHOLDER.findall(entry.id), msgid
    assert {msgid: messages.get(msgid).string for msgid in PT_WORDS} == PT_WORDS


def test_trilingual_project_passes_the_check(trilingual, capsys):
    assert main(["--root", str(trilingual), "check"]) == 0
    assert capsys.readouterr().out == "ok: 9 chapter files in 3 languages, 3 editions\n"


def test_trilingual_project_builds_a_portuguese_pdf_strictly(trilingual, assert_no_logs):
    assert main(["--root", str(trilingual), "--strict", "--jobs", "1"]) == 0
    output = trilingual / "output"
    assert sorted(p.name for p in output.iterdir()) == ["guide-en.pdf", "guide-es.pdf", "guide-pt.pdf"]
    pdf = reader(output / "guide-pt.pdf")
    assert pdf.trailer["/Root"]["/Lang"] == "pt"
    assert pdf.metadata.title == "Guia de teste"
    text = pdf_text(pdf)
    fmt = Formatter("pt")
    words = [
        *PT_WORDS.values(),
        "Figura 1",  # the figure caption, and "figura 1 (p. 5)" for the cross-reference
        "Países",  # two countries: the plural form
        "Organização executora",  # one organisation: the singular form
        "Desde 2019",
        "1 experiência da região, com sua ficha técnica e suas quatro partes.",
        f"Primeira publicação: {fmt.date(date(2024, 2, 26))}.",
        "Idioma desta edição: Português.",
        fmt.countries(("CO", "PE")),  # Babel's "Colômbia e Peru"
        fmt.number(16400, "integer"),
        fmt.number(0.25, "percent"),
        "Introdução",
        "Prática alfa",
        "Uma em cada quatro pessoas em movimento é uma criança",  # then the note call
    ]
    assert [word for word in words if not has_phrase(text, word)] == []
    assert has_phrase(text, "Colômbia e Peru") and has_phrase(text, "26 de fevereiro de 2024")
    # nothing from the Spanish or English catalogs where Portuguese differs
    english, portuguese = all_forms(catalog_of(trilingual, "pt"))
    _, spanish = all_forms(catalog_of(trilingual, "es"))
    ours = {f.casefold() for f in portuguese}
    foreign = sorted(f for f in english | spanish if f.casefold() not in ours and has_phrase(text, f))
    assert foreign == []
    assert not has_phrase(text, "Colombia y Perú") and not has_phrase(text, "Colombia and Peru")


# --- extracting template words


def test_i18n_extract_writes_the_template_words(project, capsys):
    root = project("bilingual")
    pot = root / "locales" / "messages.pot"
    pot.unlink()
    (root / "templates" / "extra.html").write_text('<p>{{ _("A brand-new template word") }}</p>\n', encoding="utf-8")
    assert main(["--root", str(root), "i18n", "extract"]) == 0
    assert capsys.readouterr().out.endswith(" messages → locales/messages.pot\n")
    template = catalog(pot)
    ids = {m.id if isinstance(m.id, str) else m.id[0]: m for m in template if m.id}
    for word in ("Fact sheet", "Contents", "Key lesson", "Good practices", "Published by", "Country",
                 "First published: %(date)s.", "A brand-new template word"):  # fmt: skip
        assert word in ids, word
    assert ids["Country"].id == ("Country", "Countries")
    assert "templates/toc.html" in {path for path, _ in ids["Contents"].locations}
    assert {path for path, _ in ids["A brand-new template word"].locations} == {"templates/extra.html"}
    assert not any(any(m.string) if m.pluralizable else m.string for m in template if m.id)  # nothing translated


def test_i18n_extract_in_a_project_folder_keeps_the_words_of_the_press(project):
    root = project("bilingual")
    assert main(["--root", str(root), "i18n", "extract"]) == 0
    ids = {m.id for m in catalog(root / "locales" / "messages.pot") if m.id}
    assert {"Lessons learned", "Challenges", "Figure", "p."} <= ids
