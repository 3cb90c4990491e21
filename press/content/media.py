"""Media files are checked before anything decodes them for real.

Every image a chapter cites, every image the renderer fetches (CSS
``url()``, an image inside an SVG) and every icon is checked here first:

* it is read through the sandbox (a regular file inside the project), at
  most ``MAX_IMAGE_BYTES``;
* a raster image is a real image of the type its name says (``.png`` holds a
  PNG), at most ``MAX_PIXELS`` (decompression bombs), and decodes to the end
  (a truncated JPEG is refused, not printed half grey);
* an SVG is well-formed XML without a DTD or entities (no billion laughs, no
  external entities), at most ``MAX_SVG_BYTES``, ``MAX_SVG_DEPTH`` levels deep,
  and ``<use>`` elements may only repeat elements of the same file, with the
  drawing they expand to at most ``MAX_SVG_NODES`` elements.

A file that passed is remembered by its SHA-256 in ``.cache/checked/``, so
a photo is decoded for checking once, not at every build.
"""

from __future__ import annotations

import hashlib
import warnings
from io import BytesIO
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from PIL import Image, UnidentifiedImageError

from .. import sandbox

MAX_IMAGE_BYTES = 32 * 1024 * 1024
MAX_PIXELS = 60_000_000  # 60 megapixels: a 9000 × 6600 photo
MAX_SVG_BYTES = 4 * 1024 * 1024
MAX_SVG_DEPTH = 64
MAX_SVG_NODES = 50_000
RASTER = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".webp": "WEBP"}
SUFFIXES = (*RASTER, ".svg")
CHECKED = Path(".cache") / "checked"
VERSION = "1"  # bump when the checks change
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


class MediaError(sandbox.Refused):
    """A media file that is not what it must be."""


def is_media(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def read_checked(root: Path, path: Path) -> bytes:
    """The bytes of the media file ``path``, once they passed every check."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise MediaError(path, f"is not of a supported image type ({suffix or 'no extension'})",
                         "use " + ", ".join(SUFFIXES))  # fmt: skip
    data = sandbox.read_bytes(root, path, MAX_SVG_BYTES if suffix == ".svg" else MAX_IMAGE_BYTES)
    digest = hashlib.sha256(data + VERSION.encode()).hexdigest()
    marker = root / CHECKED / digest
    if marker.is_file():
        return data
    problem = svg_problem(data) if suffix == ".svg" else raster_problem(data, RASTER[suffix])
    if problem:
        raise MediaError(path, problem[0], problem[1])
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    return data


def raster_problem(data: bytes, expected: str) -> tuple[str, str] | None:
    """What is wrong with the raster image ``data`` named as an ``expected`` file, if anything."""
    try:
        with Image.open(BytesIO(data)) as image:
            found = image.format
            width, height = image.size
            if found != expected:
                return (f"is a {found} image, not the {expected} its name says",
                        f"rename it to .{(found or 'png').lower().replace('jpeg', 'jpg')}")  # fmt: skip
            if width * height > MAX_PIXELS:
                return (f"is {width} × {height} pixels, more than the limit of {MAX_PIXELS // 1_000_000} megapixels",
                        "scale it down")  # fmt: skip
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Pillow's own bomb warnings: the cap above decides
                image.load()
    except UnidentifiedImageError:
        return (f"is not a {expected} image (nor any image Pillow knows)", "export it again as an image")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        return (f"is damaged or truncated ({error})", "export it again")
    return None


def svg_problem(data: bytes) -> tuple[str, str] | None:
    """What is wrong with the SVG ``data``, if anything."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return ("declares a DTD or entities, which an SVG image may not", "export it again without a DOCTYPE")
    except ParseError as error:
        return (f"is not well-formed XML ({error})", "export it again")
    if not isinstance(root.tag, str) or root.tag.rsplit("}", 1)[-1] != "svg":
        return ("is not an SVG image (its root element is not <svg>)", "export it again as SVG")
    if _depth(root) > MAX_SVG_DEPTH:
        return (f"nests elements more than {MAX_SVG_DEPTH} levels deep", "simplify it")
    return _use_problem(root)


def _depth(root: Element) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_SVG_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in element)
    return deepest


def _use_problem(root: Element) -> tuple[str, str] | None:
    """``<use>`` only of this file's elements, without cycles, expanding to a bounded drawing."""
    ids = {str(e.get("id")): e for e in root.iter() if e.get("id")}
    sizes: dict[str, int] = {}
    active: set[str] = set()

    def size(element: Element, level: int = 1) -> int:  # elements drawn, with <use> expanded
        if level > MAX_SVG_DEPTH * 4:  # elements and <use> together; keeps far from Python's recursion limit
            raise _Bad(f"nests elements and <use> more than {MAX_SVG_DEPTH * 4} levels deep", "simplify it")
        total = 1 + sum(size(child, level + 1) for child in element)
        if str(element.tag).rsplit("}", 1)[-1] == "use":
            href = str(element.get("href") or element.get(XLINK_HREF) or "")
            if not href.startswith("#"):
                raise _Bad(f"<use> refers to {href!r}; it may only repeat an element of the same file",
                           "copy the element into this file")  # fmt: skip
            name = href[1:]
            if name in active:
                raise _Bad(f"<use> of '#{name}' repeats itself", "remove the loop")
            if name in ids:
                if name not in sizes:
                    active.add(name)
                    sizes[name] = size(ids[name], level + 1)
                    active.discard(name)
                total += sizes[name]
        if total > MAX_SVG_NODES:
            raise _Bad(f"expands to more than {MAX_SVG_NODES} elements through <use>", "simplify it")
        return total

    try:
        size(root)
    except _Bad as bad:
        return (bad.message, bad.hint)
    return None


class _Bad(Exception):
    def __init__(self, message: str, hint: str) -> None:
        self.message, self.hint = message, hint
