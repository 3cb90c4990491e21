"""Word in and out (press/word/): .docx files made here with python-docx become the project's
Markdown; a Word practice builds into a PDF; a shipped practice survives export and import."""

from __future__ import annotations

import re
import shutil
from io import BytesIO
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.shared import Pt
from PIL import Image
from pypdf import PdfReader

from press.build.publish import build_one
from press.cli import main
from press.content import markdown
from press.content.load import load_guide
from press.word import frontmatter
from press.word.practice import vocabulary
from tests.conftest import REPO

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def _footnotes(document: docx.document.Document, calls: list[tuple[docx.text.paragraph.Paragraph, str]]) -> None:
    """Word footnotes through the package layer (python-docx has no footnote API)."""
    notes = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:footnote>'
        for n, (_, text) in enumerate(calls, 1)
    )
    xml = f'<w:footnotes xmlns:w="{W_NS}">{notes}</w:footnotes>'
    part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES, xml.encode(), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
    for n, (paragraph, _) in enumerate(calls, 1):
        run = paragraph.add_run()
        run._r.append(parse_xml(f'<w:footnoteReference xmlns:w="{W_NS}" w:id="{n}"/>'))


def _bullet(document: docx.document.Document, text: str, level: int) -> None:
    """A bulleted paragraph at ``level``, in a two-level list (the template's bullets have one level)."""
    numbering = document.part.numbering_part.element
    if not numbering.xpath('./w:num[@w:numId="90"]'):
        levels = "".join(f'<w:lvl w:ilvl="{n}"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
                         f'<w:lvlText w:val="•"/></w:lvl>' for n in (0, 1))  # fmt: skip
        numbering.insert(0, parse_xml(f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="90">{levels}</w:abstractNum>'))
        numbering.append(parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    paragraph = document.add_paragraph(text, style="List Paragraph")
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
    )


def _picture(document: docx.document.Document, alt: str) -> None:
    buffer = BytesIO()
    Image.new("RGB", (60, 40), "red" if alt else "blue").save(buffer, "PNG")
    buffer.seek(0)
    document.add_picture(buffer)
    frame = document.paragraphs[-1]._p.xpath(".//wp:docPr")[0]
    frame.set("descr", alt)


def _chapter_docx(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Capítulo de Word", style="Title")
    document.add_heading("Primera sección", level=1)
    paragraph = document.add_paragraph("Texto con ")
    bold = paragraph.add_run("negrita ")
    bold.bold = True
    paragraph.add_run("y ")
    italic = paragraph.add_run("itálica")
    italic.italic, italic.font.size = True, Pt(20)  # a size: dropped
    paragraph.add_run(".")
    cited = document.add_paragraph("Una frase con nota.")
    document.add_paragraph("")  # empty paragraphs: dropped
    _bullet(document, "uno", 0)
    _bullet(document, "dos, dentro de uno", 1)
    _bullet(document, "tres", 0)
    document.add_heading("Datos", level=2)
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, (("Año", "NNA"), ("2021", "29 095")), strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    second = document.add_paragraph("Otra frase, *con* asterisco.")
    _picture(document, "Un cuadrado rojo")
    document.add_paragraph("Figura 1: Un cuadrado de prueba", style="Caption")
    _picture(document, "")
    document.add_paragraph("Una cita de alguien.", style="Quote")
    _footnotes(document, [(cited, "Primera nota."), (second, "Segunda nota.")])
    document.save(str(path))


def test_a_word_chapter_becomes_the_projects_markdown(project, tmp_path, capsys):
    root = project("bilingual")
    source = tmp_path / "capitulo.docx"
    _chapter_docx(source)
    status = main(["--root", str(root), "import", str(source), "--lang", "es", "--id", "word-chapter"])
    out = capsys.readouterr().out
    text = (root / "content/es/front/word-chapter.md").read_text(encoding="utf-8")
    head, body = text.split("---\n")[1:3]
    assert "id: word-chapter" in head and "type: chapter" in head and "title: Capítulo de Word" in head
    assert "## Primera sección\n\nTexto con **negrita** y *itálica*.\n\nUna frase con nota.[^1]\n" in body
    assert "- uno\n  - dos, dentro de uno\n- tres\n" in body
    assert "### Datos\n\n| Año | NNA |\n|-----|-----|\n| 2021 | 29 095 |\n" in body
    assert "Otra frase, \\*con\\* asterisco.[^2]" in body
    figure = '![Un cuadrado rojo](media/word-chapter-un-cuadrado-rojo.png "Un cuadrado de prueba")'
    assert figure + "{#fig-un-cuadrado-de-prueba}" in body
    assert "> Una cita de alguien." in body
    assert body.rstrip().endswith("[^1]: Primera nota.\n[^2]: Segunda nota.")
    assert (root / "content/media/word-chapter-un-cuadrado-rojo.png").is_file()
    assert re.search(r"not converted: .*capitulo.docx: paragraph \d+: image has no alt text", out)
    assert "has no alt text" in out and "never referenced" in out  # check's own words, at their lines
    assert re.search(r"error: content/es/front/word-chapter.md:\d+: image .* has no alt text", out)
    assert "\n\n\n" not in body and "<" not in body and status == 1


def test_tracked_changes_refuse_the_import(project, tmp_path, capsys):
    root = project("bilingual")
    document = docx.Document()
    paragraph = document.add_paragraph("Texto ")
    paragraph._p.append(parse_xml(f'<w:ins xmlns:w="{W_NS}" w:id="1" w:author="Revisora" w:date="2024-01-01T00:00:00Z">'
                                  "<w:r><w:t>añadido</w:t></w:r></w:ins>"))  # fmt: skip
    path = tmp_path / "cambios.docx"
    document.save(str(path))
    assert main(["--root", str(root), "import", str(path), "--lang", "es", "--id", "cambios"]) == 1
    err = capsys.readouterr().err
    assert "tracked changes present: accept or reject them first" in err
    assert "paragraph 1: tracked insertion by Revisora" in err
    assert not list((root / "content/es").rglob("*cambios*"))


def _practice_docx(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Práctica beta desde Word", style="Title")
    table = document.add_table(rows=5, cols=2)
    rows = (("Países", "Colombia y Perú"), ("Organizaciones", "Organización Beta"), ("Período", "2020–2022"),
            ("Áreas temáticas", "Educación"), ("Lección clave", "Enseñar abre caminos."))  # fmt: skip
    for row, values in zip(table.rows, rows, strict=True):
        row.cells[0].text, row.cells[1].text = values
    document.add_paragraph("Una práctica escrita en Word.")
    cited = None
    parts = (("Contexto de implementación", "El contexto."), ("Desafíos", "Los desafíos."),
             ("Lecciones aprendidas", "Las lecciones."), ("Recommendations for replication", "Hacer."))  # fmt: skip
    for heading, text in parts:
        document.add_heading(heading, level=1)
        paragraph = document.add_paragraph(text)
        cited = cited or paragraph
    assert cited is not None
    _footnotes(document, [(cited, "Organización Beta (2021), informe.")])
    document.save(str(path))


def test_a_word_practice_imports_in_both_languages_and_builds(project, tmp_path, capsys):
    root = project("bilingual")
    source = tmp_path / "beta.docx"
    _practice_docx(source)
    assert main(["--root", str(root), "import", str(source), "--lang", "es", "--id", "beta"]) == 0
    out = capsys.readouterr().out
    assert "wrote content/es/practices/02-beta.md" in out and "to fill in:" in out  # sources
    text = (root / "content/es/practices/02-beta.md").read_text(encoding="utf-8")
    assert "countries: [CO, PE]" in text and "period: {start: 2020, end: 2022}" in text
    assert "thematic_areas: [education]" in text and "key_lesson: Enseñar abre caminos." in text
    assert "\n::: context\nEl contexto.[^1]\n:::\n\n::: challenges\n" in text
    assert main(["--root", str(root), "import", str(source), "--lang", "en", "--id", "beta"]) == 0
    english = (root / "content/en/practices/02-beta.md").read_text(encoding="utf-8")
    assert re.search(r"translation_of: [0-9a-f]{40}", english)
    guide = root / "content/guide.yaml"
    guide.write_text(guide.read_text().replace("practices: [alpha]", "practices: [alpha, beta]"))
    assert main(["--root", str(root), "check"]) == 0
    result = build_one(root, "guide-es", root / "output", strict=True)
    pdf = "".join(page.extract_text() for page in PdfReader(result.output).pages)
    assert "Práctica beta desde Word" in pdf and "Organización Beta (2021), informe." in pdf


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    root = tmp_path / "shipped"
    for item in ("content", "styles", "locales", "templates", "pyproject.toml"):
        copy = shutil.copytree if (REPO / item).is_dir() else shutil.copy2
        copy(REPO / item, root / item)
    return root


def test_a_shipped_practice_round_trips_and_a_review_shows_as_a_diff(shipped, capsys):
    chapter = shipped / "content/es/practices/10-kind.md"
    before = chapter.read_text(encoding="utf-8")
    exported = shipped / "kind.docx"
    assert main(["--root", str(shipped), "export", "kind-unaccompanied-children", "--lang", "es",
                 "--output", str(exported)]) == 0  # fmt: skip
    document = docx.Document(str(exported))
    styles = [p.style.name for p in document.paragraphs]
    assert styles.count("Heading 2") == 4 and document.core_properties.identifier == "kind-unaccompanied-children"
    assert document.styles["Normal"].font.name == "Charis SIL" and document.styles["Heading 2"].font.name == "Inter"
    assert "footnotes" in {rel.reltype.rsplit("/", 1)[1] for rel in document.part.rels.values()}
    # Imported back unchanged: not a word, a note or a part lost.
    forced = main(["--root", str(shipped), "import", str(exported), "--lang", "es", "--force"])
    assert forced == 0 and chapter.read_text(encoding="utf-8") == before
    guide = load_guide(shipped)
    again = guide.chapter("es", "kind-unaccompanied-children")
    shape = markdown.outline(again)
    assert shape.parts == ["context", "challenges", "lessons", "recommendations"] and shape.notes == 9
    # A reviewer changes a word in Word: the import shows it and writes nothing without --force.
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if "sin fines de lucro" in run.text:
                run.text = run.text.replace("sin fines de lucro", "sin ánimo de lucro")
    document.save(str(exported))
    capsys.readouterr()
    assert main(["--root", str(shipped), "import", str(exported), "--lang", "es"]) == 1
    out = capsys.readouterr().out
    assert "sin [-fines-]{+ánimo+} de lucro" in out and "not written" in out
    assert chapter.read_text(encoding="utf-8") == before


def test_country_lists_part_headings_and_the_users_mapping(project):
    root = project("bilingual")
    guide = load_guide(root)
    names = frontmatter._countries(guide)
    assert frontmatter._match("Trinidad y Tobago, Perú y Colombia", names) == (["TT", "PE", "CO"], [])
    assert frontmatter._match("Peru and Atlantis", names) == (["PE"], ["atlantis"])
    (root / "content/word.yaml").write_text("parts:\n  context: [Antecedentes del proyecto]\n")
    parts, facts = vocabulary(root, guide.languages)
    assert parts["antecedentes del proyecto"] == "context" and parts["desafios"] == "challenges"
    assert facts["paises"] == "countries" and facts["leccion clave"] == "key_lesson"
