"""Subcommands from a table: each listed with its help at once, its parser built (and its
module imported) only when argparse picks its word.

argparse reads the command line as always (options, ``--``, prefixes, negative numbers,
help): nothing here looks at the words. A run pays for the one command it runs; help and
errors list every choice, as a parser with every command built would (the suite compares
the two over many command lines: tests/test_cli_parser_words.py).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

Build = Callable[["Subcommands"], object]


class Subcommands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """``add_subparsers(action=Subcommands)``; :meth:`listed` adds a choice from the table."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._builders: dict[str, Build] = {}

    def listed(self, name: str, help: str, build: Build) -> None:
        """``name`` is a choice (shown with ``help``); ``build(self)`` adds its parser with
        :meth:`add_parser` when it is picked."""
        self._choices_actions.append(self._ChoicesPseudoAction(name, (), help))
        self._name_parser_map[name] = None  # a choice argparse checks and lists; built on use
        self._builders[name] = build

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        """A listed choice's parser takes its place (its order and its table help kept)."""
        if name not in self._builders:
            return super().add_parser(name, **kwargs)
        kwargs.pop("help", None)
        order = list(self._name_parser_map)
        del self._name_parser_map[name]
        parser = super().add_parser(name, **kwargs)
        built = {each: self._name_parser_map[each] for each in order}
        self._name_parser_map.clear()
        self._name_parser_map.update(built)
        return parser

    def build(self, name: str) -> None:
        """Build ``name``'s parser unless it is built (or not a choice)."""
        if name in self._builders and self._name_parser_map.get(name) is None:
            self._builders[name](self)

    def build_all(self) -> None:
        for name in self._builders:
            self.build(name)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if isinstance(values, list) and values:
            self.build(values[0])
        super().__call__(parser, namespace, values, option_string)
