"""The palette as the stylesheets define it, for the SVG the pipeline draws.

Colours are defined once, as CSS custom properties in ``styles/tokens.css``,
overridden by the profile (``styles/print.css`` sets them in CMYK) and by the
edition's accent. Charts, icons and cover art are SVG drawn in Python or
templates, where CSS variables do not reach, so they read the same tokens
here instead of repeating colour values.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import sandbox
from ..content.model import Edition

TOKEN_RE = re.compile(r"--([a-z0-9-]+)\s*:\s*([^;]+);")


def tokens(root: Path, path: Path) -> dict[str, str]:
    text = re.sub(r"/\*.*?\*/", "", sandbox.read_text(root, path), flags=re.S)
    return {name: value.strip() for name, value in TOKEN_RE.findall(text)}


def palette(root: Path, edition: Edition) -> dict[str, str]:
    styles = root / "styles"
    colours = tokens(root, styles / "tokens.css")
    profile = styles / f"{edition.profile}.css"
    if profile.is_file():
        colours.update(tokens(root, profile))
    if edition.accent:
        colours["accent"] = edition.accent
    return colours
