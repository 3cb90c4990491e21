"""What an edition adds to the stylesheets: paper, bleed, output profile, accent (no WeasyPrint here,
so that planning a build does not load it)."""

from __future__ import annotations

from ..content.model import PAPERS_MM, Edition

LAYERS = ("fonts.css", "tokens.css", "page.css", "typography.css", "components.css")
BLEED_MM = 3
PRINT_PROFILE = "icc/CoatedFOGRA39-argyll.icc"  # CMYK output intent of the print profile, in styles/


def sheets(edition: Edition) -> tuple[str, ...]:
    """The stylesheets (in styles/) an edition's PDF is laid out with, in cascade order."""
    return (*LAYERS, f"{edition.profile}.css")


def edition_css(edition: Edition, accent: str | None = None) -> str:
    """The tokens an edition sets: paper, bleed and marks, accent colour (``accent``: in place of
    the edition's own; ``colours.py`` lays parts out with a stand-in)."""
    width, height = PAPERS_MM[edition.paper]
    rules = [f"@page {{ size: {width}mm {height}mm; }}"]
    if edition.profile == "print":
        rules.append(f"@page {{ bleed: {BLEED_MM}mm; }}")  # crop marks: press/marks.py
        rules.append(f"@page cover, divider {{ bleed: {BLEED_MM}mm; }}")
        rules.append(
            f"@color-profile device-cmyk {{ src: url({PRINT_PROFILE}); components: cyan, magenta, yellow, black; }}"
        )
    accent = accent or edition.accent
    if accent:
        rules.append(f":root {{ --accent: {accent}; }}")
    return "\n".join(rules)
