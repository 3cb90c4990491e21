"""Safe YAML with line numbers: the one way the press reads YAML.

Built on ``yaml.SafeLoader`` (no Python objects, no tags), it remembers the line
of every mapping key so that validation errors can point at ``file:line``, and
refuses duplicate keys, which plain PyYAML silently lets the last one win.

Text goes through the text check (``text.py``) before parsing, and every value
after: an escape such as "\\ud800" or "\\0" makes a character the file does not
hold. Nodes nested deeper than ``MAX_DEPTH`` are an error at their line, since
PyYAML composes and constructs them by recursion (a RecursionError otherwise),
and so are aliases (``*name``): content needs none, and ten lines of them can
stand for a billion values that any later walk or message would expand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from ..errors import ContentError, Problem
from . import text as hygiene

CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)  # None: PyYAML built without libyaml

MAX_DEPTH = 32  # levels of nested nodes (mappings, lists, their values); content needs six


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


class _Refused(yaml.MarkedYAMLError):
    """Well-formed YAML the press does not accept; ``problems`` say why and where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problem=problems[0].message)
        self.problems = problems


class _Checks:
    """The press's checks, made while nodes are composed (in Python) from the parser's events."""

    line_offset = 0
    path = Path()
    depth = 0
    peek_event: Any

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1 + self.line_offset
        if isinstance(event, yaml.AliasEvent):  # a few lines of aliases can stand for billions of values
            message = f"YAML aliases are not allowed: *{event.anchor}"
            raise _Refused([Problem(self.path, line, message, "write the value out in full")])
        if self.depth >= MAX_DEPTH:
            message = f"values are nested more than {MAX_DEPTH} levels deep"
            raise _Refused([Problem(self.path, line, message, "flatten the structure")])
        self.depth += 1
        try:
            node = Composer.compose_node(self, parent, index)  # type: ignore[arg-type]
        finally:
            self.depth -= 1
        if isinstance(node, yaml.ScalarNode) and hygiene.REFUSED.search(node.value):
            column = node.start_mark.column + 1
            raise _Refused(hygiene.value_problems(node.value, self.path, line, column))
        return node


class _PyLoader(_Checks, yaml.SafeLoader):
    """Pure Python: PyYAML's own messages (``_Loader`` falls back to it on a syntax error)."""


_LOADERS: tuple[type, ...] = (_PyLoader,)
if CParser is not None:  # events from libyaml's C parser: ten times faster to read

    class _Loader(_Checks, CParser, Composer, SafeConstructor, Resolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self.anchors: dict[Any, yaml.Node] = {}

        get_single_node = Composer.get_single_node  # not CParser's: it composes in C, without the checks
        compose_document = Composer.compose_document

    _LOADERS = (_Loader, _PyLoader)


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> Mapping:
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


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> Sequence:
    result = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1 + loader.line_offset
    result.item_lines = [child.start_mark.line + 1 + loader.line_offset for child in node.value]
    return result


for _loader in _LOADERS:
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)  # type: ignore[attr-defined]
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)  # type: ignore[attr-defined]


def load_yaml(text: str, path: Path, line_offset: int = 0) -> Any:
    """Check and parse ``text`` safely; a refused character or a syntax error is a ContentError at its line."""
    text = text.replace("\r\n", "\n")
    refused = hygiene.problems(text, path, line_offset)  # more than PyYAML refuses, with columns
    if refused:
        raise ContentError(refused)
    if len(_LOADERS) > 1:
        try:
            return _parse(_LOADERS[0], text, path, line_offset)
        except yaml.YAMLError as error:
            if isinstance(error, _Refused):
                raise ContentError(error.problems) from None
            # libyaml's messages are terser: PyYAML's parser says what is wrong, as it always has
    return _checked(_LOADERS[-1], text, path, line_offset)


def _parse(kind: type, text: str, path: Path, line_offset: int) -> Any:
    loader = kind(text)
    loader.line_offset = line_offset
    loader.path = path
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _checked(kind: type, text: str, path: Path, line_offset: int) -> Any:
    try:
        return _parse(kind, text, path, line_offset)
    except _Refused as error:
        raise ContentError(error.problems) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + line_offset if mark else None
        message = f"invalid YAML: {error.problem or error.context}"
        raise ContentError([Problem(path, line, message, "check indentation and quoting")]) from None
    except yaml.YAMLError as error:
        raise ContentError([Problem(path, None, f"invalid YAML: {error}")]) from None


def load_yaml_file(path: Path) -> Any:
    """Read ``path`` through the text check, then parse it (ContentError at its line)."""
    return load_yaml(hygiene.read(path), path)
