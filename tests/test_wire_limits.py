"""``wire.limits`` and ``wire.text``, the pure parts of reading an answer safely (issue 22,
item 2): JSON counted before it is parsed (depth, objects and arrays, values, number size),
lone surrogates replaced where text enters, and the key masked in what a server says."""

from __future__ import annotations

import json
import sys
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openclaw_venice.wire.limits import ANSWER, JsonLimits, JsonRefused, loads, problem
from openclaw_venice.wire.text import MASK, mask, mask_error, safe_json, safe_text

MiB = 2**20


# -- limits --------------------------------------------------------------------------------------


def test_the_package_s_own_model_data_passes() -> None:
    """The bundled catalog (every text model, with its /models fields) is well within."""
    from importlib.resources import files

    for name in ("catalog.json", "media_models.json"):
        raw = files("openclaw_venice").joinpath("data", name).read_bytes()
        assert problem(raw) is None and loads(raw) == json.loads(raw), name


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[" * 33 + "]" * 33, "nests deeper than 32 levels"),
        ('{"a": ' * 40 + "1" + "}" * 40, "nests deeper than 32 levels"),
        ("[" + "{}," * 100_000 + "{}]", "holds more than 100,000 objects and arrays"),
        ("[" + "1," * 1_000_000 + "1]", "holds more than 1,000,000 values"),
        ('{"usd": ' + "9" * 401 + "}", "holds a number too large"),
        ('{"usd": -' + "9" * 41 + ".5}", "holds a number too large"),
    ],
    ids=["33 deep", "40 deep objects", "100,001 objects", "1,000,001 values", "401 digits",
         "41-digit float"],
)
def test_past_a_limit_is_refused_with_a_clause(text: str, says: str) -> None:
    with pytest.raises(JsonRefused, match=says):
        loads(text)
    with pytest.raises(ValueError):  # what callers that say "not JSON" catch
        loads(text.encode())


@pytest.mark.parametrize(
    "text",
    [
        "[" * 32 + "]" * 32,
        '{"a": "' + "[" * 10_000 + '"}',  # brackets in a string are text
        '{"a": "' + "{}," * 200_000 + '"}',
        '{"id": "' + "9" * 500 + '", "e": "1e999"}',  # digits in a string are text
        '{"x": 0.' + "1" * 500 + ', "y": 1e400, "z": 1e-999, "w": -12.5e-3, "v": NaN}',
        '{"tokens": ' + "9" * 40 + "}",
        '{"a": "\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\\"}',  # escaped quotes
    ],
    ids=["32 deep", "brackets in a string", "commas in a string", "digits in a string",
         "long fraction, exponents, NaN", "40 digits", "escaped quotes"],
)
def test_within_the_limits_parses_as_json_does(text: str) -> None:
    """(A float past the float range is ``inf``, and NaN is NaN, as json.loads reads them:
    readers treat both as no number. Only an integer too large for a float is refused.)"""
    assert repr(loads(text)) == repr(json.loads(text))
    assert repr(loads(text.encode())) == repr(json.loads(text))


def test_limits_are_per_call() -> None:
    small = JsonLimits(depth=2, containers=3, values=10)
    assert problem("[[1]]", small) is None
    assert problem("[[[1]]]", small) == "nests deeper than 2 levels"
    assert problem("[[],[],[]]", small) == "holds more than 3 objects and arrays"
    assert problem("[" + "1," * 10 + "1]", small) == "holds more than 10 values"
    assert ANSWER == JsonLimits() == (32, 100_000, 1_000_000, 40)


def test_nesting_far_past_python_s_recursion_is_refused_not_raised() -> None:
    deep = "[" * (sys.getrecursionlimit() * 100)
    with pytest.raises(JsonRefused, match="nests deeper than 32 levels"):
        loads(deep + "]" * len(deep))
    with pytest.raises(ValueError):  # unbalanced: past the limits, or not JSON; never recursion
        loads(deep)


def test_memory_of_a_refused_answer_stays_near_its_size() -> None:
    """8 MB of ``[{},...]``: json.loads would build 2.8 million dicts (about 200 MB)."""
    raw = b"[" + b"{}," * (8 * MiB // 3) + b"{}]"
    tracemalloc.start()
    try:
        with pytest.raises(JsonRefused):
            loads(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * len(raw), f"peak {peak / MiB:.0f} MB for {len(raw) / MiB:.0f} MB"


@given(st.recursive(
    st.none() | st.booleans() | st.integers(-10**39, 10**39) | st.floats(allow_nan=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
))  # fmt: skip
def test_any_json_within_the_limits_round_trips(value: object) -> None:
    text = json.dumps(value)
    assert loads(text) == json.loads(text)
    assert loads(text.encode()) == json.loads(text)


# -- surrogates ----------------------------------------------------------------------------------


def test_lone_surrogates_become_replacement_characters() -> None:
    raw = b'{"a": "x\\ud800y", "\\udfff": ["\\ud83d\\ude00", "\\udc00", "\xed\xa0\x80"]}'
    value = loads(raw)
    assert value == {"a": "x\ufffdy", "\ufffd": ["\U0001f600", "\ufffd", "\ufffd"]}
    json.dumps(value, ensure_ascii=False).encode()  # writable, sendable again
    assert safe_text("ok \ud800") == "ok \ufffd" and safe_text("plain") == "plain"


def test_the_walk_is_not_recursive() -> None:
    value: list[object] = ["\udc00"]
    for _ in range(sys.getrecursionlimit() * 2):
        value = [value]
    safe_json(value)
    for _ in range(sys.getrecursionlimit() * 2):
        value = value[0]  # type: ignore[assignment]
    assert value == ["\ufffd"]


# -- the key in a server's words -----------------------------------------------------------------

KEY = "VENICE-INFERENCE-KEY-0123456789abcdefghijKLMNOP"


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        (f"bad header Authorization: Bearer {KEY}", f"bad header Authorization: Bearer {MASK}"),
        (f"key {KEY[5:30]} unknown", f"key {MASK} unknown"),  # a part of it
        (f"{KEY[:8]} and {KEY[-8:]}", f"{MASK} and {MASK}"),  # the shortest parts masked
        (f"{KEY[:7]} is short", f"{KEY[:7]} is short"),  # 7 characters say nothing
        (f"{KEY}{KEY}", f"{MASK}{MASK}"),
        ("no key here", "no key here"),
    ],
    ids=["whole", "middle part", "8-character parts", "7 characters", "twice", "none"],
)
def test_the_key_and_its_parts_are_masked(said: str, shown: str) -> None:
    assert mask(said, KEY) == shown


def test_an_error_is_masked_in_message_detail_and_details() -> None:
    from openclaw_venice.errors import AuthenticationError

    error = AuthenticationError(f"bad key {KEY}", 401, "ray-1")
    error.details = {"headers": {"authorization": f"Bearer {KEY}"}, KEY: [KEY[3:20]]}
    masked = mask_error(error, KEY)
    assert masked is error
    assert KEY[:8] not in str(error) and KEY[:8] not in error.detail
    assert str(error).startswith(f"Venice 401: bad key {MASK}; ")
    assert str(error).endswith("(request id ray-1)")
    assert error.details == {"headers": {"authorization": f"Bearer {MASK}"}, MASK: [MASK]}
