"""What an edition adds to the stylesheets: paper, bleed, output profile, accent (no WeasyPrint here,
so that planning a build does not load it)."""

from __future__ import annotations

from ..content.model import PAPERS_MM, Edition

LAYERS = ("fonts.css", "tokens.css", "page.css", "typography.css", "components.css")
BLEED_MM = 3
PRINT_PROFILE = "icc/CoatedFOGRA39-argyll.icc"  # CMYK output intent of the print profile, in styles/


def edition_css(edition: Edition) -> str:
    """The tokens an edition sets: paper, bleed and marks, accent colour."""
    width, height = PAPERS_MM[edition.paper]
    rules = [f"@page {{ size: {width}mm {height}mm; }}"]
    if edition.profile == "print":
        rules.append(f"@page {{ bleed: {BLEED_MM}mm; }}")  # crop marks: press/marks.py
        rules.append(f"@page cover, divider {{ bleed: {BLEED_MM}mm; }}")
        rules.append(
            f"@color-profile device-cmyk {{ src: url({PRINT_PROFILE}); components: cyan, magenta, yellow, black; }}"
        )
    if edition.accent:
        rules.append(f":root {{ --accent: {edition.accent}; }}")
    return "\n".join(rules)
