"""The reference document of an export: Word styles that follow the guide's design.

pandoc's own reference.docx gives every style pandoc writes; python-docx then sets their fonts
(``styles/fonts.css``: the text and display families of ``tokens.css``), sizes and colours from
``styles/tokens.css``, so a reviewer reads the chapter in the guide's type and palette. The fonts
are named, not embedded: Word falls back to its own where Charis SIL or Inter is not installed.
"""

from __future__ import annotations

import re
import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

from ..errors import RenderError

TEXT_STYLES = ("Normal", "Body Text", "First Paragraph", "Compact", "Block Text", "Footnote Text")
DISPLAY_STYLES = {  # style: (size token, colour token)
    "Title": ("size-h1", "primary"),
    "Subtitle": ("size-h2", "muted"),
    "Heading 1": ("size-h1", "primary"),
    "Heading 2": ("size-h2", "secondary"),
    "Heading 3": ("size-h3", "primary"),
    "Heading 4": ("size-body", "primary"),
    "Image Caption": ("size-small", "muted"),
    "Table Caption": ("size-small", "muted"),
    "Caption": ("size-small", "muted"),
}
THEME_ATTRIBUTES = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def tokens(root: Path) -> dict[str, str]:
    """The custom properties of ``styles/tokens.css`` (``--primary: #123c63`` → ``{"primary": "#123c63"}``)."""
    css = (root / "styles" / "tokens.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return {name: value.strip() for name, value in re.findall(r"--([\w-]+)\s*:\s*([^;]+);", css)}


def family(value: str) -> str:
    """The first family of a CSS font stack: ``"Charis SIL", serif`` → ``Charis SIL``."""
    return value.split(",")[0].strip().strip("\"'")


def build(root: Path, path: Path) -> Path:
    import docx
    import pypandoc
    from docx.shared import Pt, RGBColor

    try:
        data = subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                              capture_output=True, check=True, timeout=60).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError) as error:
        raise RenderError(f"pandoc could not give its reference document: {error}") from None
    document = docx.Document(BytesIO(data))
    values = tokens(root)
    text, display = family(values.get("font-text", "serif")), family(values.get("font-display", "sans-serif"))
    styles = {style.name: style for style in document.styles}
    for name in TEXT_STYLES:
        if name in styles:
            _font(styles[name], text)
            styles[name].font.color.rgb = RGBColor.from_string(_hex(values.get("ink", "#000000")))
    if "Normal" in styles:
        styles["Normal"].font.size = Pt(_points(values.get("size-body", "10.5pt")))
    if "Footnote Text" in styles:
        styles["Footnote Text"].font.size = Pt(_points(values.get("size-note", "8pt")))
    for name, (size, colour) in DISPLAY_STYLES.items():
        if name in styles:
            _font(styles[name], display)
            styles[name].font.size = Pt(_points(values.get(size, "11pt")))
            styles[name].font.color.rgb = RGBColor.from_string(_hex(values.get(colour, "#000000")))
    document.core_properties.title = ""
    document.save(str(path))
    return path


def _font(style: Any, name: str) -> None:
    """Set the family, and drop the theme fonts that Word would prefer to it."""
    style.font.name = name
    fonts = style.element.rPr.rFonts
    for attribute in THEME_ATTRIBUTES:
        fonts.attrib.pop(f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{attribute}", None)
    for attribute in ("eastAsia", "cs"):
        fonts.set(f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{attribute}", name)


def _hex(value: str) -> str:
    match = re.fullmatch(r"#([0-9a-fA-F]{6})", value.strip())
    return match.group(1) if match else "000000"


def _points(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)pt", value.strip())
    return float(match.group(1)) if match else 11.0
