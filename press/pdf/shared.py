"""Fonts and colour profiles that every part of an edition embeds: named in parts, put in once.

Every part of an edition embeds the same trimmed fonts and, for print, the
same CMYK output profile. WeasyPrint would compress them again for each
part (at zlib level 9: a third of a print part's time) and the cache would
hold a copy per part. So while a part is written (``writing``), a
font or profile is replaced by a few bytes naming its SHA-256, and
assembly (``restore``) puts the real data in, once, checked against that
SHA-256. Fonts are also kept whole: they are already trimmed
(``fonts.py``); WeasyPrint still writes widths and the Unicode map of
exactly the glyphs used.

This replaces two members of WeasyPrint's classes while a PDF is written
(``pyproject.toml`` pins the versions they are known to work with; the
tests check the fonts and output intents of finished PDFs).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pikepdf

from .. import sandbox
from .fonts import FontSet

FONT = b"PRESS-FONT "
PROFILE = b"PRESS-ICC "


class SharedChanged(Exception):
    """A part names a font or profile that is no longer what it was (the build is run again)."""


@contextmanager
def writing(fonts: FontSet | None, placeholders: bool) -> Iterator[None]:
    """Fonts embedded whole; with ``placeholders``, fonts and profiles named, not embedded."""
    from weasyprint.css import ColorProfile
    from weasyprint.pdf import fonts as weasyprint_fonts

    by_content = {}
    if fonts is not None and placeholders:
        by_content = {f.sha256: f for f in fonts.fonts}

    def keep(self: Any, to_unicode: Any, hinting: Any) -> None:
        trimmed = by_content.get(hashlib.sha256(self.file_content).hexdigest()) if by_content else None
        if trimmed is not None:  # keeps the first four bytes: WeasyPrint tells OpenType from TrueType by them
            self.file_content = self.file_content[:4] + FONT + trimmed.sha256.encode()

    def named(self: Any) -> bytes:
        """The profile file as shipped, named (WeasyPrint would embed a re-serialised copy,
        twice the size and not always the same bytes)."""
        parts = urlsplit(str(self.src))
        path = Path(unquote(parts.path)) if parts.scheme == "file" else None
        if path is None or not path.is_file():
            return bytes(original_content.fget(self))
        return PROFILE + hashlib.sha256(path.read_bytes()).hexdigest().encode()

    original_subset = weasyprint_fonts.Font.subset
    original_content = ColorProfile.content
    weasyprint_fonts.Font.subset = keep  # type: ignore[method-assign]
    if placeholders:
        ColorProfile.content = property(named)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        weasyprint_fonts.Font.subset = original_subset  # type: ignore[method-assign]
        ColorProfile.content = original_content  # type: ignore[method-assign]


def restore(pdf: pikepdf.Pdf, fonts: FontSet | None, root: Path) -> None:
    """Put the real fonts and profiles where the parts named them."""
    profiles: dict[str, bytes] | None = None
    for stream in _streams(pdf):
        data = stream.read_bytes()
        if data[4 : 4 + len(FONT)] == FONT and fonts is not None:
            real = _font(data[4 + len(FONT) :].decode(), fonts)
            stream.write(real)
            if "/Length1" in stream:
                stream.Length1 = len(real)
        elif data.startswith(PROFILE):
            profiles = profiles if profiles is not None else _profiles(root)
            digest = data[len(PROFILE) :].decode()
            if digest not in profiles:
                raise SharedChanged(digest)
            stream.write(profiles[digest])


def _font(digest: str, fonts: FontSet) -> bytes:
    for font in fonts.fonts:
        if font.sha256 == digest:
            content = font.path.read_bytes()
            if hashlib.sha256(content).hexdigest() == digest:
                return content
    raise SharedChanged(digest)


def _profiles(root: Path) -> dict[str, bytes]:
    """Every ICC profile file in styles/, by its SHA-256."""
    found = {}
    for path in sorted((root / "styles").rglob("*.ic[cm]")):
        if path.is_file() and not path.is_symlink():
            content = sandbox.read_bytes(root, path)
            found[hashlib.sha256(content).hexdigest()] = content
    return found


def _streams(pdf: pikepdf.Pdf) -> list[Any]:
    """Font files, colour-space profiles and output-intent profiles, once each."""
    found: dict[tuple[int, int], Any] = {}
    for page in pdf.pages:
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        for font in resources.get("/Font", pikepdf.Dictionary()).values():
            for descendant in font.get("/DescendantFonts", pikepdf.Array([font])):
                descriptor = descendant.get("/FontDescriptor", pikepdf.Dictionary())
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        found[descriptor[key].objgen] = descriptor[key]
        spaces: Any = resources.get("/ColorSpace", pikepdf.Dictionary())
        for space in spaces.values():
            if isinstance(space, pikepdf.Array) and len(space) == 2 and space[0] == pikepdf.Name.ICCBased:
                found[space[1].objgen] = space[1]
    intents = pdf.Root.get("/OutputIntents")
    for intent in intents if isinstance(intents, pikepdf.Array) else []:
        if "/DestOutputProfile" in intent:
            found[intent.DestOutputProfile.objgen] = intent.DestOutputProfile
    return list(found.values())
