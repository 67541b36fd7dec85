"""The parts of the config file this host owns or reads, typed once.

:data:`OWNED` describes them: ``env``, ``auth.profiles``, ``agents.defaults.model`` and
``agents.defaults.models``, ``models.mode`` and every ``models.providers.<id>`` (``baseUrl``,
``apiKey``, ``api``, ``headers``, ``maxTokens``, ``params`` and the ``models`` rows with their
``cost``, ``contextWindow``, ``maxTokens``, ``compat``...). The file is checked against it each
time it is read (:func:`~.config_file.load_config`), so a value of the wrong type is one line
naming its config path, the type expected and what to do
(``config value models.providers.x.models[2].cost.input: expected a number, found text; ...``),
before any command acts on it. Everything else in the file belongs to other parts of
OpenClaw and is not looked at; unknown keys are allowed everywhere (TypeScript OpenClaw may
add some), and ``null`` is the same as leaving a key out.

Prices: ``cost.cacheRead`` and ``cost.cacheWrite`` left out (or ``null``) are not listed,
unknown, which the runtime's :class:`~.catalog.Cost` keeps as None; only a written 0 is free.

Values are checked as written, before ``${VAR}`` substitution: a variable only ever becomes
text, so a text value stays text; a choice among words (``models.mode``) written as a
variable is checked once substituted (:func:`check_choice`). The messages never show a value
(an ``apiKey`` may be one), only its kind.

Plain classes, not pydantic: pydantic costs ~0.4 s to import and build, more than an
offline ``openclaw models list`` may take in all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from .errors import ConfigValueError


class Node:
    """One place in the config: what it expects (``expected``, said in errors)."""

    __slots__ = ("expected",)

    def __init__(self, expected: str) -> None:
        self.expected = expected

    def problem(self, value: Any, path: str) -> tuple[str, str] | None:
        """``(config path, what is wrong)`` of the first bad value in ``value``, or None."""
        return None if self.accepts(value) else self.wrong(value, path)

    def wrong(self, value: Any, path: str) -> tuple[str, str]:
        return path, f"expected {self.expected}, found {_kind(value)}"

    def accepts(self, value: Any) -> bool:
        return True


class Text(Node):
    __slots__ = ("empty",)

    def __init__(self, expected: str = "text", empty: bool = True) -> None:
        super().__init__(expected)
        self.empty = empty

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and (self.empty or bool(value))


class Choice(Node):
    """One of a few words; a ``${VAR}`` is checked once substituted."""

    __slots__ = ("words",)

    def __init__(self, *words: str) -> None:
        super().__init__(" or ".join(f'"{word}"' for word in words))
        self.words = words

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and (value in self.words or "${" in value)


class Flag(Node):
    def accepts(self, value: Any) -> bool:
        return isinstance(value, bool)


class Number(Node):
    """A finite JSON number (``true`` is not one), at least ``least``; ``whole``: an
    integer (``8000.0`` is one, as JSON has one number type)."""

    __slots__ = ("least", "whole")

    def __init__(self, expected: str, least: float = -math.inf, whole: bool = False) -> None:
        super().__init__(expected)
        self.least, self.whole = least, whole

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if not math.isfinite(value) or value < self.least:
            return False
        return not self.whole or float(value).is_integer()

    def wrong(self, value: Any, path: str) -> tuple[str, str]:
        """A number is said (``found 0``): a number's place never holds a secret."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return path, f"expected {self.expected}, found {value!r}"
        return super().wrong(value, path)


class ListOf(Node):
    __slots__ = ("item",)

    def __init__(self, item: Node, expected: str = "a list [...]") -> None:
        super().__init__(expected)
        self.item = item

    def problem(self, value: Any, path: str) -> tuple[str, str] | None:
        if not isinstance(value, list):
            return self.wrong(value, path)
        for index, each in enumerate(value):
            found = self.item.problem(each, f"{path}[{index}]")
            if found:
                return found
        return None


class MapOf(Node):
    """An object whose every key is the caller's (provider ids, model refs, header names)."""

    __slots__ = ("item",)

    def __init__(self, item: Node, expected: str = "an object {...}") -> None:
        super().__init__(expected)
        self.item = item

    def problem(self, value: Any, path: str) -> tuple[str, str] | None:
        if not isinstance(value, Mapping):
            return self.wrong(value, path)
        for key, each in value.items():
            found = self.item.problem(each, _join(path, key))
            if found:
                return found
        return None


class Record(Node):
    """An object with known keys (others allowed); ``required`` ones must be there."""

    __slots__ = ("fields", "others", "required")

    def __init__(
        self,
        fields: Mapping[str, Node],
        required: tuple[str, ...] = (),
        others: Node | None = None,
        expected: str = "an object {...}",
    ) -> None:
        super().__init__(expected)
        self.fields, self.required, self.others = fields, required, others

    def problem(self, value: Any, path: str) -> tuple[str, str] | None:
        if not isinstance(value, Mapping):
            return self.wrong(value, path)
        for key in self.required:
            if value.get(key) is None:
                return _join(path, key), f"missing (expected {self.fields[key].expected})"
        for key, each in value.items():
            node = self.fields.get(key, self.others)
            if node is None or each is None:
                continue
            found = node.problem(each, _join(path, key))
            if found:
                return found
        return None


class Either(Node):
    """The first of ``choices`` whose outer kind fits is the one that checks the value."""

    __slots__ = ("choices",)

    def __init__(self, *choices: Node) -> None:
        super().__init__(" or ".join(choice.expected for choice in choices))
        self.choices = choices

    def problem(self, value: Any, path: str) -> tuple[str, str] | None:
        for choice in self.choices:
            if isinstance(choice, Record) and isinstance(value, Mapping):
                return choice.problem(value, path)
            if choice.problem(value, path) is None:
                return None
        return self.wrong(value, path)


def _join(path: str, key: object) -> str:
    """``path.key``, or ``path["a.b/c"]`` for a key that is not a plain name."""
    text = str(key)
    if not text.replace("_", "a").replace("-", "a").isalnum():
        return f"{path}[{json.dumps(text, ensure_ascii=False)}]"
    return f"{path}.{text}" if path else text


_ANYTHING = Node("anything")
_PRICE = Number("a number of USD per million tokens, 0 or more", least=0)
_COUNT = Number("a whole number above 0", least=1, whole=True)
_SECRET_REF = Record(
    {"source": Text(), "provider": Text(), "id": Text(empty=False)},
    required=("source", "id"),
    expected='{source: "env", provider: "default", id: "NAME"}',
)

COST = Record(
    {
        "input": _PRICE,
        "output": _PRICE,
        "cacheRead": _PRICE,  # left out: unknown (None), not free
        "cacheWrite": _PRICE,
        "tieredPricing": ListOf(Node("an object {range: [start, end], input, ...}")),
    }
)  # tieredPricing rows are read as TypeScript OpenClaw reads them: a bad row is skipped

MODEL_ROW = Record(
    {
        "id": Text("the model id (text)", empty=False),
        "name": Text(),
        "reasoning": Flag("true or false"),
        "input": ListOf(Text('"text" or "image"')),
        "cost": COST,
        "contextWindow": _COUNT,
        "maxTokens": _COUNT,
        "compat": Record({"supportsTools": Flag("true or false"),
                          "supportsUsageInStreaming": Flag("true or false")}),
    },
    required=("id",),
)  # fmt: skip

PROVIDER = Record(
    {
        "baseUrl": Text("a URL (text)", empty=False),
        "apiKey": Either(Text("text"), _SECRET_REF),
        "api": Text(),
        "headers": MapOf(Either(Text("text"), _SECRET_REF)),
        "maxTokens": _COUNT,
        "params": MapOf(_ANYTHING),
        "models": ListOf(MODEL_ROW),
    }
)

MODE = Choice("merge", "replace")
_PROFILE = Record({"provider": Text(), "mode": Text()}, required=("provider", "mode"))

OWNED = Record(
    {
        "env": Record({"vars": MapOf(Text()), "shellEnv": _ANYTHING}, others=Text()),
        "auth": Record({"profiles": MapOf(_PROFILE)}),
        "agents": Record(
            {
                "defaults": Record(
                    {
                        "model": Either(
                            Text('"provider/model"'),
                            Record(
                                {"primary": Text(), "fallbacks": ListOf(Text())},
                                expected='{primary: "provider/model"}',
                            ),
                        ),
                        "models": MapOf(Record({"alias": Text()})),
                    }
                )
            }
        ),
        "models": Record({"mode": MODE, "providers": MapOf(PROVIDER)}),
    }
)


def validate_owned(data: Mapping[str, Any], where: str = "the config file") -> None:
    """Raise :class:`ConfigValueError` naming the first value of the owned parts that is
    not of its type; ``where``: the file, for the advice."""
    found = OWNED.problem(data, "")
    if found:
        path, detail = found
        fix = "add it" if detail.startswith("missing") else "change it"
        raise ConfigValueError(path, f"{detail}; {fix} in {where}")


def check_choice(node: Choice, value: Any, path: str) -> str | None:
    """``value`` (substituted) when it is one of ``node``'s words or None; else
    :class:`ConfigValueError` naming ``path``."""
    if value is None or (isinstance(value, str) and value in node.words):
        return value
    raise ConfigValueError(path, f"{node.wrong(value, path)[1]}; change it in the config file")


def _kind(value: Any) -> str:
    """What a value is, never what it says (it may be a key)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number" if math.isfinite(value) else f"{value}"
    if isinstance(value, str):
        return "empty text" if not value else "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return "nothing" if value is None else type(value).__name__
