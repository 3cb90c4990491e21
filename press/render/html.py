"""Stage 4: one HTML document per edition, from Jinja templates.

Jinja runs with autoescape and ``StrictUndefined``: a misspelt name in a
template is an error, never an empty string. Template words go through the
edition's gettext catalog; chapter bodies arrive as HTML already rendered
(and escaped) by ``body.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from ..content import media
from ..content.load import all_sources
from ..content.markdown import outline
from ..content.model import Chapter, Edition, FactSheet, Guide
from ..errors import PressError, Problem, RenderError
from . import body, i18n
from .palette import palette


@dataclass
class ChapterView:
    """What the templates need of one chapter."""

    chapter: Chapter
    section: str  # front | practices | back
    number: int | None  # practice number
    html: Markup
    notes: list[body.Note]

    @property
    def id(self) -> str:
        return self.chapter.id

    @property
    def title(self) -> str:
        return self.chapter.title

    @property
    def short_title(self) -> str:
        return self.chapter.short_title

    @property
    def type(self) -> str:
        return self.chapter.type

    @property
    def factsheet(self) -> FactSheet | None:
        return self.chapter.factsheet

    @property
    def source(self) -> str:
        """The chapter file as the project names it (content/es/practices/x.md), for messages."""
        return "/".join(self.chapter.path.parts[-4:])


def environment(root: Path, lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(root, lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["breakable_url"] = breakable_url
    return env


def breakable_url(url: str) -> Markup:
    """A URL for display, with line-break opportunities after / ? & = (the link keeps the URL)."""
    escaped = str(escape(url))
    for mark in ("/", "?", "&amp;", "="):
        escaped = escaped.replace(mark, mark + "<wbr>")
    return Markup(escaped.replace("/<wbr>/<wbr>", "//<wbr>"))


def chapters_of(guide: Guide, edition: Edition) -> list[tuple[str, Chapter]]:
    sections = [
        ("front", edition.extra_front + edition.front),
        ("practices", edition.practices),
        ("back", edition.back),
    ]
    chapters = [(name, guide.chapter(edition.lang, cid)) for name, ids in sections for cid in ids]
    # The notes chapter gathers every note at the end of the book: only in "book" mode.
    return [(name, chapter) for name, chapter in chapters if chapter.type != "notes" or edition.notes == "book"]


def common_context(guide: Guide, edition: Edition, colours: dict[str, str] | None = None) -> dict[str, Any]:
    """What every template of an edition may use: the book, not its chapters (``colours``: the
    palette to draw with, the edition's own by default)."""
    lang = edition.lang
    colours = colours or palette(guide.root, edition)
    return {
        "guide": guide,
        "edition": edition,
        "lang": lang,
        "fmt": i18n.Formatter(lang),
        "title": guide.title[lang],
        "subtitle": edition.subtitle or guide.subtitle[lang],
        "colours": colours,
        "icons": {
            area.icon: icon(guide.root, area.icon, colours["secondary"]) for area in guide.thematic_areas.values()
        },
        "modified": _modified(guide),
    }


def build_html(guide: Guide, edition: Edition, image_url: Any = None, colours: dict[str, str] | None = None) -> str:
    """The whole edition as one HTML document (a pure function of its inputs; ``colours``: the
    palette of its SVG, the edition's own by default)."""
    root = guide.root
    lang = edition.lang
    env = environment(root, lang)
    gettext = i18n.translations(root, lang).gettext
    page = common_context(guide, edition, colours)
    selected = chapters_of(guide, edition)
    context = body.RenderContext(
        lang=lang,
        notes=edition.notes,
        figures=body.number_figures([chapter for _, chapter in selected]),
        words=lambda key: gettext(i18n.BODY_WORDS[key]),
        number=page["fmt"].number,
        image_url=image_url or (lambda src: f"content/{src}"),
        content_dir=root / "content",
        colours=page["colours"],
    )
    views: list[ChapterView] = []
    for section, chapter in selected:
        # A practice keeps its number in the whole guide, so "Practice 7" is the same in every edition.
        number = guide.practices.index(chapter.id) + 1 if chapter.type == "practice" else None
        rendered = body.render(chapter, context)
        views.append(ChapterView(chapter, section, number, Markup(rendered.html), rendered.notes))
    _check_xrefs(views, context.figures)
    page["chapters"] = views
    page["sources"] = all_sources([view.chapter for view in views])
    return render_template(env, "book.html", page)


def render_template(env: jinja2.Environment, name: str, page: dict[str, Any]) -> str:
    """``name`` rendered; an error names the template and line where it is, included ones too."""
    try:
        return env.get_template(name).render(page)
    except jinja2.TemplateSyntaxError as error:
        where = Path(error.filename or env_root(env) / name)
        raise RenderError([Problem(where, error.lineno, error.message or "syntax error")]) from None
    except jinja2.TemplateNotFound as error:
        where, line = _template_frame(error, env, name)
        raise RenderError([Problem(where, line, f"template {error.name!r} not found",
                                   f"create {env_root(env).name}/{error.name}")]) from None  # fmt: skip
    except PressError:
        raise
    except Exception as error:  # undefined names, filters given the wrong thing, 1/0: the designer's to fix
        where, line = _template_frame(error, env, name)
        raise RenderError([Problem(where, line, f"template error: {error}")]) from None


def _template_frame(error: BaseException, env: jinja2.Environment, name: str) -> tuple[Path, int | None]:
    """The innermost template file and line in ``error``'s traceback (Jinja maps its frames to them)."""
    folder = env_root(env).resolve()
    found: tuple[Path, int | None] = (env_root(env) / name, None)
    trace = error.__traceback__
    while trace is not None:
        path = Path(trace.tb_frame.f_code.co_filename)
        if path.is_absolute() and path.resolve().is_relative_to(folder):
            found = (path, trace.tb_lineno)
        trace = trace.tb_next
    return found


def env_root(env: jinja2.Environment) -> Path:
    loader = env.loader
    return Path(loader.searchpath[0]) if isinstance(loader, jinja2.FileSystemLoader) else Path("templates")


ICON_COLOUR = "#1f8383"  # the one colour the icon files are drawn in


def icon(root: Path, name: str, colour: str) -> Markup:
    """A thematic-area icon from styles/icons, inline, in the edition's colour."""
    path = root / "styles" / "icons" / f"{name}.svg"
    if not path.is_file():
        raise RenderError([Problem(path, None, f"icon {name!r} not found", "add styles/icons/NAME.svg")])
    svg = media.read_checked(root, path).decode("utf-8").replace(ICON_COLOUR, colour)  # the SVG checks
    return Markup(svg.replace("<svg ", '<svg class="area-icon" aria-hidden="true" ', 1))


def _modified(guide: Guide) -> str:
    """The document's modification date: SOURCE_DATE_EPOCH when set, else the publication date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return guide.published.isoformat()


def _check_xrefs(views: list[ChapterView], figures: dict[str, int]) -> None:
    """A cross-reference must point at a figure of this edition (its chapter may be left out)."""
    problems = []
    for view in views:
        for target in outline(view.chapter).xrefs:
            if target not in figures:
                message = f"cross-reference to '#{target}' points at no figure of this edition"
                problems.append(Problem(view.chapter.path, None, message, "check the id after '#'"))
    if problems:
        raise RenderError(problems)
