"""Charts drawn at build time from ``content/data/*.yaml``, as inline SVG.

The data file holds values once and labels per language (read and checked by
``press/content/chartdata.py``); numbers on the chart are formatted by Babel
in the edition's locale. The SVG uses the shipped fonts through CSS classes,
so charts match the text around them.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from ..content.chartdata import ChartData


def svg(chart: ChartData, lang: str, number: Callable[[float, str], str], colours: dict[str, str]) -> str:
    """The chart as inline SVG, in the edition's palette (RGB or CMYK tokens)."""
    drawing = _columns(chart, lang, number) if chart.type == "column" else _bars(chart, lang, number)
    style = (
        f"<style>text{{font-family:Inter;font-size:9px;fill:{colours['ink']}}}"
        f".chart-axis{{font-weight:600;fill:{colours['muted']};font-size:8px}}"
        f".chart-value{{font-weight:700;fill:{colours['primary']}}}"
        f".chart-bar{{fill:{colours['secondary']}}}.chart-baseline{{stroke:{colours['rule']};stroke-width:1}}</style>"
    )
    head, _, tail = drawing.partition(">")
    title = f"<title>{escape(description(chart, lang, number))}</title>"  # the PDF's /Alt, the page's name
    return f"{head}>{title}{style}{tail}"


def description(chart: ChartData, lang: str, number: Callable[[float, str], str]) -> str:
    """The chart in words, for whoever cannot see it: what is measured, then every value."""
    values = "; ".join(f"{item.label[lang]}: {number(item.value, chart.format)}" for item in chart.items)
    return f"{chart.value_label[lang]}. {values}."


FONT_PX = 9.0  # the labels' size (the <style> of ``svg``)


def text_width(text: str, size: float = FONT_PX) -> float:
    """An upper estimate of ``text``'s width in Inter at ``size`` px, with no font file at hand:
    by kind of character, at or above Inter's widest advances of that kind (its letters average
    0.53 em, capitals 0.67, the widest 0.95; the guide's labels measure 0.44-0.52 em a character)."""
    em = 0.0
    for char in text:
        if char.isspace():
            em += 0.28
        elif char in "mwMW@%":
            em += 0.95
        elif char.isupper() or char.isdigit():
            em += 0.72
        else:
            em += 0.58
    return em * size


def _bars(chart: ChartData, lang: str, number: Callable[[float, str], str]) -> str:
    width, row, gap = 460.0, 22.0, 8.0
    # The labels stand right-aligned left of the bars: as wide as the longest needs (150 at least).
    label_w = min(max([150.0, *(text_width(item.label[lang]) + 14 for item in chart.items)]), width * 0.5)
    top = 24.0
    height = top + len(chart.items) * (row + gap) + 4
    peak = max((item.value for item in chart.items), default=1) or 1
    span = width - label_w - 70
    parts = [
        f'<svg class="chart-svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img">',
        f'<text class="chart-axis" x="{label_w:.0f}" y="12">{escape(chart.value_label[lang])}</text>',
    ]
    for index, item in enumerate(chart.items):
        y = top + index * (row + gap)
        bar = span * item.value / peak
        parts += [
            f'<text class="chart-label" x="{label_w - 8:.0f}" y="{y + row * 0.68:.1f}" text-anchor="end">'
            f"{escape(item.label[lang])}</text>",
            f'<rect class="chart-bar" x="{label_w:.0f}" y="{y:.1f}" width="{bar:.1f}" height="{row:.0f}"/>',
            f'<text class="chart-value" x="{label_w + bar + 6:.1f}" y="{y + row * 0.68:.1f}">'
            f"{escape(number(item.value, chart.format))}</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)


def _columns(chart: ChartData, lang: str, number: Callable[[float, str], str]) -> str:
    width, height, bottom, top = 460.0, 220.0, 30.0, 34.0
    count = max(len(chart.items), 1)
    slot = width / count
    peak = max((item.value for item in chart.items), default=1) or 1
    span = height - bottom - top
    parts = [
        f'<svg class="chart-svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img">',
        f'<text class="chart-axis" x="0" y="12">{escape(chart.value_label[lang])}</text>',
        f'<line class="chart-baseline" x1="0" x2="{width:.0f}" y1="{height - bottom:.0f}" y2="{height - bottom:.0f}"/>',
    ]
    for index, item in enumerate(chart.items):
        bar = span * item.value / peak
        x = index * slot + slot * 0.2
        y = height - bottom - bar
        middle = index * slot + slot / 2
        parts += [
            f'<rect class="chart-bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" height="{bar:.1f}"/>',
            f'<text class="chart-value" x="{middle:.1f}" y="{y - 6:.1f}" text-anchor="middle">'
            f"{escape(number(item.value, chart.format))}</text>",
            f'<text class="chart-label" x="{middle:.1f}" y="{height - bottom + 16:.1f}" text-anchor="middle">'
            f"{escape(item.label[lang])}</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)
