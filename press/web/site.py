"""One web edition → the files of its static site, in memory then in a folder.

The pages come from the PDF's own pipeline: the chapters ``html.chapters_of``
selects, rendered by ``body.py`` (notes as numbered calls, gathered at the end
of each page with back links), the Jinja environment, catalogs, Babel
formatter, palette and icons of ``html.py``, and the PDF's chapter, practice,
fact sheet and references templates inside ``templates/web/``'s page frame.
Links between pages are relative (``practice.html#fig-2``), so the folder can
be served from any path or opened from disk; no page needs JavaScript.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from html import escape, unescape
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from markupsafe import Markup

from ..content.load import all_sources
from ..content.model import Edition, Guide
from ..render import body, i18n
from ..render.html import ChapterView, chapters_of, common_context, environment, render_template
from .assets import Assets, stylesheet, write_fonts

DESCRIPTION_CHARS = 160


@dataclass
class Page:
    file: str  # "index.html", "contents.html", "<chapter id>.html"
    title: str
    template: str
    chapter: ChapterView | None = None
    description: str = ""


def site_folder(output_dir: Path, edition: Edition) -> Path:
    return output_dir / edition.output


def build_site(guide: Guide, edition: Edition, editions: dict[str, Edition], output_dir: Path,
               site: Path) -> list[str]:  # fmt: skip
    """Write ``edition``'s site into the (empty) folder ``site``; gives the media it read.

    ``output_dir`` is where the other editions are (the links to the PDFs and to the other
    languages' sites are relative to the folder the site will be moved to).
    """
    root, lang = guide.root, edition.lang
    assets = Assets(root, site)
    shown = replace(edition, notes="chapter")  # notes gathered at the end of each page, with back links
    page = common_context(guide, shown)
    gettext = i18n.translations(root, lang).gettext
    selected = chapters_of(guide, shown)
    context = body.RenderContext(
        lang=lang,
        notes="chapter",
        figures=body.number_figures([chapter for _, chapter in selected]),
        words=lambda key: gettext(i18n.BODY_WORDS[key]),
        number=page["fmt"].number,
        image_url=assets.image_url,
        content_dir=root / "content",
        colours=page["colours"],
    )
    views = []
    for section, chapter in selected:
        number = guide.practices.index(chapter.id) + 1 if chapter.type == "practice" else None
        rendered = body.render(chapter, context)
        views.append(ChapterView(chapter, section, number, Markup(rendered.html), rendered.notes))
    pages = [
        Page("index.html", page["title"], "web/index.html", description=page["subtitle"]),
        Page("contents.html", gettext("Contents"), "web/contents.html", description=page["subtitle"]),
    ]
    for view in views:
        lead = view.factsheet.key_lesson if view.factsheet else _text_of_first_paragraph(view.html)
        pages.append(Page(f"{view.id}.html", view.title, "web/chapter.html", view, lead or page["subtitle"]))
    here = site_folder(output_dir, edition)
    page.update(
        chapters=views,
        sources=all_sources([view.chapter for view in views]),
        pages=pages,
        lead=Markup(_first_paragraph(views[0].html)) if views else "",
        downloads=_downloads(edition, editions, output_dir, here),
        first=pages[2] if len(pages) > 2 else None,
        site_url=edition.site_url,
    )
    env = environment(root, lang)
    texts: dict[str, str] = {}
    for index, item in enumerate(pages):
        page.update(
            page=item,
            chapter=item.chapter,
            prev=pages[index - 1] if index > 0 else None,
            next=pages[index + 1] if index + 1 < len(pages) else None,
            translations=_translations(guide, edition, editions, item, output_dir, here),
        )
        texts[item.file] = render_template(env, item.template, page)
    texts = _link_across_pages(texts)
    for name, text in texts.items():
        (site / name).write_text(assets.responsive(text), encoding="utf-8")
    (site / "style.css").write_text(stylesheet(root), encoding="utf-8")
    (site / "sitemap.xml").write_text(_sitemap(guide, edition, editions, pages, output_dir, here), encoding="utf-8")
    write_fonts(root, site)
    return sorted(set(assets.used))


def web_editions(editions: dict[str, Edition]) -> list[Edition]:
    return [edition for edition in editions.values() if edition.is_web]


def _counterpart(edition: Edition, editions: dict[str, Edition], lang: str, page: Page) -> Edition | None:
    """The web edition in ``lang`` that has ``page``: the one with the same selection first."""
    found = [other for other in web_editions(editions) if other.lang == lang]
    found.sort(key=lambda other: (other.practices != edition.practices, other.extra_front != edition.extra_front))
    for other in found:
        if page.chapter is None or page.chapter.id in other.chapters:
            return other
    return None


def _translations(guide: Guide, edition: Edition, editions: dict[str, Edition], page: Page, output_dir: Path,
                  here: Path) -> list[dict[str, str]]:  # fmt: skip
    """The same page in the other languages: (lang, name in that language, relative href)."""
    found = []
    for lang in guide.languages:
        if lang == edition.lang:
            continue
        other = _counterpart(edition, editions, lang, page)
        if other is not None:
            href = os.path.relpath(site_folder(output_dir, other) / page.file, here).replace(os.sep, "/")
            found.append({"lang": lang, "name": i18n.Formatter(lang).language(lang), "href": href})
    return found


def _downloads(edition: Edition, editions: dict[str, Edition], output_dir: Path, here: Path) -> list[dict[str, Any]]:
    """The PDF editions of the same language, relative to the site folder."""
    found = []
    for other in editions.values():
        if other.is_web or other.lang != edition.lang:
            continue
        href = os.path.relpath(output_dir / other.output, here).replace(os.sep, "/")
        found.append({"edition": other, "href": href, "print": other.profile == "print"})
    return sorted(found, key=lambda item: item["print"])


IDS = re.compile(r'\sid="([^"]+)"')
LOCAL_HREF = re.compile(r'href="#([^"]*)"')


def _link_across_pages(texts: dict[str, str]) -> dict[str, str]:
    """``href="#x"`` to an id on another page becomes ``href="page.html#x"`` (cross-references,
    the contents, links to the references)."""
    owner: dict[str, str] = {}
    ids = {name: set(IDS.findall(text)) for name, text in texts.items()}
    for name, found in ids.items():
        for anchor in found:
            owner.setdefault(anchor, name)

    def fixed(name: str, text: str) -> str:
        def link(match: re.Match[str]) -> str:
            anchor = unescape(match.group(1))
            if anchor in ids[name] or anchor not in owner:
                return match.group(0)
            return f'href="{owner[anchor]}#{escape(anchor)}"'

        return LOCAL_HREF.sub(link, text)

    return {name: fixed(name, text) for name, text in texts.items()}


PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
NOTE_CALL = re.compile(r'<a class="noteref[^"]*"[^>]*>.*?</a>', re.S)


def _first_paragraph(html: str) -> str:
    match = PARAGRAPH.search(html)
    return NOTE_CALL.sub("", match.group(1)).strip() if match else ""


def _text_of_first_paragraph(html: str) -> str:
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", _first_paragraph(html))).split())
    if len(text) <= DESCRIPTION_CHARS:
        return text
    return text[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _sitemap(guide: Guide, edition: Edition, editions: dict[str, Edition], pages: list[Page], output_dir: Path,
             here: Path) -> str:  # fmt: skip
    """Every page, with its translations; absolute addresses when the edition has a ``site_url``."""
    base = edition.site_url or ""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"',
        '        xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for page in pages:
        lines.append(f"  <url><loc>{escape(base + page.file)}</loc>")
        for other in _translations(guide, edition, editions, page, output_dir, here):
            target = _counterpart(edition, editions, other["lang"], page)
            address = (target.site_url + page.file) if target and target.site_url and base else other["href"]
            lines.append(
                f'    <xhtml:link rel="alternate" hreflang={quoteattr(other["lang"])} href={quoteattr(address)}/>'
            )
        lines.append(f"    <lastmod>{guide.published.isoformat()}</lastmod></url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
