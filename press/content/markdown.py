"""Stage 2: Markdown → safe HTML, with notes, figures, charts and cross-references.

One parser for all content: CommonMark plus GFM tables, footnotes, ``:::`` part
containers and ``{#id}`` attributes on images. Raw HTML is an error in
``inspect`` and is escaped by the renderer anyway, so content can never inject
markup. ``inspect`` validates a chapter's structure (used by content loading
and by the parity check); ``render`` turns it into HTML for one edition.

Nothing is dropped silently. markdown-it leaves a link or an image whose URL
it distrusts (``javascript:``, ``file:`` …) as literal text; here every URL
becomes a token, ``inspect`` refuses what is not allowed with its line, and
the renderer refuses it again. markdown-it also cuts a nest deeper than its
``maxNesting`` (20 token levels); ``inspect`` refuses blockquotes and lists
nested more than ``MAX_NESTING`` deep, well before that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from ..errors import Problem
from ..sandbox import Refused
from .media import read_checked
from .model import PRACTICE_PARTS, Chapter

if TYPE_CHECKING:
    from collections.abc import Sequence

PART_RE = re.compile(r"^\s*([a-z][a-z-]*)\s*$")
LINK_SCHEMES = ("https://", "http://", "mailto:")
NOTE_CALL_RE = re.compile(r"\[\^[^\]]+\]")
MAX_NESTING = 8  # blockquotes and lists inside each other
# Attributes a token may carry: what markdown-it sets itself, and {lang=xx} (a passage in another
# language: [words]{lang=en} inline, or a {lang=en} line before a block). Anything else, such as
# {style=...} or {onclick=...}, is refused: content never decides markup beyond its meaning.
OWN_ATTRIBUTES = {"link_open": {"href", "title"}, "ordered_list_open": {"start"}, "th_open": {"style"},
                  "td_open": {"style"}, "image": {"src", "alt", "title", "id"},
                  "figure_image": {"src", "alt", "title", "id"}}  # fmt: skip
LANG_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
NESTS = {"blockquote_open": 1, "bullet_list_open": 1, "ordered_list_open": 1,
         "blockquote_close": -1, "bullet_list_close": -1, "ordered_list_close": -1}  # fmt: skip


def allowed_href(href: str) -> bool:
    """A link may go to the web, to an e-mail address or to an anchor of the guide."""
    return href.startswith((*LINK_SCHEMES, "#"))


class _Parser(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        """Keep every link and image as a token: ``inspect`` and the renderer judge them."""
        return True


@cache
def parser() -> MarkdownIt:
    md = _Parser("commonmark", {"html": True, "typographer": False})
    md.enable("table").use(footnote_plugin).use(attrs_plugin, spans=True).use(attrs_block_plugin)
    md.use(container_plugin, name="part", validate=lambda params, *_: bool(PART_RE.match(params)))
    return md


def parse(chapter: Chapter, env: dict[str, Any] | None = None) -> list[Token]:
    """The chapter's tokens (``env`` gets what the footnote plugin found). Loading, parity, figure
    numbering and rendering each read a chapter: it is parsed once per process, not four times.
    The tokens are shared: read them, never change them."""
    tokens, found = _parsed(chapter.body)
    if env is not None:
        env.update(found)
    return list(tokens)


@lru_cache(maxsize=512)
def _parsed(body: str) -> tuple[tuple[Token, ...], dict[str, Any]]:
    env: dict[str, Any] = {}
    return tuple(_figures(parser().parse(body, env))), env


def _figures(tokens: list[Token]) -> list[Token]:
    """Turn a paragraph holding only an image into a ``figure_image`` token."""
    result: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        children = tokens[index + 1].children if index + 1 < len(tokens) else None
        if token.type == "paragraph_open" and children and len(children) == 1 and children[0].type == "image":
            figure = Token("figure_image", "figure", 0, map=token.map)
            figure.attrs = dict(children[0].attrs)
            figure.content = children[0].content
            result.append(figure)
            index += 3
            continue
        result.append(token)
        index += 1
    return result


def _walk(tokens: Sequence[Token]) -> list[tuple[Token, int | None]]:
    """Every token with the line it sits on (children inherit their block's line)."""
    result: list[tuple[Token, int | None]] = []
    for token in tokens:
        line = token.map[0] if token.map else None
        result.append((token, line))
        for child in token.children or []:
            result.append((child, line))
    return result


@dataclass
class Outline:
    """The structure parity compares between a chapter and its translation."""

    sections: list[int] = field(default_factory=list)  # heading levels in order
    parts: list[str] = field(default_factory=list)
    notes: int = 0
    figures: list[str] = field(default_factory=list)
    xrefs: list[str] = field(default_factory=list)


def outline(chapter: Chapter) -> Outline:
    result = Outline()
    for token, _ in _walk(parse(chapter)):
        if token.type == "heading_open":
            result.sections.append(int(token.tag[1]))
        elif token.type == "container_part_open":
            result.parts.append(token.info.strip())
        elif token.type == "footnote_open":
            result.notes += 1
        elif token.type == "figure_image" and "id" in token.attrs:
            result.figures.append(str(token.attrs["id"]))
        elif token.type == "fence" and token.info.strip() == "chart":
            result.figures.append(str(chart_spec(token.content).get("id", "")))
        elif token.type == "link_open" and str(token.attrs.get("href", "")).startswith("#"):
            result.xrefs.append(str(token.attrs["href"])[1:])
    return result


def chart_spec(text: str) -> dict[str, Any]:
    """The ``key: value`` lines of a chart block (a YAML subset, read safely)."""
    spec: dict[str, Any] = {}
    for line in text.splitlines():
        if line.strip():
            key, _, value = line.partition(":")
            spec[key.strip()] = value.strip().strip('"')
    return spec


def inspect(chapter: Chapter) -> list[Problem]:
    """Structural problems of one chapter file, each with its line."""
    problems: list[Problem] = []
    offset = chapter.body_line

    def add(line: int | None, message: str, hint: str = "") -> None:
        problems.append(Problem(chapter.path, offset + line if line is not None else None, message, hint))

    env: dict[str, Any] = {}
    tokens = parse(chapter, env)
    parts: list[str] = []
    cited: dict[int, int] = {}
    level = 1  # the chapter's title is the '#' heading
    media = chapter.path.parents[2] / "media" if len(chapter.path.parents) > 2 else None
    for token, line in _walk(tokens):
        kind = token.type
        if kind not in ("image", "figure_image"):  # images have their own rules (_check_image)
            _check_attributes(token, line, add)
        if kind in ("html_block", "html_inline"):
            add(line, f"raw HTML is not allowed: {token.content.strip()[:40]!r}", "use Markdown instead")
        elif kind == "heading_open" and token.tag == "h1":
            add(line, "'#' headings are not allowed", "the title comes from the front matter; use '##'")
        elif kind == "heading_open" and chapter.type == "practice" and token.tag == "h2":
            add(line, "'##' headings are not allowed in a practice", "use '###' inside a ::: part")
        elif kind == "heading_open" and int(token.tag[1]) > level + 1:
            marks = "#" * int(token.tag[1])
            add(line, f"'{marks}' heading skips a level after '{'#' * level}'",
                f"use '{'#' * (level + 1)}': screen readers navigate by heading levels")  # fmt: skip
        if kind == "heading_open":
            level = int(token.tag[1])
        elif kind == "container_part_open":
            level = 2  # a part opens with its own '##' title
        elif kind == "container_part_close":
            level = 1
        if kind == "container_part_open":
            name = token.info.strip()
            if chapter.type != "practice" or name not in PRACTICE_PARTS:
                add(line, f"unknown part '::: {name}'", "parts are: " + ", ".join(PRACTICE_PARTS))
            parts.append(name)
        elif kind == "footnote_ref":
            note = token.meta["id"]
            cited[note] = cited.get(note, 0) + 1
        elif kind == "text" and (dangling := NOTE_CALL_RE.search(token.content)):
            add(line, f"note {dangling.group()} has no text", "add its '[^n]: ...' line")
        elif kind in ("image", "figure_image"):
            _check_image(token, line, media, add)
        elif kind == "link_open":
            href = str(token.attrs.get("href", ""))
            if not allowed_href(href):
                add(line, f"link {href!r} must start with https://, mailto: or #", "no file links")
        elif kind == "fence" and token.info.strip() == "chart":
            spec = chart_spec(token.content)
            missing = {"id", "data", "caption"} - set(spec)
            if missing:
                add(line, "chart block is missing " + ", ".join(sorted(missing)))
            elif media is not None and not (media.parent / "data" / f"{spec['data']}.yaml").is_file():
                add(line, f"chart data {spec['data']!r} not found", f"create content/data/{spec['data']}.yaml")
    for line in _too_deep(tokens):
        add(line, f"blockquotes and lists are nested more than {MAX_NESTING} levels deep", "flatten the structure")
    if chapter.type == "practice" and parts != list(PRACTICE_PARTS):
        absent = [p for p in PRACTICE_PARTS if p not in parts]
        message = "missing part(s): " + ", ".join(absent) if absent else "parts are out of order: " + ", ".join(parts)
        add(0, message, "a practice has ::: context, ::: challenges, ::: lessons, ::: recommendations")
    footnotes = env.get("footnotes", {})
    cited_labels = {note["label"] for note in footnotes.get("list", {}).values()}
    for label in footnotes.get("refs", {}):
        if label.lstrip(":") not in cited_labels:
            add(None, f"note [^{label.lstrip(':')}] is never cited", "cite it or delete it")
    return problems


def _too_deep(tokens: list[Token]) -> list[int | None]:
    """The line of each top-level block that nests too deeply (once per block).

    Besides MAX_NESTING, any token near markdown-it's own limit counts (parts and
    notes add levels too), since markdown-it drops what lies beyond it.
    """
    limit = parser().options["maxNesting"] - 1
    lines: list[int | None] = []
    depth, reported = 0, False
    for token in tokens:
        depth += NESTS.get(token.type, 0)
        if token.level == 0 and depth == 0:
            reported = False
        elif not reported and (depth > MAX_NESTING or token.level >= limit):
            lines.append(token.map[0] if token.map else None)
            reported = True
    return lines


def _check_attributes(token: Token, line: int | None, add: Callable[..., None]) -> None:
    for name, value in token.attrs.items():
        if name == "lang":
            if not known_language(str(value)):
                add(line, f"{{lang={value}}} is not a language tag", "write a language code such as en, es, pt or fr")
        elif name not in OWN_ATTRIBUTES.get(token.type, set()):
            what = "{#id}" if name == "id" else f"{{{name}=...}}" if name != "class" else "{.class}"
            add(line, f"attribute {what} is not allowed here", "only {lang=xx} marks a passage in another language")


@cache
def known_language(tag: str) -> bool:
    """A BCP 47 tag whose language Babel knows (en, pt-BR, ht …)."""
    from babel import Locale, UnknownLocaleError

    if not LANG_TAG.match(tag):
        return False
    try:
        Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def _check_image(token: Token, line: int | None, media: Any, add: Callable[..., None]) -> None:
    src = str(token.attrs.get("src", ""))
    if not src.startswith("media/") or ".." in src:
        add(line, f"image {src!r} must be in media/", "write media/name.jpg")
    elif media is not None:
        path = media / src.removeprefix("media/")
        if not path.exists() and not path.is_symlink():
            add(line, f"image {src!r} not found in content/media/")
        else:
            try:
                read_checked(media.parent.parent, path)
            except Refused as refused:
                add(line, f"image {src!r} {refused.reason}", refused.hint)
    if token.type == "image":
        add(line, f"image {src!r} must stand alone in its paragraph", "images are figures")
    elif not token.content.strip():
        add(line, f"image {src!r} has no alt text", "write ![what it shows](...)")
    elif "id" not in token.attrs or not token.attrs.get("title"):
        add(line, f"figure {src!r} needs a caption and an id", 'write ![alt](src "Caption"){#fig-name}')
    for name in token.attrs:
        if name not in ("src", "alt", "title", "id"):
            add(line, f"attribute {name!r} is not allowed on images", "only {#id}")
