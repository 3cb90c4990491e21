"""Safe YAML with line numbers: the one way the press reads YAML.

Built on ``yaml.SafeLoader`` (no Python objects, no tags), it remembers the line
of every mapping key so that validation errors can point at ``file:line``, and
refuses duplicate keys, which plain PyYAML silently lets the last one win.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError, Problem


class Mapping(dict[str, Any]):
    """A dict that knows the line of itself and of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class Sequence(list[Any]):
    """A list that knows its line and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    line_offset = 0


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    result = Mapping()
    result.line = node.start_mark.line + 1 + loader.line_offset
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key_line = key_node.start_mark.line + 1 + loader.line_offset
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise yaml.MarkedYAMLError(problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Sequence:
    result = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1 + loader.line_offset
    result.item_lines = [child.start_mark.line + 1 + loader.line_offset for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str, path: Path, line_offset: int = 0) -> Any:
    """Parse ``text`` safely; a syntax error becomes a ContentError at its line."""

    loader = _Loader(text)
    loader.line_offset = line_offset
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + line_offset if mark else None
        message = f"invalid YAML: {error.problem or error.context}"
        raise ContentError([Problem(path, line, message, "check indentation and quoting")]) from None
    except yaml.YAMLError as error:
        raise ContentError([Problem(path, None, f"invalid YAML: {error}")]) from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError([Problem(path, None, "file not found")]) from None
    except UnicodeDecodeError:
        raise ContentError([Problem(path, None, "not UTF-8 text", "save the file as UTF-8")]) from None
    return load_yaml(text, path)
