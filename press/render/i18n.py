"""Stage 3: languages through Babel — template words, numbers, dates, names.

Template words live in gettext catalogs, ``locales/<lang>/LC_MESSAGES/messages.po``.
The build compiles them in memory (compiled ``.mo`` files are build products,
never committed). Numbers, dates, percentages, territory and language names
come from Babel's CLDR data in the edition's locale, never from hand-written
tables or ``locale.setlocale``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from io import BytesIO, StringIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from ..content import text as hygiene
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


BAD_PLURAL_RE = re.compile(r"^[ \t]*(#~[ \t]*)?msgstr\[(?!\d+\])", re.M)
PO_HINT = 'each entry is a msgid "…" line, then msgstr "…" (or msgstr[N] "…" for plurals)'


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
    return open_catalog(path)


def open_catalog(path: Path, locale: str | None = None) -> Catalog:
    """Read a .po file through the text check; a malformed entry is an error at its line."""
    if not path.exists():
        raise ContentError([Problem(path, None, "message catalog not found",
                                    "run: python build.py i18n init --lang LANG")])  # fmt: skip
    text = hygiene.read(path)
    try:
        return read_po(StringIO(text), locale=locale, abort_invalid=True)
    except PoFileError as error:
        message = f"invalid message catalog: {str(error.args[0]).rsplit(' on ', 1)[0]}"
        raise ContentError([Problem(path, error.lineno + 1, message, PO_HINT)]) from None
    except ValueError:  # Babel's parser fails on a bad msgstr[N] index, and gives no line
        bad = BAD_PLURAL_RE.search(text)
        line = text.count("\n", 0, bad.start()) + 1 if bad else None
        raise ContentError([Problem(path, line, "invalid message catalog: malformed msgstr[N]", PO_HINT)]) from None


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
