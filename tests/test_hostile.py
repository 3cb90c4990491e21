"""Hostile inputs: files that reach outside the project, media that are not what they say,
stylesheets that never end. One mutation of a tiny project per case, the exact message.

(Text hygiene and Markdown cases are in test_hostile_text.py; outputs in test_outputs.py.)
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from press import sandbox
from press.cli import main
from press.content import media
from press.content.editions import load_editions
from press.content.load import load_guide
from press.errors import PressError
from press.pdf import images

FIGURE = "content/en/practices/02-beta.md"
FIGURE_LINE = 18  # where the English practice cites media/route.png


@pytest.fixture
def regional(project) -> Path:
    return project("regional")


def errors_of(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    """Run the CLI; it must fail with exit 1 (a content error, not a crash); its error lines."""
    assert main(["--root", str(root), *args]) == 1
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]


def cite(root: Path, name: str) -> None:
    """Make the English practice's figure cite media/<name> instead of route.png."""
    chapter = root / FIGURE
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("media/route.png", f"media/{name}"), "utf-8")
    spanish = root / "content/es/practices/02-beta.md"
    spanish.write_text(spanish.read_text(encoding="utf-8").replace("media/route.png", f"media/{name}"), "utf-8")


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "JPEG")
    return buffer.getvalue()


# The sandbox: only regular files inside the project.


def test_a_symlink_in_media_to_an_image_outside_is_refused_before_it_is_read(regional, tmp_path, capsys):
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(png(8, 8))
    route = regional / "content/media/route.png"
    route.unlink()
    route.symlink_to(outside)
    assert errors_of(regional, capsys, "check") == [
        f"error: content/media/route.png: a symbolic link to {outside}, outside the project folder "
        "(copy the file into the project instead of linking to it)"
    ]
    assert not (regional / ".cache" / "images").exists()


def test_image_preparation_refuses_a_symlink_out_by_itself(regional, tmp_path):
    """Defence in depth: even called without the content checks, preparation reads nothing outside."""
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(png(8, 8))
    route = regional / "content/media/route.png"
    route.unlink()
    route.symlink_to(outside)
    with pytest.raises(sandbox.Refused) as caught:
        images.prepare(regional, "media/route.png", "screen")
    assert caught.value.reason == f"leads outside the project folder (to {outside})"
    assert not (regional / ".cache" / "images").exists()


def test_a_fifo_among_the_chapters_is_refused_without_blocking(regional, capsys):
    os.mkfifo(regional / "content/en/practices/03-pipe.md")
    assert errors_of(regional, capsys, "check") == [
        "error: content/en/practices/03-pipe.md: a named pipe (FIFO), not a regular file (remove it from the project)"
    ]


def test_a_link_to_a_device_in_styles_is_refused(regional, capsys):
    (regional / "styles" / "zero.css").symlink_to("/dev/zero")
    assert errors_of(regional, capsys, "check") == [
        "error: styles/zero.css: a symbolic link to /dev/zero, outside the project folder "
        "(copy the file into the project instead of linking to it)"
    ]


def test_a_device_inside_the_project_is_refused_by_the_reader(tmp_path):
    (tmp_path / "dev").mkdir()
    with pytest.raises(sandbox.Refused) as caught:
        sandbox.read_bytes(Path("/"), Path("/dev/zero"))
    assert caught.value.reason == "is a device, not a regular file"


def test_a_file_over_the_cap_is_refused_unread(tmp_path):
    big = tmp_path / "big.css"
    big.write_bytes(b" " * 2000)
    with pytest.raises(sandbox.Refused) as caught:
        sandbox.read_bytes(tmp_path, big, limit=1000)
    assert caught.value.reason == "is 2000 bytes, more than the limit of 1000 bytes"


def test_a_dangling_symlink_is_reported(regional, capsys):
    (regional / "templates" / "gone.html").symlink_to(regional / "templates" / "nowhere.html")
    assert errors_of(regional, capsys, "check") == [
        "error: templates/gone.html: a symbolic link to nothing (delete it or point it at a file)"
    ]


# Media: a real image of the type its name says, bounded, complete.


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("fake.png", b"just some text\n",
         "is not a PNG image (nor any image Pillow knows) (export it again as an image)"),
        ("photo.png", jpeg(), "is a JPEG image, not the PNG its name says (rename it to .jpg)"),
        ("cut.jpg", jpeg(400, 300)[:400], "is damaged or truncated (Truncated File Read) (export it again)"),
        ("bomb.png", png(10_000, 7_000, "1"),
         "is 10000 × 7000 pixels, more than the limit of 60 megapixels (scale it down)"),
        ("notes.txt", b"hello", "is not of a supported image type (.txt) (use .jpg, .jpeg, .png, .gif, .webp, .svg)"),
    ],
)  # fmt: skip
def test_a_bad_raster_image_names_the_chapter_line_that_cites_it(regional, capsys, name, data, message):
    (regional / "content/media" / name).write_bytes(data)
    cite(regional, name)
    errors = errors_of(regional, capsys, "check")
    assert f"error: {FIGURE}:{FIGURE_LINE}: image 'media/{name}' {message}" in errors


SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'


def use_bomb(levels: int = 8, fan: int = 10) -> bytes:
    groups = "".join(f'<g id="a{i + 1}">' + f'<use xlink:href="#a{i}"/>' * fan + "</g>" for i in range(levels))
    return f'{SVG_HEAD}<defs><rect id="a0" width="1" height="1"/>{groups}</defs><use href="#a{levels}"/></svg>'.encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (use_bomb(), "expands to more than 50000 elements through <use> (simplify it)"),
        (f'{SVG_HEAD}<g id="x"><use href="#x"/></g></svg>'.encode(), "<use> of '#x' repeats itself (remove the loop)"),
        (f'{SVG_HEAD}<use href="other.svg#x"/></svg>'.encode(),
         "<use> refers to 'other.svg#x'; it may only repeat an element of the same file "
         "(copy the element into this file)"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY l "lol">]><svg>&l;</svg>',
         "declares a DTD or entities, which an SVG image may not (export it again without a DOCTYPE)"),
        (f'{SVG_HEAD}{"<g>" * 80}{"</g>" * 80}</svg>'.encode(),
         "nests elements more than 64 levels deep (simplify it)"),
        (b"<svg><g></svg>", "is not well-formed XML (mismatched tag: line 1, column 10) (export it again)"),
        (b"<html></html>", "is not an SVG image (its root element is not <svg>) (export it again as SVG)"),
    ],
)  # fmt: skip
def test_a_hostile_svg_is_refused_with_the_chapter_line(regional, capsys, data, message):
    (regional / "content/media/art.svg").write_bytes(data)
    cite(regional, "art.svg")
    errors = errors_of(regional, capsys, "check")
    assert f"error: {FIGURE}:{FIGURE_LINE}: image 'media/art.svg' {message}" in errors


def test_a_checked_image_is_remembered_and_a_changed_one_checked_again(regional):
    path = regional / "content/media/route.png"
    media.read_checked(regional, path)
    assert len(list((regional / media.CHECKED).iterdir())) == 1
    path.write_bytes(b"not an image any more")
    with pytest.raises(media.MediaError):
        media.read_checked(regional, path)


def test_an_image_a_stylesheet_fetches_is_checked_too(regional):
    from press.build.publish import render

    (regional / "styles" / "fake.png").write_bytes(b"text, not a picture")
    with (regional / "styles" / "components.css").open("a") as css:
        css.write("\n.cover { background-image: url(fake.png); }\n")
    guide = load_guide(regional)
    with pytest.raises(PressError) as caught:
        render(guide, load_editions(guide)["guide-en"])
    assert str(caught.value) == (
        "edition 'guide-en': refused to load 'styles/fake.png': it is not a PNG image (nor any image Pillow knows)"
    )


# Designer CSS that WeasyPrint ignores names the stylesheet and line, warns, and fails --strict.


def append_css(root: Path, text: str) -> int:
    """Append ``text`` to components.css; the line it starts on."""
    sheet = root / "styles" / "components.css"
    lines = sheet.read_text(encoding="utf-8").count("\n")
    with sheet.open("a", encoding="utf-8") as css:
        css.write("\n" + text)
    return lines + 2


def test_ignored_css_is_a_warning_with_its_stylesheet_and_line(regional, capsys):
    line = append_css(regional, ".x { colr: red; }\n@import url(tokens.css);\n")
    assert main(["--root", str(regional), "-e", "guide-en", "-j", "1"]) == 0
    out = capsys.readouterr().out
    assert f"  warning: styles/components.css:{line}:6: Ignored `colr: red`, unknown property." in out
    assert (
        f"  warning: styles/components.css:{line + 1}:1: @import rule ' url(tokens.css)' not at the beginning of "
        "the the whole rule was ignored."
    ) in out


def test_ignored_css_fails_a_strict_build(regional, capsys):
    line = append_css(regional, ".x { colr: red; }\n")
    assert errors_of(regional, capsys, "--strict", "-e", "guide-en", "-j", "1") == [
        f"error: styles/components.css:{line}:6: Ignored `colr: red`, unknown property. "
        "(--strict fails on every WeasyPrint message; fix what it names)"
    ]


# Limits: a runaway stylesheet ends with an error naming the edition.

RUNAWAY = ":root { --a0: x; " + "".join(f"--a{i + 1}: " + f"var(--a{i}) " * 4 + "; " for i in range(14))
RUNAWAY += "} p { font-family: var(--a14); }\n"


def test_a_runaway_custom_property_stops_at_the_time_limit(regional, capsys):
    with (regional / "styles" / "components.css").open("a") as css:
        css.write(RUNAWAY)
    errors = errors_of(regional, capsys, "--time-limit", "3", "-e", "guide-en", "-j", "2")
    assert len(errors) == 1
    assert errors[0].startswith("error: edition 'guide-en': laying out the part from page ")
    assert errors[0].endswith(
        "stopped after 3 s of CPU time (look for a runaway rule or image in what changed; --time-limit raises the cap)"
    ) or errors[0].endswith("stopped after 3 s of wall-clock time (look for a runaway rule or image in what changed; "
                            "--time-limit raises the cap)")  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])  # in this process, and in workers
def test_a_runaway_custom_property_stops_at_the_memory_limit(regional, capsys, jobs):
    with (regional / "styles" / "components.css").open("a") as css:
        css.write(RUNAWAY)
    errors = errors_of(regional, capsys, "--memory-limit", "700", "-e", "guide-en", "-j", jobs)
    assert len(errors) == 1
    assert errors[0].startswith("error: edition 'guide-en': ")
    assert "needed more than 700 MB of memory" in errors[0] or "a worker process stopped abruptly" in errors[0]


def test_limits_must_be_positive(regional, capsys):
    assert errors_of(regional, capsys, "--time-limit", "0") == ["error: --time-limit must be a positive number, not 0"]


# Templates: an error in an included template names that template and its line.


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<p>{{ no_such_name }}</p>", "template error: 'no_such_name' is undefined"),
        ("<p>{{ 1 // 0 }}</p>", "template error: integer division or modulo by zero"),
        ('<p>{% include "missing.html" %}</p>', "template 'missing.html' not found (create templates/missing.html)"),
        ("<p>{% if %}</p>", "Expected an expression, got 'end of statement block'"),
    ],
)
def test_an_error_in_an_included_template_names_it_and_its_line(regional, capsys, text, message):
    template = regional / "templates" / "credits.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    template.write_text("\n".join([lines[0], text, *lines[1:]]) + "\n", encoding="utf-8")
    assert errors_of(regional, capsys, "-e", "guide-en", "-j", "1") == [f"error: templates/credits.html:2: {message}"]


# Caches: what the press finds in .cache/ is checked like any other input.


def test_fifos_and_links_planted_in_the_part_cache_are_ignored_not_read(regional, tmp_path, capsys):
    assert main(["--root", str(regional), "-e", "guide-en", "-j", "1"]) == 0
    entries = sorted((regional / ".cache" / "parts").glob("*/*.part"))
    assert entries
    outside = tmp_path / "outside.part"
    outside.write_bytes(entries[0].read_bytes())
    for index, entry in enumerate(entries):
        entry.unlink()
        if index % 2:
            os.mkfifo(entry)  # reading it would block the build for ever
        else:
            entry.symlink_to(outside)
    chapter = regional / FIGURE
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("Documents open", "Papers open"), "utf-8")
    assert main(["--root", str(regional), "-e", "guide-en", "-j", "1"]) == 0
    assert ", 0 reused" in capsys.readouterr().out  # every planted entry refused, its part laid out again


def test_a_damaged_font_is_named(regional, capsys):
    (regional / "styles" / "fonts" / "CharisSIL-Bold.ttf").write_bytes(b"not a font" * 100)
    assert errors_of(regional, capsys, "-e", "guide-en", "-j", "1") == [
        "error: styles/fonts/CharisSIL-Bold.ttf: is not a font that can be read "
        "(TTLibError: Not a TrueType or OpenType font (bad sfntVersion)) (put the font file back as its makers ship it)"
    ]


@pytest.mark.parametrize(
    "rule",
    [
        "@import url(/etc/passwd);\n",
        "@font-face { font-family: X; src: url(file:///etc/passwd); }\np { font-family: X; }\n",
    ],
)
def test_stylesheets_cannot_reach_outside(regional, capsys, rule):
    sheet = regional / "styles" / "components.css"
    sheet.write_text(rule + sheet.read_text(encoding="utf-8"), encoding="utf-8")
    assert errors_of(regional, capsys, "-e", "guide-en", "-j", "1") == [
        "error: edition 'guide-en': refused to load 'file:///etc/passwd': it leads outside the project folder "
        "(to /etc/passwd)"
    ]


def test_a_damaged_output_profile_is_named(regional, capsys):
    (regional / "styles" / "icc" / "CoatedFOGRA39-argyll.icc").write_bytes(b"not a profile")
    assert errors_of(regional, capsys, "--strict", "-e", "print-es", "-j", "1") == [
        "error: styles/icc/CoatedFOGRA39-argyll.icc: Invalid profile file for profile named 'device-cmyk', the whole "
        "@color-profile rule was ignored. (--strict fails on every WeasyPrint message; fix what it names)"
    ]
