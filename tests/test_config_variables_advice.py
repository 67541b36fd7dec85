"""``${VAR}`` outside the key (issue 24, notes): a missing variable in ``baseUrl`` sends the
user to the config file, not to ``onboard`` (which reads the same file and fails the same
way), and ``models set`` over a ``${VAR}`` default says it replaces the reference with a
literal (and works while that variable is unset: it is how the user fixes it)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import run_cli


def write(config: dict[str, object]) -> Path:
    path = Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config))
    return path


def test_a_missing_variable_in_base_url_points_at_the_file_not_at_onboard() -> None:
    write({"models": {"providers": {"venice": {"baseUrl": "${MY_VENICE_URL}/api/v1"}}}})
    for command in (
        ("models", "list"),
        ("onboard", "--non-interactive", "--auth-choice", "venice-api-key",
         "--venice-api-key", "vk-advice"),
    ):  # fmt: skip
        result = run_cli(*command)
        assert result.code == 1
        assert result.stderr == (
            "Error: environment variable MY_VENICE_URL referenced at "
            "models.providers.venice.baseUrl is missing or empty; set it, or change "
            "models.providers.venice.baseUrl in the config file\n"
        )


def test_a_missing_key_variable_still_points_at_onboard() -> None:
    from openclaw_venice.runtime.errors import MissingVariableError

    message = str(MissingVariableError("MY_KEY", "models.providers.venice.apiKey"))
    assert message.endswith("set it, or run `openclaw onboard` to store it")


def test_models_set_says_it_replaces_a_variable_default() -> None:
    path = write({"agents": {"defaults": {"model": {"primary": "${MY_MODEL}"}}}})
    result = run_cli("models", "set", "venice/llama-3.3-70b")  # MY_MODEL unset: still works
    assert result.code == 0, result.output
    assert json.loads(path.read_text())["agents"]["defaults"]["model"]["primary"] == (
        "venice/llama-3.3-70b"
    )
    assert (
        "warning: agents.defaults.model.primary was ${MY_MODEL} (read from the environment); "
        "it is now venice/llama-3.3-70b, written as it is: set it back by hand to keep taking "
        "it from the variable"
    ) in result.stderr
    again = run_cli("models", "set", "venice/llama-3.3-70b")
    assert "read from the environment" not in again.stderr
