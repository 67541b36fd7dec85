"""A low-balance warning before a paid media job (issue 25, item 3): the threshold is the
provider block's `params.lowBalanceWarning` in a hand-written config (comments, `${VAR}`s), checked
with the provider's balance capability just before the paid request; it never stops the job,
asks nothing when unset, and works for any provider (a second plugin's credits)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice.runtime.account import Amount, Balance
from openclaw_venice.runtime.commands.balance_guard import low_balance_lines, parse_threshold
from tests.conftest import run_cli
from tests.support.dists import studio_env
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, json_reply
from tests.support.venice_extras import REQUEST_ID, venice_extras

WHERE = "models.providers.venice.params.lowBalanceWarning"


def write_config(threshold: str, provider: str = "venice") -> None:
    path = Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "// written by hand\n{\n  models: { providers: { " + provider + ": {\n"
        "    // warn before paying when the balance is under this\n"
        f"    params: {{ lowBalanceWarning: {threshold} }},\n"
        "  } } },\n}\n"
    )


def serve(server: LocalServer, **handlers: Any) -> dict[str, str]:
    server.respond(venice_extras(**handlers))
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def paths(server: LocalServer) -> list[str]:
    return [r.path.removeprefix("/api/v1") for r in server.requests if "/models" not in r.path]


def make_image(env: dict[str, str], tmp_path: Path) -> Any:
    return run_cli("image", "a fox", "-o", str(tmp_path / "fox.png"), env=env)


def test_a_balance_under_the_threshold_is_warned_before_paying(
    server: LocalServer, tmp_path: Path
) -> None:
    write_config("100")  # Venice pays in DIEM here (BALANCE): 90.50 left
    result = make_image(serve(server), tmp_path)
    assert result.code == 0, result.output
    lines = result.stderr.splitlines()
    warning = (
        "warning: the venice balance is low before this paid job: DIEM 90.50 left, below the "
        f"100 set in {WHERE}"
    )
    assert warning in lines
    assert lines.index(warning) < lines.index(
        "venice/venice-sd35 (private: nothing stored or logged)"
    )
    assert paths(server) == ["/billing/balance", "/image/generate"]  # asked first, then paid
    assert (tmp_path / "fox.png").stat().st_size > 0  # the job went on


def test_per_unit_thresholds_from_variables(server: LocalServer, tmp_path: Path) -> None:
    write_config('{ USD: "${LOW_USD}", diem: 5 }')
    env = {**serve(server), "LOW_USD": "30"}
    result = make_image(env, tmp_path)
    assert result.code == 0, result.output
    assert [x for x in result.stderr.splitlines() if x.startswith("warning:")] == [
        "warning: the venice balance is low before this paid job: USD 25.00 left, below the 30 "
        f"set in {WHERE}"
    ]  # DIEM 90.50 is above its 5


def test_a_balance_above_the_threshold_says_nothing(server: LocalServer, tmp_path: Path) -> None:
    write_config("5")
    result = make_image(serve(server), tmp_path)
    assert result.code == 0, result.output
    assert "warning" not in result.stderr
    assert paths(server) == ["/billing/balance", "/image/generate"]


def test_without_a_threshold_no_balance_is_asked(server: LocalServer, tmp_path: Path) -> None:
    result = make_image(serve(server), tmp_path)
    assert result.code == 0, result.output
    assert paths(server) == ["/image/generate"]


def test_a_balance_that_cannot_be_read_is_one_line_and_the_job_goes_on(
    server: LocalServer, tmp_path: Path
) -> None:
    write_config("100")
    broken = json_reply({"error": "Internal error"}, 500, {"CF-RAY": REQUEST_ID})
    result = make_image(serve(server, balance=lambda r: broken), tmp_path)
    assert result.code == 0, result.output
    (warning,) = [x for x in result.stderr.splitlines() if x.startswith("warning:")]
    assert warning.startswith(
        "warning: could not check the venice balance before this paid job: Venice 500"
    )
    assert warning.endswith(f"(request id {REQUEST_ID})")
    assert paths(server)[-1] == "/image/generate"


def test_a_threshold_of_the_wrong_shape_is_named_and_ignored(
    server: LocalServer, tmp_path: Path
) -> None:
    write_config('"five"')
    result = make_image(serve(server), tmp_path)
    assert result.code == 0, result.output
    assert (
        f"warning: {WHERE} must be a number or {{UNIT: number}} (e.g. {{USD: 2, DIEM: 5}}); ignored"
    ) in result.stderr.splitlines()
    assert paths(server) == ["/image/generate"]


def test_another_providers_balance_is_checked_the_same_way(tmp_path: Path) -> None:
    env = studio_env(tmp_path)
    write_config("{ credits: 10 }", provider="studio")
    out = tmp_path / "s.png"
    result = run_cli("image", "a cat", "-m", "studio/sketch", "-o", str(out), env=env)
    assert result.code == 0, result.output
    assert (
        "warning: the studio balance is low before this paid job: credits 7.00 left, below the "
        "10 set in models.providers.studio.params.lowBalanceWarning"
    ) in result.stderr.splitlines()
    assert out.is_file()


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        (5, {None: 5.0}),
        (" 2.5 ", {None: 2.5}),
        ({"usd": 2, "DIEM": "5"}, {"USD": 2.0, "DIEM": 5.0}),
        (-1, None),
        (float("nan"), None),
        (True, None),
        ({}, None),
        ({"USD": "x"}, None),
        ([5], None),
    ],
)
def test_parse_threshold(value: Any, parsed: Any) -> None:
    assert parse_threshold(value) == parsed


def test_a_plain_number_applies_to_the_currency_being_paid_in() -> None:
    balance = Balance((Amount("USD", 1.0), Amount("DIEM", 1.0)), currency="USD")
    (line,) = low_balance_lines("p", balance, {None: 3})
    assert "USD 1.00 left" in line  # not DIEM: the next request is paid in USD
    unstated = Balance((Amount("USD", 1.0), Amount("DIEM", 1.0)))
    assert len(low_balance_lines("p", unstated, {None: 3})) == 2
    blocked = Balance((Amount("USD", 50.0),), can_consume=False)
    assert low_balance_lines("p", blocked, {None: 3}) == [
        "p says this account cannot pay for requests now (USD 50.00; requests cannot be paid "
        "for now); the job will likely be refused"
    ]


def test_a_threshold_directly_in_the_provider_block_is_named_with_where_it_goes(
    server: LocalServer, tmp_path: Path
) -> None:
    """The place docs gave before the setting moved under ``params`` (where TypeScript
    OpenClaw takes it): not read there, and the user is told where it goes."""
    path = Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ models: { providers: { venice: { lowBalanceWarning: 100 } } } }\n")
    result = make_image(serve(server), tmp_path)
    assert result.code == 0, result.output
    assert (
        "warning: models.providers.venice.lowBalanceWarning is not read there (TypeScript "
        "OpenClaw refuses the file with it); move it to "
        "models.providers.venice.params.lowBalanceWarning"
    ) in result.stderr.splitlines()
    assert paths(server) == ["/image/generate"]
