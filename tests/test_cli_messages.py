"""What a new user reads (issue 13's cold trial, items 9 and 10): a catalog fallback is said
where a catalog is shown and nowhere else, JSON lists carry the facts their tables show, a
400 gives advice that works with or without a request id, the provider picker reads as a
sentence, and ``models status`` names the variable it used."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.terminal import Terminal

MODELS_ROW = {"id": "llama-3.3-70b", "type": "text", "model_spec": {"privacy": "private"}}
FAILED = "Venice model discovery failed: connection refused"
REMEMBERED = "Venice was unreachable a moment ago"
WITH_KEY = {"VENICE_API_KEY": CANARY}


def config_file() -> Path:
    from tests.test_cli_models import config_file

    path: Path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def venice(server: LocalServer, chat: Callable[[], Reply] | None = None) -> dict[str, str]:
    """Serve ``/models`` and answer chat turns with a fresh ``chat()``; anything else is a 404."""

    def respond(request: Request) -> Reply | None:
        if request.path.endswith("/models"):
            return json_reply({"data": [MODELS_ROW]})
        if request.path.endswith("/chat/completions") and chat is not None:
            return chat()
        return json_reply({"error": "Not found"}, 404)

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# -- a catalog fallback is news only where a catalog is shown -----------------------------------

QUIET = [  # (args, how many stderr lines: 0, or 1 for the command's own one Error: line)
    (["models", "status"], 0),
    (["models", "set", "venice/llama-3.3-70b"], 0),
    (["onboard", "--non-interactive", "--auth-choice", "venice-api-key"], 0),
    (["chat", "-m", "venice/llama-3.3-70b", "hi"], 1),
    (["chat", "hi"], 1),  # the provider's default model, looked up in the catalog
    (["embed", "hello"], 1),
    (["image", "a lighthouse", "-o", "{tmp}/a.png"], 1),
]


@pytest.mark.parametrize("remembered", [False, True], ids=["first-failure", "remembered"])
@pytest.mark.parametrize(("args", "errors"), QUIET, ids=[" ".join(a[:2]) for a, _ in QUIET])
def test_commands_that_show_no_catalog_do_not_warn_about_it(
    args: list[str], errors: int, remembered: bool, tmp_path: Path
) -> None:
    if remembered:  # a list first: it warns (it shows the catalog), and the failure is kept
        listed = run_cli("models", "list")
        assert [w for w in lines(listed.stderr) if w.startswith("warning: ")] == [
            f"warning: {FAILED}; showing the bundled catalog"
        ]
    result = run_cli(*(a.format(tmp=tmp_path) for a in args), env=WITH_KEY)
    shown = lines(result.stderr)
    assert "bundled" not in result.stderr and "warning" not in result.stderr, result.stderr
    assert len(shown) == errors and all(line.startswith("Error: ") for line in shown)
    assert result.code == (1 if errors else 0)


def test_models_list_still_says_it_shows_the_bundle() -> None:
    run_cli("models", "list")
    again = run_cli("models", "list", "--json")
    assert lines(again.stderr) == [
        f"warning: {REMEMBERED}; showing the bundled catalog (--refresh tries again)"
    ]
    assert json.loads(again.stdout)["source"] == "bundled"


def test_models_status_says_why_its_catalog_is_the_bundled_one() -> None:
    result = run_cli("models", "status")
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("venice:")]
    assert line.endswith(f"; catalog bundled, as {FAILED}")
    payload = json.loads(run_cli("models", "status", "--json").stdout)["providers"]["venice"]
    assert payload["catalogSource"] == "bundled"
    assert payload["catalogNotes"] == [
        f"{REMEMBERED}; showing the bundled catalog (--refresh tries again)"
    ]


def test_a_model_the_bundle_lacks_is_refused_saying_only_the_bundle_was_checked() -> None:
    chat = run_cli("chat", "-m", "venice/brand-new-model", "hi", env=WITH_KEY)
    assert chat.code == 2  # a model named on the command line: docs/commands.md
    assert lines(chat.stderr) == [
        f"Error: unknown model venice/brand-new-model in the bundled list, used because {FAILED}; "
        "run `openclaw models refresh` to fetch the live list"
    ]
    close = run_cli("models", "set", "venice/llama-3.3-70c")
    assert close.code == 2
    (line,) = lines(close.stderr)
    assert line.startswith(
        "Error: unknown model venice/llama-3.3-70c in the bundled list, used because "
        f"{REMEMBERED}; did you mean venice/llama-3.3-70b"
    )
    assert line.endswith("? Or run `openclaw models refresh` to fetch the live list")


def test_a_model_the_live_list_lacks_is_refused_plainly(server: LocalServer) -> None:
    env = venice(server)
    chat = run_cli("chat", "-m", "venice/brand-new-model", "hi", env=env)
    assert lines(chat.stderr) == [
        "Error: unknown model venice/brand-new-model; run `openclaw models list` to see the models"
    ]
    assert not [r for r in server.requests if r.path.endswith("/chat/completions")]


def test_interactive_onboarding_reads_naturally_and_says_why_its_list_is_bundled() -> None:
    with Terminal("onboard", env={"VENICE_API_KEY": ""}) as term:
        picker = term.read_until(b"Choose [1]: ").decode()
        term.type("\n")
        term.read_until(b"Enter Venice AI API key: ")
        term.type(CANARY + "\n")
        models = term.read_until(b"Default model (number or id)").decode()
        term.type("\n")
        rest = term.read_to_end().decode()
        assert term.wait() == 0
    assert "  1) Venice AI API key: privacy-focused (uncensored models)\r\n" in picker
    assert f"Models, from the bundled list as {FAILED}:\r\n" in models
    assert "Default model: venice/kimi-k2-6 (set)" in rest
    shown = picker + models + rest
    assert "warning" not in shown and "((" not in shown and "))" not in shown


def test_describe_method_names_the_group_once_and_keeps_acronyms() -> None:
    from openclaw_venice.runtime.auth import AuthMethod
    from openclaw_venice.runtime.commands.pickers import describe_method

    def method(label: str, hint: str, group: str) -> AuthMethod:
        return AuthMethod("api-key", "c", label, "--c", "C", "c:default", hint, group)

    assert (
        describe_method(method("API key", "Fast (beta).", "Acme")) == "Acme: API key, fast (beta)"
    )
    assert describe_method(method("Acme key", "GPU models", "Acme")) == "Acme key: GPU models"
    assert describe_method(method("Acme key", "", "")) == "Acme key"


# -- JSON carries what the table shows ---------------------------------------------------------


def table_tags(stdout: str, columns: int) -> dict[str, list[str]]:
    """Model ref -> its Tags cell, from the rows a pipe gets (the header goes to stderr)."""
    found: dict[str, list[str]] = {}
    for line in lines(stdout):
        cells = re.split(r" {2,}", line)
        found[cells[0]] = cells[columns - 1].split(",") if len(cells) == columns else []
    return found


@pytest.mark.parametrize("kind", ["text", "image", "embedding"])
def test_json_tags_are_the_tables_tags(kind: str) -> None:
    config_file().write_text(
        '{agents: {defaults: {model: "venice/llama-3.3-70b", '
        'models: {"venice/llama-3.3-70b": {alias: "llama"}}}}}'
    )
    args = ["models", "list", "--type", kind, *(["--all"] if kind == "text" else [])]
    table = table_tags(run_cli(*args).stdout, 5)  # media: Model, Name, Privacy, Price, Tags
    payload = json.loads(run_cli(*args, "--json").stdout)

    def shown(model: dict[str, Any]) -> list[str]:  # the table names a retired id's successor
        return [f"retired→{model['replacement']}" if t == "retired" else t for t in model["tags"]]

    assert {m["ref"]: shown(m) for m in payload["models"]} == table
    assert any("default" in tags for tags in table.values())  # the fact this is about


def test_media_lists_down_a_pipe_are_rows_only() -> None:
    result = run_cli("models", "list", "--type", "image")
    assert all(line.startswith("venice/") for line in lines(result.stdout))
    assert (
        lines(result.stderr)[-1]
        == "venice: 9 image models, from the bundled list (provider not reached)"
    )
    assert "Model" in lines(result.stderr)[1]  # the header, after the one warning


# -- a 400 says what to do ---------------------------------------------------------------------


@pytest.mark.parametrize("ray", [None, "8f1e2d3c4b5a-AMS"], ids=["no-request-id", "request-id"])
def test_a_400_advice_works_with_or_without_a_request_id(
    server: LocalServer, ray: str | None
) -> None:
    headers = {"CF-RAY": ray} if ray else {}
    env = venice(server, lambda: json_reply({"error": "Invalid request."}, 400, headers))
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "hi", env=env)
    assert result.code == 1
    (line,) = lines(result.stderr)
    head = "Error: Venice 400: Invalid request; check the options and the model you used"
    if ray is None:
        assert line == head + ", then try again"
    else:
        assert line == (
            head
            + f"; if they look right, report it to Venice with the request id (request id {ray})"
        )


def test_venice_words_end_our_clause_without_doubled_punctuation() -> None:
    from openclaw_venice.errors import BadRequestError, ServerError

    assert (
        str(ServerError("Internal error;"))
        == "Venice 500: Internal error; Venice had a problem; try again shortly"
    )
    assert str(BadRequestError("Too long...")).startswith("Venice 400: Too long...; check")
    assert str(BadRequestError("Bad value:")).startswith("Venice 400: Bad value; check")


# -- models status names what it used ----------------------------------------------------------


def test_models_status_names_the_variable_of_a_keyring_key() -> None:
    config_file().write_text('{models: {providers: {venice: {apiKey: "${MY_VENICE}"}}}}')
    onboard = run_cli(
        "onboard",
        "--non-interactive",
        "--auth-choice",
        "venice-api-key",
        "--venice-api-key",
        CANARY,
    )
    assert onboard.code == 0, onboard.output
    (line,) = [
        x for x in run_cli("models", "status").stdout.splitlines() if x.startswith("venice:")
    ]
    assert line.startswith("venice: key from the keyring (MY_VENICE); base URL ")
    unset = run_cli(
        "models", "status", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    )
    (line,) = [x for x in unset.stdout.splitlines() if x.startswith("venice:")]
    assert line.startswith(
        "venice: no API key (set MY_VENICE or run `openclaw onboard --auth-choice venice-api-key`);"
    )


def test_models_status_without_a_default_names_the_model_chat_uses(server: LocalServer) -> None:
    from tests.support import venice_wire

    env = venice(server, lambda: venice_wire.stream_reply(venice_wire.text_stream("Hi.")))
    status = run_cli("models", "status", env=env)
    assert status.stdout.splitlines()[1] == (
        "Default model: none set, so chat uses venice/llama-3.3-70b; "
        "`openclaw models set PROVIDER/MODEL` sets one"
    )
    payload = json.loads(run_cli("models", "status", "--json", env=env).stdout)
    assert payload["defaultModel"] is None and payload["chatModel"] == "venice/llama-3.3-70b"
    assert run_cli("chat", "hi", env=env).stdout == "Hi.\n"
    (sent,) = [r.json() for r in server.requests if r.path.endswith("/chat/completions")]
    assert sent["model"] == "llama-3.3-70b"  # what status said
    assert run_cli("models", "set", "venice/llama-3.3-70b", env=env).code == 0
    status = run_cli("models", "status", env=env)
    assert status.stdout.splitlines()[1] == "Default model: venice/llama-3.3-70b"


# -- help a new user reads ---------------------------------------------------------------------


def test_models_list_filters_say_what_they_keep() -> None:
    shown = " ".join(run_cli("models", "list", "--help").stdout.split())
    assert "--tools only models that can call tools" in shown
    assert "--vision only models that take images" in shown
    assert (
        "which models: text (chat, the default), image, embedding, tts (speech), asr "
        "(transcription), video, music (and sound effects), upscale or inpaint (image editing)"
    ) in shown


@pytest.mark.parametrize("group", ["models", "hermes"])
def test_a_group_without_its_action_shows_its_own_help(group: str) -> None:
    result = run_cli(group)
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"usage: openclaw {group} [-h] ACTION ...")


# -- a base URL no request can go to -----------------------------------------------------------

BAD_URLS = {
    "a port out of range": (
        "http://127.0.0.1:99999/api/v1",
        "the base URL is malformed: Port out of range 0-65535",
    ),
    "an unclosed IPv6 bracket": (
        "http://[::1/api/v1",
        "the base URL is malformed: Invalid IPv6 URL",
    ),
    "not http": ("ftp://127.0.0.1/api/v1", "the base URL is not an http(s) URL with a host"),
}


@pytest.mark.parametrize("case", BAD_URLS)
def test_a_malformed_base_url_is_said_at_once_every_time(case: str) -> None:
    url, problem = BAD_URLS[case]
    env = {"VENICE_BASE_URL": url}
    for _ in range(2):  # the second run too says why, not "unreachable a moment ago"
        listed = run_cli("models", "list", env=env)
        assert listed.code == 0 and "venice/llama-3.3-70b" in listed.stdout
        assert [w for w in lines(listed.stderr) if w.startswith("warning: ")] == [
            f"warning: Venice model discovery failed: {problem}; showing the bundled catalog"
        ]
    images = run_cli("models", "list", "--type", "image", env=env)
    assert lines(images.stderr)[0] == (
        f"warning: Venice image model discovery failed: {problem}; showing the bundled list"
    )
    status = run_cli("models", "status", env=env)
    (line,) = [x for x in status.stdout.splitlines() if x.startswith("venice:")]
    assert line.endswith(f"; catalog bundled, as Venice model discovery failed: {problem}")


PASSWORD = "hunter2-in-the-url"


@pytest.mark.parametrize(
    "url",
    [
        f"http://someone:{PASSWORD}@[::1/api/v1",
        f"http://someone:{PASSWORD}@127.0.0.1:9/api/v1",
        f"http://127.0.0.1:9/api/v1?token={PASSWORD}",
    ],
    ids=["malformed", "well-formed", "a query"],
)
def test_what_a_base_url_hides_is_never_printed(url: str) -> None:
    env = {"VENICE_BASE_URL": url, "VENICE_API_KEY": CANARY}
    status = run_cli("models", "status", env=env)
    payload = json.loads(run_cli("models", "status", "--json", env=env).stdout)
    chat = run_cli("chat", "-m", "venice/llama-3.3-70b", "hi", env=env)
    listed = run_cli("models", "list", env=env)
    for result in (status, chat, listed):
        assert PASSWORD not in result.output
    assert PASSWORD not in json.dumps(payload)
    assert "***" in payload["providers"]["venice"]["baseUrl"]
    assert len(lines(chat.stderr)) == 1 and chat.code != 0


def test_shown_url_hides_userinfo_query_and_fragment_only() -> None:
    from openclaw_venice.runtime.urls import shown_url

    assert shown_url("https://api.venice.ai/api/v1") == "https://api.venice.ai/api/v1"
    assert shown_url("http://u:p@[::1/api") == "http://***@[::1/api"
    assert shown_url("http://a@b@host/x@y?t=@z") == "http://***@host/x@y?***"
    assert shown_url("u:p@host/api#t") == "***@host/api#***"
    assert shown_url("http://host/a@b") == "http://host/a@b"


def test_text_only_filters_with_another_type_are_refused_not_ignored() -> None:
    one = run_cli("models", "list", "--type", "image", "--vision")
    assert one.code == 2 and lines(one.stderr) == [
        "Error: --vision applies to text models only; with --type image, filter with --private "
        "or --anonymized"
    ]
    two = run_cli("models", "list", "--type", "embedding", "--tools", "--all")
    assert two.code == 2 and lines(two.stderr)[0].startswith(
        "Error: --tools and --all apply to text models only; with --type embedding,"
    )
    assert run_cli("models", "list", "--type", "image", "--private").code == 0


def test_one_model_is_one_model(server: LocalServer) -> None:
    env = venice(server)
    listed = run_cli("models", "list", env=env)
    assert lines(listed.stderr)[-1] == "venice: 1 model, live from the provider"
    refreshed = run_cli("models", "refresh", env=env)
    assert lines(refreshed.stdout)[0] == "venice: 1 model, 0 added, 0 removed"
