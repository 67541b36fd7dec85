"""The config file: TypeScript OpenClaw's JSON5, edits that keep comments, atomic saves."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import json5
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from openclaw_venice.runtime.config_edit import apply_edits, save_edits
from openclaw_venice.runtime.config_file import ConfigDocument, load_config, parse_config_text
from openclaw_venice.runtime.errors import ConfigError, ConfigParseError
from tests.conftest import REPO
from tests.support.fuzzing import examples

TS_FIXTURE = REPO / "fixtures" / "openclaw-ts.json5"
COMMENTS = [
    "// OpenClaw configuration",
    "// Gateway settings",
    "// keep the agent alive",
    "/* a self-hosted endpoint */",
]


def json5_text(data: Any) -> str:
    """``data`` as the json5 library writes it. That writer emits NUL as ``\\0`` even before
    a digit, which JSON5 (and its own parser) forbids; TypeScript OpenClaw writes
    ``\\u0000``, so such documents are not ones a user can have: drawn again."""
    text = json5.dumps(data, indent=2)
    assume(re.search(r"\\0[0-9]", text) is None)
    return text


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cfg" / "openclaw.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def test_typescript_config_loads_whole() -> None:
    doc = load_config(TS_FIXTURE)
    assert doc.data["gateway"]["port"] == 18789
    assert doc.data["models"]["providers"]["ollama"]["apiKey"] == "ollama-local"
    assert doc.data["unknownFutureKey"] == [1, 2, {"nested": True}]


def test_edits_keep_comments_unknown_keys_and_formatting(tmp_path: Path) -> None:
    path = write(tmp_path, TS_FIXTURE.read_text())
    before = load_config(path)
    edits = [
        (("agents", "defaults", "model", "primary"), "venice/kimi-k2-6"),
        (("models", "providers", "venice", "apiKey"), "${VENICE_API_KEY}"),
        (("auth", "profiles", "venice:default"), {"provider": "venice", "mode": "api_key"}),
    ]
    result = save_edits(before, edits)
    text = path.read_text()
    assert result.comments_kept
    for comment in COMMENTS:
        assert comment in text
    assert json5.loads(text) == apply_edits(before.data, edits)
    assert "bind: 'loopback'," in text  # untouched lines stay byte for byte
    assert (path.parent / "openclaw.json.bak").read_text() == before.text


def test_file_and_directory_modes(tmp_path: Path) -> None:
    path = tmp_path / "new" / "openclaw.json"
    save_edits(ConfigDocument(path), [(("a",), 1)])
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    save_edits(load_config(path), [(("a",), 2)])
    assert (path.parent / "openclaw.json.bak").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("{\n  a: 1,\n  b: [1,,2]\n}", 3, 9), ("{ a: 1 }}", 1, 9), ("{\n", 2, 1)],
)
def test_malformed_names_line_and_column(tmp_path: Path, text: str, line: int, column: int) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigParseError) as caught:
        save_edits(ConfigDocument(path), [(("x",), 1)])
    assert (caught.value.line, caught.value.column) == (line, column)
    assert str(path) in str(caught.value)
    assert path.read_text() == text and not (path.parent / "openclaw.json.bak").exists()


def test_top_level_must_be_an_object(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="top level"):
        load_config(write(tmp_path, "[1, 2]"))


def test_a_non_object_in_the_way_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, '{"agents": "oops"}')
    with pytest.raises(ConfigError, match="agents"):
        save_edits(load_config(path), [(("agents", "defaults", "model"), "x")])
    assert path.read_text() == '{"agents": "oops"}'


# -- properties ---------------------------------------------------------------------------

keys = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=6)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)
documents = st.dictionaries(keys, values, max_size=5)
# a loaded CI machine can make the first draws slow; that is not a failure of the code
SLOW_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@given(documents, st.sampled_from(["json", "json5"]))
@settings(max_examples=examples(150), deadline=None, suppress_health_check=SLOW_OK)
def test_load_then_save_is_identity(tmp_path: Path, data: dict[str, Any], style: str) -> None:
    text = json.dumps(data, indent=2) if style == "json" else json5_text(data)
    path = write(tmp_path, "// kept\n" + text)
    doc = load_config(path)
    assert doc.data == data
    save_edits(doc, [])
    assert load_config(path).data == data and path.read_text().startswith("// kept\n")


@given(documents, st.lists(keys, min_size=1, max_size=3), values)
# found once the comments were checked every time: a key that is a non-ASCII JSON5
# identifier (written unquoted) made the editor give up and rewrite the file
@example(data={"À": None}, path_keys=["0"], value=None)
@settings(max_examples=examples(150), deadline=None, suppress_health_check=SLOW_OK)
def test_any_edit_lands_and_keeps_the_comment(
    tmp_path: Path, data: dict[str, Any], path_keys: list[str], value: Any
) -> None:
    path = write(tmp_path, "/* head */\n" + json5_text(data) + "\n// tail\n")
    before = path.read_text()
    edit = (tuple(path_keys), value)
    try:
        expected = apply_edits(data, [edit])
    except ConfigError:  # a scalar in the way: the save is refused and the file left as it was
        with pytest.raises(ConfigError):
            save_edits(load_config(path), [edit])
        assert path.read_text() == before
        return
    result = save_edits(load_config(path), [edit])
    assert parse_config_text(path.read_text()) == expected
    assert result.comments_kept
    assert "/* head */" in path.read_text() and "// tail" in path.read_text()


# -- processes ----------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from openclaw_venice.runtime.config_edit import save_edits
    from openclaw_venice.runtime.config_file import ConfigDocument
    path, key = Path(sys.argv[1]), sys.argv[2]
    for i in range(10):
        save_edits(ConfigDocument(path), [(("writers", key), i)])
    """
)


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "// shared\n{ keep: true }\n")
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"w{i}"], cwd=REPO)
        for i in range(6)
    ]
    assert all(p.wait(timeout=60) == 0 for p in procs)
    data = load_config(path).data
    assert data["keep"] is True and data["writers"] == {f"w{i}": 9 for i in range(6)}
    assert path.read_text().startswith("// shared\n")


CRASHER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from openclaw_venice.runtime.config_edit import save_edits
    from openclaw_venice.runtime.config_file import load_config
    path = Path(sys.argv[1])
    real_replace = os.replace
    def dying_replace(src, dst):
        if Path(dst) == path:  # the temp file is written and synced: die before the rename
            os.kill(os.getpid(), signal.SIGKILL)
        real_replace(src, dst)
    os.replace = dying_replace
    save_edits(load_config(path), [(("agents",), {"replaced": True})])
    """
)


def test_a_writer_killed_before_the_rename_leaves_the_old_file(tmp_path: Path) -> None:
    original = TS_FIXTURE.read_text()
    path = write(tmp_path, original)
    proc = subprocess.run([sys.executable, "-c", CRASHER, str(path)], cwd=REPO, timeout=60)
    assert proc.returncode == -9
    assert path.read_text() == original
    assert load_config(path).data == json5.loads(original)
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers  # the half-done temp file is what a crash leaves, never a torn config
    save_edits(load_config(path), [(("after",), 1)])  # and the next write still works
    assert load_config(path).data["after"] == 1
