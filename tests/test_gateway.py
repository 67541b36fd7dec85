"""``openclaw serve`` as runtimes use it: the openai Python SDK (the client most agent
runtimes are built on) talks to the gateway, the gateway to a Venice stand-in on 127.0.0.1.
Each test asserts what the client got and what arrived "upstream"."""

from __future__ import annotations

import base64
import json
import signal
import socket
import stat
import time
from collections.abc import Iterator

import httpx
import openai
import pytest

from tests.support import venice_wire as wire
from tests.support.gateway import Gateway
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.terminal import Terminal
from tests.support.venice_standin import assert_clean_upstream, chats, venice

MODEL = "venice/kimi-k2-6"


@pytest.fixture
def gateway(server: LocalServer) -> Iterator[Gateway]:
    server.respond(venice([]))
    with Gateway(server) as running:
        yield running


def client(gateway: Gateway, **kwargs: object) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.url, api_key=gateway.token, max_retries=0, **kwargs)  # type: ignore[arg-type]


def test_models_lists_the_catalog_with_limits_and_prices(gateway: Gateway) -> None:
    models = {m.id: m for m in client(gateway).models.list()}
    assert set(models) == {"venice/kimi-k2-6", "venice/hermes-3-llama-3.1-405b"}
    kimi = models["venice/kimi-k2-6"].model_dump()
    assert kimi["context_length"] == 256000
    assert kimi["max_completion_tokens"] == 20000
    assert kimi["max_output_tokens"] == 20000
    assert kimi["pricing"]["prompt"] == "2e-06"
    assert kimi["pricing"]["completion"] == "8e-06"
    assert kimi["privacy"] == "private"
    assert kimi["capabilities"] == {"reasoning": True, "tools": True, "vision": True}
    assert models["venice/hermes-3-llama-3.1-405b"].model_dump()["capabilities"]["tools"] is False


def test_status_still_sees_a_serve_after_another_one_stopped(server: LocalServer) -> None:
    """A newcomer's try: ``openclaw serve`` on 8645, a second one with ``--port`` (as the
    taken-port error says), Ctrl-C on the second: ``serve --status`` said "not running" while
    the first one ran (the second's stop removed the one record both wrote)."""
    server.respond(venice([]))
    with Gateway(server) as first, Gateway(server) as second:
        assert second.stop(signal.SIGINT)[0] == 0
        with Terminal("serve", "--status", env={}) as term:
            shown = term.read_to_end().decode()
            assert term.wait() == 0, shown
        assert shown.strip() == f"openclaw serve is running at {first.url} (pid {first.proc.pid})"
        second_again = Gateway(server)
        with Terminal("serve", "--status", env={}) as term:
            both = sorted(line.strip() for line in term.read_to_end().decode().splitlines())
            assert term.wait() == 0
        runs = (first, second_again)
        assert both == sorted(f"openclaw serve is running at {g.url} (pid {g.proc.pid})"
                              for g in runs)  # fmt: skip
        first.stop(signal.SIGINT)
        second_again.stop(signal.SIGINT)
    with Terminal("serve", "--status", env={}) as term:
        shown = term.read_to_end().decode()
        assert term.wait() == 1
    assert shown.strip() == "openclaw serve is not running"


def test_one_model_is_found_when_its_slash_comes_percent_encoded(gateway: Gateway) -> None:
    """OpenAI's JavaScript SDK (v5) encodes a path parameter with encodeURIComponent, so
    ``models.retrieve("venice/kimi-k2-6")`` asks for ``/v1/models/venice%2Fkimi-k2-6``; a
    newcomer's curl of it got 404 "unknown model venice%2Fkimi-k2-6"."""
    for path in ["venice%2Fkimi-k2-6", "venice%2fkimi-k2-6", "venice/kimi-k2-6"]:
        answer = httpx.get(f"{gateway.url}/models/{path}", headers=gateway.headers())
        assert answer.status_code == 200, (path, answer.text)
        assert answer.json()["id"] == "venice/kimi-k2-6"
    unknown = httpx.get(f"{gateway.url}/models/venice%2Fnope", headers=gateway.headers())
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"].startswith("unknown model venice/nope")
    root = httpx.get(gateway.url.removesuffix("/v1") + "/", headers=gateway.headers())
    assert root.status_code == 404
    assert root.json()["error"]["message"] == "no endpoint GET /"


def test_a_streamed_turn_goes_through_venices_rules(server: LocalServer, gateway: Gateway) -> None:
    server.respond(venice([wire.text_stream("Hello from Venice!")]))
    stream = client(gateway).chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        stream=True,
        stream_options={"include_usage": True},
        reasoning_effort="xhigh",  # kimi takes at most high
        max_tokens=999_999,
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello from Venice!"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    usage = chunks[-1].usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens) == (12, 5)
    assert usage.model_dump()["cost"] == pytest.approx(0.00042)
    [request] = chats(server)
    assert_clean_upstream(request)
    body = request.json()
    assert body["model"] == "kimi-k2-6"
    assert body["venice_parameters"] == {"include_venice_system_prompt": False}
    assert body["reasoning_effort"] == "high"
    assert body["max_completion_tokens"] == 20000  # the catalog's limit, not the client's
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
    ]
    assert len(body["prompt_cache_key"]) == 32


def test_a_json_turn_with_tools_and_reasoning(server: LocalServer, gateway: Gateway) -> None:
    reasoning = wire.chunk({"reasoning_content": "Weather needs a tool."})
    server.respond(venice([[wire.tool_stream()[0], reasoning, *wire.tool_stream()[1:]]]))
    tools = [
        {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
        for n in ("get_weather", "get_time")
    ]
    answer = client(gateway).chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Weather?"}],
        tools=tools,  # type: ignore[list-item]
    )
    choice = answer.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls or []
    assert [(c.id, c.function.name, json.loads(c.function.arguments)) for c in calls] == [  # type: ignore[union-attr]
        ("call_a", "get_weather", {"city": "Paris"}),
        ("call_b", "get_time", {"tz": "CET"}),
    ]
    assert choice.message.model_dump()["reasoning_content"] == "Weather needs a tool."
    assert answer.usage is not None and answer.usage.total_tokens == 60
    [request] = chats(server)
    assert [t["function"]["name"] for t in request.json()["tools"]] == ["get_weather", "get_time"]


def test_tools_are_dropped_for_a_model_without_function_calling(
    server: LocalServer, gateway: Gateway
) -> None:
    server.respond(venice([wire.text_stream("No tools here.")]))
    tool = {"type": "function", "function": {"name": "x", "parameters": {"type": "object"}}}
    answer = client(gateway).chat.completions.create(
        model="venice/hermes-3-llama-3.1-405b",
        messages=[{"role": "user", "content": "Hi"}],
        tools=[tool],  # type: ignore[list-item]
        tool_choice="auto",
    )
    assert answer.choices[0].message.content == "No tools here."
    body = chats(server)[0].json()
    assert "tools" not in body
    assert "tool_choice" not in body


def test_openai_fields_arrive_upstream(server: LocalServer, gateway: Gateway) -> None:
    server.respond(venice([wire.text_stream()]))
    client(gateway).chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Hi"}],
        stop=["END"],
        seed=7,
        top_p=0.5,
        frequency_penalty=0.25,
        presence_penalty=-0.5,
        user="someone",
        response_format={"type": "json_object"},
        n=1,
    )
    body = chats(server)[0].json()
    assert {k: body[k] for k in ("stop", "seed", "top_p", "frequency_penalty")} == {
        "stop": ["END"],
        "seed": 7,
        "top_p": 0.5,
        "frequency_penalty": 0.25,
    }
    assert (body["presence_penalty"], body["user"]) == (-0.5, "someone")
    assert body["response_format"] == {"type": "json_object"}
    assert "n" not in body


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"logprobs": True}, "logprobs"),
        ({"n": 2}, "n"),
        ({"top_p": 3}, None),
        ({"reasoning_effort": "huge"}, "reasoning_effort"),
    ],
)
def test_a_field_that_cannot_be_honoured_is_a_400_naming_it(
    server: LocalServer, gateway: Gateway, fields: dict[str, object], param: str | None
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(gateway).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Hi"}], extra_body=fields
        )
    name = next(iter(fields))
    assert name in caught.value.message
    assert caught.value.param == param
    assert chats(server) == []  # nothing went upstream


def test_errors_are_openai_shaped_with_status_and_retry_after(
    server: LocalServer, gateway: Gateway
) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        client(gateway).chat.completions.create(
            model="venice/no-such-model", messages=[{"role": "user", "content": "Hi"}]
        )
    assert "no-such-model" in missing.value.message
    # handed on at once, after one upstream request: the runtime's client retries as it
    # sees fit (the openai SDK twice), and a gateway that retried too would multiply them
    # (3 x 3 upstream requests and ~56 s for one rate-limited turn)
    before = len(chats(server))
    limited = json_reply({"error": "Too many requests"}, 429, {"Retry-After": "7"})
    server.respond(venice(lambda request: limited))
    started = time.monotonic()
    with pytest.raises(openai.RateLimitError) as caught:
        client(gateway).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Hi"}]
        )
    assert time.monotonic() - started < 5  # not after a 7 s wait
    assert len(chats(server)) - before == 1
    assert caught.value.response.headers["retry-after"] == "7"
    assert caught.value.body["type"] == "rate_limit_error"  # type: ignore[index]
    server.respond(venice(lambda request: json_reply({"error": "boom"}, 502)))
    with pytest.raises(openai.APIStatusError):
        client(gateway).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Hi"}]
        )
    assert len(chats(server)) - before == 2  # a server error once too


def test_a_stream_cut_upstream_ends_with_an_error_event(
    server: LocalServer, gateway: Gateway
) -> None:
    cut = wire.text_stream("Half an ans")[:3]  # no finish reason, no [DONE]
    server.respond(venice(lambda request: wire.stream_reply(cut, done=False)))
    with pytest.raises(openai.APIError) as caught:
        list(
            client(gateway).chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "Hi"}], stream=True
            )
        )
    assert "before it was complete" in caught.value.message


def test_only_the_token_holder_on_this_machine_gets_in(gateway: Gateway) -> None:
    mode = stat.S_IMODE(gateway.token_file.stat().st_mode)
    assert mode == 0o600
    models = gateway.url + "/models"
    assert httpx.get(models).status_code == 401
    wrong = httpx.get(models, headers={"Authorization": "Bearer " + gateway.token[:-1] + "x"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["type"] == "authentication_error"
    rebound = httpx.get(models, headers=gateway.headers(Host="evil.example:8645"))
    assert rebound.status_code == 403
    page = httpx.get(models, headers=gateway.headers(Origin="https://evil.example"))
    assert page.status_code == 403
    local = httpx.get(models, headers=gateway.headers(Origin="http://localhost:3000"))
    assert local.status_code == 200
    for answer in (wrong, rebound, page, local):
        assert CANARY not in answer.text and CANARY not in str(answer.headers)


def raw_request(gateway: Gateway, head: str, body: bytes = b"") -> bytes:
    """Bytes as a client writes them (headers httpx would not send); the whole answer."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(gateway.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_body_over_the_cap_is_refused_before_it_is_read(gateway: Gateway) -> None:
    head = (
        "POST /v1/chat/completions HTTP/1.1\nHost: 127.0.0.1\n"
        f"Authorization: Bearer {gateway.token}\nContent-Length: {64 * 1024 * 1024}\n"
    )
    answer = raw_request(gateway, head, b"{")  # the rest never comes: no need to wait for it
    assert answer.startswith(b"HTTP/1.1 413 ")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_closes_the_upstream_stream_at_once(server: LocalServer, signum: int) -> None:
    from tests.support.endless import EndlessStream

    endless = EndlessStream()
    server.respond(venice(endless))
    with (
        Gateway(server) as running,
        httpx.stream(
            "POST",
            running.url + "/chat/completions",
            headers=running.headers(),
            json={"model": MODEL, "stream": True, "messages": [{"role": "user", "content": "Go"}]},
        ) as answer,
    ):
        assert answer.status_code == 200
        assert endless.started.wait(10)
        code, _, err = running.stop(signum)
        assert endless.ended.wait(1), "the upstream stream was left open"
    assert code == 0
    assert err.strip().splitlines()[-1] == "Stopped."


def test_a_client_that_hangs_up_closes_the_upstream_stream(server: LocalServer) -> None:
    from tests.support.endless import EndlessStream

    endless = EndlessStream()
    server.respond(venice(endless))
    with Gateway(server) as running:
        with httpx.stream(
            "POST",
            running.url + "/chat/completions",
            headers=running.headers(),
            json={"model": MODEL, "stream": True, "messages": [{"role": "user", "content": "Go"}]},
        ) as answer:
            assert answer.status_code == 200
            assert endless.started.wait(10)
        assert endless.ended.wait(2), "the upstream stream outlived its client"


def test_a_taken_port_is_one_line_and_status_says_who_runs(
    server: LocalServer, gateway: Gateway
) -> None:
    from tests.conftest import run_cli

    port = gateway.url.rsplit(":", 1)[1].split("/")[0]
    taken = run_cli("serve", "--port", port, env=gateway.env)
    assert taken.code == 2
    assert taken.stderr.count("\n") == 1
    assert f"port {port}" in taken.stderr and "--port" in taken.stderr
    running = run_cli("serve", "--status", env=gateway.env)
    assert (running.code, running.stdout) == (
        0,
        f"openclaw serve is running at {gateway.url} (pid {gateway.proc.pid})\n",
    )
    code, _, _ = gateway.stop(timeout=10)
    assert code == 0
    stopped = run_cli("serve", "--status", env=gateway.env)
    assert (stopped.code, stopped.stdout) == (1, "openclaw serve is not running\n")


def test_no_key_is_one_line(server: LocalServer) -> None:
    from tests.conftest import run_cli

    result = run_cli("serve", "--port", "0", env={"VENICE_BASE_URL": server.url + "/api/v1"})
    assert result.code == 2
    assert result.stderr.splitlines()[-1].startswith("Error: no provider has an API key")


def test_the_fields_venice_says_it_carries_are_the_ones_it_checks() -> None:
    from openclaw_venice.chat.openai_fields import OPENAI_FIELDS
    from openclaw_venice.plugin import plugin
    from openclaw_venice.runtime.plugins import PluginApi, openai_fields

    api = PluginApi("venice")
    plugin.register(api)
    assert openai_fields(api.providers["venice"]) == OPENAI_FIELDS


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "json"])
def test_gemini_signatures_go_to_the_client_and_back_upstream(
    server: LocalServer, stream: bool
) -> None:
    """A Gemini tool turn's opaque state reaches the client (``reasoning_details``,
    ``thought_signature``, each call's under ``extra_content.google``), and the client's
    next turn, sending the history back as the openai SDK hands it over, carries them to
    Venice again exactly (tests/test_gemini_signatures.py holds the shapes)."""
    from tests.test_gemini_signatures import (
        CALL_SIG,
        DETAILS,
        MSG_SIG,
        expect_replayed,
        signed_tool_stream,
    )

    replies = iter([wire.stream_reply(signed_tool_stream()), wire.stream_reply(wire.text_stream())])

    def respond(request: Request) -> Reply:
        if request.path.endswith("/models"):
            return Reply(404, b"{}")  # the bundled catalog, which lists the Gemini model
        return next(replies)

    server.respond(respond)
    tool = {
        "type": "function",
        "function": {"name": "echo_value", "parameters": {"type": "object"}},
    }
    history: list[dict[str, object]] = [{"role": "user", "content": "echo repro"}]
    with Gateway(server) as running:
        sdk = client(running)
        model = "venice/gemini-3-6-flash"
        if stream:
            chunks = list(
                sdk.chat.completions.create(
                    model=model, messages=history, tools=[tool], stream=True
                )  # type: ignore[list-item,arg-type]
            )
            deltas = [c.choices[0].delta.model_dump() for c in chunks if c.choices]
            calls = [c for d in deltas for c in (d.get("tool_calls") or [])]
            signature = next(c["extra_content"] for c in calls if c.get("extra_content"))
            state = deltas[-1]
            call = {
                "id": calls[0]["id"],
                "type": "function",
                "function": {
                    "name": calls[0]["function"]["name"],
                    "arguments": "".join(
                        (c.get("function") or {}).get("arguments") or "" for c in calls
                    ),
                },
                "extra_content": signature,
            }
            assistant = {"role": "assistant", "content": None, "tool_calls": [call]}
        else:
            answer = sdk.chat.completions.create(model=model, messages=history, tools=[tool])  # type: ignore[list-item,arg-type]
            message = answer.choices[0].message.model_dump(exclude_none=True)
            state = message
            assistant = {k: v for k, v in message.items() if k != "reasoning_content"}
            call = assistant["tool_calls"][0]  # type: ignore[index]
            signature = call["extra_content"]  # type: ignore[index]
        assert signature == {"google": {"thought_signature": CALL_SIG}}
        assert state["reasoning_details"] == DETAILS
        assert state["thought_signature"] == MSG_SIG
        assistant["reasoning_details"] = state["reasoning_details"]
        assistant["thought_signature"] = state["thought_signature"]
        history += [assistant, {"role": "tool", "tool_call_id": "call_1", "content": "repro"}]
        sdk.chat.completions.create(model=model, messages=history, tools=[tool])  # type: ignore[list-item,arg-type]
    expect_replayed(chats(server)[1].json())


def test_binding_another_address_is_explicit_and_says_what_it_exposes(
    server: LocalServer,
) -> None:
    server.respond(venice([]))
    with Gateway(server, "--bind", "127.0.0.2") as running:
        assert running.url.startswith("http://127.0.0.2:")
        models = httpx.get(running.url + "/models", headers=running.headers())
        assert models.status_code == 200  # the bound address is a name the Host may carry
        _, _, err = running.stop()
    assert "listening on 127.0.0.2: anyone who can reach it and has the token" in err


def test_binding_every_address_lets_clients_on_the_network_in(server: LocalServer) -> None:
    """A newcomer's try: ``openclaw serve --bind 0.0.0.0`` warns that anyone with the token
    can use it, but a client on another machine sends ``Host: <this machine's address>`` (or
    its name) and got 403 "the Host header must name this machine". An address literal cannot
    be DNS rebinding (that needs a domain name), so with a wildcard bind it is let in, and so
    is this machine's own name; other names are still refused. (Every request here goes to
    127.0.0.1: only the Host header carries the other names.)"""
    server.respond(venice([]))
    with Gateway(server, "--bind", "0.0.0.0") as running:
        port = running.url.split(":")[2].split("/")[0]
        url = f"http://127.0.0.1:{port}/v1/models"
        for host in ["192.0.2.7", f"192.0.2.7:{port}", f"[2001:db8::7]:{port}",
                     f"{socket.gethostname()}:{port}", "localhost"]:  # fmt: skip
            answer = httpx.get(url, headers=running.headers(Host=host))
            assert answer.status_code == 200, (host, answer.text)
        name = socket.gethostname()
        for host in ["evil.example", f"192.0.2.7.nip.io:{port}", f"{name}.evil.example"]:
            answer = httpx.get(url, headers=running.headers(Host=host))
            assert answer.status_code == 403, host
        page = httpx.get(url, headers=running.headers(Origin="http://evil.example"))
        assert page.status_code == 403  # a web page of another site is still refused
        _, _, err = running.stop()
    assert "listening on 0.0.0.0: anyone who can reach it and has the token" in err


def test_a_tool_call_left_without_a_result_is_answered_before_the_next_turn(
    server: LocalServer, gateway: Gateway
) -> None:
    """A runtime that drops a tool's result (the issue saw it) would get a 400 from Venice;
    the provider's replay repair answers the call before the next turn."""
    server.respond(venice([wire.text_stream("Carrying on.")]))
    call = {"id": "call_9", "type": "function", "function": {"name": "x", "arguments": "{}"}}
    history = [
        {"role": "user", "content": "Use x"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "user", "content": "Never mind, go on"},
    ]
    tool = {"type": "function", "function": {"name": "x", "parameters": {"type": "object"}}}
    answer = client(gateway).chat.completions.create(
        model=MODEL,
        messages=history,  # type: ignore[arg-type]
        tools=[tool],  # type: ignore[list-item]
    )
    assert answer.choices[0].message.content == "Carrying on."
    messages = chats(server)[0].json()["messages"]
    roles = [m["role"] for m in messages]
    assert roles == ["user", "assistant", "tool", "user"]
    assert messages[2]["tool_call_id"] == "call_9"


def test_an_image_part_reaches_a_vision_model_and_a_url_is_a_400(
    server: LocalServer, gateway: Gateway
) -> None:
    from tests.support.pngs import png

    server.respond(venice([wire.text_stream("A red square.")]))
    data = "data:image/png;base64," + base64.b64encode(png()).decode()
    parts = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": data}},
    ]
    answer = client(gateway).chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": parts}],  # type: ignore[list-item,misc]
    )
    assert answer.choices[0].message.content == "A red square."
    sent = chats(server)[0].json()["messages"][-1]["content"]
    assert sent == parts
    web = [{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]
    with pytest.raises(openai.BadRequestError) as caught:
        client(gateway).chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": web}],  # type: ignore[list-item,misc]
        )
    assert caught.value.param == "messages[0].content[0]"
    assert len(chats(server)) == 1


def test_max_connections_bounds_the_upstream_requests_in_flight(server: LocalServer) -> None:
    """``serve --max-connections 2``: five turns at once reach Venice two at a time (the
    provider's wire honours its config's ``params.maxConnections``, which the gateway sets)."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    def slow(request: Request) -> Reply:
        time.sleep(0.3)
        return wire.stream_reply(wire.text_stream("ok"))

    server.respond(venice(slow))
    with Gateway(server, "--max-connections", "2") as running:
        sdk = client(running, timeout=60)
        server.connections.reset()

        def turn(_: int) -> str | None:
            answer = sdk.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "Hi"}]
            )
            return answer.choices[0].message.content

        with ThreadPoolExecutor(5) as pool:
            answers = list(pool.map(turn, range(5)))
    assert answers == ["ok"] * 5
    assert server.connections.peak_in_flight == 2
