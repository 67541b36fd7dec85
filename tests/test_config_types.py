"""The config is typed once (issue 26 item 3): the parts of ``openclaw.json`` the host owns
or reads are checked when the file is read, so a value of the wrong type anywhere is one
line naming its config path, the type expected and what to do, for every command and for
the Python API; unknown keys and comments still survive a write; an unlisted cache price is
unknown, never free. Every case is a hand-written JSON5 file with comments and ``${VAR}``s.

Reproduced before the fix: ``cost: {input: "abc"}`` made ``openclaw models list`` end with
``ValueError: could not convert string to float: 'abc' (a bug; ...)``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import json5
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openclaw_venice.provider import VeniceProvider
from openclaw_venice.runtime.errors import ConfigValueError
from openclaw_venice.runtime.plugins import host_context
from tests.conftest import run_cli
from tests.support.fuzzing import examples

PROVIDER = """// written by hand
{
  env: { vars: { TEAM: "blue" } }, // inline variables
  models: {
    mode: 'merge',
    providers: {
      venice: {
        baseUrl: "${BASE}",
        apiKey: "${VENICE_API_KEY}",
        headers: { "X-Team": "${TEAM}" },
        futureKey: { anything: [1, 2] }, // a key this host does not know
        models: [
          { id: "a-model", name: "A", contextWindow: 8000 },
          { id: "b-model", name: "B", myNote: "mine", },
          { id: "llama-3.3-70b", cost: { input: 0.7, output: 2.8 } }, // prices
        ],
      },
    },
  },
  agents: { defaults: { model: { primary: "venice/llama-3.3-70b" },
                        models: { "venice/llama-3.3-70b": { alias: "llama" } } } },
  auth: { profiles: { "venice:default": { provider: "venice", mode: "api_key" } } },
  gateway: { port: "not ours to check" },
}
"""

#: (what replaces ``cost: { input: 0.7, output: 2.8 }`` or another piece, the config path
#: named, the type the line says is expected)
WRONG = [
    ('cost: { input: 0.7, output: 2.8 }', 'cost: { input: "abc" }',
     "models.providers.venice.models[2].cost.input", "a number"),
    ("cost: { input: 0.7, output: 2.8 }", "cost: { input: 1, output: 2, cacheRead: true }",
     "models.providers.venice.models[2].cost.cacheRead", "a number"),
    ("cost: { input: 0.7, output: 2.8 }", "cost: { input: -1 }",
     "models.providers.venice.models[2].cost.input", "0 or more"),
    ("cost: { input: 0.7, output: 2.8 }", "cost: 5",
     "models.providers.venice.models[2].cost", "an object"),
    ("contextWindow: 8000", "contextWindow: 0",
     "models.providers.venice.models[0].contextWindow", "a whole number above 0"),
    ("contextWindow: 8000", "contextWindow: 8000.5",
     "models.providers.venice.models[0].contextWindow", "a whole number above 0"),
    ("contextWindow: 8000", "maxTokens: '4096'",
     "models.providers.venice.models[0].maxTokens", "a whole number above 0"),
    ("contextWindow: 8000", "reasoning: 'yes'",
     "models.providers.venice.models[0].reasoning", "true or false"),
    ("contextWindow: 8000", "input: 'text'",
     "models.providers.venice.models[0].input", "a list"),
    ("contextWindow: 8000", "input: ['text', 5]",
     "models.providers.venice.models[0].input[1]", '"text" or "image"'),
    ("contextWindow: 8000", "compat: { supportsTools: 'no' }",
     "models.providers.venice.models[0].compat.supportsTools", "true or false"),
    ('{ id: "a-model", name: "A", contextWindow: 8000 }', '{ name: "A" }',
     "models.providers.venice.models[0].id", "missing"),
    ('name: "A"', "name: 7", "models.providers.venice.models[0].name", "text"),
    ('baseUrl: "${BASE}"', "baseUrl: 443", "models.providers.venice.baseUrl", "a URL"),
    ('headers: { "X-Team": "${TEAM}" }', 'headers: { "X-Team": 5 }',
     "models.providers.venice.headers.X-Team", "text"),
    ('headers: { "X-Team": "${TEAM}" }', "headers: ['X-Team']",
     "models.providers.venice.headers", "an object"),
    ('apiKey: "${VENICE_API_KEY}"', "apiKey: { source: 'env' }",
     "models.providers.venice.apiKey.id", "missing"),
    ("futureKey:", "maxTokens: 'lots', futureKey:",
     "models.providers.venice.maxTokens", "a whole number above 0"),
    ("futureKey:", "params: 'fast', futureKey:", "models.providers.venice.params", "an object"),
    ("models: [", "models: {}, old: [", "models.providers.venice.models", "a list"),
    ("mode: 'merge'", "mode: 'mix'", "models.mode", '"merge" or "replace"'),
    ('alias: "llama"', "alias: 5",
     'agents.defaults.models["venice/llama-3.3-70b"].alias', "text"),
    ('primary: "venice/llama-3.3-70b"', "primary: ['venice/llama-3.3-70b']",
     "agents.defaults.model.primary", "text"),
    ('mode: "api_key" }', "}", 'auth.profiles["venice:default"].mode', "missing"),
    ('TEAM: "blue"', "TEAM: 5", "env.vars.TEAM", "text"),
]  # fmt: skip


COMMANDS = [
    ("models", "list"),
    ("models", "set", "venice/kimi-k2-6"),
    ("chat", "hi"),
    ("onboard", "--non-interactive", "--auth-choice", "venice-api-key", "--venice-api-key", "k"),
]


def write(text: str) -> Path:
    path = Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def variables() -> dict[str, str]:
    return {"BASE": "http://127.0.0.1:9/api/v1", "VENICE_API_KEY": "k"}


def test_the_hand_written_config_is_read_as_written() -> None:
    """The file every case starts from is good: unknown keys anywhere, comments, variables."""
    write(PROVIDER)
    result = run_cli("models", "list", "--json", env=variables())
    assert result.code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)["models"]}
    assert rows["a-model"]["contextWindow"] == 8000 and rows["b-model"]["name"] == "B"


@pytest.mark.parametrize(("old", "new", "where", "expected"), WRONG)
def test_a_wrong_type_anywhere_is_one_line_naming_its_path(
    old: str, new: str, where: str, expected: str
) -> None:
    assert old in PROVIDER
    text = PROVIDER.replace(old, new, 1)
    path = write(text)
    for command in COMMANDS:
        result = run_cli(*command, env=variables())
        assert result.code == 1, result.output
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"Error: config value {where}: "), line
        assert expected in line and f"in {path}" in line, line
        assert "a bug" not in line, line
    assert path.read_text() == text  # nothing was written
    assert not path.with_name("openclaw.json.bak").exists()


def test_the_issue_reproduction_says_what_to_do() -> None:
    path = write(PROVIDER.replace("cost: { input: 0.7, output: 2.8 }", 'cost: { input: "abc" }'))
    result = run_cli("models", "list", env=variables())
    assert result.stderr == (
        "Error: config value models.providers.venice.models[2].cost.input: expected a number "
        f"of USD per million tokens, 0 or more, found text; change it in {path}\n"
    )


def test_a_value_in_a_key_place_is_never_shown() -> None:
    """``apiKey`` of the wrong type may still be the key: the line says its kind alone."""
    write(PROVIDER.replace('apiKey: "${VENICE_API_KEY}"', "apiKey: 98765432123456789"))
    result = run_cli("models", "list", env=variables())
    assert result.code == 1
    assert "models.providers.venice.apiKey: expected text or {source:" in result.stderr
    assert "found a number" in result.stderr and "98765" not in result.stderr


def test_a_mode_from_a_variable_is_checked_once_substituted() -> None:
    write(PROVIDER.replace("mode: 'merge'", "mode: '${MODE}'"))
    wrong = run_cli("models", "list", env={**variables(), "MODE": "mix"})
    assert wrong.code == 1
    assert wrong.stderr.startswith('Error: config value models.mode: expected "merge" or')
    replaced = run_cli("models", "list", "--json", env={**variables(), "MODE": "replace"})
    assert replaced.code == 0, replaced.output
    assert [row["id"] for row in json.loads(replaced.stdout)["models"]] == [
        "a-model",
        "b-model",
        "llama-3.3-70b",
    ]


def test_the_python_api_reads_the_same_checked_config() -> None:
    write(PROVIDER.replace("contextWindow: 8000", "contextWindow: 'big'"))
    with pytest.raises(ConfigValueError) as raised:
        host_context(VeniceProvider(), env={**os.environ, **variables()})
    assert raised.value.config_path == "models.providers.venice.models[0].contextWindow"


def test_unknown_keys_and_comments_survive_a_write() -> None:
    path = write(PROVIDER)
    result = run_cli("models", "set", "venice/kimi-k2-6", env=variables())
    assert result.code == 0, result.output
    text = path.read_text()
    for kept in ("// written by hand", "// a key this host does not know", "// prices",
                 'myNote: "mine"', "${BASE}", "${TEAM}"):  # fmt: skip
        assert kept in text, kept
    data: dict[str, Any] = json5.loads(text)
    venice = data["models"]["providers"]["venice"]
    assert venice["futureKey"] == {"anything": [1, 2]}
    assert data["gateway"] == {"port": "not ours to check"}
    assert data["agents"]["defaults"]["model"]["primary"] == "venice/kimi-k2-6"


@pytest.mark.parametrize(
    ("cost", "cache_read", "cache_write"),
    [
        ("{ input: 0.7, output: 2.8 }", None, None),  # unlisted: unknown
        ("{ input: 0.7, output: 2.8, cacheRead: null }", None, None),  # null: unlisted too
        ("{ input: 0.7, output: 2.8, cacheRead: 0, cacheWrite: 0 }", 0, 0),  # free
        ("{ input: 0.7, output: 2.8, cacheRead: 0.1 }", 0.1, None),
    ],
)
def test_an_unlisted_cache_price_is_unknown_never_free(
    cost: str, cache_read: float | None, cache_write: float | None
) -> None:
    write(PROVIDER.replace("{ input: 0.7, output: 2.8 }", cost))
    result = run_cli("models", "list", "--json", env=variables())
    assert result.code == 0, result.output
    (row,) = [row for row in json.loads(result.stdout)["models"] if row["id"] == "llama-3.3-70b"]
    assert row["cost"].get("cacheRead") == cache_read and ("cacheRead" in row["cost"]) == (
        cache_read is not None
    )
    assert row["cost"].get("cacheWrite") == cache_write and ("cacheWrite" in row["cost"]) == (
        cache_write is not None
    )
    assert row["cost"]["input"] == 0.7 and row["cost"]["output"] == 2.8


def test_an_edit_that_would_break_the_types_writes_nothing() -> None:
    """What the host writes is checked as what it reads: an edit giving a wrong type (a
    caller's bug) is refused before the file is touched."""
    from openclaw_venice.runtime.config_edit import save_edits
    from openclaw_venice.runtime.config_file import load_config

    path = write(PROVIDER)
    with pytest.raises(ConfigValueError) as raised:
        save_edits(load_config(path), [(("models", "mode"), "mix")])
    assert raised.value.config_path == "models.mode"
    assert path.read_text() == PROVIDER
    assert not path.with_name("openclaw.json.bak").exists()


# -- any value anywhere: the models list works, or says which value in one line -------------

#: every place the host reads, in a config that is good as written (a list index: that row)
PLACES: list[tuple[str | int, ...]] = [
    ("env",), ("env", "vars"), ("env", "vars", "TEAM"), ("env", "OLD_STYLE"),
    ("auth",), ("auth", "profiles"), ("auth", "profiles", "venice:default"),
    ("auth", "profiles", "venice:default", "mode"),
    ("agents",), ("agents", "defaults"), ("agents", "defaults", "model"),
    ("agents", "defaults", "model", "primary"), ("agents", "defaults", "model", "fallbacks"),
    ("agents", "defaults", "models"), ("agents", "defaults", "models", "venice/llama-3.3-70b"),
    ("agents", "defaults", "models", "venice/llama-3.3-70b", "alias"),
    ("models",), ("models", "mode"), ("models", "providers"), ("models", "providers", "venice"),
    *[("models", "providers", "venice", key) for key in
      ("baseUrl", "apiKey", "api", "headers", "maxTokens", "params", "models")],
    ("models", "providers", "venice", "headers", "X-Team"),
    *[("models", "providers", "venice", "models", 0, key) for key in
      ("id", "name", "reasoning", "input", "cost", "contextWindow", "maxTokens", "compat")],
    ("models", "providers", "venice", "models", 1),
    ("models", "providers", "venice", "models", 0, "compat", "supportsTools"),
    *[("models", "providers", "venice", "models", 0, "cost", key) for key in
      ("input", "output", "cacheRead", "cacheWrite", "tieredPricing")],
    ("models", "providers", "venice", "models", 0, "cost", "tieredPricing", 0),
    ("models", "providers", "venice", "models", 0, "cost", "tieredPricing", 0, "range"),
]  # fmt: skip

_text = st.text(alphabet="abcXYZ-_/. 09é", max_size=8)  # no ${: every variable is set
_leaf = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | _text
    | st.floats(allow_nan=True, allow_infinity=True)
)  # fmt: skip
_value = st.recursive(_leaf, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(_text, inner, max_size=3), max_leaves=6)  # fmt: skip


def good_config() -> dict[str, Any]:
    return {
        "env": {"vars": {"TEAM": "blue"}, "OLD_STYLE": "x"},
        "auth": {"profiles": {"venice:default": {"provider": "venice", "mode": "api_key"}}},
        "agents": {"defaults": {
            "model": {"primary": "venice/llama-3.3-70b", "fallbacks": ["venice/kimi-k2-6"]},
            "models": {"venice/llama-3.3-70b": {"alias": "llama"}}}},
        "models": {"mode": "merge", "providers": {"venice": {
            "baseUrl": "${BASE}", "apiKey": "${VENICE_API_KEY}", "api": "openai-completions",
            "headers": {"X-Team": "${TEAM}"}, "maxTokens": 4096, "params": {},
            "models": [
                {"id": "llama-3.3-70b", "name": "L", "reasoning": False, "input": ["text"],
                 "contextWindow": 8000, "maxTokens": 1000, "compat": {"supportsTools": True},
                 "cost": {"input": 1, "output": 2, "cacheRead": 0.1, "cacheWrite": 0.5,
                          "tieredPricing": [{"range": [0, 1000], "input": 1, "output": 2,
                                             "cacheRead": 0, "cacheWrite": 0}]}},
                {"id": "mine", "cost": {"input": 1, "output": 2}},
            ]}}},
    }  # fmt: skip


def put(data: Any, place: tuple[str | int, ...], value: Any) -> None:
    for key in place[:-1]:
        data = data[key]
    data[place[-1]] = value


@settings(max_examples=examples(150), deadline=None)
@given(st.sampled_from(PLACES), _value)
def test_any_value_anywhere_lists_or_is_one_line_naming_a_path(
    place: tuple[str | int, ...], value: Any
) -> None:
    """Whatever the model admits, the runtime lists without a crash; whatever it refuses is
    the one line every command shows."""
    from openclaw_venice.runtime.config_model import validate_owned

    data = good_config()
    put(data, place, value)
    path = write("// fuzzed\n" + json.dumps(data, allow_nan=True))
    try:
        validate_owned(data, str(path))
        refusal = []
    except ConfigValueError as exc:
        refusal = [f"Error: {exc}"]
    result = run_cli("models", "list", "--json", env={**variables(), "TEAM": "blue"})
    errors = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
    assert errors == refusal, result.output
    assert result.code == (1 if refusal else 0)
    listed = json.loads(result.stdout or "{}").get("models", [])
    assert (len(listed) > 0) == (not refusal)
