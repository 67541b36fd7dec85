"""Cache prices: a listed 0 is free, a price not listed is unknown (those tokens are priced
as input, so an estimate errs high), a positive price is that price. Shown through the cost
``openclaw chat --json`` reports for a turn Venice sent no ``cost`` for, the catalog
``models list --json`` prints, the config file's rows, and the prices handed to Hermes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openclaw_venice.runtime.catalog import Cost, ModelInfo
from openclaw_venice.runtime.hermes.bridge import hermes_model_metadata
from tests.conftest import run_cli
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply

MODEL = "llama-3.3-70b"
PROMPT, CACHED, OUT = 1000, 600, 10  # tokens of the turn; the cached ones are in the prompt
CASES = {  # cache_input as Venice lists it -> the turn's cost in USD (input $1, output $4 /M)
    "free": ({"usd": 0, "diem": 0}, (400 * 1.0 + 10 * 4.0) / 1e6),
    "not-listed": (None, (1000 * 1.0 + 10 * 4.0) / 1e6),
    "priced": ({"usd": 0.25, "diem": 0.25}, (400 * 1.0 + 600 * 0.25 + 10 * 4.0) / 1e6),
}


def serve(server: LocalServer, cache_input: dict[str, float] | None) -> dict[str, str]:
    pricing: dict[str, Any] = {"input": {"usd": 1.0}, "output": {"usd": 4.0}}
    if cache_input is not None:
        pricing["cache_input"] = cache_input
    row = {"id": MODEL, "type": "text", "model_spec": {"pricing": pricing}}
    usage = venice_wire.usage_chunk(PROMPT, OUT, cached=CACHED, usd=None)  # no Venice cost

    def respond(request: Request) -> Reply:
        if request.path.endswith("/models"):
            return json_reply({"data": [row]})
        return venice_wire.stream_reply([*venice_wire.text_stream("ok")[:-1], usage])

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


@pytest.mark.parametrize("case", list(CASES))
def test_the_cost_of_cached_tokens(server: LocalServer, case: str) -> None:
    cache_input, expected = CASES[case]
    env = serve(server, cache_input)
    result = run_cli("chat", "-m", f"venice/{MODEL}", "--json", "hi", env=env)
    assert result.code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["usage"]["cacheRead"] == CACHED
    assert payload["cost"] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("case", list(CASES))
def test_the_catalog_shows_a_listed_price_and_leaves_out_an_unknown_one(
    server: LocalServer, case: str
) -> None:
    cache_input, _ = CASES[case]
    env = serve(server, cache_input)
    result = run_cli("models", "list", "--json", "--refresh", env=env)
    assert result.code == 0, result.output
    cost = json.loads(result.stdout)["models"][0]["cost"]
    if cache_input is None:
        assert cost == {"input": 1.0, "output": 4.0}
    else:
        assert cost == {"input": 1.0, "output": 4.0, "cacheRead": cache_input["usd"]}


def test_a_config_row_keeps_free_apart_from_unknown() -> None:
    """OpenClaw's ``cost`` object: each field optional; a written 0 is a price."""
    free = Cost.from_json({"input": 1, "output": 4, "cacheRead": 0, "cacheWrite": 0})
    assert free.cache_read == 0.0 and free.cache_read_rate == 0.0 and free.cache_write_rate == 0
    unknown = Cost.from_json({"input": 1, "output": 4})
    assert unknown.cache_read is None and unknown.cache_read_rate == 1.0
    assert Cost.from_json({"input": 1, "output": 4, "cacheRead": None}) == unknown
    assert unknown.to_json() == {"input": 1.0, "output": 4.0}
    assert Cost.from_json(free.to_json()) == free and Cost.from_json(unknown.to_json()) == unknown


def test_hermes_is_given_the_price_we_count() -> None:
    models = [
        ModelInfo("free", "Free", "p", cost=Cost(1.0, 4.0, cache_read=0.0, cache_write=0.0)),
        ModelInfo("unknown", "Unknown", "p", cost=Cost(1.0, 4.0)),
        ModelInfo("priced", "Priced", "p", cost=Cost(1.0, 4.0, cache_read=0.25, cache_write=1.25)),
    ]
    pricing = {k: v["pricing"] for k, v in hermes_model_metadata(models).items()}
    assert pricing["free"] == {
        "prompt": "1e-06", "completion": "4e-06", "cache_read": "0", "cache_write": "0"
    }  # fmt: skip
    assert pricing["unknown"]["cache_read"] == pricing["unknown"]["prompt"] == "1e-06"
    assert pricing["unknown"]["cache_write"] == "1e-06"
    assert pricing["priced"]["cache_read"] == "2.5e-07"
    assert pricing["priced"]["cache_write"] == "1.25e-06"
