"""Docs that tests keep honest: every option, command and content key is in the README."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from press import cli
from press.content import editions
from press.content import load as content

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
# Every word of every `code span` of the README, e.g. "check" and "--no-parity" of `check --no-parity`.
INLINE = re.sub(r"^```.*?^```", "", README, flags=re.S | re.M)  # fenced blocks out: they would pair backticks
CODE_WORDS = {word.strip(",") for span in re.findall(r"`([^`]+)`", INLINE) for word in span.split()}


def _options(parser: argparse.ArgumentParser) -> list[str]:
    found = []
    for action in parser._actions:
        found += [option for option in action.option_strings if option not in ("-h", "--help")]
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(name)
                found += _options(sub)
                found += [str(c) for a in sub._actions if a.choices and not a.option_strings for c in a.choices]
    return found


@pytest.mark.parametrize("option", sorted(set(_options(cli.parser()))))
def test_every_command_and_option_is_in_the_readme(option):
    assert option in CODE_WORDS, f"{option} is not documented in README.md"


KEYS = sorted(
    set(content.GUIDE_KEYS + content.CHAPTER_KEYS + content.CHAPTER_OPTIONAL + content.PRACTICE_KEYS)
    | set(content.PRACTICE_OPTIONAL + editions.KEYS)
)


@pytest.mark.parametrize("key", KEYS)
def test_every_content_and_edition_key_is_in_the_readme(key):
    assert f"`{key}`" in README, key
