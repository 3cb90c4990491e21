"""Stage 3: languages through Babel — template words, numbers, dates, names.

Template words live in gettext catalogs, ``locales/<lang>/LC_MESSAGES/messages.po``.
The build compiles them in memory (compiled ``.mo`` files are build products,
never committed). Numbers, dates, percentages, territory and language names
come from Babel's CLDR data in the edition's locale, never from hand-written
tables or ``locale.setlocale``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from ..errors import ContentError, Problem


def N_(message: str) -> str:
    """Mark a word for extraction; it is translated where it is used."""
    return message


# Words the Markdown renderer needs (the templates mark their own with _()).
BODY_WORDS = {
    "figure": N_("Figure"),
    "figure-ref": N_("figure"),
    "page-abbr": N_("p."),
    "part:context": N_("Context of implementation"),
    "part:challenges": N_("Challenges"),
    "part:lessons": N_("Lessons learned"),
    "part:recommendations": N_("Recommendations for replication"),
}


def catalog_path(root: Path, lang: str) -> Path:
    return root / "locales" / lang / "LC_MESSAGES" / "messages.po"


def _stamp(path: Path) -> tuple[int, int]:
    """Size and modification time: a process that builds again sees an edited catalog."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)


def read_catalog(path: Path) -> Catalog:
    return _read_catalog(path, _stamp(path))


@cache
def _read_catalog(path: Path, stamp: tuple[int, int]) -> Catalog:
    try:
        with path.open("rb") as handle:
            return read_po(handle)
    except FileNotFoundError:
        raise ContentError([Problem(path, None, "message catalog not found",
                                    "run: python build.py i18n init --lang LANG")]) from None  # fmt: skip


def translations(root: Path, lang: str) -> Translations:
    """The catalog of ``lang`` compiled in memory (fuzzy entries are left out)."""
    path = catalog_path(root, lang)
    return _translations(path, _stamp(path))


@cache
def _translations(path: Path, stamp: tuple[int, int]) -> Translations:
    buffer = BytesIO()
    write_mo(buffer, read_catalog(path), use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


@dataclass(frozen=True)
class Formatter:
    """Locale-aware formatting for one edition language."""

    lang: str

    @property
    def locale(self) -> Locale:
        return _locale(self.lang)

    def number(self, value: float, fmt: str = "decimal") -> str:
        if fmt == "percent":
            return format_percent(value, locale=self.locale)
        if fmt == "integer":
            return format_decimal(round(value), locale=self.locale)
        return format_decimal(value, locale=self.locale)

    def date(self, value: date, fmt: str = "long") -> str:
        return format_date(value, format=fmt, locale=self.locale)

    def country(self, code: str) -> str:
        return self.locale.territories.get(code, code)

    def countries(self, codes: tuple[str, ...]) -> str:
        return self.join([self.country(code) for code in codes])

    def language(self, code: str) -> str:
        name = self.locale.languages.get(code, code)
        return name[:1].upper() + name[1:]

    def join(self, items: list[str]) -> str:
        from babel.lists import format_list

        return format_list(items, locale=self.locale) if items else ""


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)
