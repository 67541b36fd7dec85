"""Fuzzing the config reader: any text (or any bytes in the file) loads, or fails with
:class:`ConfigParseError` naming a line and column inside the text, in one line; never
another exception (RecursionError on deep nesting, UnicodeDecodeError on bad bytes...).

Inputs: arbitrary text, JSON5 token soup, valid JSON5 documents (comments, unquoted keys,
single quotes, trailing commas, hex, Infinity) damaged by a text mutation, and nesting up to
and past the parsers' recursion limit. The same runs through ``load_config`` on real files
and, for a few hand-made cases, through ``openclaw models list``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import json5
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from openclaw_venice.runtime.config_file import load_config, parse_config_text
from openclaw_venice.runtime.errors import ConfigError, ConfigParseError
from tests.conftest import run_cli
from tests.support.fuzzing import examples

FUZZ = settings(
    max_examples=examples(400),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
LINE_BREAKS = re.compile("\r\n|[\n\r\u2028\u2029]")
PATH = "/cfg/openclaw.json"


def check(text: str) -> None:
    """Loads to an object, or names where it is broken; nothing else escapes."""
    try:
        data = parse_config_text(text, PATH)
    except ConfigParseError as exc:
        check_error(exc, text)
        return
    except ConfigError as exc:  # well-formed JSON5 whose top level is not an object
        assert "top level must be an object" in str(exc), str(exc)
        assert not isinstance(json5.loads(text), dict)
        return
    assert isinstance(data, dict)
    json.dumps(data)  # plain data: dicts, lists, strings, numbers


def check_error(exc: ConfigParseError, text: str) -> None:
    lines = LINE_BREAKS.split(text)
    message = str(exc)
    assert message.startswith(f"{PATH}:{exc.line}:{exc.column}: invalid JSON5 ("), message
    assert len(message.splitlines()) == 1, repr(message)
    assert 1 <= exc.line <= len(lines), (exc.line, len(lines))
    assert 1 <= exc.column <= len(text) + 1, (exc.column, len(text))


# -- inputs -----------------------------------------------------------------------------------

keys = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=5)
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False)
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)
HAND_MADE = [
    "// OpenClaw\n{\n  gateway: { port: 18789, bind: 'loopback', },\n  /* c */ n: 0x1F,\n"
    "  inf: +Infinity, s: 'a\\\n b', list: [1, 2, ], 'q': \"\\u00e9\",\n}\n",
    '{"agents": {"defaults": {"model": {"primary": "venice/kimi-k2-6"}}}}',
    "{\r\n  a: 1,\r\n  b: [true, null, .5, 5.],\r\n}",
]
documents = st.one_of(
    st.dictionaries(keys, values, max_size=4).map(lambda d: json5.dumps(d, indent=2)),
    st.dictionaries(keys, values, max_size=4).map(json.dumps),
    st.sampled_from(HAND_MADE),
)
TOKENS = ["{", "}", "[", "]", ",", ":", "'", '"', "\\", "/", "*", "//", "/*", "*/", "\n", "\r",
          "\u2028", " ", "a", "1", "-", "+", ".", "e", "0x", "Infinity", "NaN", "null", "true",
          "\\u", "\\ud83d", "\x00", "\ufeff", "é", "😀", "\ud800"]  # fmt: skip
soup = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@st.composite
def damaged(draw: st.DrawFn, text: str) -> str:
    """``text`` with one slice deleted, repeated or replaced by tokens, or cut short."""
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 8)))
    how = draw(st.sampled_from(["delete", "repeat", "replace", "truncate"]))
    if how == "delete":
        return text[:start] + text[end:]
    if how == "repeat":
        return text[:end] + text[start:end] + text[end:]
    if how == "replace":
        return text[:start] + draw(soup) + text[end:]
    return text[:start]


@st.composite
def near_valid(draw: st.DrawFn) -> str:
    text = draw(documents)
    for _ in range(draw(st.integers(1, 3))):
        text = draw(damaged(text))
    return text


def nesting(depth: int, kind: str) -> str:
    opener = {"list": "[", "object": '{"a": ', "json5": "{a: ", "mixed": "[{a: "}[kind]
    closer = {"list": "]", "object": "}", "json5": "}", "mixed": "}]"}[kind]
    return "{x: " + opener * depth + "1" + closer * depth + "}"


# -- properties -------------------------------------------------------------------------------


@FUZZ
@given(st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    check(text)


@FUZZ
@given(soup)
@example("'\\u'")  # found by this soup: the fast reader took \u without hex digits as "u"
@example("Infinity//\r{")  # found by this soup: the fast reader ended a // comment at LF alone
def test_json5_token_soup(text: str) -> None:
    check(text)


@pytest.mark.parametrize("text", ["'\\u'", '{a: "\\u12", b: 1}', "{a: '\\x4'}", '{"a": "\\xZZ"}'])
def test_an_escape_without_its_hex_digits_is_an_error(text: str) -> None:
    """JSON5 (and so TypeScript OpenClaw) refuses ``\\u`` and ``\\x`` without their hex
    digits; the fast reader must not read them as the letters "u" and "x"."""
    with pytest.raises(ConfigParseError):
        parse_config_text(text, PATH)


@pytest.mark.parametrize("end", ["\r", "\u2028", "\u2029"])
def test_a_line_comment_ends_at_every_json5_line_terminator(end: str) -> None:
    """After the terminator comes text the reader must see, as json5 does: here an error."""
    text = '{"a": 1} //' + end + "]"
    with pytest.raises(ValueError):
        json5.loads(text)
    with pytest.raises(ConfigParseError):
        parse_config_text(text, PATH)
    assert parse_config_text('{"a": 1, //' + end + '"b": 2}', PATH) == {"a": 1, "b": 2}


@settings(FUZZ, max_examples=examples(600))
@given(near_valid())
def test_valid_json5_damaged(text: str) -> None:
    check(text)


@settings(FUZZ, max_examples=examples(60))
@given(
    scale=st.floats(0, 1.5),
    kind=st.sampled_from(["list", "object", "json5", "mixed"]),
    cut=st.booleans(),
)
def test_nesting_up_to_and_past_the_recursion_limit(scale: float, kind: str, cut: bool) -> None:
    """Depth as a share of the recursion limit in force (Hypothesis raises it while it runs
    a test)."""
    text = nesting(int(scale * sys.getrecursionlimit()), kind)
    check(text[: len(text) // 2] if cut else text)


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, "{a: " * 50_000, '{"a": ' * 50_000, "{x: " + "[" * 5000 + "]" * 5000 + "}"],
    ids=["open-lists", "open-json5-objects", "open-json-objects", "closed"],
)
def test_deep_nesting_is_a_parse_error_with_a_position(text: str) -> None:
    with pytest.raises(ConfigParseError) as caught:
        parse_config_text(text, PATH)
    check_error(caught.value, text)
    assert "deep" in caught.value.detail


# -- real files -------------------------------------------------------------------------------


@settings(FUZZ, max_examples=examples(300))
@given(
    text=near_valid(),
    noise=st.binary(min_size=1, max_size=3),
    at=st.integers(min_value=0),
)
def test_any_bytes_in_the_file(tmp_path: Path, text: str, noise: bytes, at: int) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    at %= len(raw) + 1
    path = tmp_path / "openclaw.json"
    path.write_bytes(raw[:at] + noise + raw[at:])
    try:
        doc = load_config(path)
    except ConfigParseError as exc:
        assert str(exc).startswith(f"{path}:{exc.line}:{exc.column}: ")
        assert len(str(exc).splitlines()) == 1 and exc.line >= 1 and exc.column >= 1
        return
    except ConfigError as exc:
        assert "top level must be an object" in str(exc), str(exc)
        return
    assert isinstance(doc.data, dict) and doc.path == path


def test_bad_utf8_names_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "openclaw.json"
    path.write_bytes(b'{\r\n  "a": 1,\n  "b": "caf\xc3\xa9 \xff"\n}\n')
    with pytest.raises(ConfigParseError) as caught:
        load_config(path)
    assert (caught.value.line, caught.value.column) == (3, 14)  # after "caf\u00e9 "
    assert "UTF-8" in caught.value.detail


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000, b"{a: " * 50_000, b'{"a": "\xff\xfe"}', b"{a: 1,, }", b"\x00"],
    ids=["deep", "deep-json5", "not-utf8", "syntax", "nul"],
)
def test_the_cli_says_where_the_config_is_broken(raw: bytes) -> None:
    path = Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    result = run_cli("models", "list")
    assert result.code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert re.match(rf"Error: {re.escape(str(path))}:\d+:\d+: invalid JSON5 \(", line), line
    assert path.read_bytes() == raw
