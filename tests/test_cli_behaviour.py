"""What people used to gh and llm expect of ``openclaw`` in pipes and scripts (issue 13):
the CLI (``run_cli``), a local Venice-shaped server where a turn is sent."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import OPENCLAW, run_cli
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Request, json_reply

ROWS = [
    {"id": "llama-3.3-70b", "type": "text", "model_spec": {"privacy": "private"}},
    {"id": "qwen3-vl-235b-a22b", "type": "text", "model_spec": {"privacy": "private"}},
    {"id": "e2ee-glm-5-1", "type": "text", "model_spec": {"capabilities": {"supportsE2EE": True}}},
]
PNG = base64.b64decode(  # a real 1x1 PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def venice(server: LocalServer, text: str = "Fine.") -> dict[str, str]:
    def respond(request: Request) -> Any:
        if request.path.endswith("/models"):
            return json_reply({"data": ROWS})
        return venice_wire.stream_reply(venice_wire.text_stream(text))

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def turns(server: LocalServer) -> list[dict[str, Any]]:
    return [r.json() for r in server.requests if r.path.endswith("/chat/completions")]


def one_error_line(stderr: str) -> str:
    """The single line of a failure: starts with ``Error:``, nothing else printed."""
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    for doubled in ("..", ";;", ".;", ";.", ",."):
        assert doubled not in lines[0].replace("...", "…"), lines[0]
    return lines[0]


# -- 2. pipes ---------------------------------------------------------------------------------


def test_a_reader_that_goes_away_ends_the_list_quietly() -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first row is written (as with `| head -1`)
    proc = subprocess.run(
        [str(OPENCLAW), "models", "list"], stdout=write, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    os.close(write)
    stderr = proc.stderr.decode()
    assert proc.returncode == 0, stderr
    assert "BrokenPipe" not in stderr and "Traceback" not in stderr and "Exception" not in stderr


def test_head_1_through_a_shell_pipe_exits_quietly() -> None:
    proc = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {OPENCLAW} models list | head -1"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("venice/") and proc.stdout.count("\n") == 1
    assert "Error" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_down_a_pipe_stdout_holds_model_rows_only() -> None:
    result = run_cli("models", "list")
    rows = result.stdout.splitlines()
    assert len(rows) > 50 and all(row.startswith("venice/") for row in rows)
    assert result.stderr.splitlines()[-3].split()[:2] == ["Model", "Input"]  # header to stderr
    assert "models, from the bundled catalog" in result.stderr.splitlines()[-1]
    assert all("…" not in row for row in rows)  # nothing cut for a pipe whatever COLUMNS says


# -- 3. input checks before anything is sent ---------------------------------------------------


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (b"not an image at all", "is not a PNG, JPEG, GIF or WebP image"),
        (b"%PDF-1.7\n", "is not a PNG, JPEG, GIF or WebP image"),
        (b"", "is not a PNG, JPEG, GIF or WebP image"),
    ],
)
def test_an_attachment_that_is_no_image_is_refused_naming_it(
    server: LocalServer, tmp_path: Path, content: bytes, complaint: str
) -> None:
    fake = tmp_path / "photo.png"  # the name says PNG; the content decides
    fake.write_bytes(content)
    result = run_cli("chat", "-m", "venice/qwen3-vl-235b-a22b", "--image", str(fake), "what?",
                     env=venice(server))  # fmt: skip
    line = one_error_line(result.stderr)
    assert str(fake) in line and complaint in line and result.code == 2
    assert turns(server) == []


def test_an_image_over_the_size_cap_is_refused_before_reading(
    server: LocalServer, tmp_path: Path
) -> None:
    from openclaw_venice.runtime.commands.chat_input import MAX_IMAGE_BYTES

    big = tmp_path / "big.png"
    with big.open("wb") as file:
        file.write(PNG)
        file.truncate(MAX_IMAGE_BYTES + 1)  # sparse: no 15 MB written
    result = run_cli("chat", "-m", "venice/qwen3-vl-235b-a22b", "--image", str(big), "what?",
                     env=venice(server))  # fmt: skip
    line = one_error_line(result.stderr)
    assert str(big) in line and "over the 15 MB limit" in line
    assert turns(server) == []


def test_real_images_go_with_the_type_their_content_has(
    server: LocalServer, tmp_path: Path
) -> None:
    png, gif = tmp_path / "dot.png", tmp_path / "named-wrongly.jpg"
    png.write_bytes(PNG)
    gif.write_bytes(GIF)
    result = run_cli("chat", "-m", "venice/qwen3-vl-235b-a22b", "--image", str(png),
                     "--image", str(gif), "what?", env=venice(server))  # fmt: skip
    assert result.code == 0, result.output
    parts = turns(server)[0]["messages"][-1]["content"]
    urls = [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
    assert urls[0] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert urls[1].startswith("data:image/gif;base64,")


@pytest.mark.parametrize("value", ["0", "-5", "ten", "1.5"])
def test_max_tokens_must_be_a_positive_whole_number(server: LocalServer, value: str) -> None:
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "--max-tokens", value, "hi",
                     env=venice(server))  # fmt: skip
    line = one_error_line(result.stderr)
    assert result.code == 2 and "--max-tokens" in line and value in line
    assert "`openclaw chat --help`" in line
    assert turns(server) == []


def test_chat_takes_the_key_flag_first(server: LocalServer) -> None:
    env = {**venice(server), "VENICE_API_KEY": "sk-from-the-environment"}
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "--venice-api-key", CANARY, "hi",
                     env=env)  # fmt: skip
    assert result.code == 0, result.output
    assert server.requests[-1].headers["authorization"] == f"Bearer {CANARY}"


# -- 4. piped text and an argument ------------------------------------------------------------


def test_piped_text_and_an_argument_are_sent_together(server: LocalServer) -> None:
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "Summarise",
                     input="Line one.\nLine two.\n", env=venice(server))  # fmt: skip
    assert result.code == 0, result.output
    assert turns(server)[0]["messages"] == [
        {"role": "user", "content": "Line one.\nLine two.\n\nSummarise"}
    ]


def test_invalid_utf8_on_stdin_is_one_line(server: LocalServer) -> None:
    proc = subprocess.run(
        [str(OPENCLAW), "chat", "-m", "venice/llama-3.3-70b", "Summarise"],
        input=b"caf\xe9\n", capture_output=True, env={**os.environ, **venice(server)}, timeout=60,
    )  # fmt: skip
    line = one_error_line(proc.stderr.decode())
    assert "stdin is not valid UTF-8" in line and proc.returncode == 2
    assert turns(server) == []


def test_invalid_utf8_in_an_argument_is_one_line(server: LocalServer) -> None:
    proc = subprocess.run(
        [os.fsencode(OPENCLAW), b"chat", b"-m", b"venice/llama-3.3-70b", b"caf\xe9"],
        capture_output=True, stdin=subprocess.DEVNULL, env={**os.environ, **venice(server)},
        timeout=60,
    )  # fmt: skip
    line = one_error_line(proc.stderr.decode())
    assert "argument 4" in line and "not valid UTF-8" in line and proc.returncode == 2
    assert turns(server) == []


# -- 5. a default that works -------------------------------------------------------------------


def test_onboard_with_model_sets_that_default(server: LocalServer) -> None:
    env = venice(server)
    result = run_cli("onboard", "--non-interactive", "--auth-choice", "venice-api-key",
                     "--model", "venice/qwen3-vl-235b-a22b", "--json", env=env)  # fmt: skip
    assert result.code == 0, result.output
    assert json.loads(result.stdout)["defaultModel"] == "venice/qwen3-vl-235b-a22b"
    chat = run_cli("chat", "hi", env=env)
    assert chat.code == 0 and turns(server)[0]["model"] == "qwen3-vl-235b-a22b"


def test_onboard_with_an_unknown_model_is_refused(server: LocalServer) -> None:
    result = run_cli("onboard", "--non-interactive", "--auth-choice", "venice-api-key",
                     "--model", "venice/no-such-model", env=venice(server))  # fmt: skip
    assert "unknown model venice/no-such-model" in one_error_line(result.stderr)


def test_a_missing_preferred_default_falls_back_to_a_private_tool_reasoning_model() -> None:
    from openclaw_venice.runtime.catalog import ModelInfo, ModelProfile
    from openclaw_venice.runtime.onboarding import pick_default

    models = [
        ModelInfo("anon", "A", "p", reasoning=True, privacy="anonymized"),
        ModelInfo("plain", "B", "p", supports_tools=False, privacy="private"),
        ModelInfo("e2ee-x", "E", "p", reasoning=True, privacy="private",
                  profile=ModelProfile(e2ee=True)),
        ModelInfo("tools", "C", "p", privacy="private"),
        ModelInfo("best", "D", "p", reasoning=True, privacy="private"),
    ]
    assert pick_default(models, "gone").id == "best"  # type: ignore[union-attr]
    assert pick_default(models, "anon").id == "anon"  # type: ignore[union-attr]
    assert pick_default(models[:2], None).id == "plain"  # type: ignore[union-attr]


# -- 9. warnings where they matter ------------------------------------------------------------


def test_models_set_on_an_e2ee_model_says_so(server: LocalServer) -> None:
    result = run_cli("models", "set", "venice/e2ee-glm-5-1", env=venice(server))
    assert result.code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "end-to-end-encrypted (e2ee)" in warnings[0]
    plain = run_cli("models", "set", "venice/llama-3.3-70b", env=venice(server))
    assert "e2ee" not in plain.stderr


# -- 10. every failure is one line that says what to do ----------------------------------------


@pytest.mark.parametrize(
    ("args", "needle", "hint"),
    [
        (["chat", "--bogus"], "unrecognized arguments: --bogus", "`openclaw chat --help`"),
        (["models", "set"], "arguments are required: PROVIDER/MODEL",
         "`openclaw models set --help`"),
        (["models", "lsit"], "invalid choice: 'lsit'", "`openclaw models --help`"),
        (["frobnicate"], "invalid choice: 'frobnicate'", "`openclaw --help`"),
        (["chat", "--thinking", "max", "hi"], "invalid choice: 'max'", "`openclaw chat --help`"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_with_a_pointer_to_help(
    args: list[str], needle: str, hint: str
) -> None:
    result = run_cli(*args)
    line = one_error_line(result.stderr)
    assert result.code == 2 and needle in line and line.endswith(f"see {hint}")


def test_an_unwritable_state_dir_is_one_line(server: LocalServer, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state directory should be")
    env = {**venice(server), "OPENCLAW_STATE_DIR": str(blocker / "state")}
    result = run_cli("onboard", "--non-interactive", "--auth-choice", "venice-api-key", env=env)
    line = one_error_line(result.stderr)
    assert str(blocker) in line and result.code == 1


def test_a_base_url_with_a_bad_port_is_one_line(server: LocalServer) -> None:
    env = {**venice(server), "VENICE_BASE_URL": "http://127.0.0.1:99999/api/v1"}
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "hi", env=env)
    line = one_error_line(result.stderr)
    assert "http://127.0.0.1:99999/api/v1" in line and "port" in line
    assert "VENICE_BASE_URL" in line or "baseUrl" in line


def test_every_option_has_help() -> None:
    import argparse

    from openclaw_venice.runtime.cli import build_parser
    from openclaw_venice.runtime.plugins import load_plugins

    def walk(parser: argparse.ArgumentParser, where: str) -> list[str]:
        missing = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    missing += walk(sub, f"{where} {name}")
            elif where != "openclaw" and action.dest in ("debug", "verbose"):
                assert action.help == argparse.SUPPRESS  # taken anywhere, shown at the top
            elif not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{where} {action.dest}")
        return missing

    assert walk(build_parser(load_plugins()), "openclaw") == []


def test_auth_choice_help_lists_the_choices() -> None:
    result = run_cli("onboard", "--help")
    assert "venice-api-key" in " ".join(result.stdout.split())


def test_models_status_without_a_key_reads_naturally() -> None:
    result = run_cli(
        "models", "status", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("venice:"))
    assert "key from missing" not in line
    assert (
        "no API key (set VENICE_API_KEY or run `openclaw onboard --auth-choice venice-api-key`)"
        in line
    )


def test_models_status_names_the_variable_it_used(server: LocalServer, tmp_path: Path) -> None:
    from tests.test_cli_models import config_file

    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text('{models: {providers: {venice: {apiKey: "${MY_VENICE}"}}}}')
    result = run_cli("models", "status", env={"MY_VENICE": CANARY})
    line = next(line for line in result.stdout.splitlines() if line.startswith("venice:"))
    assert "key from MY_VENICE (environment)" in line


# -- 12. startup imports only what the command needs ------------------------------------------


def imported(*args: str, env: dict[str, str] | None = None) -> set[str]:
    proc = subprocess.run(
        [str(OPENCLAW), *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {}), "PYTHONPROFILEIMPORTTIME": "1"}, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {
        line.split("|")[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_version_imports_no_command_and_no_dependency() -> None:
    modules = imported("--version")
    heavy = {"httpx", "pydantic", "json5", "keyring", "platformdirs", "argparse"}
    heavy |= {"importlib.metadata", "email", "zipfile", "tempfile"}  # no plugin is loaded
    assert not heavy & modules
    assert not [m for m in modules if m.startswith("openclaw_venice.runtime.commands")]


def test_chat_does_not_import_pydantic(server: LocalServer) -> None:
    modules = imported("chat", "-m", "venice/llama-3.3-70b", "hi", env=venice(server))
    assert "httpx" in modules  # it did chat
    assert "pydantic" not in modules
    assert "openclaw_venice.runtime.commands.onboard" not in modules


def test_models_list_offline_imports_neither_metadata_machinery_nor_writers() -> None:
    run_cli("models", "list")  # the first run fails discovery and remembers it
    imported("models", "list")  # a first process remembers the entry points of its sys.path
    modules = imported("models", "list")
    assert not {"pydantic", "httpx"} & modules
    # importlib.metadata's answer is remembered (runtime/entry_point_cache.py): the run after
    # the first imports neither it nor the email, zipfile and tempfile it loads
    assert not {"importlib.metadata", "email", "zipfile", "tempfile"} & modules
    assert "openclaw_venice.runtime.commands.chat" not in modules
    # what made it 8x python -c pass: dataclasses (compiled methods, and inspect), OpenSSL
    # for a file name, platformdirs (and the tempfile it loads) for the usual cache dir, the
    # records of capabilities it does not show, other actions' parsers
    assert not {"dataclasses", "inspect", "hashlib", "asyncio", "platformdirs"} & (
        modules
    )
    records = {f"openclaw_venice.runtime.{m}" for m in ("media", "account", "attestation")}
    assert not records & modules
    assert "openclaw_venice.runtime.commands.attest" not in modules


def test_an_egg_info_beside_its_dist_info_loads_the_plugin_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entry points come from importlib.metadata (issue 26 item 2): one distribution per
    normalised name, the first on the path winning. The hand-written reader it replaces took
    an old ``demo_provider.egg-info`` beside ``demo_provider-0.2.dist-info`` for a second
    distribution and loaded the plugin twice ("has the id 'demo' of another plugin")."""
    from importlib.metadata import entry_points

    from openclaw_venice.runtime.plugins import ENTRY_POINT_GROUP, load_plugins

    site, later = tmp_path / "site", tmp_path / "later"
    for where, name, line in [
        (site, "demo_provider-0.2.dist-info", "demo = tests.support.demo_plugin:plugin [extra]"),
        (site, "demo_provider.egg-info", "demo = tests.support.demo_plugin:plugin"),
        (site, "Demo_Provider-0.1.egg-info", "demo = tests.support.demo_plugin:plugin"),
        (later, "demo_provider-0.3.dist-info", "shadowed = nowhere:plugin"),  # later on the path
    ]:
        dist = where / name
        dist.mkdir(parents=True)
        info = "METADATA" if name.endswith(".dist-info") else "PKG-INFO"
        (dist / info).write_text("Metadata-Version: 2.1\nName: demo-provider\nVersion: 0.2\n")
        (dist / "entry_points.txt").write_text(f"# comment\n[{ENTRY_POINT_GROUP}]\n{line}\n")
    monkeypatch.syspath_prepend(str(later))
    monkeypatch.syspath_prepend(str(site))
    listed = sorted(e.name for e in entry_points(group=ENTRY_POINT_GROUP))
    assert listed == ["demo", "venice"]
    registry = load_plugins()
    assert registry.failures == []
    assert sorted(registry.plugins) == ["demo", "venice"]
    assert sorted(registry.providers) == ["demo", "venice"]
