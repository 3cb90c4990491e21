"""Crop marks for print, outside the bleed, in registration colour.

WeasyPrint draws ``marks: crop`` inside the bleed area and in RGB black; a
printer wants them outside the bleed (so trimming never shows them and
backgrounds never cover them) and in registration colour (100 % of every
separation). So print PDFs are finished here: the MediaBox grows by a slug
around the BleedBox and the marks are drawn there in DeviceCMYK. TrimBox and
BleedBox are left as WeasyPrint set them.
"""

from __future__ import annotations

import logging
from io import BytesIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject, RectangleObject

logging.getLogger("pypdf").setLevel(logging.ERROR)  # its notes on WeasyPrint's xref size are noise
MM = 72 / 25.4
SLUG_MM = 9.0  # room for the marks outside the trim: 3 mm offset + 5 mm marks + margin
OFFSET_MM = 3.0  # marks start this far from the trim, at the bleed edge
LENGTH_MM = 5.0


def crop_marks(trim: RectangleObject) -> bytes:
    """Content-stream operators drawing the eight marks around ``trim``."""
    left, bottom, right, top = (float(v) for v in (trim.left, trim.bottom, trim.right, trim.top))
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


def add_crop_marks(pdf: bytes) -> bytes:
    reader = PdfReader(BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    slug = SLUG_MM * MM
    for page in writer.pages:
        trim = page.trimbox
        media = RectangleObject([trim.left - slug, trim.bottom - slug, trim.right + slug, trim.top + slug])
        page[NameObject("/MediaBox")] = media
        stream = DecodedStreamObject()
        stream.set_data(crop_marks(trim))
        contents = page.get("/Contents")
        existing = contents.get_object() if contents is not None else None
        array = ArrayObject(existing if isinstance(existing, ArrayObject) else [contents])
        array.append(writer._add_object(stream))
        page[NameObject("/Contents")] = array
        page[NameObject("/CropBox")] = RectangleObject([FloatObject(v) for v in media])
    writer.compress_identical_objects()  # the ICC profile and fonts once
    output = BytesIO()
    writer.write(output)
    return output.getvalue()
