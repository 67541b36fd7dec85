"""``openclaw image --edit / --upscale / --remove-background / --list-styles``, the ``--style``
check, and ``provider.images.edit / upscale / remove_background / styles`` against a loopback
Venice (issue 25, items 1, 3 and 4). Input files are checked by their content and Venice's
limits before anything is sent (so before anything is paid for); every body is checked
against Venice's spec by the server fixture."""

from __future__ import annotations

import asyncio
import base64
import json
import struct
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import VeniceProvider
from openclaw_venice.errors import StreamFormatError, UsageError
from openclaw_venice.images.inspect import image_size
from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.pngs import png, png_size
from tests.support.server import LocalServer, Reply, Request
from tests.support.venice_extras import REQUEST_ID, STYLES, venice_extras


@pytest.fixture
def env(server: LocalServer) -> dict[str, str]:
    server.respond(venice_extras())
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "work"
    made.mkdir()
    return made


def picture(folder: Path, name: str, width: int = 256, height: int = 256) -> Path:
    path = folder / name
    path.write_bytes(png(width, height))
    return path


def sent(server: LocalServer, endpoint: str) -> list[Request]:
    return [r for r in server.requests if r.path.endswith(endpoint)]


def paid(server: LocalServer) -> list[str]:
    return [r.path for r in server.requests if r.method == "POST"]


# -- the CLI ------------------------------------------------------------------------------------
def test_edit_sends_the_image_and_writes_the_answer(
    env: dict[str, str], server: LocalServer, folder: Path
) -> None:
    photo, out = picture(folder, "photo.png"), folder / "red-sky.png"
    result = run_cli("image", "--edit", str(photo), "make the sky red", "-o", str(out), env=env)
    assert result.code == 0, result.output
    assert result.stdout == f"{out}\n"
    assert png_size(out.read_bytes()) == (256, 256)
    assert "venice/firered-image-edit" in result.stderr
    (request,) = sent(server, "/image/edit")
    body = request.json()
    assert base64.b64decode(body.pop("image")) == photo.read_bytes()
    assert body == {"model": "firered-image-edit", "prompt": "make the sky red",
                    "safe_mode": False, "output_format": "png"}  # fmt: skip
    assert request.headers["authorization"] == f"Bearer {CANARY}"


def test_several_edit_images_are_a_multi_edit(
    env: dict[str, str], server: LocalServer, folder: Path
) -> None:
    base, layer = picture(folder, "base.png"), picture(folder, "layer.png", 300, 300)
    result = run_cli("image", "--edit", str(base), "--edit", str(layer), "blend them",
                     "-m", "venice/qwen-image-2-edit", "--quality", "high", "--aspect", "16:9",
                     "-o", str(folder / "o.webp"), "--json", env=env)  # fmt: skip
    assert result.code == 0, result.output
    (request,) = sent(server, "/image/multi-edit")
    body = request.json()
    assert [png_size(base64.b64decode(i)) for i in body.pop("images")] == [(256, 256), (300, 300)]
    assert body == {"modelId": "qwen-image-2-edit", "prompt": "blend them", "safe_mode": False,
                    "aspect_ratio": "16:9", "output_format": "webp", "quality": "high"}  # fmt: skip
    payload = json.loads(result.stdout)
    assert payload["files"] == [str(folder / "o.webp")] and payload["requestId"] == REQUEST_ID


def test_upscale_and_background_removal(
    env: dict[str, str], server: LocalServer, folder: Path
) -> None:
    photo = picture(folder, "photo.png", 300, 260)
    big, cut = folder / "big.png", folder / "cut.png"
    up = run_cli("image", "--upscale", str(photo), "--scale", "4", "--creativity", "0.01",
                 "-o", str(big), env=env)  # fmt: skip
    assert up.code == 0, up.output
    assert png_size(big.read_bytes()) == (1200, 1040)
    body = sent(server, "/image/upscale")[0].json()
    assert (body["scale"], body["creativity"]) == (4, 0.01)
    removed = run_cli("image", "--remove-background", str(photo), "-o", str(cut), env=env)
    assert removed.code == 0, removed.output
    assert png_size(cut.read_bytes()) == (300, 260)
    assert list(sent(server, "/image/background-remove")[0].json()) == ["image"]


def test_styles_are_listed_and_style_is_checked_before_paying(
    env: dict[str, str], server: LocalServer, folder: Path
) -> None:
    listed = run_cli("image", "--list-styles", env=env)
    assert listed.code == 0 and listed.stdout.splitlines() == STYLES
    wrong = run_cli("image", "a fox", "--style", "3d model", "-o", str(folder / "f.png"), env=env)
    assert wrong.code == 2
    assert wrong.stderr.splitlines()[-1] == (
        "Error: venice has no style preset '3d model'; did you mean '3D Model'? "
        "`openclaw image --list-styles` lists them"
    )
    assert sent(server, "/image/generate") == []
    right = run_cli("image", "a fox", "--style", "Anime", "-o", str(folder / "f.png"), env=env)
    assert right.code == 0, right.output
    assert sent(server, "/image/generate")[0].json()["style_preset"] == "Anime"


def test_a_style_list_that_cannot_be_had_warns_and_the_image_goes_on(
    server: LocalServer, folder: Path
) -> None:
    extras = venice_extras()
    server.respond(lambda r: Reply(503) if r.path.endswith("/image/styles") else extras(r))
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    result = run_cli("image", "a fox", "--style", "Anime", "-o", str(folder / "f.png"), env=env)
    assert result.code == 0, result.output
    assert "warning: could not check --style against venice's presets" in result.stderr
    assert len(sent(server, "/image/generate")) == 1


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        (lambda d: picture(d, "small.png", 100, 100), ["--edit", "{f}", "x"],
         "{f} is 100x100; Venice needs at least 65,536 pixels to edit (e.g. 256x256)"),
        (lambda d: picture(d, "huge.png", 2100, 2100), ["--upscale", "{f}"],
         "{f} is 2100x2100; upscaled twice it would pass Venice's 16,777,216 pixels"),
        (lambda d: _text(d), ["--remove-background", "{f}"],
         "--remove-background {f}: not a PNG, JPEG or WebP image (by its content)"),
        (lambda d: _cut_png(d), ["--upscale", "{f}"],
         "{f}: its width and height cannot be read; is the file whole?"),
        (lambda d: picture(d, "p.png"), ["--upscale", "{f}", "--seed", "3"],
         "--seed does not apply to --upscale; leave it out"),
        (lambda d: picture(d, "p.png"), ["--upscale", "{f}", "--scale", "3"],
         "--scale must be 2 or 4 (got 3)"),
        (lambda d: picture(d, "p.png"), ["--upscale", "{f}", "--edit", "{f}", "x"],
         "--edit and --upscale are different tools; pick one"),
        (lambda d: picture(d, "p.png"), ["--remove-background", "{f}", "a prompt"],
         "--remove-background takes no prompt; leave out 'a prompt'"),
        (lambda d: picture(d, "p.png"), ["--edit", "{f}"],
         'say what to change: openclaw image --edit FILE "make the sky red"'),
        (lambda d: picture(d, "p.png"), ["--edit", "{f}", "x", "--aspect", "7:5"],
         "aspect ratio '7:5': use one of auto, 1:1"),
        (lambda d: picture(d, "p.png"), ["--edit", "{f}", "x", "-m", "venice/qwen-image-2-edt"],
         "unknown model venice/qwen-image-2-edt; did you mean venice/qwen-image-2-edit"),
    ],
)  # fmt: skip
def test_inputs_and_options_are_checked_before_anything_is_paid(
    env: dict[str, str], server: LocalServer, folder: Path, make: Any, args: list[str],
    message: str,
) -> None:  # fmt: skip
    given = make(folder)
    out = folder / "out.png"
    filled = [a.format(f=given) for a in args]
    result = run_cli("image", *filled, "-o", str(out), env=env)
    assert result.code == 2, result.output
    assert result.stderr.splitlines()[-1].startswith(f"Error: {message.format(f=given)}")
    assert paid(server) == [] and not out.exists()


def _text(folder: Path) -> Path:
    path = folder / "photo.png"
    path.write_text("a photo, honestly")
    return path


def _cut_png(folder: Path) -> Path:
    path = folder / "cut.png"
    path.write_bytes(png(256, 256)[:12])  # the signature and no header
    return path


def test_an_existing_output_is_kept_without_force(
    env: dict[str, str], server: LocalServer, folder: Path
) -> None:
    out = picture(folder, "out.png", 2, 2)
    result = run_cli("image", "--upscale", str(picture(folder, "p.png")), "-o", str(out),
                     env=env)  # fmt: skip
    assert result.code == 2 and "already exists; pick another -o or add --force" in result.stderr
    assert png_size(out.read_bytes()) == (2, 2) and paid(server) == []


# -- what an image's header says -----------------------------------------------------------------
def test_image_size_reads_png_jpeg_and_webp_headers() -> None:
    jfif = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 480, 640) + b"\x03" + b"\x00" * 9
    assert image_size(b"\xff\xd8" + jfif + sof + b"\xff\xda") == (640, 480)
    vp8x = b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x10\x00\x00\x00"
    assert image_size(vp8x + (799).to_bytes(3, "little") + (599).to_bytes(3, "little")) == (
        800, 600,
    )  # fmt: skip
    bits = (1023) | (767 << 14)
    vp8l = b"RIFF\x00\x00\x00\x00WEBPVP8L\x00\x00\x00\x00\x2f" + bits.to_bytes(4, "little")
    assert image_size(vp8l) == (1024, 768)
    assert image_size(png(300, 200)) == (300, 200)
    assert image_size(b"\xff\xd8\xff\xda") is None  # a scan before any frame header
    assert image_size(b"GIF89a") is None


# -- Python ---------------------------------------------------------------------------------------
@pytest.fixture
def venice(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> VeniceProvider:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return VeniceProvider()


def test_python_tools_sync(venice: VeniceProvider, server: LocalServer, folder: Path) -> None:
    photo = picture(folder, "photo.png")
    with venice:
        edited = venice.images.edit_sync("make it blue", photo, format="jpeg")
        bigger = venice.images.upscale_sync(photo)
        cut = venice.images.remove_background_sync(photo)
        styles = venice.images.styles_sync()
    assert edited.images[0].mime_type == "image/png" and edited.model == "firered-image-edit"
    assert png_size(bigger.images[0].data) == (512, 512)
    assert bigger.privacy == "private" and cut.request_id == REQUEST_ID
    assert styles == tuple(STYLES)
    assert sent(server, "/image/edit")[0].json()["output_format"] == "jpeg"


def test_python_tools_async_and_checks(
    venice: VeniceProvider, server: LocalServer, folder: Path
) -> None:
    small, photo = picture(folder, "s.png", 10, 10), picture(folder, "p.png")

    async def main() -> Any:
        try:
            with pytest.raises(UsageError, match="needs at least 65,536 pixels to upscale"):
                await venice.images.upscale(small)
            big = folder / "big.png"
            big.write_bytes(png(256, 256) + b"\x00" * (25 * 1024 * 1024))
            with pytest.raises(UsageError, match="Venice takes images up to 25 MB"):
                await venice.images.edit("x", big)
            return await venice.images.edit("x", photo, photo)
        finally:
            await venice.aclose()

    result = asyncio.run(main())
    assert len(result.images) == 1
    assert [r.path for r in server.requests] == ["/api/v1/image/multi-edit"]


def test_an_answer_that_is_not_an_image_is_refused(
    server: LocalServer, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.respond(lambda r: Reply(200, b"<html>busy</html>", {"CF-RAY": REQUEST_ID}))
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    with VeniceProvider() as venice, pytest.raises(StreamFormatError) as caught:
        venice.images.remove_background_sync(picture(folder, "p.png"))
    assert str(caught.value).startswith(
        "Venice's image answer is not a PNG, JPEG or WebP image; try again"
    )
    assert caught.value.request_id == REQUEST_ID
