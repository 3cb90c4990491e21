"""Images prepared once per profile, cached, and checked at their printed size.

WeasyPrint embeds a JPEG as it is but decodes and re-encodes every PNG photo,
which made image handling the largest share of render time. So raster images
are checked (``content/media.py``: the sandbox, caps, real type) and prepared
before rendering, once per (source file, settings), into
``.cache/images/`` inside the project (where the sandboxed fetcher may read
them), and reused across editions and builds:

* screen: downsampled to at most ``SCREEN_MAX_PX`` on the long side and
  stored as JPEG (PNG kept only for images with transparency);
* print: the original file, at full resolution.

After layout, ``low_resolution`` lists every raster image printed below
``PRINT_MIN_DPI`` at its laid-out size, for print preflight.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image

from ..content import media

SCREEN_MAX_PX = 1600
SCREEN_JPEG_QUALITY = 82
PRINT_MIN_DPI = 300
CACHE = Path(".cache") / "images"
VERSION = "1"  # bump when the preparation changes, to invalidate the cache


@dataclass(frozen=True)
class Prepared:
    source: str  # the content reference, e.g. media/photo.png
    url: str  # what the HTML points at, relative to the project root


def prepare(root: Path, src: str, profile: str) -> Prepared:
    """The image file an edition of ``profile`` should embed for ``src``."""
    source = root / "content" / src
    data = media.read_checked(root, source)  # the sandbox and the checks, before anything decodes it
    if profile == "print" or source.suffix.lower() == ".svg":
        return Prepared(src, f"content/{src}")
    key = hashlib.sha256(data + f"{VERSION}:{SCREEN_MAX_PX}:{SCREEN_JPEG_QUALITY}".encode()).hexdigest()[:24]
    with Image.open(BytesIO(data)) as image:
        keep_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
        suffix = ".png" if keep_alpha else ".jpg"
        target = root / CACHE / f"{key}{suffix}"
        if not target.is_file():
            _write(image, target, keep_alpha)
    return Prepared(src, target.relative_to(root).as_posix())


def _write(image: Image.Image, target: Path, keep_alpha: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    picture = image.copy()
    picture.thumbnail((SCREEN_MAX_PX, SCREEN_MAX_PX), Image.Resampling.LANCZOS)
    handle, temporary = tempfile.mkstemp(suffix=target.suffix, dir=target.parent)
    os.close(handle)
    try:
        if keep_alpha:
            picture.save(temporary, "PNG", optimize=True)
        else:
            picture.convert("RGB").save(
                temporary, "JPEG", quality=SCREEN_JPEG_QUALITY, optimize=True, progressive=False
            )
        os.replace(temporary, target)  # another worker may have written it too: same bytes
    finally:
        Path(temporary).unlink(missing_ok=True)


def low_resolution(document: Any, minimum: int = PRINT_MIN_DPI) -> list[tuple[str, int]]:
    """(src, effective dpi) of every raster image printed below ``minimum`` dpi."""
    found: dict[str, int] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            image = getattr(box, "replacement", None)
            element = getattr(box, "element", None)
            if image is None or element is None or not hasattr(image, "width") or not box.width:
                continue
            dpi = round(image.width / (box.width / 96))  # CSS px are 1/96 in
            if dpi < minimum:
                src = str(element.get("src", "?"))
                found[src] = min(dpi, found.get(src, dpi))
    return sorted(found.items())
