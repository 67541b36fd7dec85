"""Characters (issue 25, item 1): `openclaw characters [SLUG] [--reviews]` and `openclaw chat
--character SLUG`, checked with the characters capability before any chat request and sent as
Venice's `venice_parameters.character_slug`; against a loopback Venice answering in the spec's
shapes (`GET /characters`, `/characters/{slug}`, `/characters/{slug}/reviews`), whose queries
and chat bodies the server fixture holds to the spec. A second plugin gets each command; the
Python API is async and sync."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice.runtime.errors import UnknownCharacterError, UsageError
from tests.conftest import run_cli
from tests.support import venice_wire
from tests.support.dists import studio_env
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.terminal import Terminal

REQUEST_ID = "7c6b5a4d3e2f-CDG"
WATTS = {
    "adult": False,
    "author": "k3x9q",
    "createdAt": "2024-12-20 21:28:08.934000+00:00",
    "description": "Alan Watts (6 January 1915 - 16 November 1973) was a British writer.",
    "featured": True,
    "id": "2f460055-7595-4640-9cb6-c442c4c869b0",
    "name": "Alan Watts",
    "shareUrl": "https://venice.ai/c/alan-watts",
    "photoUrl": None,
    "slug": "alan-watts",
    "stats": {
        "averageRating": 4.7,
        "imports": 112,
        "ratingCount": 24,
        "ratingSum": 113,
        "userRating": None,
    },
    "tags": ["AlanWatts", "Philosophy", "Buddhism"],
    "updatedAt": "2025-02-09 03:23:53.708000+00:00",
    "webEnabled": True,
    "modelId": "llama-3.3-70b",
}
SOCRATES = {
    **WATTS,
    "name": "Socrates",
    "slug": "socrates",
    "description": None,
    "tags": ["Philosophy"],
    "stats": {**WATTS["stats"], "averageRating": 4.2},
    "modelId": "venice-uncensored-1-2",
}
REVIEWS = {
    "object": "list",
    "data": [
        {
            "characterId": WATTS["id"],
            "createdAt": "2025-02-09 03:23:53.708000+00:00",
            "id": "1e38fb78-043f-4ce2-b3bc-966089c25467",
            "isOwner": False,
            "locale": "en",
            "message": "Thoughtful, grounded,\nand practical.",
            "rating": 5,
            "userAvatarUrl": None,
            "username": "product_user_42",
        }
    ],
    "pagination": {"page": 2, "pageSize": 20, "total": 21, "totalPages": 2},
    "summary": {"averageRating": 4.7, "totalReviews": 21},
}
TEXT_ROW = {"id": "llama-3.3-70b", "type": "text", "model_spec": {"name": "Llama 3.3 70B"}}


def venice(request: Request) -> Reply | None:
    path = request.path.removeprefix("/api/v1")
    headers = {"CF-RAY": REQUEST_ID}
    if path == "/models":
        return json_reply({"object": "list", "data": [TEXT_ROW]})
    if path == "/characters":
        return json_reply({"object": "list", "data": [WATTS, SOCRATES]}, headers=headers)
    if path in ("/characters/alan-watts", "/characters/socrates"):
        one = WATTS if path.endswith("watts") else SOCRATES
        return json_reply({"object": "character", "data": one}, headers=headers)
    if path == "/characters/alan-watts/reviews":
        return json_reply(REVIEWS, headers=headers)
    if path.startswith("/characters/"):
        return json_reply({"error": "Character not found"}, 404, headers)
    if path == "/chat/completions":
        return venice_wire.stream_reply(venice_wire.text_stream("Hello."))
    return json_reply({"error": "not found"}, 404)


@pytest.fixture
def env(server: LocalServer) -> dict[str, str]:
    server.respond(venice)
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def sent(server: LocalServer) -> list[str]:
    return [r.path.removeprefix("/api/v1") for r in server.requests if "/models" not in r.path]


def cells(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("  ") if c.strip()] for line in text.splitlines()]


# -- openclaw characters -----------------------------------------------------------------------
def test_a_search_lists_characters(server: LocalServer, env: dict[str, str]) -> None:
    args = ["--search", "philosophy", "--tag", "Buddhism", "--tag", "Zen", "--sort",
            "highestRating", "--limit", "5", "--model", "venice/llama-3.3-70b"]  # fmt: skip
    result = run_cli("characters", *args, env=env)
    assert result.code == 0, result.output
    assert cells(result.stdout) == [
        [
            "alan-watts",
            "Alan Watts",
            "venice/llama-3.3-70b",
            "4.7",
            "AlanWatts,Philosophy,Buddhism",
        ],
        ["socrates", "Socrates", "venice/venice-uncensored-1-2", "4.2", "Philosophy"],
    ]
    assert result.stderr.splitlines()[-1] == (
        "venice: 2 characters; `openclaw characters SLUG` for one, `openclaw chat --character "
        "SLUG` to talk to it"
    )
    (request,) = server.requests
    assert request.method == "GET" and request.path == "/api/v1/characters"
    assert request.query == {
        "search": ["philosophy"],
        "tags": ["Buddhism,Zen"],
        "sortBy": ["highestRating"],
        "limit": ["5"],
        "modelId": ["llama-3.3-70b"],
    }
    assert request.headers["authorization"] == f"Bearer {CANARY}"
    payload = json.loads(run_cli("characters", "--json", env=env).stdout)
    assert payload["provider"] == "venice"
    assert payload["characters"][0] == {
        "provider": "venice",
        "slug": "alan-watts",
        "name": "Alan Watts",
        "description": WATTS["description"],
        "model": "llama-3.3-70b",
        "tags": ["AlanWatts", "Philosophy", "Buddhism"],
        "adult": False,
        "webEnabled": True,
        "featured": True,
        "rating": 4.7,
        "ratings": 24,
        "imports": 112,
        "shareUrl": "https://venice.ai/c/alan-watts",
        "photoUrl": None,
        "created": "2024-12-20 21:28:08.934000+00:00",
        "updated": "2025-02-09 03:23:53.708000+00:00",
    }


def test_one_character(server: LocalServer, env: dict[str, str]) -> None:
    result = run_cli("characters", "alan-watts", env=env)
    assert result.code == 0, result.output
    assert result.stdout.splitlines() == [
        "Alan Watts (venice/alan-watts)",
        "  model: venice/llama-3.3-70b",
        "  rating: 4.7 of 5 (24 ratings)",
        "  tags: AlanWatts, Philosophy, Buddhism",
        "  web enabled, featured",
        "  https://venice.ai/c/alan-watts",
        "",
        WATTS["description"],
        "",
        "Talk to it: openclaw chat --character alan-watts",
    ]
    assert sent(server) == ["/characters/alan-watts"]


def test_reviews_a_page_at_a_time(server: LocalServer, env: dict[str, str]) -> None:
    result = run_cli("characters", "alan-watts", "--reviews", "--page", "2", env=env)
    assert result.code == 0, result.output
    assert cells(result.stdout) == [
        ["2025-02-09 03:23:53.708000+00:00", "5/5", "product_user_42",
         "Thoughtful, grounded, and practical."],
    ]  # fmt: skip
    assert result.stderr.splitlines()[-1] == (
        "venice/alan-watts: page 2 of 2, 21 reviews in all, 4.7 on average"
    )
    (request,) = server.requests
    assert request.query == {"page": ["2"], "pageSize": ["20"]}
    payload = json.loads(run_cli("characters", "alan-watts", "--reviews", "--json", env=env).stdout)
    assert payload["reviews"][0]["author"] == "product_user_42"
    assert payload["total"] == 21 and payload["pages"] == 2


def test_an_unknown_slug_names_the_closest(server: LocalServer, env: dict[str, str]) -> None:
    result = run_cli("characters", "alan-wats", env=env)
    assert result.code == 2
    assert result.stderr.splitlines() == [
        "Error: venice has no character 'alan-wats'; did you mean alan-watts? (`openclaw "
        f"characters --provider venice --search WORD` lists them; request id {REQUEST_ID})"
    ]
    assert sent(server) == ["/characters/alan-wats", "/characters"]  # then a search for it
    assert server.requests[-1].query == {"search": ["alan wats"], "limit": ["20"]}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["a/b"], "'a/b' is not a character slug (e.g. alan-watts)"),
        (["--limit", "500"], "--limit must be 1 to 100"),
        (["--sort", "best"], "--sort must be one of featured, highestRating"),
        (["--reviews"], "--reviews needs a SLUG"),
        (["alan-watts", "--search", "x"], "--search filter the list: drop SLUG, or drop them"),
    ],
)
def test_what_venice_would_refuse_is_refused_first(
    server: LocalServer, env: dict[str, str], args: list[str], says: str
) -> None:
    result = run_cli("characters", *args, env=env)
    assert result.code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {says}")
    assert server.requests == []


def test_descriptions_are_made_safe_on_a_terminal(server: LocalServer) -> None:
    hostile = {**WATTS, "description": "Calm.\x1b]0;pwned\x07 \x1b[2J Done."}
    server.respond(lambda r: json_reply({"object": "character", "data": hostile}))
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    with Terminal("characters", "alan-watts", env=env) as term:
        shown = term.read_to_end()
        assert term.wait() == 0
    assert b"\x1b]0;" not in shown and b"\x1b[2J" not in shown
    assert b"Calm.\\x1b]0;pwned\\x07 \\x1b[2J Done." in shown


# -- openclaw chat --character -----------------------------------------------------------------
def test_chat_with_a_character_checks_it_first_and_sends_its_slug(
    server: LocalServer, env: dict[str, str]
) -> None:
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "--character", "socrates", "hi", env=env)
    assert result.code == 0, result.output
    assert result.stdout == "Hello.\n"
    assert sent(server) == ["/characters/socrates", "/chat/completions"]
    body = server.requests[-1].json()
    assert body["model"] == "llama-3.3-70b"  # --model wins over the character's own
    assert body["venice_parameters"]["character_slug"] == "socrates"


def test_without_a_model_the_character_runs_on_its_own(
    server: LocalServer, env: dict[str, str]
) -> None:
    result = run_cli("chat", "--character", "alan-watts", "hi", env=env)
    assert result.code == 0, result.output
    assert "Alan Watts (venice/alan-watts), on venice/llama-3.3-70b" in result.stderr
    body = server.requests[-1].json()
    assert body["model"] == "llama-3.3-70b"
    assert body["venice_parameters"]["character_slug"] == "alan-watts"


def test_an_unknown_character_stops_the_chat_before_any_request(
    server: LocalServer, env: dict[str, str]
) -> None:
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "--character", "socrats", "hi", env=env)
    assert result.code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: venice has no character 'socrats'; did you mean socrates? (`openclaw characters "
        f"--provider venice --search WORD` lists them; request id {REQUEST_ID})"
    )
    assert "/chat/completions" not in sent(server)


def test_a_terminal_session_keeps_the_character_for_every_turn(
    server: LocalServer, env: dict[str, str]
) -> None:
    with Terminal("chat", "--character", "alan-watts", env=env) as term:
        term.read_until(b"on venice/llama-3.3-70b")  # which character, on which model
        term.read_until(b"> ")
        term.type("one\n")
        term.read_until(b"Hello.")
        term.type("two\n")
        term.read_until(b"Hello.")
        term.type("/exit\n")
        assert term.wait() == 0
    chats = [r.json() for r in server.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == 2
    assert [c["venice_parameters"]["character_slug"] for c in chats] == ["alan-watts"] * 2
    assert sent(server).count("/characters/alan-watts") == 1  # looked up once, before the first


def test_chat_without_a_character_sends_no_slug(server: LocalServer, env: dict[str, str]) -> None:
    assert run_cli("chat", "-m", "venice/llama-3.3-70b", "hi", env=env).code == 0
    assert sent(server) == ["/chat/completions"]
    assert "character_slug" not in server.requests[-1].json().get("venice_parameters", {})


# -- Python ------------------------------------------------------------------------------------
@pytest.fixture
def provider(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    from openclaw_venice import VeniceProvider

    server.respond(venice)
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    return VeniceProvider()


def test_python_async(provider: Any, server: LocalServer) -> None:
    async def main() -> Any:
        try:
            found = await provider.characters.search("philosophy", limit=2)
            one = await provider.characters.get("alan-watts")
            reviews = await provider.characters.reviews("alan-watts", page=2)
            with pytest.raises(UnknownCharacterError) as unknown:
                await provider.characters.get("socrats")
            return found, one, reviews, unknown.value
        finally:
            await provider.aclose()

    found, one, reviews, unknown = asyncio.run(main())
    assert [c.slug for c in found] == ["alan-watts", "socrates"]
    assert one.model == "llama-3.3-70b" and one.ratings == 24 and one.ref == "venice/alan-watts"
    assert reviews.reviews[0].rating == 5 and reviews.page == 2
    assert unknown.suggestions == ("socrates",) and unknown.request_id == REQUEST_ID


def test_python_sync_and_its_one_rule(provider: Any) -> None:
    with provider:
        assert provider.characters.get_sync("socrates").name == "Socrates"
        assert len(provider.characters.search_sync(tags=["Philosophy"])) == 2

        async def inside() -> None:
            provider.characters.get_sync("socrates")

        with pytest.raises(UsageError, match=r"await provider\.characters\.get"):
            asyncio.run(inside())


# -- another provider --------------------------------------------------------------------------
@pytest.fixture
def studio(tmp_path: Path) -> dict[str, str]:
    return studio_env(tmp_path)


def test_another_providers_characters_through_the_same_commands(studio: dict[str, str]) -> None:
    listed = run_cli("characters", "--provider", "studio", env=studio)
    assert listed.code == 0, listed.output
    assert cells(listed.stdout) == [["ada", "Ada", "studio/tutor", "4.5", "maths"]]
    one = run_cli("characters", "ada", "--provider", "studio", env=studio)
    assert one.stdout.splitlines()[:2] == ["Ada (studio/ada)", "  model: studio/tutor"]
    reviews = run_cli(
        "characters", "ada", "--reviews", "--provider", "studio", "--json", env=studio
    )
    assert json.loads(reviews.stdout)["reviews"][0]["message"] == "Clear."
    chat = run_cli("chat", "-m", "studio/tutor", "--character", "ada", "hi", env=studio)
    assert chat.code == 0, chat.output
    assert chat.stdout == "ada on tutor: hi\n"  # the host handed the slug over
    refused = run_cli("chat", "-m", "studio/tutor", "--character", "bob", "hi", env=studio)
    assert refused.code == 2
    assert refused.stderr.splitlines()[-1] == (
        "Error: studio has no character 'bob'; did you mean ada? (`openclaw characters "
        "--provider studio --search WORD` lists them)"
    )
    both = run_cli("characters", env=studio)
    assert both.code == 2
    assert "several providers offer characters (studio, venice)" in both.stderr
