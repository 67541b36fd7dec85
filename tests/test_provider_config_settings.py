"""Provider settings TypeScript OpenClaw honours in ``models.providers.venice`` are honoured
here too (issue 24 item 3), each shown on the request a loopback Venice received from
``openclaw chat``: ``headers`` (sent, except those that would identify the user or carry a
credential), ``maxTokens`` (caps the output asked for), ``params.venice_parameters``
(merged under the turn's own switches) and a model's ``cost.tieredPricing`` (the turn is
priced by the tier its prompt falls in). The keys are TypeScript's (its zod schema,
``dist/zod-schema.core-*.mjs``: ``ModelProviderSchema``, ``ModelDefinitionSchema``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Request, json_reply

MODEL = "venice/llama-3.3-70b"
ROWS = [{"id": "llama-3.3-70b", "type": "text", "model_spec": {"privacy": "private"}}]


def venice(server: LocalServer, prompt_tokens: int = 12) -> dict[str, str]:
    """Venice on loopback; its usage carries no cost, so the catalog prices the turn."""
    usage = venice_wire.usage_chunk(prompt=prompt_tokens, completion=1000, usd=None)
    stream = [*venice_wire.text_stream("Fine.")[:-1], usage]

    def respond(request: Request) -> Any:
        if request.path.endswith("/models"):
            return json_reply({"data": ROWS})
        return venice_wire.stream_reply(stream)

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def configure(venice_block: dict[str, Any]) -> None:
    path = Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"models": {"providers": {"venice": venice_block}}}))


def chat(server: LocalServer, *flags: str, prompt_tokens: int = 12) -> tuple[Any, dict[str, Any]]:
    result = run_cli("chat", "-m", MODEL, "--json", *flags, "hi",
                     env=venice(server, prompt_tokens))  # fmt: skip
    assert result.code == 0, result.output
    turns = [r for r in server.requests if r.path.endswith("/chat/completions")]
    assert len(turns) == 1
    return result, {"request": turns[0], "answer": json.loads(result.stdout)}


def test_configured_headers_are_sent_but_not_ones_that_identify_or_authenticate(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_TEAM", "research")  # an env SecretRef's value
    configure({"headers": {
        "X-Team": "blue",
        "X-From-Env": {"source": "env", "provider": "default", "id": "MY_TEAM"},
        "User-Agent": "MyLaptop/1.0 (Linux x86_64)",
        "X-Forwarded-For": "10.1.2.3",
        "Cookie": "session=abc",
        "X-Api-Key": "another-key",
        "authorization": "Bearer not-this-one",
    }})  # fmt: skip
    result, seen = chat(server)
    headers = {k.lower(): v for k, v in seen["request"].headers.items()}
    assert headers["x-team"] == "blue"
    assert headers["x-from-env"] == "research"
    assert headers["authorization"] == f"Bearer {CANARY}"
    assert headers["user-agent"] != "MyLaptop/1.0 (Linux x86_64)"
    for name in ("x-forwarded-for", "cookie", "x-api-key"):
        assert name not in headers
    for name in ("User-Agent", "X-Forwarded-For", "Cookie", "X-Api-Key", "authorization"):
        lines = [line for line in result.stderr.splitlines() if f"headers.{name} " in line]
        assert len(lines) == 1 and "is not sent" in lines[0], result.stderr
    assert "another-key" not in result.stderr and "abc" not in result.stderr


@pytest.mark.parametrize(("cap", "asked", "sent"), [(256, None, 256), (256, "100", 100),
                                                    (1_000_000, "500", 500)])  # fmt: skip
def test_provider_max_tokens_caps_the_output_asked_for(
    server: LocalServer, cap: int, asked: str | None, sent: int
) -> None:
    configure({"maxTokens": cap})
    _, seen = chat(server, *(("--max-tokens", asked) if asked else ()))
    assert seen["request"].json()["max_completion_tokens"] == sent


def test_configured_venice_parameters_go_under_the_turns_own(server: LocalServer) -> None:
    configure({"params": {"venice_parameters": {
        "include_venice_system_prompt": True, "enable_web_search": "auto",
        "character_slug": "alan-watts",
    }}})  # fmt: skip
    _, seen = chat(server, "--web-search", "off")
    params = seen["request"].json()["venice_parameters"]
    assert params["include_venice_system_prompt"] is True  # from the config
    assert params["character_slug"] == "alan-watts"
    assert params["enable_web_search"] == "off"  # the turn's own switch wins


def test_without_config_parameters_venice_adds_no_system_prompt(server: LocalServer) -> None:
    configure({})
    _, seen = chat(server)
    assert seen["request"].json()["venice_parameters"]["include_venice_system_prompt"] is False


TIERS = {
    "input": 1.0, "output": 2.0, "cacheRead": 0.5, "cacheWrite": 1.0,
    "tieredPricing": [
        {"input": 10.0, "output": 20.0, "cacheRead": 5.0, "cacheWrite": 10.0, "range": [100]},
        {"input": 1.0, "output": 2.0, "cacheRead": 0.5, "cacheWrite": 1.0, "range": [0, 100]},
    ],
}  # fmt: skip


@pytest.mark.parametrize(("prompt", "rates"), [(50, (1.0, 2.0)), (5000, (10.0, 20.0))])
def test_a_turn_is_priced_by_the_tier_its_prompt_falls_in(
    server: LocalServer, prompt: int, rates: tuple[float, float]
) -> None:
    configure({"models": [{"id": "llama-3.3-70b", "name": "Llama 3.3 70B", "cost": TIERS}]})
    _, seen = chat(server, prompt_tokens=prompt)
    expected = (prompt * rates[0] + 1000 * rates[1]) / 1_000_000
    assert seen["answer"]["cost"] == pytest.approx(expected)


def test_tiers_are_read_and_picked_as_typescript_does() -> None:
    """``normalizeTieredPricing`` and ``selectPricingRates`` (TypeScript's llm-core
    ``usage-cost``): a row with a rate that is not a number is skipped, an end not past its
    start is open, rows are sorted; a prompt in no range takes the last tier it passed the
    start of, else the first."""
    from openclaw_venice.runtime.catalog import Cost

    def tier(rate: Any, span: list[float]) -> dict[str, Any]:
        return {"input": rate, "output": 1, "cacheRead": 1, "cacheWrite": 1, "range": span}

    cost = Cost.from_json({"tieredPricing": [
        tier(3.0, [1000, 500]), tier("cheap", [0]), tier(2.0, [200, 400]), tier(1.0, [100, 200]),
    ]})  # fmt: skip
    assert [(t.start, t.end, t.input) for t in cost.tiers] == [
        (100, 200, 1.0), (200, 400, 2.0), (1000, float("inf"), 3.0)
    ]  # fmt: skip
    picked = {n: cost.for_prompt(n).input for n in (0, 50, 150, 250, 700, 5000)}
    assert picked == {0: 1.0, 50: 1.0, 150: 1.0, 250: 2.0, 700: 2.0, 5000: 3.0}
