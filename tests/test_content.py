"""Loading and validation: good projects load; broken ones give exact file:line messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from press.cli import main
from press.content.editions import load_editions
from press.content.load import load_guide
from press.content.yamlsafe import load_yaml
from press.errors import ContentError, EditionError


def messages(error: ContentError | EditionError, root: Path) -> list[str]:
    return [problem.format(root) for problem in error.problems]


def test_bilingual_project_loads(project):
    guide = load_guide(project("bilingual"))
    assert guide.languages == ("es", "en")
    practice = guide.chapter("en", "alpha")
    assert practice.factsheet is not None
    assert practice.factsheet.countries == ("CO", "PE")
    assert practice.factsheet.population is not None and practice.factsheet.population.value == 16400
    assert guide.chapter("es", "intro").sources[0].author == "UNICEF"


def test_broken_practice_lists_every_problem_with_its_line(project):
    root = project("broken-practice")
    with pytest.raises(ContentError) as caught:
        load_guide(root)
    assert messages(caught.value, root) == [
        "content/es/practices/01-alpha.md:5: unknown country code 'XX' (use ISO 3166-1 alpha-2 codes such as CO, MX)",
        "content/es/practices/01-alpha.md:8: unknown thematic area 'salud' (known: education, health)",
        "content/es/practices/01-alpha.md:10: unknown key 'colour' in front matter (allowed: id, type, title, "
        "countries, organisations, period, thematic_areas, key_lesson, short_title, sources, translation_of, "
        "population)",
        "content/es/practices/01-alpha.md:12: missing part(s): challenges (a practice has ::: context, "
        "::: challenges, ::: lessons, ::: recommendations)",
        "content/es/practices/01-alpha.md:13: raw HTML is not allowed: '<b>' (use Markdown instead)",
        "content/es/practices/01-alpha.md:13: raw HTML is not allowed: '</b>' (use Markdown instead)",
    ]


def test_broken_yaml_names_the_file_and_line(project):
    root = project("broken-yaml")
    with pytest.raises(ContentError) as caught:
        load_guide(root)
    assert messages(caught.value, root)[0] == (
        "content/es/front/intro.md:5: invalid YAML: found unexpected end of stream (check indentation and quoting)"
    )


def test_broken_editions(project):
    root = project("broken-editions")
    with pytest.raises(EditionError) as caught:
        load_editions(load_guide(root))
    assert messages(caught.value, root) == [
        "content/editions.yaml:3: edition 'guide-en' inherits from unknown edition 'guide-xx' "
        "(known: guide-es, guide-en, print-es, caribbean)",
        "content/editions.yaml:4: edition 'print-es': unknown key 'colour' (allowed: inherits, lang, profile, "
        "output, front, practices, back, extra_front, paper, notes, pdf_variant, accent, subtitle, isbn, "
        "caliper_mm, title_suffix, site_url)",
        "content/editions.yaml:4: edition 'print-es': paper 'a3' is not one of letter, a4, a5, legal, 6x9",
        "content/editions.yaml:5: edition 'caribbean': lang 'fr' is not a language of the guide (languages: es, en)",
    ]


def test_check_command_prints_file_line_and_exits_non_zero(project, capsys):
    root = project("broken-practice")
    assert main(["--root", str(root), "check"]) == 1
    err = capsys.readouterr().err
    assert "error: content/es/practices/01-alpha.md:8: unknown thematic area 'salud'" in err
    assert "6 problems found; nothing was written." in err


def test_check_command_passes_on_good_content(project, capsys):
    assert main(["--root", str(project("bilingual")), "check"]) == 0
    assert capsys.readouterr().out.startswith("ok:")


def test_yaml_is_safe_and_rejects_duplicates(tmp_path):
    with pytest.raises(ContentError, match="could not determine a constructor"):
        load_yaml("a: !!python/object/apply:os.system ['true']", tmp_path / "x.yaml")
    with pytest.raises(ContentError, match="duplicate key 'a'"):
        load_yaml("a: 1\na: 2\n", tmp_path / "x.yaml")
    data = load_yaml("top: 1\nnested:\n  key: 2\n", tmp_path / "x.yaml")
    assert data.line_of("nested") == 2 and data["nested"].line_of("key") == 3


def _with_lines(value: object) -> object:
    if isinstance(value, dict):
        return [
            getattr(value, "line", None),
            getattr(value, "key_lines", None),
            {k: _with_lines(v) for k, v in value.items()},
        ]
    if isinstance(value, list):
        return [getattr(value, "line", None), getattr(value, "item_lines", None), [_with_lines(v) for v in value]]
    return value


def test_libyaml_and_pure_python_read_every_shipped_file_alike():
    """The fast loader (libyaml's events) gives the same values and lines as PyYAML's own."""
    from press.content import yamlsafe
    from press.content.load import split_front_matter

    if len(yamlsafe._LOADERS) < 2:
        pytest.skip("PyYAML is built without libyaml here")
    root = Path(__file__).resolve().parent.parent
    files = sorted(root.glob("content/**/*.yaml")) + sorted(root.glob("content/**/*.md"))
    read = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        offset = 0
        if path.suffix == ".md":
            text, _, _ = split_front_matter(text, path)
            offset = 1
        fast = yamlsafe._parse(yamlsafe._LOADERS[0], text, path, offset)
        plain = yamlsafe._parse(yamlsafe._LOADERS[1], text, path, offset)
        assert _with_lines(fast) == _with_lines(plain), path
        read += 1
    assert read > 40
