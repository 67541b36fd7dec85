"""The Hermes bridge's logic, in process (no Hermes): what a Hermes request gets from the
provider's rules, through the plugin contract only. The real ``hermes`` command drives the
same code in tests/test_hermes_agent.py."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from openai import Omit
from pydantic import SecretStr

from openclaw_venice.errors import RequestRefused
from openclaw_venice.identity import USER_AGENT
from openclaw_venice.runtime.hermes.bridge import (
    SDK_CLIENT_HEADERS,
    SDK_REQUEST_HEADERS,
    HermesBridge,
    hermes_model_metadata,
    reasoning_level,
)
from openclaw_venice.runtime.host import Host
from openclaw_venice.runtime.plugins import DirectClientRules, PluginApi, Registry
from openclaw_venice.runtime.secrets import keyring_set
from tests.support.demo_plugin import DemoPlugin
from tests.support.hygiene import CANARY


@pytest.fixture
def venice() -> HermesBridge:
    return HermesBridge("venice", Host())


def extras(bridge: HermesBridge, model: str, effort: Any = None, **kw: Any) -> dict[str, Any]:
    got = bridge.request_extras(model, reasoning_config=effort, **kw)
    return got.extra_body


@pytest.mark.parametrize(
    ("config", "level"),
    [
        (None, None),
        ({"enabled": False}, "off"),
        ({"enabled": True, "effort": "none"}, "off"),
        ({"enabled": True, "effort": "minimal"}, "minimal"),
        ({"enabled": True, "effort": "HIGH"}, "high"),
        ({"enabled": True, "effort": "xhigh"}, "xhigh"),
        ({"enabled": True, "effort": "max"}, "xhigh"),
        ({"enabled": True, "effort": "ultra"}, "xhigh"),
        ({"enabled": True, "effort": "bogus"}, None),
    ],
)
def test_hermes_reasoning_config_maps_to_the_hosts_levels(config: Any, level: Any) -> None:
    assert reasoning_level(config) == level


def test_the_venice_provider_offers_the_rules_through_the_contract(venice: HermesBridge) -> None:
    assert isinstance(venice.provider, DirectClientRules)
    assert venice.aliases == ("veniceai", "venice-ai")


def test_every_turn_turns_venices_system_prompt_off(venice: HermesBridge) -> None:
    body = extras(venice, "kimi-k2-6")
    assert body == {"venice_parameters": {"include_venice_system_prompt": False}}


def test_effort_is_clamped_to_what_the_model_offers(venice: HermesBridge) -> None:
    # kimi-k2-6 offers none/low/medium/high: xhigh becomes high, minimal becomes low
    assert extras(venice, "kimi-k2-6", {"enabled": True, "effort": "xhigh"})[
        "reasoning_effort"
    ] == ("high")
    assert extras(venice, "kimi-k2-6", {"enabled": True, "effort": "minimal"})[
        "reasoning_effort"
    ] == ("low")


def test_effort_is_not_sent_to_a_model_that_takes_none(venice: HermesBridge) -> None:
    body = extras(venice, "kimi-k2-5", {"enabled": True, "effort": "high"})  # no effort options
    assert "reasoning_effort" not in body
    assert "disable_thinking" not in body["venice_parameters"]


def test_thinking_off_sends_disable_thinking_and_effort_none(venice: HermesBridge) -> None:
    body = extras(venice, "kimi-k2-6", {"enabled": False})
    assert body["venice_parameters"] == {
        "include_venice_system_prompt": False,
        "disable_thinking": True,
    }
    assert body["reasoning_effort"] == "none"


def test_gpt5_tool_turns_say_effort_none(venice: HermesBridge) -> None:
    """Hermes sends tools on every agent turn: GPT-5 rejects an effort beside them."""
    body = extras(venice, "openai-gpt-52", {"enabled": True, "effort": "high"})
    assert body["reasoning_effort"] == "none"


def test_prompt_cache_key_is_a_digest_of_the_session(venice: HermesBridge) -> None:
    body = extras(venice, "kimi-k2-6", session_id="20261201_101010_abcdef")
    digest = hashlib.sha256(b"20261201_101010_abcdef").hexdigest()[:32]
    assert body["prompt_cache_key"] == digest


def test_an_e2ee_model_is_refused_not_sent_in_the_clear(venice: HermesBridge) -> None:
    with pytest.raises(RequestRefused, match=r"end-to-end encrypted.*nothing was sent"):
        venice.request_extras("e2ee-glm-5-1")
    with pytest.raises(RequestRefused, match="end-to-end encrypted"):  # even if not listed
        venice.request_extras("e2ee-some-future-model")


def test_an_unlisted_model_gets_the_rules_but_no_guessed_limits(venice: HermesBridge) -> None:
    got = venice.request_extras("some-new-model", configured_max_tokens=10**6)
    assert got.extra_body == {"venice_parameters": {"include_venice_system_prompt": False}}
    assert set(got.top_level) == {"extra_headers"}


def test_max_tokens_default_is_the_models_limit(venice: HermesBridge) -> None:
    assert venice.max_tokens("kimi-k2-6") == 32768
    assert venice.max_tokens("llama-3.3-70b") == 4096
    assert venice.max_tokens("no-such-model") is None


def test_a_configured_max_tokens_above_the_limit_is_brought_down(venice: HermesBridge) -> None:
    above = venice.request_extras("llama-3.3-70b", configured_max_tokens=100_000)
    assert above.top_level["max_tokens"] == 4096
    named = venice.request_extras(
        "llama-3.3-70b", configured_max_tokens=100_000, max_tokens_key="max_completion_tokens"
    )
    assert named.top_level["max_completion_tokens"] == 4096
    within = venice.request_extras("llama-3.3-70b", configured_max_tokens=1000)
    assert "max_tokens" not in within.top_level


def test_the_sdks_fingerprint_headers_are_omitted(venice: HermesBridge) -> None:
    headers = venice.default_headers()
    assert set(headers) == {*SDK_CLIENT_HEADERS, "User-Agent"}
    assert all(isinstance(headers[name], Omit) for name in SDK_CLIENT_HEADERS)
    assert headers["User-Agent"] == USER_AGENT  # the provider's own, not AsyncOpenAI/Python
    per_request = venice.request_extras("kimi-k2-6").top_level["extra_headers"]
    assert set(per_request) == set(SDK_REQUEST_HEADERS)
    assert all(isinstance(v, Omit) for v in per_request.values())


def test_agents_are_not_offered_e2ee_or_tool_less_models(venice: HermesBridge) -> None:
    catalog = venice.provider.bundled_catalog()
    offered = venice.agent_models(catalog)
    assert "kimi-k2-6" in offered
    assert not [m for m in offered if m.startswith("e2ee-")]
    assert "hermes-3-llama-3.1-405b" not in offered  # no function calling
    assert [m.id for m in catalog.models if m.id.startswith("e2ee-")]  # they exist, hidden
    assert venice.fallback_models() == tuple(offered)


def test_hermes_gets_the_catalogs_context_limits_and_prices(venice: HermesBridge) -> None:
    catalog = venice.provider.bundled_catalog()
    kimi = catalog.find("kimi-k2-6")
    assert kimi is not None
    entry = hermes_model_metadata([kimi])["kimi-k2-6"]
    assert entry["context_length"] == 256000
    assert entry["max_completion_tokens"] == 32768
    assert float(entry["pricing"]["prompt"]) * 1_000_000 == pytest.approx(kimi.cost.input)
    assert float(entry["pricing"]["completion"]) * 1_000_000 == pytest.approx(kimi.cost.output)


def test_the_key_from_the_keyring_is_handed_to_hermes(venice: HermesBridge) -> None:
    assert keyring_set("VENICE_API_KEY", SecretStr(CANARY))
    environ: dict[str, str] = {}
    assert venice.export_key(environ) == "keyring"
    assert environ == {"VENICE_API_KEY": CANARY}


def test_a_key_hermes_has_already_is_left_alone(venice: HermesBridge) -> None:
    assert keyring_set("VENICE_API_KEY", SecretStr(CANARY))
    environ = {"VENICE_API_KEY": "from-the-shell"}
    assert venice.export_key(environ) is None
    assert environ == {"VENICE_API_KEY": "from-the-shell"}


def test_no_key_anywhere_leaves_hermes_to_say_which_variable(venice: HermesBridge) -> None:
    environ: dict[str, str] = {}
    assert venice.export_key(environ) is None
    assert environ == {}


def test_a_provider_without_rules_gets_hermes_requests_as_they_are() -> None:
    api = PluginApi("demo")
    DemoPlugin().register(api)
    registry = Registry(providers=dict(api.providers))
    bridge = HermesBridge("demo", Host(registry=registry))
    assert bridge.rules is None
    assert bridge.default_headers() == {}
    got = bridge.request_extras("demo-small", reasoning_config={"enabled": False})
    assert got.extra_body == {} and got.top_level == {}
    assert bridge.agent_models(bridge.catalog()) == ["demo-small", "demo-vision"]
    assert bridge.max_tokens("demo-small") == 4096


def test_a_model_without_function_calling_gets_no_tools(venice: HermesBridge) -> None:
    without = venice.request_extras("hermes-3-llama-3.1-405b").top_level
    assert isinstance(without["tools"], Omit)
    assert "tools" not in venice.request_extras("kimi-k2-6").top_level
