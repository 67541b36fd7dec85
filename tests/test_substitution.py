"""``${VAR}`` substitution, reference.md section 2."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openclaw_venice.runtime.errors import MissingVariableError
from openclaw_venice.runtime.substitution import env_lookup, substitute

ENV = {"A": "1", "B_2": "two", "EMPTY": ""}
lookup = env_lookup(ENV)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${A}", "1"),
        ("x${A}y${B_2}z", "x1ytwoz"),
        ("$${A}", "${A}"),
        ("$${A}${A}", "${A}1"),
        ("${lower}", "${lower}"),
        ("${}", "${}"),
        ("${A", "${A"),
        ("$A", "$A"),
        ("${1A}", "${1A}"),
        ("no dollars", "no dollars"),
    ],
)
def test_rules(text: str, expected: str) -> None:
    assert substitute(text, lookup) == expected


@pytest.mark.parametrize("name", ["MISSING", "EMPTY"])
def test_missing_or_empty_names_variable_and_path(name: str) -> None:
    data = {"models": {"providers": {"venice": {"apiKey": "${" + name + "}"}}}}
    with pytest.raises(MissingVariableError) as caught:
        substitute(data, lookup)
    assert caught.value.variable == name
    assert caught.value.config_path == "models.providers.venice.apiKey"
    assert name in str(caught.value) and "models.providers.venice.apiKey" in str(caught.value)


def test_paths_through_lists() -> None:
    with pytest.raises(MissingVariableError, match=r"x\.y\[1\]"):
        substitute({"x": {"y": ["ok", "${NOPE}"]}}, lookup)


def test_keys_untouched_and_scalars_pass_through() -> None:
    data = {"${A}": [1, 2.5, True, None, "${A}"]}
    assert substitute(data, lookup) == {"${A}": [1, 2.5, True, None, "1"]}


def test_layers_first_wins() -> None:
    both = env_lookup({"X": "process"}, {"X": "config", "Y": "config-only"})
    assert substitute("${X}-${Y}", both) == "process-config-only"


names = st.from_regex(r"[A-Z_][A-Z0-9_]{0,6}", fullmatch=True)
plain = st.text(alphabet=st.characters(blacklist_characters="$"), max_size=10)


@given(st.lists(st.tuples(plain, names), max_size=5), plain)
def test_every_reference_is_replaced_and_the_rest_kept(parts: list[Any], tail: str) -> None:
    env = {name: f"<{name.lower()}>" for _, name in parts}
    text = "".join(f"{p}${{{n}}}" for p, n in parts) + tail
    expected = "".join(f"{p}<{n.lower()}>" for p, n in parts) + tail
    assert substitute(text, env_lookup(env)) == expected


@given(st.lists(st.tuples(plain, names), max_size=5))
def test_escapes_are_literal(parts: list[Any]) -> None:
    text = "".join(f"{p}$${{{n}}}" for p, n in parts)
    assert substitute(text, env_lookup({})) == re.sub(r"\$\$\{", "${", text)


@given(st.text(alphabet=st.characters(blacklist_characters="$"), max_size=30))
def test_strings_without_references_are_identity(text: str) -> None:
    assert substitute(text, env_lookup({})) == text
