"""Balance in ``openclaw models status`` and spend in ``openclaw usage``, through the CLI
against a loopback Venice (issue 17, item 1)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openclaw_venice.billing import parse_balance, parse_usage
from openclaw_venice.errors import StreamFormatError
from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, json_reply
from tests.support.venice_extras import BALANCE, REQUEST_ID, USAGE, venice_extras


def serve(server: LocalServer, **handlers: Any) -> dict[str, str]:
    server.respond(venice_extras(**handlers))
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def billing_requests(server: LocalServer) -> list[Any]:
    return [r for r in server.requests if "/billing/" in r.path]


def test_status_shows_usd_diem_and_the_epoch_allocation(server: LocalServer) -> None:
    result = run_cli("models", "status", env=serve(server))
    assert result.code == 0, result.output
    (line,) = [x for x in result.stdout.splitlines() if "balance:" in x]
    assert "USD 25.00" in line and "DIEM 90.50" in line
    assert "of 100 per epoch, 10% used" in line and "paying in DIEM" in line
    (request,) = billing_requests(server)
    assert request.method == "GET" and request.path == "/api/v1/billing/balance"
    assert request.headers["authorization"] == f"Bearer {CANARY}"


def test_status_json_carries_the_balance(server: LocalServer) -> None:
    result = run_cli("models", "status", "--json", env=serve(server))
    balance = json.loads(result.stdout)["providers"]["venice"]["balance"]
    assert balance["amounts"] == {"USD": 25, "DIEM": 90.5}
    assert balance["allocation"] == {
        "unit": "DIEM",
        "remaining": 90.5,
        "total": 100,
        "period": "epoch",
        "usedPercent": 9.5,
    }
    assert balance["canConsume"] is True and balance["currency"] == "DIEM"


def test_a_refused_balance_is_one_line_and_the_status_still_succeeds(server: LocalServer) -> None:
    refused = json_reply({"error": "Authentication failed"}, 401, {"CF-RAY": REQUEST_ID})
    env = serve(server, balance=lambda r: refused)
    result = run_cli("models", "status", env=env)
    assert result.code == 0, result.output
    lines = [x for x in result.stdout.splitlines() if "balance:" in x]
    assert lines == [
        "  balance: unavailable; Venice 401: Authentication failed; the API key was refused; "
        "run `openclaw onboard --auth-choice venice-api-key` (request id 9a8b7c6d5e4f-FRA)"
    ]
    assert "catalog live" in result.stdout  # the rest of the status is there
    assert len(billing_requests(server)) == 1  # a 401 is not retried
    payload = json.loads(run_cli("models", "status", "--json", env=env).stdout)
    assert "Venice 401" in payload["providers"]["venice"]["balance"]["error"]


def test_an_unreachable_venice_is_one_line_too() -> None:
    result = run_cli("models", "status", env={"VENICE_API_KEY": CANARY})
    assert result.code == 0, result.output
    (line,) = [x for x in result.stdout.splitlines() if "balance" in x]
    assert line.startswith("  balance: unavailable; could not reach Venice at 127.0.0.1:9")


def test_an_oversized_balance_answer_is_not_read(server: LocalServer) -> None:
    huge = Reply(200, [b'{"balances": {"usd": 1, "pad": "' + b"x" * 65536] * 20 + [b'"}}'])
    result = run_cli("models", "status", env=serve(server, balance=lambda r: huge))
    assert result.code == 0
    assert "balance: unavailable; Venice's answer is larger than 1 MB" in result.stdout


def test_no_key_no_balance_request(server: LocalServer) -> None:
    env = serve(server)
    del env["VENICE_API_KEY"]
    result = run_cli("models", "status", "--json", env=env)
    assert json.loads(result.stdout)["providers"]["venice"]["balance"] is None
    assert billing_requests(server) == []


def test_usage_table_by_model_with_totals(server: LocalServer) -> None:
    result = run_cli("usage", env=serve(server))
    assert result.code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Model", "Type", "Units", "USD", "DIEM"]
    assert lines[2].split() == ["GLM", "5.1", "LLM", "50,000", "tokens", "0.4000", "12.5000"]
    assert lines[3].split() == ["Venice", "SD35", "IMAGE", "3", "images", "0.0300", "0.0000"]
    assert lines[4].split() == ["total", "0.4300", "12.5000"]
    assert lines[-1] == "venice: 2 models, last 7d"
    (request,) = billing_requests(server)
    assert request.path == "/api/v1/billing/usage-analytics"
    assert request.query == {"lookback": ["7d"]}


def test_usage_json_and_window(server: LocalServer) -> None:
    result = run_cli("usage", "--days", "30", "--json", env=serve(server))
    payload = json.loads(result.stdout)
    assert payload["provider"] == "venice" and payload["window"] == "7d"  # as Venice said
    assert payload["models"][0] == {
        "model": "GLM 5.1",
        "type": "LLM",
        "units": 50000,
        "unit": "tokens",
        "spend": {"USD": 0.4, "DIEM": 12.5},
    }
    assert payload["totals"] == {"USD": pytest.approx(0.43), "DIEM": 12.5}
    assert billing_requests(server)[0].query == {"lookback": ["30d"]}


def test_usage_refuses_a_window_venice_does_not_keep(server: LocalServer) -> None:
    for days in ("0", "91"):
        result = run_cli("usage", "--days", days, env=serve(server))
        assert result.code == 2
        assert result.stderr == "Error: --days must be 1 to 90 (Venice keeps 90 days)\n"
    assert billing_requests(server) == []


def test_parse_balance_ignores_values_that_are_not_amounts() -> None:
    balance = parse_balance(
        {"balances": {"usd": "12", "diem": None}, "diemEpochAllocation": 100, "canConsume": False}
    )
    assert balance.amounts == () and balance.allocation is None
    assert balance.summary() == "no balance reported; requests cannot be paid for now"
    balance = parse_balance({"balances": {"usd": -1, "diem": float("nan")}})
    assert balance.amounts == ()
    assert parse_balance(BALANCE).summary() == (
        "USD 25.00, DIEM 90.50 (of 100 per epoch, 10% used); paying in DIEM"
    )


@pytest.mark.parametrize("payload", [[], {"balances": 3}, {"canConsume": True}])
def test_parse_balance_refuses_a_malformed_answer(payload: Any) -> None:
    with pytest.raises(StreamFormatError, match=r"balance answer is malformed.*request id r-1"):
        parse_balance(payload, "r-1")


def test_parse_usage_keeps_the_order_venice_gives() -> None:
    report = parse_usage(USAGE)
    assert [r.model for r in report.rows] == ["GLM 5.1", "Venice SD35"]
    with pytest.raises(StreamFormatError):
        parse_usage({"byModel": [{"totalUsd": 1}]})
