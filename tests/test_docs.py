"""The README and docs/ as a newcomer meets them: the first screen starts in three commands,
every page is reachable, the test command is the one CI runs, the models named are current,
and the plugin page's example is a plugin the host loads."""

from __future__ import annotations

import fnmatch
import json
import os
import re
from pathlib import Path

from tests.conftest import REPO, run_cli

README = REPO / "README.md"
DOCS = REPO / "docs"
FIRST_SCREEN = 24  # lines a newcomer sees before scrolling on an ordinary terminal


def sh_blocks(text: str) -> list[list[str]]:
    """The lines of each ```sh block."""
    return [block.splitlines() for block in re.findall(r"```sh\n(.*?)```", text, re.S)]


def test_the_first_screen_of_the_readme_is_install_onboard_chat() -> None:
    screen = "\n".join(README.read_text().splitlines()[:FIRST_SCREEN])
    (first, *_) = sh_blocks(screen)
    commands = [line.split("#")[0].strip() for line in first]
    assert len(commands) == 3, commands
    install, onboard, chat = commands
    assert "pip install ." in install and install.startswith("python3 -m venv .venv ")
    assert onboard == ".venv/bin/openclaw onboard"
    assert chat == ".venv/bin/openclaw chat"
    assert "openclaw-venice @ git+" in screen  # and how to install without a clone


def test_ci_runs_exactly_the_readme_test_command_in_a_venv_of_its_own() -> None:
    section = README.read_text().split("## Run the tests", 1)[1]
    (command,) = sh_blocks(section)[0]
    ci = (REPO / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == command
    venv = command.split("python3 -m venv ", 1)[1].split()[0]
    assert venv not in {".venv", ".venv/"}  # the quick start's CLI environment
    assert f"{venv}/bin/pip install -q -e '.[test]'" in command
    ignored = (REPO / ".gitignore").read_text().splitlines()
    assert any(fnmatch.fnmatch(venv, pattern.rstrip("/")) for pattern in ignored), ignored


def test_every_page_in_docs_is_linked_and_every_link_resolves() -> None:
    readme = README.read_text()
    linked = set(re.findall(r"\]\((docs/[\w.-]+\.md)\)", readme))
    assert linked == {f"docs/{p.name}" for p in DOCS.glob("*.md")}
    for page in [README, *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).is_file(), f"{page.name} links to missing {target}"


def test_models_named_in_the_docs_are_offered_and_not_deprecated() -> None:
    data = REPO / "openclaw_venice" / "data"
    text_models = {m["id"]: m for m in json.loads((data / "catalog.json").read_text())["models"]}
    media = json.loads((data / "media_models.json").read_text())
    media_ids = {m["id"] for kind in media if kind != "about" for m in media[kind]["models"]}
    named = {
        (page.name, model)
        for page in [README, *DOCS.glob("*.md")]
        for model in re.findall(r"venice/([a-z0-9][a-z0-9.-]*[a-z0-9])\b", page.read_text())
        if model not in {"runtime", "data"}  # openclaw_venice/runtime/, .../data/ paths
    }
    assert ("README.md", "e2ee-glm-5-2-p") in named
    for page, model in sorted(named):
        if model in media_ids:
            continue
        record = text_models.get(model)
        assert record is not None, f"{page} names venice/{model}, which no catalog holds"
        assert "deprecation" not in record, f"{page} names deprecated venice/{model}"
        assert not record.get("replacement"), f"{page} names retired venice/{model}"


def test_the_plugin_page_example_is_a_plugin_the_host_loads(tmp_path: Path) -> None:
    page = (DOCS / "plugins.md").read_text()
    source = page.split("```python\n", 1)[1].split("```", 1)[0]
    toml = page.split("```toml\n", 1)[1].split("```", 1)[0]
    group, entry = toml.strip().splitlines()
    assert group == '[project.entry-points."openclaw.plugins"]'
    name, target = (part.strip().strip('"') for part in entry.split("="))
    module = target.split(":")[0]
    site = tmp_path / "site"
    dist = site / "acme_openclaw-0.1.dist-info"
    dist.mkdir(parents=True)
    (site / f"{module}.py").write_text(source)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-openclaw\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[openclaw.plugins]\n{name} = {target}\n")
    env = {"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}

    listed = run_cli("models", "list", "--provider", "acme", "--json", env=env)
    assert listed.code == 0, listed.output
    assert [m["ref"] for m in json.loads(listed.stdout)["models"]] == ["acme/acme-small"]
    chosen = run_cli("models", "set", "acme/acme-small", env=env)
    assert chosen.code == 0, chosen.output
    onboard = run_cli(
        "onboard", "--auth-choice", "acme-api-key", "--non-interactive",
        "--acme-api-key", "acme-key-1", "--json", env=env,
    )  # fmt: skip
    assert onboard.code == 0, onboard.output
    config = Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"
    text = config.read_text()
    assert '"acme/acme-small"' in text and "${ACME_API_KEY}" in text
    status = run_cli("models", "status", "--json", env=env)
    assert status.code == 0, status.output
    assert "acme-key-1" not in status.output


def test_no_page_carries_a_merge_conflict_left_unresolved() -> None:
    """docs/gateway.md once reached main with `<<<<<<< HEAD` / `=======` / `>>>>>>> main` lines
    around its endpoint table: a newcomer reading it saw both halves and the markers."""
    marker = re.compile(r"^(<{7}( .*)?|={7}|>{7}( .*)?)$", re.M)
    pages = [README, REPO / "CHANGELOG.md", *sorted(DOCS.glob("*.md"))]
    left = [f"{page.name}:{text[: m.start()].count(chr(10)) + 1}" for page in pages
            for text in [page.read_text()] for m in marker.finditer(text)]
    assert left == []
