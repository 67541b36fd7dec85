"""An API key's rate limits and the times it went over them (issue 25, item 3): `openclaw
limits [--log]` and `models status` (text and `--json`), against a loopback Venice answering
in the spec's shapes (`GET /api_keys/rate_limits`, `GET /api_keys/rate_limits/log`); a second
plugin's limits through the same commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice.errors import StreamFormatError
from openclaw_venice.rate_limits import parse_rate_limit_log, parse_rate_limits
from tests.conftest import run_cli
from tests.support.dists import studio_env
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, json_reply
from tests.support.venice_extras import RATE_LIMIT_LOG, RATE_LIMITS, REQUEST_ID, venice_extras


def serve(server: LocalServer, **handlers: Any) -> dict[str, str]:
    server.respond(venice_extras(**handlers))
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def limit_requests(server: LocalServer) -> list[Any]:
    return [r for r in server.requests if "/api_keys/" in r.path]


def cells(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("  ") if c.strip()] for line in text.splitlines()]


def test_limits_table_by_model(server: LocalServer) -> None:
    result = run_cli("limits", env=serve(server))
    assert result.code == 0, result.output
    assert cells(result.stdout) == [  # a pipe: the rows alone
        ["zai-org-glm-5-1", "100", "5,000", "2,000,000"],
        ["venice-sd35", "20", "-", "-"],
    ]
    assert result.stderr.splitlines() == [
        "Model            RPM  RPD    TPM",
        "---------------  ---  -----  ---------",
        "venice: 2 models; tier paid (pay per use), 2 models limited; key never expires",
        "venice: the next period begins 2026-12-08 00:00:00+00:00",
    ]
    (request,) = limit_requests(server)
    assert request.method == "GET" and request.path == "/api/v1/api_keys/rate_limits"
    assert request.headers["authorization"] == f"Bearer {CANARY}"
    assert request.query == {}


def test_limits_json_and_a_model_filter(server: LocalServer) -> None:
    result = run_cli("limits", "--json", "--model", "GLM", env=serve(server))
    payload = json.loads(result.stdout)
    assert payload == {
        "provider": "venice",
        "tier": "paid",
        "payPerUse": True,
        "accessPermitted": True,
        "keyExpires": None,
        "nextPeriod": "2026-12-08 00:00:00+00:00",
        "balances": {"USD": 50.23, "DIEM": 100.023},
        "limits": [{"model": "zai-org-glm-5-1", "RPM": 100, "RPD": 5000, "TPM": 2000000}],
    }


def test_the_log_lists_the_times_a_limit_was_hit(server: LocalServer) -> None:
    result = run_cli("limits", "--log", env=serve(server))
    assert result.code == 0, result.output
    assert cells(result.stdout) == [
        ["2026-12-07 12:00:00+00:00", "zai-org-glm-5-1", "RPM", "paid"],
        ["2026-12-06 08:30:00+00:00", "venice-sd35", "FAILED_REQUESTS", "paid"],
    ]
    assert result.stderr.splitlines()[-1] == "venice: 2 times over a limit, most recent as listed"
    assert "key_abc123" not in result.output  # the key's id is not shown
    payload = json.loads(run_cli("limits", "--log", "--json", env=serve(server)).stdout)
    assert payload["events"][1] == {
        "time": "2026-12-06 08:30:00+00:00",
        "model": "venice-sd35",
        "limit": "FAILED_REQUESTS",
        "tier": "paid",
    }
    assert [r.path for r in limit_requests(server)] == ["/api/v1/api_keys/rate_limits/log"] * 2


def test_an_empty_log_says_so(server: LocalServer) -> None:
    empty = json_reply({"object": "list", "data": []})
    result = run_cli("limits", "--log", env=serve(server, limits=lambda r: empty))
    assert result.code == 0 and result.stdout == ""
    assert result.stderr == "venice: no limit was exceeded recently\n"


def test_status_shows_the_limits_and_the_log(server: LocalServer) -> None:
    env = serve(server)
    result = run_cli("models", "status", env=env)
    assert result.code == 0, result.output
    (line,) = [x for x in result.stdout.splitlines() if "rate limits:" in x]
    assert line == (
        "  rate limits: tier paid (pay per use), 2 models limited; key never expires; 2 times "
        "over a limit recently (`openclaw limits --log`)"
    )
    payload = json.loads(run_cli("models", "status", "--json", env=env).stdout)
    venice = payload["providers"]["venice"]
    assert venice["rateLimits"]["limits"][1] == {"model": "venice-sd35", "RPM": 20}
    assert venice["rateLimits"]["tier"] == "paid"
    assert [e["limit"] for e in venice["rateLimitLog"]] == ["RPM", "FAILED_REQUESTS"]
    assert venice["balance"]["currency"] == "DIEM"  # beside the balance, as before


def test_a_refused_limits_request_is_one_line_and_the_status_still_succeeds(
    server: LocalServer,
) -> None:
    refused = json_reply({"error": "Authentication failed"}, 401, {"CF-RAY": REQUEST_ID})
    env = serve(server, limits=lambda r: refused)
    status = run_cli("models", "status", env=env)
    assert status.code == 0, status.output
    (line,) = [x for x in status.stdout.splitlines() if "rate limits:" in x]
    assert line.startswith("  rate limits: unavailable; Venice 401: Authentication failed")
    assert line.endswith(f"(request id {REQUEST_ID})")
    result = run_cli("limits", env=env)
    assert result.code == 1
    (error,) = result.stderr.splitlines()
    assert error.startswith(
        f"Error: Venice 401: Authentication failed (request id {REQUEST_ID}); the key came from "
        "VENICE_API_KEY in your environment"
    )


def test_no_key_no_limits_request(server: LocalServer) -> None:
    env = serve(server)
    del env["VENICE_API_KEY"]
    venice = json.loads(run_cli("models", "status", "--json", env=env).stdout)["providers"]
    assert venice["venice"]["rateLimits"] is None and venice["venice"]["rateLimitLog"] is None
    assert limit_requests(server) == []


def test_an_oversized_answer_is_not_read(server: LocalServer) -> None:
    huge = Reply(200, [b'{"data": {"rateLimits": [], "pad": "' + b"x" * 65536] * 40 + [b'"}}'])
    result = run_cli("limits", env=serve(server, limits=lambda r: huge))
    assert result.code == 1
    assert result.stderr.startswith("Error: Venice's answer is larger than 2 MB")


def test_a_silent_server_meets_the_deadline(server: LocalServer) -> None:
    """No byte within the call's time: a typed timeout, the connection closed."""
    import asyncio
    import dataclasses
    import time

    from openclaw_venice.errors import VeniceTimeoutError
    from openclaw_venice.rate_limits import LIMITS, rate_limits_with
    from openclaw_venice.runtime.plugins import SecretStr
    from openclaw_venice.wire.client import Wire
    from tests.support import faults

    def silent(request: Any) -> None:
        faults.release.wait(5)  # says nothing; the test's end releases it

    server.respond(silent)

    async def ask() -> None:
        async with Wire(server.url + "/api/v1", SecretStr(CANARY)) as wire:
            await rate_limits_with(wire, dataclasses.replace(LIMITS, timeout=0.4, max_retries=0))

    started = time.monotonic()
    with pytest.raises(VeniceTimeoutError, match=r"Venice did not answer within 0\.4 s; try again"):
        asyncio.run(ask())
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    ("payload", "what"),
    [({}, "rate limits"), ({"data": {"rateLimits": "x"}}, "rate limits"), ([], "rate limits")],
)
def test_malformed_limits_are_a_typed_error(payload: Any, what: str) -> None:
    with pytest.raises(StreamFormatError, match=f"Venice's {what} answer is malformed"):
        parse_rate_limits(payload, "rid")


def test_parsing_keeps_what_is_well_formed() -> None:
    limits = parse_rate_limits(RATE_LIMITS)
    assert limits.kinds() == ("RPM", "RPD", "TPM")
    odd = {"data": {"rateLimits": [{"rateLimits": [{"amount": "9", "type": "RPM"},
                                                    {"amount": 3, "type": "RPD"}]}]}}  # fmt: skip
    parsed = parse_rate_limits(odd)
    assert parsed.by_model() == {None: {"RPD": 3.0}}  # no model: the whole key; "9" left out
    assert parsed.summary() == "1 model limited; key never expires"
    log = parse_rate_limit_log(RATE_LIMIT_LOG)
    assert [e.kind for e in log.events] == ["RPM", "FAILED_REQUESTS"]
    with pytest.raises(StreamFormatError):
        parse_rate_limit_log({"data": {}})


@pytest.fixture
def studio(tmp_path: Path) -> dict[str, str]:
    return studio_env(tmp_path)


def test_another_providers_limits_through_the_same_commands(studio: dict[str, str]) -> None:
    result = run_cli("limits", "--provider", "studio", env=studio)
    assert result.code == 0, result.output
    assert cells(result.stdout) == [["sketch", "12"]]
    assert result.stderr.splitlines()[0].split("  ")[0] == "Model"
    assert "images per hour" in result.stderr.splitlines()[0]
    log = run_cli("limits", "--provider", "studio", "--log", env=studio)
    assert cells(log.stdout) == [["yesterday", "sketch", "images per hour", "-"]]
    both = run_cli("limits", env=studio)
    assert both.code == 2
    assert both.stderr.splitlines()[-1] == (
        "Error: several providers offer rate limits (studio, venice); say which: "
        "--model PROVIDER/MODEL or --provider ID"
    )
    status = json.loads(run_cli("models", "status", "--json", env=studio).stdout)
    assert status["providers"]["studio"]["rateLimits"]["tier"] == "hobby"


# -- Python and a terminal ---------------------------------------------------------------------
def test_python_async_and_sync(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from openclaw_venice import VeniceProvider
    from openclaw_venice.runtime.errors import UsageError

    server.respond(venice_extras())
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    provider = VeniceProvider()

    async def main() -> Any:
        try:
            return await provider.limits.get(), await provider.limits.log()
        finally:
            await provider.aclose()

    limits, log = asyncio.run(main())
    assert limits.by_model()["zai-org-glm-5-1"] == {"RPM": 100, "RPD": 5000, "TPM": 2000000}
    assert [e.kind for e in log.events] == ["RPM", "FAILED_REQUESTS"]
    with provider:
        assert provider.limits.get_sync().tier == "paid"
        assert len(provider.limits.log_sync().events) == 2

        async def inside() -> None:
            provider.limits.get_sync()

        with pytest.raises(UsageError, match=r"await provider\.limits\.get\(\)"):
            asyncio.run(inside())


def test_on_a_terminal_the_table_fits_and_keeps_its_header(server: LocalServer) -> None:
    from tests.support.terminal import Terminal

    env = serve(server)
    with Terminal("limits", env=env, columns=40) as term:
        shown = term.read_to_end().decode()
        assert term.wait() == 0
    lines = [line.rstrip() for line in shown.replace("\r", "").splitlines() if line.strip()]
    assert lines[0].split() == ["Model", "RPM", "RPD", "TPM"]  # on stdout, a terminal's
    assert all(len(line) <= 40 for line in lines[:4])  # the rows fit the 40 columns
    assert lines[2].startswith("zai-org-glm-5-1") and lines[3].startswith("venice-sd35")
    assert lines[4].startswith("venice: 2 models; tier paid")
