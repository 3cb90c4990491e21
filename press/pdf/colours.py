"""Colours at layout and in the book: stand-ins laid out, real colours painted in at assembly.

Colour changes no line or page break, so an edition's parts are laid out
with a stand-in for every colour token (``sentinel``), a colour no one
writes, numbered by the declaration's place in the stylesheets. A part's
layout then depends on where colours go, not on which they are: a
designer's colour change costs an assembly, not a layout, and an edition
that differs from its parent only in its accent lays out the same parts.
``paint`` puts the real colours into the assembled book, in the operators
WeasyPrint writes for them (the same numbers, formatted as pydyf formats
them), in every content stream and in colour arrays (gradients).

Only opaque sRGB (hex, ``rgb()``, ``hsl()``, names) and ``device-cmyk()``
tokens get stand-ins; any other value (``var()``, transparency, Lab) is
laid out as written, and its changes lay out again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from tinycss2.color5 import parse_color

from .. import sandbox
from ..content.model import Edition
from ..errors import Problem, RenderError
from ..render.palette import TOKEN_RE
from .pagesetup import edition_css

SLOTS = 999  # stand-ins numbered 1..999: more colour tokens than that are written as they are
SIGNATURE = ("0.000456", "0.000789")  # the second and third component of every stand-in
CMYK_SIGNATURE = "0.000321"  # and the fourth of a CMYK one
_RGB_FAMILY = ("srgb", "hsl", "hwb")  # what WeasyPrint writes as an RGB colour


def sentinel(slot: int, cmyk: bool) -> str:
    """The stand-in colour of ``slot`` (1-based), as CSS: components WeasyPrint writes unchanged."""
    first = f"0.{slot:03d}123"
    if cmyk:
        return f"device-cmyk({first} {SIGNATURE[0]} {SIGNATURE[1]} {CMYK_SIGNATURE})"
    return f"color(srgb {first} {SIGNATURE[0]} {SIGNATURE[1]})"


def _colour_kind(value: str) -> str | None:
    """ "rgb" or "cmyk" for an opaque colour a stand-in can take the place of, else None."""
    colour = parse_color(value)
    if colour is None or isinstance(colour, str) or colour.alpha != 1:
        return None
    if colour.space in _RGB_FAMILY:
        return "rgb"
    return "cmyk" if colour.space == "device-cmyk" else None


@dataclass(frozen=True)
class Masked:
    """An edition's stylesheets as its parts are laid out, every colour token a stand-in."""

    sheets: tuple[tuple[str, str], ...]  # (file name in styles/, text), in cascade order
    edition_rules: str  # what the edition adds (``pagesetup.edition_css``), its accent a stand-in
    colours: dict[str, str]  # the palette at layout, for the SVG drawn in Python and templates
    real: tuple[str, ...]  # the colour each stand-in stands for (slot n: real[n - 1]), as CSS


def masked(root: Path, edition: Edition, names: tuple[str, ...]) -> Masked:
    """The stylesheets ``names`` (in styles/) with stand-ins for their colour tokens, and the
    edition's rules (paper, profile, accent). Stand-ins are numbered by the place of each
    declaration, so the text, and the layout key made from it, is the same whatever the colours."""
    styles = root / "styles"
    real: list[str] = []
    sheets: list[tuple[str, str]] = []
    palettes: dict[str, dict[str, tuple[str, str]]] = {}  # file → its tokens: (as written, as laid out)

    def stand_in(value: str) -> str:
        kind = _colour_kind(value)
        if kind is None or len(real) >= SLOTS:
            return value
        real.append(value)
        return sentinel(len(real), kind == "cmyk")

    for name in names:
        text = sandbox.read_text(root, styles / name)
        visible = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
        pieces, tokens, end = [], {}, 0
        for match in TOKEN_RE.finditer(visible):
            start, stop = match.span(2)
            value = visible[start:stop].strip()  # as render.palette reads it: comments left out
            laid = stand_in(value)
            tokens[match.group(1)] = (value, laid)
            pieces += [text[end:start], text[start:stop].replace(value, laid, 1)]
            end = stop
        sheets.append((name, "".join(pieces) + text[end:]))
        palettes[name] = tokens
    # The palette as ``render.palette`` makes it (tokens.css, then the profile's), as laid out.
    tokens = {**palettes.get("tokens.css", {}), **palettes.get(f"{edition.profile}.css", {})}
    colours = {name: laid for name, (_, laid) in tokens.items()}
    # Every edition states its accent, its own or the profile's: editions that differ only in it
    # then lay out with the same rules.
    accent = edition.accent or (tokens["accent"][0] if "accent" in tokens else None)
    if accent is not None and _colour_kind(accent) is not None:
        colours["accent"] = stand_in(accent)
        rules = edition_css(edition, colours["accent"])
    else:
        rules = edition_css(edition)
    return Masked(tuple(sheets), rules, colours, tuple(real))


_CSS_STAND_IN = re.compile(
    r"(?:color\(\s*srgb|device-cmyk\()\s*0\.(\d{3})123\s+0\.000456\s+0\.000789(?:\s+0\.000321)?\s*\)"
)


def unmasked(text: str, real: tuple[str, ...]) -> str:
    """``text`` (a message of WeasyPrint's, which quotes values) with the real colours in place of
    their stand-ins: a person is told of the colour they wrote."""
    return _CSS_STAND_IN.sub(lambda m: real[int(m[1]) - 1] if int(m[1]) <= len(real) else m[0], text)


# --------------------------------------------------------------------------- the real colours

_STAND_IN = re.compile(
    rb"(?<![\d.])0\.(\d{3})123 " + " ".join(SIGNATURE).replace(".", r"\.").encode()
    + rb"(?: " + CMYK_SIGNATURE.replace(".", r"\.").encode() + rb")?(?![\d.])"
)  # fmt: skip
_LEFT = " ".join(SIGNATURE).encode()


class Unpainted(RenderError):
    """A stand-in colour the book kept: written where ``paint`` does not look (a press bug)."""


def components(value: str) -> tuple[float, ...]:
    """The numbers WeasyPrint writes for a colour (``pdf/stream.py``, ``set_color``)."""
    colour = parse_color(value)
    assert colour is not None and not isinstance(colour, str), value
    if colour.space == "device-cmyk":
        return tuple(float(c) for c in colour.coordinates)
    return tuple(float(c) for c in colour.to("srgb").coordinates)


def paint(pdf: pikepdf.Pdf, real: tuple[str, ...]) -> None:
    """Put the real colours (``Masked.real``) in place of their stand-ins, in every content stream
    of the book (pages, forms, tiling patterns) and the colour arrays of its shadings."""
    if not real:
        return
    from pydyf import _to_bytes  # how WeasyPrint's PDF writer formats numbers

    numbers = [components(value) for value in real]
    operands = [b" ".join(_to_bytes(n) for n in values) for values in numbers]
    seen: set[tuple[int, int]] = set()

    def first(objgen: tuple[int, int]) -> bool:
        if objgen == (0, 0):  # a direct object: reached once, through its holder
            return True
        if objgen in seen:
            return False
        seen.add(objgen)
        return True

    def content(stream: Any) -> None:
        if not first(stream.objgen):
            return
        data = stream.read_bytes()
        if _LEFT not in data:
            return
        data = _STAND_IN.sub(lambda match: operands[int(match[1]) - 1], data)
        if _LEFT in data:
            raise Unpainted([Problem(None, None, "a colour of the book could not be painted in", BUG)])
        stream.write(data)

    def array(values: Any) -> Any:
        if len(values) in (3, 4) and [f"{float(v):f}" for v in values[1:3]] == list(SIGNATURE):
            return pikepdf.Array(numbers[round((float(values[0]) - 0.000123) * 1000) - 1])
        return values

    def function(item: Any) -> None:
        if isinstance(item, pikepdf.Array):
            for one in item:
                function(one)
            return
        if not isinstance(item, pikepdf.Dictionary | pikepdf.Stream) or not first(item.objgen):
            return
        for key in ("/C0", "/C1"):
            if key in item:
                item[key] = array(item[key])
        if "/Functions" in item:
            function(item.Functions)

    def resources(held: Any) -> None:
        if not isinstance(held, pikepdf.Dictionary) or not first(held.objgen):
            return
        for xobject in held.get("/XObject", pikepdf.Dictionary()).values():
            if xobject.get("/Subtype") == pikepdf.Name.Form:
                content(xobject)
                resources(xobject.get("/Resources"))
        for pattern in held.get("/Pattern", pikepdf.Dictionary()).values():
            if isinstance(pattern, pikepdf.Stream):  # a tiling pattern draws
                content(pattern)
                resources(pattern.get("/Resources"))
            elif "/Shading" in pattern:
                function(pattern.Shading.get("/Function"))
        for shading in held.get("/Shading", pikepdf.Dictionary()).values():
            function(shading.get("/Function"))

    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents] if contents else []:
            content(stream)
        resources(page.obj.get("/Resources"))


BUG = "a stand-in colour reached the book where it is not painted; report it with the stylesheets"
