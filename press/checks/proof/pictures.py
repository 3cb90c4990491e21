"""Page images with pypdfium2: thumbnails, the problems drawn on them, fingerprints, differences."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Iterator

from PIL import Image, ImageChops, ImageDraw, ImageOps

from .pages import Page, Rect

MARK = (214, 40, 40)  # the colour problems are drawn in


def rasterise(pdf: bytes, width: int, grey: bool = False) -> Iterator[tuple[Image.Image, str]]:
    """Each page of ``pdf`` as an image ``width`` pixels wide, with its text."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            scale = width / page.get_width()
            bitmap = page.render(scale=scale, grayscale=grey)
            image = bitmap.to_pil().convert("L" if grey else "RGB")
            text = page.get_textpage()
            yield image, text.get_text_bounded()
            text.close()
            page.close()
    finally:
        document.close()


def marked(image: Image.Image, page: Page, rects: Iterable[Rect]) -> Image.Image:
    """``image`` of ``page`` (bleed included) with a rectangle over each box (in CSS pixels from the trim box)."""
    top, right, _, left = page.bleed
    scale = image.width / (page.width + left + right)
    result = image.convert("RGB")
    draw = ImageDraw.Draw(result, "RGBA")
    for x, y, width, height in rects:
        x, y = x + left, y + top
        box = [x * scale - 2, y * scale - 2, (x + width) * scale + 2, (y + height) * scale + 2]
        draw.rectangle(box, outline=MARK, width=2, fill=(*MARK, 40))
    return result


def difference_hash(image: Image.Image, size: int = 16) -> str:
    """A perceptual fingerprint: whether each cell of a small grey page is lighter than its right neighbour."""
    small = ImageOps.grayscale(image).resize((size + 1, size), Image.Resampling.LANCZOS).convert("L")
    pixels = list(small.tobytes())  # one byte a pixel (mode L)
    bits = [pixels[row * (size + 1) + col] > pixels[row * (size + 1) + col + 1]
            for row in range(size) for col in range(size)]  # fmt: skip
    return f"{int(''.join('1' if bit else '0' for bit in bits), 2):0{size * size // 4}x}"


def distance(one: str, two: str) -> int:
    """How many bits of two fingerprints differ."""
    return (int(one, 16) ^ int(two, 16)).bit_count()


def difference(old: Image.Image, new: Image.Image) -> Image.Image:
    """The new page, faded, with what changed from the old one in red."""
    new = ImageOps.grayscale(new)
    old = ImageOps.grayscale(old).resize(new.size)
    changed = ImageChops.difference(old, new).point(lambda value: 255 if value > 40 else 0)
    faded = Image.blend(new.convert("RGB"), Image.new("RGB", new.size, "white"), 0.7)
    faded.paste(Image.new("RGB", new.size, MARK), mask=changed)
    return faded


def data_url(image: Image.Image, kind: str = "PNG") -> str:
    buffer = io.BytesIO()
    image.save(buffer, kind, optimize=True)
    mime = "image/png" if kind == "PNG" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode()}"
