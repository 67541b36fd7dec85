"""``provider.embeddings.create`` and ``openclaw embed`` against a loopback Venice
(issue 17, items 3 and 4)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from typing import Any

import pytest

from openclaw_venice import VeniceProvider
from openclaw_venice.embeddings import BATCH_SIZE, SPEC_MAX_ITEMS, batches
from openclaw_venice.errors import StreamFormatError, UsageError
from tests.conftest import OPENCLAW, run_cli
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.venice_extras import REQUEST_ID, embeddings_answer, vector, venice_extras


def posts(server: LocalServer) -> list[Request]:
    return [r for r in server.requests if r.path.endswith("/embeddings")]


@pytest.fixture
def provider(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> VeniceProvider:
    server.respond(venice_extras())
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    return VeniceProvider()


def test_create_returns_one_vector_per_text(provider: VeniceProvider, server: LocalServer) -> None:
    async def main() -> Any:
        try:
            return await provider.embeddings.create(["a", "bbb"], dimensions=4)
        finally:
            await provider.client().aclose()

    result = asyncio.run(main())
    assert result.vectors == (tuple(vector("a", 4)), tuple(vector("bbb", 4)))
    assert result.model == "text-embedding-bge-m3" and result.total_tokens == 4
    assert result.request_ids == (REQUEST_ID,)
    (request,) = posts(server)
    assert request.json() == {
        "model": "text-embedding-bge-m3",
        "input": ["a", "bbb"],
        "encoding_format": "float",
        "dimensions": 4,
    }
    assert request.headers["authorization"] == f"Bearer {CANARY}"


def test_many_texts_are_batched_within_venices_limit(
    provider: VeniceProvider, server: LocalServer
) -> None:
    texts = [f"text {i}" * (1 + i % 3) for i in range(600)]
    server.respond(venice_extras(embeddings=lambda r: embeddings_answer(r.json(), reverse=True)))
    result = provider.embeddings.create_sync(texts, model="venice/text-embedding-bge-m3")
    provider.client().close()
    assert [len(r.json()["input"]) for r in posts(server)] == [256, 256, 88]
    assert BATCH_SIZE <= SPEC_MAX_ITEMS
    assert result.vectors == tuple(tuple(vector(t)) for t in texts)  # input order, not index
    assert len(result.request_ids) == 3


def test_long_texts_make_smaller_batches() -> None:
    texts = ["x" * 400_000] * 5 + ["y"]
    assert [len(b) for b in batches(texts)] == [2, 2, 2]
    assert [len(b) for b in batches(["z" * 2_000_000, "w"])] == [1, 1]


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ([], "nothing to embed; give at least one text"),
        (["ok", ""], "text 1 is empty; Venice refuses empty texts"),
        ([1, 2], "text 0 is a int; embeddings take strings"),
    ],
)
def test_bad_input_is_refused_before_sending(
    provider: VeniceProvider, server: LocalServer, texts: Any, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        provider.embeddings.create_sync(texts)
    assert str(caught.value) == message
    assert posts(server) == []


def test_an_answer_missing_vectors_is_a_one_line_error(
    provider: VeniceProvider, server: LocalServer
) -> None:
    short = json_reply(
        {"object": "list", "model": "m", "data": [], "usage": {}}, headers={"CF-RAY": "r-9"}
    )
    server.respond(venice_extras(embeddings=lambda r: short))
    with pytest.raises(StreamFormatError) as caught:
        provider.embeddings.create_sync("hello")
    assert (
        str(caught.value) == "Venice's embeddings answer is malformed; try again (request id r-9)"
    )


def test_a_broken_answer_is_not_retried(provider: VeniceProvider, server: LocalServer) -> None:
    server.respond(venice_extras(embeddings=lambda r: Reply(200, [b'{"data": [', b""])))
    with pytest.raises(StreamFormatError):
        provider.embeddings.create_sync("hello")
    assert len(posts(server)) == 1


def test_cli_embed_prints_json(server: LocalServer) -> None:
    server.respond(venice_extras())
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    result = run_cli("embed", "hello world", "second", env=env)
    assert result.code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["provider"] == "venice" and payload["model"] == "text-embedding-bge-m3"
    assert [d["embedding"] for d in payload["data"]] == [vector("hello world"), vector("second")]
    assert payload["usage"] == {"promptTokens": 4, "totalTokens": 4}
    assert posts(server)[-1].json()["input"] == ["hello world", "second"]


def test_cli_embed_reads_stdin(server: LocalServer) -> None:
    server.respond(venice_extras())
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    proc = subprocess.run(
        [str(OPENCLAW), "embed", "--dimensions", "2"],
        input="from a pipe\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["data"][0]["embedding"] == vector("from a pipe", 2)
    assert posts(server)[-1].json()["input"] == ["from a pipe"]


def test_cli_embed_unknown_model_is_refused_with_suggestions(server: LocalServer) -> None:
    server.respond(venice_extras())
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    result = run_cli("embed", "x", "-m", "venice/text-embedding-bge-m4", env=env)
    assert result.code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: unknown model venice/text-embedding-bge-m4; did you mean "
        "venice/text-embedding-bge-m3?"
    )
    assert posts(server) == []


def test_models_list_type_embedding(server: LocalServer) -> None:
    server.respond(venice_extras())
    env = {"VENICE_BASE_URL": server.url + "/api/v1"}
    payload = json.loads(run_cli("models", "list", "--type", "embedding", "--json", env=env).stdout)
    assert [m["ref"] for m in payload["models"]] == ["venice/text-embedding-bge-m3"]
    assert payload["sources"] == {"venice": "live"}
