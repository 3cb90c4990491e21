"""Hostile text: every bad character, encoding, nest or URL is a content error at file:line.

One mutation of the bilingual test project per case, each asserting the exact
message. Nothing here renders a PDF.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from press.cli import main
from press.content import markdown
from press.content import text as hygiene
from press.content.load import load_guide
from press.content.model import Chapter
from press.content.yamlsafe import MAX_DEPTH, load_yaml
from press.errors import ContentError, RenderError
from press.render import body, i18n

INTRO = "content/en/front/intro.md"  # its line 13 is the first line of text
FIRST = "One in four people on the move is a child.[^1]"
TITLE = "\ntitle: {es: Guía de prueba, en: Test guide}"  # line 3 of guide.yaml
PO = "locales/en/LC_MESSAGES/messages.po"
BIDI = "bidirectional controls can make text display in another order than it is stored: delete it"
CONTROL = "delete it: only tab and line breaks are allowed"
NEST = f"blockquotes and lists are nested more than {markdown.MAX_NESTING} levels deep (flatten the structure)"


def edit(root: Path, name: str, old: str | bytes, new: str | bytes) -> None:
    path = root / name
    old_bytes = old.encode() if isinstance(old, str) else old
    new_bytes = new.encode() if isinstance(new, str) else new
    data = path.read_bytes()
    assert data.count(old_bytes) == 1, f"{old!r} is not once in {name}"
    path.write_bytes(data.replace(old_bytes, new_bytes))


def errors(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_guide(root)
    return [problem.format(root) for problem in caught.value.problems]


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """``build.py check``: exit 1, and the error lines it printed."""
    assert main(["--root", str(root), "check"]) == 1
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]


# Encoding


def test_invalid_utf8_in_a_chapter_names_line_and_column(project):
    root = project("bilingual")
    edit(root, INTRO, FIRST, b"Ni\xc3\xb1os \xe9t\xe9.[^1]")  # a Latin-1 é after UTF-8 text
    assert errors(root) == [
        f"{INTRO}:13:7: byte 0xe9 is not valid UTF-8 (save the file with UTF-8 encoding)",
    ]


def test_invalid_utf8_in_guide_yaml_is_an_error_of_check(project, capsys):
    root = project("bilingual")
    edit(root, "content/guide.yaml", TITLE.encode(), TITLE.encode().replace(b"\xc3\xad", b"\xed"))
    assert check(root, capsys) == [
        "error: content/guide.yaml:3:15: byte 0xed is not valid UTF-8 (save the file with UTF-8 encoding)",
    ]


def test_a_leading_byte_order_mark_is_dropped(project):
    root = project("bilingual")
    for name in (INTRO, "content/guide.yaml"):
        path = root / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_guide(root).chapter("en", "intro").title == "Introduction"


def test_a_byte_order_mark_inside_the_text_is_refused(project):
    root = project("bilingual")
    edit(root, INTRO, FIRST, "One in\ufefffour.[^1]")
    assert errors(root) == [
        f"{INTRO}:13:7: character U+FEFF ZERO WIDTH NO-BREAK SPACE is not allowed"
        " (a byte order mark belongs only at the very start of a file: delete it)",
    ]


def test_crlf_line_ends_are_read_as_lf_and_lines_keep_their_numbers(project):
    root = project("bilingual")
    for name in (INTRO, "content/guide.yaml"):
        path = root / name
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert "\r" not in load_guide(root).chapter("en", "intro").body
    edit(root, INTRO, FIRST, "One in\x00four.[^1]")
    assert errors(root) == [
        f"{INTRO}:13:7: character U+0000 (a control character) is not allowed ({CONTROL})",
    ]


def test_a_lone_carriage_return_is_refused(project):
    root = project("bilingual")
    edit(root, INTRO, FIRST, "One in\rfour.[^1]")
    assert errors(root) == [
        f"{INTRO}:13:7: character U+000D (a control character) is not allowed"
        " (a carriage return alone is not a line end: save the file with LF or CRLF line ends)",
    ]


def test_a_text_that_is_no_regular_file_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "pipe.po")  # reading it would block forever
    with pytest.raises(ContentError) as caught:
        hygiene.read(tmp_path / "pipe.po")
    assert [p.format(tmp_path) for p in caught.value.problems] == [
        "pipe.po: refused: this file is a named pipe (FIFO), not a regular file (use an ordinary file)",
    ]


# Characters


def test_nul_in_a_chapter(project):
    root = project("bilingual")
    edit(root, INTRO, FIRST, "One in\x00four.[^1]")
    assert errors(root) == [
        f"{INTRO}:13:7: character U+0000 (a control character) is not allowed ({CONTROL})",
    ]


@pytest.mark.parametrize(
    ("char", "label"),
    [
        ("\x07", "U+0007 (a control character)"),
        ("\x1b", "U+001B (a control character)"),
        ("\x0c", "U+000C (a control character)"),
        ("\x7f", "U+007F (a control character)"),
        ("\x85", "U+0085 (a control character)"),
        ("\x9b", "U+009B (a control character)"),
    ],
)
def test_other_control_characters_in_a_chapter(project, char, label):
    root = project("bilingual")
    edit(root, INTRO, FIRST, f"One in{char}four.[^1]")
    assert errors(root) == [f"{INTRO}:13:7: character {label} is not allowed ({CONTROL})"]


def test_right_to_left_override_in_a_chapter(project):
    root = project("bilingual")
    edit(root, INTRO, FIRST, "Open report\u202efdp.exe now.[^1]")  # displays as "reportexe.pdf"
    assert errors(root) == [
        f"{INTRO}:13:12: character U+202E RIGHT-TO-LEFT OVERRIDE is not allowed ({BIDI})",
    ]


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\u202a", "LEFT-TO-RIGHT EMBEDDING"),
        ("\u202c", "POP DIRECTIONAL FORMATTING"),
        ("\u2069", "POP DIRECTIONAL ISOLATE"),
    ],
)
def test_other_bidirectional_controls_in_a_chapter(project, char, name):
    root = project("bilingual")
    edit(root, INTRO, FIRST, f"One{char} in four.[^1]")
    code = f"U+{ord(char):04X}"
    assert errors(root) == [f"{INTRO}:13:4: character {code} {name} is not allowed ({BIDI})"]


def test_left_to_right_isolate_in_guide_yaml_is_an_error_of_check(project, capsys):
    root = project("bilingual")
    edit(root, "content/guide.yaml", TITLE, "\ntitle: {es: Guía de prueba, en: Test \u2066guide}")
    assert check(root, capsys) == [
        f"error: content/guide.yaml:3:38: character U+2066 LEFT-TO-RIGHT ISOLATE is not allowed ({BIDI})",
    ]


def test_lone_surrogate_through_a_yaml_escape(project):
    root = project("bilingual")
    edit(root, "content/guide.yaml", TITLE, '\ntitle: {es: Guía de prueba, en: "Test \\ud800 guide"}')
    assert errors(root) == [
        "content/guide.yaml:3:33: character U+D800 (a lone surrogate) in this value is not allowed"
        " (write the character itself, not half of a \\u escape pair)",
    ]


def test_escapes_in_chapter_front_matter_are_checked_at_their_line(project):
    root = project("bilingual")
    edit(root, INTRO, "title: Introduction", 'title: "Intro\\0duction\\u202e"')
    assert errors(root) == [
        f"{INTRO}:4:8: character U+0000 (a control character) in this value is not allowed ({CONTROL})",
        f"{INTRO}:4:8: character U+202E RIGHT-TO-LEFT OVERRIDE in this value is not allowed ({BIDI})",
    ]


def test_zero_width_space_is_refused(project):
    root = project("bilingual")
    edit(root, INTRO, FIRST, "One in\u200bfour.[^1]")
    assert errors(root) == [
        f"{INTRO}:13:7: character U+200B ZERO WIDTH SPACE is not allowed"
        " (delete this invisible character; a soft hyphen U+00AD marks where a word may break)",
    ]


def test_word_joiner_and_line_separator_are_refused(project):
    root = project("bilingual")
    edit(root, INTRO, FIRST, "One\u2060in\u2028four.[^1]")
    assert errors(root) == [
        f"{INTRO}:13:4: character U+2060 WORD JOINER is not allowed"
        " (delete this invisible character; a no-break space U+00A0 keeps words together)",
        f"{INTRO}:13:7: character U+2028 LINE SEPARATOR is not allowed (use an ordinary line break)",
    ]


def test_joiners_soft_hyphens_and_bidi_marks_are_allowed(project):
    root = project("bilingual")
    allowed = "Chil\u00addren \u200c\u200d \u200e\u200f\u061c"
    edit(root, INTRO, FIRST, f"{allowed}.[^1]")
    assert allowed in load_guide(root).chapter("en", "intro").body


def test_many_refused_characters_are_counted_not_all_listed(project):
    root = project("bilingual")
    edit(root, INTRO, FIRST, "\x00" * (hygiene.MAX_REPORTED + 5) + "[^1]")
    found = errors(root)
    assert len(found) == hygiene.MAX_REPORTED + 1
    assert found[-2] == f"{INTRO}:13:10: character U+0000 (a control character) is not allowed ({CONTROL})"
    assert found[-1] == (
        f"{INTRO}:13:11: 5 more refused characters from here on are not listed (fix the ones listed, then check again)"
    )


# Nesting


def test_blockquotes_nested_too_deep(project):
    root = project("bilingual")
    edit(root, INTRO, FIRST, FIRST + "\n\n" + "> " * (markdown.MAX_NESTING + 1) + "deep")
    assert errors(root) == [f"{INTRO}:15: {NEST}"]


def test_blockquotes_nested_to_the_limit_are_fine(project):
    root = project("bilingual")
    edit(root, INTRO, FIRST, FIRST + "\n\n" + "> " * markdown.MAX_NESTING + "deep")
    assert "deep" in load_guide(root).chapter("en", "intro").body


def test_blockquotes_nested_beyond_the_parser_limit(project):
    root = project("bilingual")
    edit(root, INTRO, FIRST, FIRST + "\n\n" + "> " * 5000 + "deep")
    assert errors(root) == [f"{INTRO}:15: {NEST}"]


def test_lists_nested_too_deep(project):
    root = project("bilingual")
    nest = "\n".join("  " * level + "- item" for level in range(markdown.MAX_NESTING + 1))
    edit(root, INTRO, FIRST, FIRST + "\n\n" + nest)
    assert errors(root) == [f"{INTRO}:{15 + markdown.MAX_NESTING}: {NEST}"]


def test_lists_in_blockquotes_count_together(project):
    root = project("bilingual")
    edit(root, INTRO, FIRST, FIRST + "\n\n" + "> - " * 5 + "deep")
    assert errors(root) == [f"{INTRO}:15: {NEST}"]


def test_deep_yaml_is_an_error_not_a_recursion_error(project):
    root = project("bilingual")
    edit(root, "content/guide.yaml", "year: 2024", "year: " + "[" * 5000 + "]" * 5000)
    assert errors(root) == [
        f"content/guide.yaml:6: values are nested more than {MAX_DEPTH} levels deep (flatten the structure)",
    ]


def test_deep_block_yaml_in_front_matter_names_its_line(project):
    root = project("bilingual")
    nest = "".join("  " * level + "k:\n" for level in range(1, 2000))  # line 4 + n: a key n + 1 levels deep
    edit(root, INTRO, "title: Introduction\n", "title: Introduction\nextra:\n" + nest)
    assert errors(root) == [
        f"{INTRO}:{4 + MAX_DEPTH}: values are nested more than {MAX_DEPTH} levels deep (flatten the structure)",
    ]


def test_yaml_aliases_are_refused(project):
    root = project("bilingual")
    laughs = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 10))
    edit(root, INTRO, "title: Introduction\n", "title: Introduction\nl0: &l0 [lol]\n" + laughs)
    assert errors(root) == [f"{INTRO}:6: YAML aliases are not allowed: *l0 (write the value out in full)"]


def test_yaml_text_not_read_from_a_file_is_checked_too(tmp_path):
    with pytest.raises(ContentError) as caught:
        load_yaml("a: b\r\nc: d\x00", tmp_path / "x.yaml", line_offset=1)
    assert [p.format(tmp_path) for p in caught.value.problems] == [
        f"x.yaml:3:5: character U+0000 (a control character) is not allowed ({CONTROL})",
    ]


def test_yaml_nested_to_the_limit_is_fine(tmp_path):
    deepest = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # the mapping is one level
    assert load_yaml(deepest, tmp_path / "x.yaml") is not None
    with pytest.raises(ContentError) as caught:
        load_yaml("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH, tmp_path / "x.yaml")
    assert [p.format(tmp_path) for p in caught.value.problems] == [
        f"x.yaml:1: values are nested more than {MAX_DEPTH} levels deep (flatten the structure)",
    ]


# Links and images markdown-it distrusts: errors at their line, never literal text


@pytest.mark.parametrize(
    ("markdown_text", "message"),
    [
        (
            "[x](javascript:alert(1))",
            "link 'javascript:alert(1)' must start with https://, mailto: or # (no file links)",
        ),
        ("[x](vbscript:msgbox)", "link 'vbscript:msgbox' must start with https://, mailto: or # (no file links)"),
        ("[x](data:text/html,hi)", "link 'data:text/html,hi' must start with https://, mailto: or # (no file links)"),
        ("<javascript:alert(1)>", "link 'javascript:alert(1)' must start with https://, mailto: or # (no file links)"),
        (
            "[x][bad]\n\n[bad]: file:///etc/passwd",
            "link 'file:///etc/passwd' must start with https://, mailto: or # (no file links)",
        ),
    ],
    ids=["javascript", "vbscript", "data", "autolink", "reference"],
)
def test_refused_links_are_errors(project, markdown_text, message):
    root = project("bilingual")
    edit(root, INTRO, FIRST, f"{FIRST} {markdown_text}")
    assert errors(root) == [f"{INTRO}:13: {message}"]


def test_refused_link_in_a_note(project):
    root = project("bilingual")
    edit(root, INTRO, "[^1]: UNICEF (2023)", "[^1]: [UNICEF](javascript:alert(1)) (2023)")
    assert errors(root) == [
        f"{INTRO}:25: link 'javascript:alert(1)' must start with https://, mailto: or # (no file links)",
    ]


@pytest.mark.parametrize(
    "src", ["file:///etc/hostname", "data:image/png;base64,iVBORw0KGgo=", "data:text/html,hi", "javascript:alert(1)"]
)
def test_refused_images_are_errors(project, src):
    root = project("bilingual")
    edit(root, INTRO, FIRST, f'{FIRST}\n\n![A map]({src} "Routes"){{#fig-map}}\n\nSee [](#fig-map).')
    assert errors(root) == [f"{INTRO}:15: image {src!r} must be in media/ (write media/name.jpg)"]


def test_the_renderer_refuses_them_too(tmp_path):
    """Should a chapter reach the renderer unchecked: no unsafe URL in the HTML."""
    path = tmp_path / "content" / "en" / "front" / "x.md"
    path.parent.mkdir(parents=True)
    text = "[a](javascript:alert(1)) [b](vbscript:x).[^1]\n\n[^1]: [c](data:text/html,hi)\n"
    context = body.RenderContext(
        lang="en", notes="footnotes", figures={}, words=str, number=i18n.Formatter("en").number,
        image_url=lambda src: src, content_dir=tmp_path / "content",
    )  # fmt: skip
    html = body.render(Chapter("x", "en", "chapter", "X", "X", text, path, body_line=5), context).html
    assert "href" not in html and "script" not in html
    figure = '![A map](file:///etc/hostname "Routes"){#fig-a}\n'
    with pytest.raises(RenderError) as caught:
        body.render(Chapter("x", "en", "chapter", "X", "X", figure, path, body_line=5), context)
    assert [p.format(tmp_path) for p in caught.value.problems] == [
        "content/en/front/x.md:5: image 'file:///etc/hostname' must be in media/ (refused while rendering)",
    ]


# Message catalogs


def test_invalid_utf8_in_a_catalog(project, capsys):
    root = project("bilingual")
    line = (root / PO).read_text().splitlines().index('msgstr "p."') + 1
    edit(root, PO, 'msgstr "p."', b'msgstr "p\xe1g."')
    assert check(root, capsys) == [
        f"error: {PO}:{line}:10: byte 0xe1 is not valid UTF-8 (save the file with UTF-8 encoding)",
    ]


def test_bidirectional_override_in_a_catalog(project, capsys):
    root = project("bilingual")
    line = (root / PO).read_text().splitlines().index('msgstr "p."') + 1
    edit(root, PO, 'msgstr "p."', 'msgstr "\u202ep."')
    assert check(root, capsys) == [
        f"error: {PO}:{line}:9: character U+202E RIGHT-TO-LEFT OVERRIDE is not allowed ({BIDI})",
    ]


def test_malformed_catalog_entry_names_its_line(project, capsys):
    root = project("bilingual")
    line = (root / PO).read_text().splitlines().index('msgstr "p."') + 1
    edit(root, PO, 'msgstr "p."', 'msgstr "p."\nmsgid "orphan"')
    assert check(root, capsys) == [
        f"error: {PO}:{line + 1}: invalid message catalog: missing msgstr for msgid 'orphan' ({i18n.PO_HINT})",
    ]


def test_malformed_plural_index_names_its_line(project, capsys):
    root = project("bilingual")
    line = (root / PO).read_text().splitlines().index('msgstr "p."') + 1
    edit(root, PO, 'msgid "p."\nmsgstr "p."', 'msgid "p."\nmsgid_plural "pp."\nmsgstr[x] "p."')
    assert check(root, capsys) == [
        f"error: {PO}:{line + 1}: invalid message catalog: malformed msgstr[N] ({i18n.PO_HINT})",
    ]
