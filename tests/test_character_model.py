"""``openclaw chat --character SLUG`` without ``--model`` runs on the character's own model;
when the provider's model list lacks that model, the one line says the model came from the
character and how to pick another, before any chat request (found by review25: it said
"unknown model venice/..." as if the user had named it)."""

from __future__ import annotations

from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.venice_extras import CHARACTER, venice_extras
from tests.support.venice_standin import chats, live_rows


def _venice(request: Request) -> Reply | None:
    if request.path.endswith("/models") and request.query.get("type", ["text"])[0] == "text":
        return json_reply(live_rows())  # kimi-k2-6 and hermes-3: not the character's model
    return venice_extras()(request)


def test_a_character_s_model_missing_from_the_list_is_named_as_the_character_s(
    server: LocalServer,
) -> None:
    server.respond(_venice)
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    result = run_cli("chat", "--character", "alan-watts", "hello", env=env)
    assert result.code == 2
    model = CHARACTER["modelId"]
    assert result.stderr.splitlines()[-1] == (
        f"Error: venice/alan-watts runs on venice/{model}, which venice's model list lacks; "
        "pick one with --model PROVIDER/MODEL (`openclaw models list`)"
    )
    assert chats(server) == []
