"""Passages in another language that are not marked as such: warnings for ``check``.

A screen reader reads a passage with the voice of its language only when the
passage says which it is (``[Kids in Need of Defense]{lang=en}``, a ``{lang=en}``
line before a block, ``lang: en`` on a source). What is cheap to detect is
reported, per chapter, with its line:

* organisation names of the fact sheets, in any chapter, that look like another
  language than the chapter's (by their small words: *of*, *in*, *de*, *do* …),
  wherever they appear in a chapter's text outside a marked passage;
* sentences of six words or more whose small words are another language's;
* titles of sources that look like another language and have no ``lang``.

A guess from small words is wrong at times; these are warnings, not errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from babel import Locale
from markdown_it.token import Token

from ..content.markdown import parse
from ..content.model import Chapter, Guide
from ..errors import Problem


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent short words that tell these languages apart (none is shared by two lists).
SMALL_WORDS = {
    "en": _words("the of and in to for with from by on at is are was were this that which who its their "
                 "children child rights need help"),
    "es": _words("el la los las del y en con para por una que se su sus es son niñez niños niñas derechos"),
    "pt": _words("o os as do da dos das e em com para por um uma que não são crianças direitos ao à"),
    "fr": _words("le les des du et au aux avec pour par une qui est sont enfants droits"),
}  # fmt: skip
# "en" appears in Spanish and French alike, "a" in three: such words are left out above.
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
SENTENCE = re.compile(r"(?<=[.!?;:])\s+")
MIN_WORDS = 6


def guess(text: str) -> str | None:
    """The language whose small words the text uses most, if clearly so; else None."""
    words = [w.lower() for w in WORD.findall(text)]
    scores = {lang: sum(w in small for w in words) for lang, small in SMALL_WORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    (best, score), (_, second) = ranked[0], ranked[1]
    if score >= 2 and score >= 2 * second + 1:
        return best
    return None


def warnings(guide: Guide) -> list[Problem]:
    """Unmarked passages in another language, for every chapter of every language."""
    chapters = [chapter for by_id in guide.chapters.values() for chapter in by_id.values()]
    names = {name for chapter in chapters if chapter.factsheet for name in chapter.factsheet.organisations}
    found: list[Problem] = []
    for chapter in chapters:
        foreign = {name: lang for name in names if (lang := guess(name)) and lang != chapter.lang}
        found += _chapter(chapter, foreign)
    return found


def _chapter(chapter: Chapter, foreign_names: dict[str, str]) -> list[Problem]:
    found: list[Problem] = []
    here = _language_name(chapter.lang)
    for source in chapter.sources:
        lang = guess(source.title)
        if lang and lang != chapter.lang and source.lang is None:
            found.append(Problem(chapter.path, source.line, f"the title of source {source.id!r} looks "
                                 f"{_language_name(lang)}", f"add 'lang: {lang}' to the source"))  # fmt: skip
    for line, text in _unmarked(chapter):
        reported = set()
        for name, lang in foreign_names.items():
            if name in text:
                reported.add(name)
                found.append(Problem(chapter.path, line, f"{name!r} looks {_language_name(lang)} "
                                     f"in a {here} chapter", f"mark it [{name}]{{lang={lang}}}"))  # fmt: skip
        for sentence in SENTENCE.split(text):
            if any(name in sentence for name in reported) or len(WORD.findall(sentence)) < MIN_WORDS:
                continue
            lang = guess(sentence)
            if lang and lang != chapter.lang:
                excerpt = sentence if len(sentence) <= 60 else sentence[:57] + "…"
                hint = f"mark it [...]{{lang={lang}}}, or a {{lang={lang}}} line before the block"
                found.append(Problem(chapter.path, line, f"{excerpt!r} looks {_language_name(lang)}", hint))
    return found


def _unmarked(chapter: Chapter) -> Iterator[tuple[int | None, str]]:
    """Each inline run's text outside passages marked with a language, with its file line."""
    open_blocks: list[bool] = []  # per open block: whether it has a lang attribute
    for token in parse(chapter):
        if token.nesting == 1:
            open_blocks.append("lang" in token.attrs)
        elif token.nesting == -1 and open_blocks:
            open_blocks.pop()
        if token.type != "inline" or any(open_blocks):
            continue
        line = chapter.body_line + token.map[0] if token.map else None
        yield line, "".join(_outside_spans(token.children or []))


def _outside_spans(children: list[Token]) -> Iterator[str]:
    depth = 0
    for child in children:
        if child.type == "span_open" and "lang" in child.attrs:
            depth += 1
        elif child.type == "span_close" and depth:
            depth -= 1
        elif child.type == "text" and not depth:
            yield child.content
        elif child.type in ("softbreak", "hardbreak") and not depth:
            yield " "


def _language_name(lang: str) -> str:
    """'English' for en (messages are in English, like every message of the press)."""
    try:
        return Locale.parse(lang).get_display_name("en") or lang
    except (ValueError, LookupError):
        return lang
