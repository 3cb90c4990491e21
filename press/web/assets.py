"""What a web edition serves besides its pages: images, fonts and one stylesheet.

* Images cited by chapters are read through ``media.read_checked`` (the
  sandbox and the checks, before anything decodes them) and resized with
  Pillow into ``media/``, at a few widths for ``srcset``; an SVG is copied
  as it is (it passed the SVG checks).
* Fonts are the copies the PDF build trims (``press/pdf/fonts.py``), under
  the shipped file names, so ``styles/fonts.css`` serves the web unchanged.
* ``style.css`` is ``fonts.css`` + ``tokens.css`` (the palette and type
  scale the PDF uses) + ``web.css`` (the web's own rules).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from PIL import Image

from .. import sandbox
from ..content import media
from ..pdf import fonts as font_prep

WIDTHS = (480, 960, 1600)  # srcset steps: phone, desktop column, high-density desktop
JPEG_QUALITY = 80
STYLESHEETS = ("fonts.css", "tokens.css", "web.css")
SIZES = "(min-width: 52rem) 46rem, calc(100vw - 2.5rem)"  # the text column of web.css


@dataclass(frozen=True)
class Picture:
    src: str  # relative to the site folder
    srcset: str
    width: int
    height: int


@dataclass
class Assets:
    """Writes a site's images once each, and remembers what it wrote."""

    root: Path
    site: Path
    pictures: dict[str, Picture] = field(default_factory=dict)  # by src in the site
    used: list[str] = field(default_factory=list)  # content references, e.g. media/photo.png

    def image_url(self, src: str) -> str:
        """The site URL of content image ``src`` (the ``image_url`` of body.RenderContext)."""
        self.used.append(src)
        source = self.root / "content" / src
        data = media.read_checked(self.root, source)
        key = hashlib.sha256(data).hexdigest()[:10]
        stem = re.sub(r"[^a-z0-9-]+", "-", source.stem.lower()).strip("-") or "image"
        if source.suffix.lower() == ".svg":
            name = f"media/{stem}-{key}.svg"
            _write(self.site / name, data)
            return name
        with Image.open(BytesIO(data)) as image:
            alpha = image.mode in ("RGBA", "LA", "P") and ("transparency" in image.info or image.mode != "P")
            suffix, kind = (".png", "PNG") if alpha else (".jpg", "JPEG")
            widths = [w for w in WIDTHS if w < image.width] + [min(image.width, WIDTHS[-1])]
            made: list[tuple[str, int, int]] = []
            for width in sorted(set(widths)):
                name = f"media/{stem}-{key}-{width}{suffix}"
                copy = image.copy()
                copy.thumbnail((width, width * image.height // max(image.width, 1) + 1), Image.Resampling.LANCZOS)
                buffer = BytesIO()
                if alpha:
                    copy.save(buffer, kind, optimize=True)
                else:
                    copy.convert("RGB").save(buffer, kind, quality=JPEG_QUALITY, optimize=True)
                _write(self.site / name, buffer.getvalue())
                made.append((name, copy.width, copy.height))
        middle = next((m for m in made if m[1] >= WIDTHS[1]), made[-1])
        srcset = ", ".join(f"{name} {width}w" for name, width, _ in made)
        self.pictures[middle[0]] = Picture(middle[0], srcset, middle[1], middle[2])
        return middle[0]

    def responsive(self, html: str) -> str:
        """``<img>`` of resized images given their ``srcset``, ``sizes``, intrinsic size and lazy loading."""

        def add(match: re.Match[str]) -> str:
            picture = self.pictures.get(match.group(1))
            if picture is None:
                return match.group(0)
            return (f'<img src="{picture.src}" srcset="{picture.srcset}" sizes="{SIZES}" width="{picture.width}" '
                    f'height="{picture.height}" loading="lazy" decoding="async"')  # fmt: skip

        return re.sub(r'<img src="(media/[^"]+)"', add, html)


def write_fonts(root: Path, site: Path) -> None:
    """The trimmed shipped fonts, under their shipped names in ``fonts/``."""
    for font in font_prep.prepare(root).fonts:
        _write(site / "fonts" / font.source.name, sandbox.read_bytes(root, font.path))


def stylesheet(root: Path) -> str:
    """The site's one stylesheet: the font faces, the shared tokens, the web's rules."""
    parts = []
    for name in STYLESHEETS:
        path = root / "styles" / name
        parts.append(f"/* styles/{name} */\n{sandbox.read_text(root, path)}")
    return "\n".join(parts)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
