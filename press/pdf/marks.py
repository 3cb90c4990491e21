"""Crop marks for print, outside the bleed, in registration colour.

WeasyPrint draws ``marks: crop`` inside the bleed area and in RGB black; a
printer wants them outside the bleed (so trimming never shows them and
backgrounds never cover them) and in registration colour (100 % of every
separation). So print PDFs are finished here: the MediaBox grows by a slug
around the BleedBox and the marks are drawn there in DeviceCMYK. TrimBox and
BleedBox are left as WeasyPrint set them.
"""

from __future__ import annotations

import hashlib
from io import BytesIO

import pikepdf

MM = 72 / 25.4
SLUG_MM = 9.0  # room for the marks outside the trim: 3 mm offset + 5 mm marks + margin
OFFSET_MM = 3.0  # marks start this far from the trim, at the bleed edge
LENGTH_MM = 5.0


def crop_marks(trim: tuple[float, float, float, float]) -> bytes:
    """Content-stream operators drawing the eight marks around ``trim`` (left, bottom, right, top)."""
    left, bottom, right, top = trim
    offset, length = OFFSET_MM * MM, LENGTH_MM * MM
    lines = []
    for x in (left, right):
        for y, direction in ((bottom, -1), (top, 1)):
            # vertical mark above/below the corner, horizontal mark beside it
            lines.append((x, y + direction * offset, x, y + direction * (offset + length)))
            side = -1 if x == left else 1
            lines.append((x + side * offset, y, x + side * (offset + length), y))
    ops = ["q", "1 1 1 1 K", "0.25 w"]
    ops += [f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S" for x1, y1, x2, y2 in lines]
    ops.append("Q")
    return "\n".join(ops).encode()


def add_crop_marks(pdf: pikepdf.Pdf) -> None:
    """Grow every page's MediaBox (and CropBox) by the slug around its TrimBox and
    draw the marks there, in an extra content stream; ``pdf`` is changed in place."""
    slug = SLUG_MM * MM
    for page in pdf.pages:
        left, bottom, right, top = (float(v) for v in page.trimbox)
        media = [left - slug, bottom - slug, right + slug, top + slug]
        page.obj.MediaBox = pikepdf.Array(media)
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [] if contents is None else [contents]
        marks = pikepdf.Stream(pdf, crop_marks((left, bottom, right, top)))
        page.obj.Contents = pikepdf.Array([*streams, marks])
        page.obj.CropBox = pikepdf.Array(media)
    _merge_identical_objects(pdf)  # the marks of same-sized pages, and the ICC profile and fonts, once


def add_crop_marks_bytes(data: bytes) -> bytes:
    """``add_crop_marks`` on PDF bytes, for callers that have no ``pikepdf.Pdf``."""
    with pikepdf.open(BytesIO(data)) as pdf:
        add_crop_marks(pdf)
        return to_bytes(pdf)


def to_bytes(pdf: pikepdf.Pdf) -> bytes:
    """The finished PDF's bytes: the same document gives the same bytes (its /ID
    derives from the content), and the XMP metadata stays as WeasyPrint wrote it."""
    output = BytesIO()
    # fix_metadata_version would re-serialise the XMP packet on every save
    pdf.save(
        output,
        deterministic_id=True,
        fix_metadata_version=False,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,  # the structure tree's many small objects
    )
    return output.getvalue()


def _merge_identical_objects(pdf: pikepdf.Pdf) -> None:
    """Refer to each set of identical objects by its first one (one pass, as pypdf's
    ``compress_identical_objects`` did); the others are then no longer written."""
    first: dict[bytes, pikepdf.Object] = {}
    duplicates: dict[tuple[int, int], pikepdf.Object] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Object) or not obj.is_indirect:
            continue  # a free entry, or an indirect number or name, converted to Python
        key = _content_key(obj)
        if key in first:
            duplicates[obj.objgen] = first[key]
        else:
            first[key] = obj
    if duplicates:
        for obj in [*pdf.objects, pdf.trailer]:
            if isinstance(obj, pikepdf.Object):
                _redirect(obj, duplicates)


def _content_key(obj: pikepdf.Object) -> bytes:
    if isinstance(obj, pikepdf.Stream):
        # without /Length: it follows from the data, and may be an indirect number
        head = pikepdf.Dictionary({key: value for key, value in obj.stream_dict.items() if key != "/Length"})
        return hashlib.sha256(b"stream" + head.unparse(resolved=True) + b"\n" + obj.read_raw_bytes()).digest()
    return hashlib.sha256(b"object" + obj.unparse(resolved=True)).digest()


def _redirect(obj: pikepdf.Object, duplicates: dict[tuple[int, int], pikepdf.Object]) -> None:
    """Point every reference to a duplicate, in ``obj`` and the direct objects it holds, at its original."""
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        entries: list[tuple[str | int, object]] = [(key, obj[key]) for key in obj.keys()]  # noqa: SIM118
    elif isinstance(obj, pikepdf.Array):
        entries = list(enumerate(obj))
    else:
        return
    for key, value in entries:
        if not isinstance(value, pikepdf.Object):
            continue  # numbers and booleans come as Python values
        if value.is_indirect:
            original = duplicates.get(value.objgen)
            if original is not None:
                obj[key] = original
        else:
            _redirect(value, duplicates)
