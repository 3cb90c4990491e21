"""Stage 2b: render one chapter body to HTML for one edition.

Parsing and validation live in ``markdown.py``; this module only renders,
with what the edition decides: where notes go, how figures are numbered and
labelled, the words for practice parts, and where images are served from.
Text is escaped by markdown-it; raw HTML, should any reach here, is escaped.
URLs are refused here too, behind ``inspect`` which reports them, in notes as
in the text: a link that fails ``allowed_href`` keeps its text but gets no
``href``; a figure whose image is not in ``media/`` stops rendering with a
``RenderError`` at the chapter line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any, NoReturn

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from ..content import chartdata
from ..content.markdown import allowed_href, chart_spec, parse, parser
from ..content.model import Chapter
from ..errors import Problem, RenderError
from ..sandbox import Refused
from . import charts


@dataclass
class Note:
    number: int
    html: str
    anchor: str
    call: str


@dataclass
class RenderContext:
    """What an edition decides about rendering chapter bodies."""

    lang: str
    notes: str  # footnotes | chapter | book
    figures: dict[str, int]
    words: Callable[[str], str]  # template words: "figure", "part:context", "page-abbr" ...
    number: Callable[[float, str], str]  # (value, format) → localized text
    image_url: Callable[[str], str]
    content_dir: Any
    colours: dict[str, str] = field(default_factory=dict)


@dataclass
class Rendered:
    html: str
    notes: list[Note] = field(default_factory=list)


def number_figures(chapters: list[Chapter]) -> dict[str, int]:
    """Figure numbers through the whole edition, in reading order."""
    numbers: dict[str, int] = {}
    for chapter in chapters:
        for token in parse(chapter):
            figure_id = None
            if token.type == "figure_image":
                figure_id = token.attrs.get("id")
            elif token.type == "fence" and token.info.strip() == "chart":
                figure_id = chart_spec(token.content).get("id")
            if figure_id:
                numbers.setdefault(str(figure_id), len(numbers) + 1)
    return numbers


class _Renderer:
    def __init__(self, chapter: Chapter, context: RenderContext) -> None:
        self.chapter = chapter
        self.ctx = context
        self.notes: dict[int, Note] = {}
        self.sections = 0

    def render(self) -> Rendered:
        md = parser()
        tokens = parse(self.chapter)
        self._collect_notes(tokens)
        renderer = RendererHTML(md)
        rules: dict[str, Callable[..., str]] = {
            "html_block": lambda t, i, o, e: f"<p>{escape(t[i].content)}</p>",
            "html_inline": lambda t, i, o, e: escape(t[i].content),
            "footnote_ref": self._note_call,
            "footnote_block_open": _nothing,
            "footnote_block_close": _nothing,
            "footnote_open": _nothing,
            "footnote_close": _nothing,
            "footnote_anchor": _nothing,
            "heading_open": self._heading,
            "container_part_open": self._part_open,
            "container_part_close": lambda *a: "</section>\n",
            "figure_image": self._figure_image,
            "fence": self._fence,
            "link_open": self._link,
            "image": lambda t, i, o, e: "",
        }
        for name, rule in rules.items():
            renderer.rules[name] = rule  # type: ignore[assignment]  # plain callables, not methods
        renderer.renderAttrs = self._attrs  # type: ignore[method-assign]  # with data-line
        body_tokens = _without_note_bodies(tokens)
        html = renderer.render(body_tokens, md.options, {})
        return Rendered(html, [self.notes[k] for k in sorted(self.notes)])

    def _collect_notes(self, tokens: list[Token]) -> None:
        renderer = RendererHTML(parser())
        renderer.rules["link_open"] = self._link  # type: ignore[assignment]  # the same refusals as in the text
        renderer.rules["image"] = _nothing  # type: ignore[assignment]
        current: int | None = None
        texts: dict[int, list[str]] = {}
        for token in tokens:
            if token.type == "footnote_open":
                current = token.meta["id"]
                texts[current] = []
            elif token.type == "footnote_close":
                current = None
            elif current is not None and token.type == "inline":
                children = [c for c in token.children or [] if c.type not in ("html_inline",)]
                texts[current].append(renderer.renderInline(children, parser().options, {}))
        prefix = f"{self.chapter.id}"
        for note_id, parts in texts.items():
            number = note_id + 1
            self.notes[note_id] = Note(number, " ".join(parts), f"n-{prefix}-{number}", f"nr-{prefix}-{number}")

    def _note_call(self, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        note = self.notes[token.meta["id"]]
        if token.meta.get("subId", 0) > 0:  # a note cited again: its number (linked to an endnote)
            if self.ctx.notes == "footnotes":  # the footnote sits at the foot of an earlier page
                return f'<span class="noteref noteref-again">{note.number}</span>'
            return f'<a class="noteref noteref-again" href="#{note.anchor}">{note.number}</a>'
        if self.ctx.notes == "footnotes":
            return f'<span class="footnote" id="{note.call}" data-pdf-tag="Note">{note.html}</span>'
        return f'<a class="noteref" id="{note.call}" href="#{note.anchor}">{note.number}</a>'

    def _attrs(self, token: Token) -> str:
        return RendererHTML.renderAttrs(token) + self._line(token)

    def _line(self, token: Token) -> str:
        """A block's line in the chapter file, for ``checks/proof`` to name where a problem is."""
        if not token.block or token.map is None or token.nesting == -1:
            return ""
        return f' data-line="{self.chapter.body_line + token.map[0]}"'

    def _heading(self, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        self.sections += 1
        lang = f' lang="{escape(str(token.attrs["lang"]))}"' if "lang" in token.attrs else ""  # {lang=xx} before it
        return f'<{token.tag} id="{self.chapter.id}-s{self.sections}"{lang}{self._line(token)}>'

    def _part_open(self, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        name = tokens[idx].info.strip()
        label = escape(self.ctx.words(f"part:{name}"))
        return (
            f'<section class="part part-{name}" id="{self.chapter.id}-{name}"{self._line(tokens[idx])}>\n'
            f'<h2 class="part-title"><span class="part-icon"></span>{label}</h2>\n'
        )

    def _caption(self, figure_id: str, caption: str) -> str:
        number = self.ctx.figures.get(figure_id, 0)
        label = escape(f"{self.ctx.words('figure')} {number}")
        return f'<figcaption><span class="figure-label">{label}.</span> {escape(caption)}</figcaption>'

    def _figure_image(self, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        figure_id = str(token.attrs.get("id", ""))
        source = str(token.attrs["src"])
        if not source.startswith("media/") or ".." in source:
            self._refuse(token, f"image {source!r} must be in media/")
        try:
            src = escape(self.ctx.image_url(source))
        except Refused as refused:  # the file changed since the content was checked
            self._refuse(token, f"image {source!r} {refused.reason}", refused.hint)
        img = f'<img src="{src}" alt="{escape(token.content)}">'
        caption = self._caption(figure_id, str(token.attrs.get("title", "")))
        return f'<figure class="figure" id="{escape(figure_id)}"{self._line(token)}>{img}{caption}</figure>\n'

    def _fence(self, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        if token.info.strip() != "chart":
            return f"<pre><code>{escape(token.content)}</code></pre>\n"
        spec = chart_spec(token.content)
        data = chartdata.load(self.ctx.content_dir / "data" / f"{spec['data']}.yaml", (self.ctx.lang,))
        svg = charts.svg(data, self.ctx.lang, self.ctx.number, self.ctx.colours)
        source = escape(data.source.get(self.ctx.lang, ""))
        caption = self._caption(spec["id"], spec["caption"])
        return (
            f'<figure class="figure chart" id="{escape(spec["id"])}"{self._line(token)}>{svg}'
            f'<p class="chart-source">{source}</p>{caption}</figure>\n'
        )

    def _link(self, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        href = str(token.attrs.get("href", ""))
        if not allowed_href(href):  # inspect has reported it; should one get here, it is no link
            return "<a>"
        empty = idx + 1 < len(tokens) and tokens[idx + 1].type == "link_close"
        if href.startswith("#") and empty:
            target = href[1:]
            number = self.ctx.figures.get(target)
            text = f"{self.ctx.words('figure-ref')} {number}" if number else target
            page = escape(self.ctx.words("page-abbr"))
            return f'<a class="xref" href="#{escape(target)}" data-page="{page}">{escape(text)}'
        return f'<a href="{escape(href)}">'

    def _refuse(self, token: Token, message: str, hint: str = "refused while rendering") -> NoReturn:
        where = self.chapter.body_line + token.map[0] if token.map else None
        raise RenderError([Problem(self.chapter.path, where, message, hint)])


def _nothing(*args: Any) -> str:
    return ""


def _without_note_bodies(tokens: list[Token]) -> list[Token]:
    result, inside = [], False
    for token in tokens:
        if token.type == "footnote_block_open":
            inside = True
        elif token.type == "footnote_block_close":
            inside = False
        elif not inside:
            result.append(token)
    return result


def render(chapter: Chapter, context: RenderContext) -> Rendered:
    return _Renderer(chapter, context).render()
