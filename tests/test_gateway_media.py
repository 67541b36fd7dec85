"""``openclaw serve``'s media endpoints as runtimes call them (issue 25, item 5): the openai
Python SDK's ``images.generate`` and ``embeddings.create`` against the gateway, the gateway
through the provider's ``images`` and ``embeddings`` capabilities to a Venice stand-in on
127.0.0.1. Each test asserts what the client got and what arrived upstream (the server
fixture also holds every request body to Venice's spec)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import openai
import pytest

from tests.support.gateway import Gateway
from tests.support.hygiene import CANARY
from tests.support.pngs import png_size
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.venice_extras import embeddings_answer, vector, venice_extras
from tests.support.venice_standin import assert_clean_upstream, venice


def venice_with_media(**handlers: object) -> object:
    """Chat and its ``/models`` from :func:`venice`; the media lists, ``/image/generate``
    and ``/embeddings`` from :func:`venice_extras`."""
    chat = venice([])
    media = venice_extras(**handlers)  # type: ignore[arg-type]

    def respond(request: Request) -> Reply | None:
        kind = request.query.get("type", ["text"])[0]
        if request.path.endswith(("/image/generate", "/embeddings")) or kind != "text":
            return media(request)
        return chat(request)

    return respond


@pytest.fixture
def gateway(server: LocalServer) -> Iterator[Gateway]:
    server.respond(venice_with_media())  # type: ignore[arg-type]
    with Gateway(server) as running:
        yield running


def client(gateway: Gateway) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.url, api_key=gateway.token, max_retries=0)


def sent(server: LocalServer, path: str) -> list[Request]:
    return [r for r in server.requests if r.path == "/api/v1" + path and r.method == "POST"]


def test_an_image_is_generated_through_the_capability(
    gateway: Gateway, server: LocalServer
) -> None:
    result = client(gateway).images.generate(
        model="venice/venice-sd35", prompt="a lighthouse at dusk", size="1024x768",
        output_format="webp", moderation="low", extra_body={"seed": 42},
    )  # fmt: skip
    assert result.data is not None
    [image] = result.data
    assert image.b64_json is not None
    assert png_size(base64.b64decode(image.b64_json)) == (4, 3)  # the stand-in's picture
    [request] = sent(server, "/image/generate")
    assert_clean_upstream(request)
    assert request.json() == {
        "model": "venice-sd35",
        "prompt": "a lighthouse at dusk",
        "format": "webp",
        "return_binary": False,
        "safe_mode": False,
        "variants": 1,
        "width": 1024,
        "height": 768,
        "seed": 42,
    }


def test_several_images_as_data_urls(gateway: Gateway, server: LocalServer) -> None:
    result = client(gateway).images.generate(
        model="venice-sd35", prompt="boats", n=3, response_format="url", moderation="auto"
    )
    assert result.data is not None
    urls = [image.url or "" for image in result.data]
    assert [url.partition(",")[0] for url in urls] == ["data:image/png;base64"] * 3
    sizes = [png_size(base64.b64decode(url.partition(",")[2])) for url in urls]
    assert sizes == [(4, 3), (5, 3), (6, 3)]
    [request] = sent(server, "/image/generate")
    assert request.json()["variants"] == 3
    assert request.json()["safe_mode"] is True  # moderation auto: content filtered


def test_openais_model_names_mean_the_providers_default(
    gateway: Gateway, server: LocalServer
) -> None:
    """A runtime set up for OpenAI (OpenClaw's memory search defaults to
    text-embedding-3-small) keeps working: OpenAI's names are the provider's default model."""
    client(gateway).images.generate(model="dall-e-3", prompt="a fox")
    httpx.post(gateway.url + "/images/generations", headers=gateway.headers(),
               json={"prompt": "a fox"}).raise_for_status()  # fmt: skip
    named, unnamed = sent(server, "/image/generate")
    assert named.json()["model"] == unnamed.json()["model"]
    client(gateway).embeddings.create(model="text-embedding-3-small", input="hello")
    [embedding] = sent(server, "/embeddings")
    assert embedding.json()["model"] == "text-embedding-bge-m3"  # the provider's default
    with pytest.raises(openai.NotFoundError):  # any other unknown name is still refused
        client(gateway).images.generate(model="dall-e-4", prompt="a fox")


def test_the_providers_own_checks_refuse_before_anything_is_paid(
    gateway: Gateway, server: LocalServer
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(gateway).images.generate(model="venice/venice-sd35", prompt="x", n=5)
    assert "count must be 1 to 4" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        client(gateway).images.generate(model="venice/venice-sd35", prompt="x", size="big")
    assert caught.value.body["param"] == "size"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as caught:
        client(gateway).images.generate(model="venice/venice-sd35", prompt="x", style="vivid")
    assert caught.value.body["param"] == "style"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError) as caught:  # not in the provider's image list
        client(gateway).images.generate(model="elsewhere/model", prompt="x")
    assert "unknown model venice/elsewhere/model" in caught.value.message
    assert sent(server, "/image/generate") == []


def test_embeddings_as_the_openai_sdk_reads_them(gateway: Gateway, server: LocalServer) -> None:
    """The SDK asks for base64 unless told otherwise and decodes it (float32)."""
    result = client(gateway).embeddings.create(
        model="venice/text-embedding-bge-m3", input=["a", "bbb"], dimensions=4
    )
    assert [item.embedding for item in result.data] == [
        pytest.approx(vector("a", 4)),
        pytest.approx(vector("bbb", 4)),
    ]
    assert result.model == "venice/text-embedding-bge-m3"
    assert result.usage.prompt_tokens > 0
    [request] = sent(server, "/embeddings")
    assert_clean_upstream(request)
    assert request.json()["input"] == ["a", "bbb"]
    assert request.json()["dimensions"] == 4
    assert request.json()["model"] == "text-embedding-bge-m3"


def test_embeddings_as_floats_and_by_default_model(gateway: Gateway, server: LocalServer) -> None:
    answer = httpx.post(
        gateway.url + "/embeddings",
        headers=gateway.headers(),
        json={"input": "hello", "encoding_format": "float"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["data"] == [{"object": "embedding", "index": 0, "embedding": vector("hello")}]
    assert body["object"] == "list"
    [request] = sent(server, "/embeddings")
    assert request.json()["input"] == ["hello"]


def test_token_arrays_and_unknown_fields_are_400s_naming_them(
    gateway: Gateway, server: LocalServer
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(gateway).embeddings.create(model="venice/text-embedding-bge-m3", input=[[1, 2]])
    assert caught.value.body["param"] == "input"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as caught:
        client(gateway).embeddings.create(
            model="venice/text-embedding-bge-m3", input="x", extra_body={"truncate": True}
        )
    assert caught.value.body["param"] == "truncate"  # type: ignore[index]
    assert sent(server, "/embeddings") == []


def test_a_refused_key_upstream_is_a_502_and_the_key_stays_out(server: LocalServer) -> None:
    refused = json_reply({"error": "Authentication failed"}, status=401)
    server.respond(venice_with_media(embeddings=lambda request: refused))  # type: ignore[arg-type]
    with Gateway(server) as running:
        answer = httpx.post(
            running.url + "/embeddings", headers=running.headers(), json={"input": "hello"}
        )
        assert answer.status_code == 502
        assert answer.json()["error"]["type"] == "upstream_error"
        assert CANARY not in answer.text
        assert httpx.get(running.url + "/embeddings", headers=running.headers()).status_code == 405
        unauthorized = httpx.post(running.url + "/images/generations", json={"prompt": "x"})
        assert unauthorized.status_code == 401
    assert len(sent(server, "/image/generate")) == 0


def test_rate_limits_keep_their_status_and_retry_after(server: LocalServer) -> None:
    # a wait longer than the wire follows itself (30 s) is the client's to make
    limited = json_reply({"error": "Too many requests"}, status=429, headers={"Retry-After": "120"})
    server.respond(venice_with_media(image=lambda request: limited))  # type: ignore[arg-type]
    with Gateway(server) as running:
        answer = httpx.post(
            running.url + "/images/generations",
            headers=running.headers(),
            json={"model": "venice/venice-sd35", "prompt": "x"},
        )
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "120"
    assert answer.json()["error"]["type"] == "rate_limit_error"


def test_embeddings_answer_is_the_upstream_vectors(server: LocalServer) -> None:
    server.respond(
        venice_with_media(embeddings=lambda r: embeddings_answer(r.json(), reverse=True))  # type: ignore[arg-type]
    )
    with Gateway(server) as running:
        result = client(running).embeddings.create(
            model="text-embedding-bge-m3", input=["one", "three"], encoding_format="float"
        )
    assert [item.index for item in result.data] == [0, 1]
    assert [item.embedding for item in result.data] == [vector("one"), vector("three")]
