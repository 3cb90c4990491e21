"""The EAN-13 barcode of an ISBN, drawn as SVG for the back cover."""

from __future__ import annotations

from ..content.isbn import digits

# EAN-13 encodings: L (odd parity), G (even parity), R; first digit picks L/G mix.
_L = ("0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011")
_G = tuple("".join("1" if b == "0" else "0" for b in code)[::-1] for code in _L)
_R = tuple("".join("1" if b == "0" else "0" for b in code) for code in _L)
_PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")


def modules(isbn: str) -> str:
    """The 95 bar/space modules of the EAN-13 code ('1' is a bar)."""
    number = digits(isbn)
    parity = _PARITY[int(number[0])]
    left = "".join((_L if p == "L" else _G)[int(d)] for p, d in zip(parity, number[1:7], strict=True))
    right = "".join(_R[int(d)] for d in number[7:13])
    return "101" + left + "01010" + right + "101"


def svg(isbn: str, ink: str = "#000", paper: str = "#fff", module_mm: float = 0.33, height_mm: float = 22.0) -> str:
    """EAN-13 barcode with its digits below, in millimetres, for the cover (colours as CSS values)."""
    number = digits(isbn)
    bars = modules(isbn)
    quiet = 11
    width = (95 + 2 * quiet) * module_mm
    rects = []
    guards = {0, 1, 2, 45, 46, 47, 48, 49, 92, 93, 94}
    for index, bit in enumerate(bars):
        if bit == "1":
            long = index in guards
            h = height_mm if long else height_mm - 2.5
            rects.append(
                f'<rect x="{(quiet + index) * module_mm:.3f}" y="0" width="{module_mm:.3f}" height="{h:.2f}"/>'
            )
    text_y = height_mm + 0.5
    label = f"ISBN {isbn}"
    return (
        f'<svg class="barcode" xmlns="http://www.w3.org/2000/svg" viewBox="0 -4 {width:.2f} {height_mm + 4:.2f}" '
        f'width="{width:.2f}mm" height="{height_mm + 4:.2f}mm" role="img" aria-label="{label}">'
        f'<rect x="0" y="-4" width="{width:.2f}" height="{height_mm + 4:.2f}" fill="{paper}"/>'
        f'<g fill="{ink}">'
        f'<text x="{width / 2:.2f}" y="-1" font-size="2.6" text-anchor="middle" font-family="Inter">{label}</text>'
        f"{''.join(rects)}"
        f'<text x="{quiet * module_mm - 1:.2f}" y="{text_y:.2f}" font-size="2.8" font-family="Inter" '
        f'dominant-baseline="hanging">{number[0]}</text>'
        f'<text x="{(quiet + 24) * module_mm:.2f}" y="{text_y:.2f}" font-size="2.8" font-family="Inter" '
        f'text-anchor="middle" dominant-baseline="hanging" letter-spacing="0.6">{number[1:7]}</text>'
        f'<text x="{(quiet + 71) * module_mm:.2f}" y="{text_y:.2f}" font-size="2.8" font-family="Inter" '
        f'text-anchor="middle" dominant-baseline="hanging" letter-spacing="0.6">{number[7:]}</text>'
        "</g></svg>"
    )
