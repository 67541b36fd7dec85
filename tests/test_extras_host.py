"""The host stays generic (issue 17, item 5): capabilities are registered by plugins, checked
against their protocols, and the ``image``, ``embed``, ``usage`` commands and the balance in
``models status`` work for any provider that registered them (a second plugin, installed
through a real entry point, next to Venice's)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from openclaw_venice.runtime.errors import PluginError
from openclaw_venice.runtime.plugins import PluginApi, load_plugins
from tests.conftest import REPO, run_cli
from tests.support.dists import studio_env
from tests.support.pngs import png_size
from tests.support.studio_plugin import StudioExtras, StudioProvider


@pytest.fixture
def studio(tmp_path: Path) -> dict[str, str]:
    return studio_env(tmp_path)


def test_image_embed_usage_work_for_another_provider(
    studio: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "s.png"
    result = run_cli(
        "image", "a cat", "-m", "studio/sketch", "--size", "8x8", "-o", str(out), env=studio
    )
    assert result.code == 0, result.output
    assert png_size(out.read_bytes()) == (8, 8)
    assert "studio/sketch (private: nothing stored or logged)" in result.stderr
    embedded = json.loads(run_cli("embed", "abc", "-m", "studio/words", env=studio).stdout)
    assert embedded["provider"] == "studio" and embedded["data"][0]["embedding"] == [3.0]
    usage = run_cli("usage", "--provider", "studio", "--days", "3", env=studio)
    assert usage.stdout.splitlines()[2].split() == ["Sketch", "IMAGE", "2", "images", "1.5000"]
    assert usage.stdout.splitlines()[-1] == "studio: 1 model, last 3 days"


def test_status_shows_every_providers_balance(studio: dict[str, str]) -> None:
    result = run_cli("models", "status", env=studio)
    assert result.code == 0, result.output
    assert "  balance: credits 7.00" in result.stdout.splitlines()
    payload = json.loads(run_cli("models", "status", "--json", env=studio).stdout)
    assert payload["providers"]["studio"]["balance"]["amounts"] == {"credits": 7.0}
    assert payload["providers"]["venice"]["balance"] is None  # no Venice key here


def test_two_providers_offering_a_kind_need_a_choice(
    studio: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli("image", "x", "-o", str(tmp_path / "a.png"), env=studio)
    assert result.code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: several providers offer image generation (studio, venice); say which: "
        "--model PROVIDER/MODEL or --provider ID"
    )
    listed = json.loads(run_cli("models", "list", "--type", "image", "--json", env=studio).stdout)
    assert {m["provider"] for m in listed["models"]} == {"studio", "venice"}


def test_a_provider_without_the_capability_says_so(tmp_path: Path) -> None:
    dist = tmp_path / "site" / "demo_provider-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-provider\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[openclaw.plugins]\ndemo = tests.support.demo_plugin:plugin\n"
    )
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(REPO)])}
    result = run_cli("embed", "x", "-m", "demo/demo-small", env=env)
    assert result.code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: provider demo offers no embeddings (providers that do: venice)"
    )


def test_register_capability_checks_the_protocol() -> None:
    api = PluginApi("p")
    api.register_provider(StudioProvider())
    with pytest.raises(PluginError, match="object does not offer image generation"):
        api.register_capability("studio", "images", object())
    with pytest.raises(PluginError, match="unknown capability 'holograms'"):
        api.register_capability("studio", "holograms", StudioExtras())  # type: ignore[arg-type]
    with pytest.raises(PluginError, match="StudioExtras does not offer video generation"):
        api.register_capability("studio", "video", StudioExtras())
    api.register_capability("studio", "images", StudioExtras())
    with pytest.raises(PluginError, match="images of studio registered twice"):
        api.register_capability("studio", "images", StudioExtras())


def test_a_capability_for_a_provider_the_plugin_does_not_own_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist = tmp_path / "site" / "stray_plugin-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: stray-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[openclaw.plugins]\nstray = tests.support.studio_plugin:stray\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    registry = load_plugins()
    assert registry.failures == ["plugin stray: images for provider venice, which it does not own"]
    images = registry.images("venice")
    assert type(images).__name__ == "VeniceCapabilities"  # Venice's own, not the stray's


def test_video_music_and_sound_work_for_another_provider(
    studio: dict[str, str], tmp_path: Path
) -> None:
    """The job machinery (quote, question, queue, poll, save, complete) knows no provider."""
    video, tune, bang = tmp_path / "s.mp4", tmp_path / "s.mp3", tmp_path / "b.mp3"
    result = run_cli("video", "a cat", "-m", "studio/reel", "-o", str(video), "--yes", env=studio)
    assert result.code == 0, result.output
    assert result.stderr.splitlines()[0] == "this video with studio/reel: credits 0.10"
    assert video.read_bytes().startswith(b"\x00\x00\x00\x18ftypisom")
    music = run_cli("music", "a tune", "-m", "studio/tune", "-o", str(tune), "-y", env=studio)
    assert music.code == 0, music.output
    assert tune.read_bytes().startswith(b"ID3")
    sound = run_cli("sound", "a bang", "-m", "studio/bang", "-o", str(bang), "-y", "--json",
                    env=studio)  # fmt: skip
    assert json.loads(sound.stdout)["model"] == "bang" and bang.read_bytes().startswith(b"ID3")
    two = run_cli("video", "a cat", "-o", str(tmp_path / "t.mp4"), "--yes", env=studio)
    assert two.stderr.splitlines()[-1] == (
        "Error: several providers offer video generation (studio, venice); say which: "
        "--model PROVIDER/MODEL or --provider ID"
    )


def test_image_tools_work_for_another_provider(studio: dict[str, str], tmp_path: Path) -> None:
    from tests.support.pngs import png

    photo = tmp_path / "p.png"
    photo.write_bytes(png(8, 8))
    edited = run_cli("image", "--edit", str(photo), "ink it", "-m", "studio/brush",
                     "-o", str(tmp_path / "e.png"), env=studio)  # fmt: skip
    assert edited.code == 0, edited.output
    assert png_size((tmp_path / "e.png").read_bytes()) == (3, 3)
    up = run_cli("image", "--upscale", str(photo), "--scale", "4", "-m", "studio/x",
                 "-o", str(tmp_path / "u.png"), env=studio)  # fmt: skip
    assert up.code == 0, up.output
    assert png_size((tmp_path / "u.png").read_bytes()) == (8, 8)
    cut = run_cli("image", "--remove-background", str(photo), "-m", "studio/x",
                  "-o", str(tmp_path / "c.png"), env=studio)  # fmt: skip
    assert cut.code == 0 and png_size((tmp_path / "c.png").read_bytes()) == (1, 1)
    styles = run_cli("image", "--list-styles", "-m", "studio/x", env=studio)
    assert styles.stdout.splitlines() == ["Charcoal", "Ink"]
    wrong = run_cli("image", "a cat", "-m", "studio/sketch", "--style", "Inks",
                    "-o", str(tmp_path / "s.png"), env=studio)  # fmt: skip
    assert wrong.stderr.splitlines()[-1] == (
        "Error: studio has no style preset 'Inks'; did you mean 'Ink'? "
        "`openclaw image --list-styles` lists them"
    )
