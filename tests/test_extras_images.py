"""``openclaw image``, ``models list --type image`` and ``provider.images`` against a loopback
Venice (issue 17, items 2 and 4)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import VeniceProvider
from openclaw_venice.errors import RequestRefused, StreamFormatError
from openclaw_venice.images import client as image_client
from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.pngs import png, png_size
from tests.support.server import LocalServer, Reply, json_reply
from tests.support.venice_extras import REQUEST_ID, image_answer, venice_extras


def serve(server: LocalServer, **handlers: Any) -> dict[str, str]:
    server.respond(venice_extras(**handlers))
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def posts(server: LocalServer) -> list[Any]:
    return [r for r in server.requests if r.path.endswith("/image/generate")]


def test_writes_a_real_image_file(server: LocalServer, tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    result = run_cli("image", "a lighthouse at dusk", "-m", "venice/venice-sd35", "-o", str(out),
                     env=serve(server))  # fmt: skip
    assert result.code == 0, result.output
    assert result.stdout == f"{out}\n"
    assert png_size(out.read_bytes()) == (4, 3)
    assert "venice/venice-sd35 (private: nothing stored or logged)" in result.stderr
    (request,) = posts(server)
    assert request.headers["authorization"] == f"Bearer {CANARY}"
    assert request.json() == {
        "model": "venice-sd35",
        "prompt": "a lighthouse at dusk",
        "format": "png",
        "return_binary": False,
        "safe_mode": False,
        "variants": 1,
    }


def test_count_writes_several_files(server: LocalServer, tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    result = run_cli("image", "boats", "--count", "3", "-o", str(out), env=serve(server))
    assert result.code == 0, result.output
    files = [tmp_path / f"shot-{i}.png" for i in (1, 2, 3)]
    assert result.stdout.split() == [str(f) for f in files]
    assert [png_size(f.read_bytes()) for f in files] == [(4, 3), (5, 3), (6, 3)]
    assert not out.exists()
    assert posts(server)[0].json()["variants"] == 3


def test_every_option_reaches_venice_as_it_names_it(server: LocalServer, tmp_path: Path) -> None:
    result = run_cli(
        "image", "a fox", "-m", "venice/venice-sd35", "-o", str(tmp_path / "f.webp"),
        "--size", "1024x768", "--seed", "42", "--negative", "clouds, rain",
        "--style", "3D Model", "--safe-mode", env=serve(server),
    )  # fmt: skip
    assert result.code == 0, result.output
    body = posts(server)[0].json()
    assert body == {
        "model": "venice-sd35",
        "prompt": "a fox",
        "format": "webp",
        "return_binary": False,
        "safe_mode": True,
        "variants": 1,
        "width": 1024,
        "height": 768,
        "seed": 42,
        "negative_prompt": "clouds, rain",
        "style_preset": "3D Model",
    }
    run_cli("image", "a fox", "-m", "venice/nano-banana-pro", "--aspect", "16:9",
            "--resolution", "2K", "-o", str(tmp_path / "g.png"), env=serve(server))  # fmt: skip
    body = posts(server)[1].json()
    assert body["aspect_ratio"] == "16:9" and body["resolution"] == "2K"
    assert "width" not in body


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-m", "venice/nano-banana-pro", "--aspect", "4:3"],
         "venice/nano-banana-pro has no aspect ratio '4:3'; use one of 1:1, 16:9, 9:16"),
        (["-m", "venice/nano-banana-pro", "--resolution", "8K"],
         "venice/nano-banana-pro has no resolution '8K'; use one of 1K, 2K, 4K"),
        (["-m", "venice/venice-sd35", "--aspect", "1:1"],
         "venice/venice-sd35 takes no aspect ratio; leave it out"),
        (["-m", "venice/venice-sd35", "--size", "1000x1000"],
         "venice/venice-sd35 needs a width and height divisible by 16 (got 1000x1000)"),
        (["-m", "venice/venice-sd35", "--size", "2048x1024"],
         "image edges must be 1 to 1280 pixels (got 2048)"),
        (["-m", "venice/nano-banana-pro", "--negative", "x" * 41],
         "the negative prompt is 41 characters; venice/nano-banana-pro takes at most 40"),
        (["--count", "5"], "the image count must be 1 to 4 (Venice makes at most 4)"),
        (["--seed", "1000000000"], "the seed must be between -999999999 and 999999999"),
        (["-m", "venice/venice-sd3"],
         "unknown model venice/venice-sd3; did you mean venice/venice-sd35?"),
        (["--size", "1024x768", "--aspect", "16:9"], "give a size or an aspect ratio, not both"),
    ],
)  # fmt: skip
def test_values_are_checked_against_the_model_before_sending(
    server: LocalServer, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run_cli("image", "a fox", "-o", str(tmp_path / "x.png"), *args, env=serve(server))
    assert result.code != 0
    assert result.stderr.splitlines()[-1] == f"Error: {message}"
    assert posts(server) == []
    assert not list(tmp_path.glob("x*.png"))


def test_the_prompt_limit_is_the_models(server: LocalServer, tmp_path: Path) -> None:
    env = serve(server)
    long = "a " * 25
    result = run_cli("image", long, "-m", "venice/nano-banana-pro", "-o", str(tmp_path / "x.png"),
                     env=env)  # fmt: skip
    assert "Error: the prompt is 50 characters; venice/nano-banana-pro takes at most 40" in (
        result.stderr
    )
    assert run_cli("image", long, "-o", str(tmp_path / "y.png"), env=env).code == 0


def test_content_safety_headers_are_reported(server: LocalServer, tmp_path: Path) -> None:
    flags = {"x-venice-is-blurred": "true", "x-venice-is-content-violation": "true"}
    env = serve(server, image=lambda r: image_answer(1, flags))
    result = run_cli("image", "x", "-o", str(tmp_path / "a.png"), "--json", env=env)
    assert result.code == 0, result.output
    assert "warning: the provider blurred the image: safe mode judged it adult content" in (
        result.stderr
    )
    assert "warning: the provider flagged the image as a content violation" in result.stderr
    payload = json.loads(result.stdout)
    assert payload["blurred"] is True and payload["contentViolation"] is True
    assert payload["privacy"] == "private" and payload["requestId"] == REQUEST_ID
    assert payload["files"] == [str(tmp_path / "a.png")]
    clean = serve(server, image=lambda r: image_answer(1, {"x-venice-is-blurred": "false"}))
    quiet = run_cli("image", "x", "-o", str(tmp_path / "b.png"), env=clean)
    assert "warning" not in quiet.stderr


def test_an_existing_file_is_kept(server: LocalServer, tmp_path: Path) -> None:
    out = tmp_path / "keep.png"
    out.write_bytes(b"mine")
    result = run_cli("image", "x", "-o", str(out), env=serve(server))
    assert result.code == 2
    assert result.stderr == f"Error: {out} already exists; pick another -o or add --force\n"
    assert out.read_bytes() == b"mine" and posts(server) == []
    assert run_cli("image", "x", "-o", str(out), "--force", env=serve(server)).code == 0
    assert png_size(out.read_bytes()) == (4, 3)


def test_an_error_answer_is_one_line_with_the_request_id(
    server: LocalServer, tmp_path: Path
) -> None:
    broke = json_reply({"error": "Insufficient balance"}, 402, {"CF-RAY": REQUEST_ID})
    result = run_cli(
        "image", "x", "-o", str(tmp_path / "a.png"), env=serve(server, image=lambda r: broke)
    )
    assert result.code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: Venice 402: Insufficient balance; add credits at https://venice.ai/settings/api "
        f"(request id {REQUEST_ID})"
    )
    assert len(posts(server)) == 1 and not (tmp_path / "a.png").exists()


def test_a_busy_venice_is_retried_before_anything_is_written(
    server: LocalServer, tmp_path: Path
) -> None:
    answers = [json_reply({"error": "at capacity"}, 503, {"Retry-After": "0"}), image_answer(1)]
    env = serve(server, image=lambda r: answers.pop(0))
    result = run_cli("image", "x", "-o", str(tmp_path / "a.png"), env=env)
    assert result.code == 0, result.output
    assert len(posts(server)) == 2 and png_size((tmp_path / "a.png").read_bytes()) == (4, 3)


def test_an_answer_that_is_not_an_image_writes_nothing(server: LocalServer, tmp_path: Path) -> None:
    fake = json_reply({"id": "x", "images": [base64.b64encode(b"<html>").decode()], "timing": {}})
    result = run_cli(
        "image", "x", "-o", str(tmp_path / "a.png"), env=serve(server, image=lambda r: fake)
    )
    assert result.code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: Venice's image (not a PNG, JPEG or WebP) answer is malformed; try again"
    )
    assert not list(tmp_path.glob("*.png"))


def test_the_key_goes_only_to_https_or_loopback(tmp_path: Path) -> None:
    env = {"VENICE_API_KEY": CANARY, "VENICE_BASE_URL": "http://example.invalid/api/v1"}
    result = run_cli("image", "x", "-o", str(tmp_path / "a.png"), env=env)
    assert result.code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: refusing to send the API key to http://example.invalid: use an https base URL "
        "(plain http is allowed only on loopback)"
    )


def test_models_list_type_image(server: LocalServer) -> None:
    env = serve(server)
    result = run_cli("models", "list", "--type", "image", env=env)
    assert result.code == 0, result.output
    lines = result.stdout.splitlines()  # a pipe: the rows alone, the rest on stderr
    assert lines[0].split() == [
        "venice/venice-sd35",
        "Venice",
        "SD35",
        "private",
        "-",  # these rows state no price
        "default,eliza-default",
    ]
    assert lines[1].split() == [
        "venice/nano-banana-pro", "Nano", "Banana", "Pro", "anonymized", "-",
    ]  # fmt: skip
    assert len(lines) == 2
    assert result.stderr.splitlines()[-1] == "venice: 2 image models, live from the provider"
    assert server.requests[-1].query == {"type": ["image"]}
    assert "authorization" not in server.requests[-1].headers  # the listing is public
    payload = json.loads(run_cli("models", "list", "--type", "image", "--json", env=env).stdout)
    assert payload["sources"] == {"venice": "cache"}
    banana = payload["models"][1]
    assert banana["limits"]["aspectRatios"] == ["1:1", "16:9", "9:16"]
    private = run_cli("models", "list", "--type", "image", "--private", env=env).stdout
    assert "nano-banana" not in private and "venice-sd35" in private


def test_models_list_type_image_offline_is_the_bundle() -> None:
    result = run_cli("models", "list", "--type", "image", "--json")
    payload = json.loads(result.stdout)
    assert payload["sources"] == {"venice": "bundled"}
    assert payload["defaults"] == {"venice": "venice-sd35"}
    assert {m["id"] for m in payload["models"]} >= {"venice-sd35", "flux-2-pro", "lustify-v8"}
    assert result.stderr.startswith("warning: Venice image model discovery failed")


# -- Python ----------------------------------------------------------------------------------
@pytest.fixture
def provider(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> VeniceProvider:
    server.respond(venice_extras())
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    return VeniceProvider()


def test_python_generate_async_returns_bytes_with_metadata(provider: VeniceProvider) -> None:
    async def main() -> Any:
        try:
            return await provider.images.generate("a fox", count=2, seed=7, size=(512, 512))
        finally:
            await provider.client().aclose()

    result = asyncio.run(main())
    assert [png_size(i.data) for i in result.images] == [(4, 3), (5, 3)]
    assert [i.mime_type for i in result.images] == ["image/png", "image/png"]
    assert result.model == "venice-sd35" and result.privacy == "private"
    assert result.request_id == REQUEST_ID and result.blurred is None
    assert result.meta["timing"]["total"] == 815


def test_python_generate_sync(provider: VeniceProvider, server: LocalServer) -> None:
    result = provider.images.generate_sync("a fox", model="venice/flux-2-pro", format="jpeg")
    provider.client().close()
    assert result.images[0].data == png(4, 3, (0, 99, 7))
    assert result.privacy == "anonymized"
    assert posts(server)[0].json()["format"] == "jpeg"


def test_python_refuses_a_plain_http_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENICE_BASE_URL", "http://10.1.2.3/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    with pytest.raises(RequestRefused, match=r"refusing to send the API key to http://10\.1\.2\.3"):
        VeniceProvider().images.generate_sync("a fox")


def test_an_image_answer_is_bounded(
    provider: VeniceProvider, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits = image_client.IMAGE_LIMITS
    assert limits.max_bytes == 128 * 1024 * 1024  # four 4K images fit, a runaway answer not
    monkeypatch.setattr(image_client, "IMAGE_LIMITS", type(limits)(max_bytes=64 * 1024))
    server.respond(lambda r: Reply(200, [b'{"images": ["' + b"A" * 16384] * 8 + [b'"]}']))
    with pytest.raises(StreamFormatError, match=r"larger than 0\.0625 MB"):
        provider.images.generate_sync("a fox")
    provider.client().close()


def test_no_fingerprint_headers(provider: VeniceProvider, server: LocalServer) -> None:
    provider.images.generate_sync("a fox")
    provider.client().close()
    headers = posts(server)[0].headers
    assert headers["user-agent"].startswith("openclaw-venice/")
    assert set(headers) <= {
        "host", "authorization", "user-agent", "content-type", "accept",
        "accept-encoding", "content-length", "connection",
    }  # fmt: skip
    assert os.uname().sysname not in headers["user-agent"]


def test_the_media_page_example_runs(server: LocalServer, tmp_path: Path) -> None:
    page = (Path(__file__).parent.parent / "docs" / "media.md").read_text()
    example = page.split("```python\n", 1)[1].split("```", 1)[0]
    env = {**os.environ, **serve(server)}
    out = subprocess.run(
        [sys.executable, "-c", example], capture_output=True, text=True, timeout=60,
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"private {REQUEST_ID} None None\n"
    assert [png_size((tmp_path / f"lighthouse-{i}.png").read_bytes()) for i in (0, 1)] == [
        (4, 3),
        (5, 3),
    ]
    assert posts(server)[0].json()["seed"] == 42
    (embedding,) = [r for r in server.requests if r.path.endswith("/embeddings")]
    assert embedding.json()["dimensions"] == 256
    assert CANARY not in out.stdout + out.stderr
