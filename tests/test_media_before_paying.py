"""`image` and `embed` refuse what would fail only after paying (found by a newcomer:
`openclaw image -o /missing/dir/x.png` paid for the image, then could not write it; unknown
model ids were sent when Venice's model list could not be fetched)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, json_reply
from tests.support.venice_extras import venice_extras


def serve(server: LocalServer, lists: bool = True) -> dict[str, str]:
    """Venice's media endpoints; ``lists=False``: its model lists cannot be fetched."""
    extras = venice_extras()

    def respond(request: Any) -> Reply | None:
        if not lists and request.path.endswith("/models"):
            return json_reply({"error": "unavailable"}, 503, {"Retry-After": "0"})
        return extras(request)

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def paid(server: LocalServer) -> list[str]:
    return [r.path for r in server.requests if not r.path.endswith("/models")]


def test_an_output_directory_that_does_not_exist_is_refused_first(
    server: LocalServer, tmp_path: Path
) -> None:
    out = tmp_path / "missing" / "dir" / "x.png"
    result = run_cli("image", "a fox", "-o", str(out), env=serve(server))
    assert result.code == 2, result.output
    assert result.stderr.splitlines()[-1] == (
        f"Error: cannot write into {out.parent}: No such file or directory; create it or pick "
        "another -o (nothing was generated)"
    )
    assert paid(server) == []


def test_an_output_directory_that_is_a_file_is_refused_first(
    server: LocalServer, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("a file, not a directory\n")
    out = tmp_path / "notes.txt" / "x.png"
    result = run_cli("image", "a fox", "-o", str(out), "--count", "2", env=serve(server))
    assert result.code == 2, result.output
    assert f"Error: cannot write into {out.parent}: Not a directory" in result.stderr
    assert paid(server) == []


@pytest.mark.parametrize(
    ("args", "kind"),
    [(["image", "a fox", "-m", "venice/no-such-painter"], "image"),
     (["embed", "text", "-m", "venice/no-such-embedder"], "embedding")],
    ids=["image", "embed"],
)  # fmt: skip
def test_an_unknown_model_is_refused_when_only_the_bundled_list_is_known(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str],
    kind: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    result = run_cli(*args, env=serve(server, lists=False))
    assert result.code == 2, result.output
    line = result.stderr.splitlines()[-1]
    assert line.startswith(f"Error: unknown model {args[-1]} in the bundled list, used because ")
    assert f"run `openclaw models list --type {kind} --refresh` to fetch the live list" in line
    assert paid(server) == []
    assert result.stdout == ""
