"""Chart data: ``content/data/*.yaml`` read and checked (values once, labels per language).

Drawing the chart as SVG is the render stage's job (``press/render/charts.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import Collector
from .schema import Reader
from .yamlsafe import Mapping, Sequence, load_yaml_file

CHART_TYPES = ("bar", "column")
FORMATS = ("integer", "decimal", "percent")


@dataclass(frozen=True)
class Item:
    label: dict[str, str]
    value: float


@dataclass(frozen=True)
class ChartData:
    type: str
    format: str
    value_label: dict[str, str]
    source: dict[str, str]
    items: tuple[Item, ...]


def load(path: Path, langs: tuple[str, ...]) -> ChartData:
    """Read and check a chart's data file; every label must exist in each of ``langs``."""
    try:
        stat = path.stat()
        stamp = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        stamp = (-1, -1)
    return _load(path, langs, stamp)


@cache
def _load(path: Path, langs: tuple[str, ...], stamp: tuple[int, int]) -> ChartData:
    problems = Collector()
    read = Reader(problems, path)
    data = read.mapping(load_yaml_file(path), 1, "chart data") or Mapping()
    read.keys(data, "chart data", ("type", "format", "value_label", "source", "items"))
    kind = data.get("type")
    if kind not in CHART_TYPES:
        read.error(data.line_of("type"), f"chart type must be one of {', '.join(CHART_TYPES)}")
    if data.get("format") not in FORMATS:
        read.error(data.line_of("format"), f"format must be one of {', '.join(FORMATS)}")
    items: list[Item] = []
    raw = data.get("items")
    if not isinstance(raw, Sequence) or not raw:
        read.error(data.line_of("items"), "items must be a non-empty list")
        raw = Sequence()
    for index, entry in enumerate(raw):
        item = read.mapping(entry, raw.line_of(index), "item")
        if item is None or not read.keys(item, "item", ("label", "value")):
            continue
        value = read.number(item, "value", "item")
        if value is None or value < 0:
            read.error(item.line_of("value"), "item value must be a number ≥ 0")
            continue
        items.append(Item(read.texts(item, "label", "item", langs), value))
    chart = ChartData(
        type=str(kind),
        format=str(data.get("format")),
        value_label=read.texts(data, "value_label", "chart data", langs),
        source=read.texts(data, "source", "chart data", langs),
        items=tuple(items),
    )
    problems.raise_if_any()
    return chart
