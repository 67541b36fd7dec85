"""The config keeps exactly what the user wrote: comments through a BOM and NaN/Infinity,
the ``.bak`` holding their commented text, symlinks, read-only files, stale temp files, bad
shapes named by path; and the fast JSON5 reader agrees with the ``json5`` package."""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import json5
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openclaw_venice.runtime.config_edit import save_edits
from openclaw_venice.runtime.config_file import _join_surrogates, load_config
from openclaw_venice.runtime.json5_fast import NotSimpleJSON5
from openclaw_venice.runtime.json5_fast import loads as fast_loads
from tests.conftest import run_cli
from tests.support.fuzzing import examples

COMMENTED = """// my settings
{
  gateway: { port: 18789 }, // the port
  /* tuning */ ratio: NaN,
  limit: Infinity,
  agents: { defaults: { model: { primary: "venice/llama-3.3-70b" } } },
}
"""


def config_path() -> Path:
    return Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"


def write(text: str | bytes) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def errors(stderr: str) -> list[str]:
    """The lines of stderr that are not warnings (offline, discovery warns once)."""
    return [line for line in stderr.splitlines() if line and not line.startswith("warning: ")]


def set_default(ref: str = "venice/kimi-k2-6") -> Any:
    result = run_cli("models", "set", ref)
    assert result.code == 0, result.output
    return result


def test_nan_and_infinity_keep_the_comments() -> None:
    path = write(COMMENTED)
    result = set_default()
    assert "rewritten" not in result.output
    text = path.read_text()
    assert "// my settings" in text and "// the port" in text and "/* tuning */" in text
    assert "ratio: NaN" in text and "limit: Infinity" in text
    data = json5.loads(text)
    assert math.isnan(data["ratio"]) and data["limit"] == math.inf
    assert data["agents"]["defaults"]["model"]["primary"] == "venice/kimi-k2-6"


def test_a_bom_keeps_the_comments_and_stays() -> None:
    path = write(b"\xef\xbb\xbf" + COMMENTED.encode())
    result = set_default()
    assert "rewritten" not in result.output
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
    text = raw.decode("utf-8-sig")
    assert "// my settings" in text and "venice/kimi-k2-6" in text


def test_the_bak_with_the_users_comments_is_never_overwritten(tmp_path: Path) -> None:
    # a file the surgical editor declines (an unquoted key spelt with a \u escape, which
    # JSON5 allows): rewritten once
    odd = "// mine, do not lose\n{ caf\\u00e9: { port: 1 } }\n"
    path = write(odd)
    first = run_cli("models", "set", "venice/kimi-k2-6")
    assert first.code == 0, first.output
    assert f"{path}.bak" in first.stderr  # told where the commented text went
    backup = path.with_name("openclaw.json.bak")
    assert backup.read_text() == odd
    assert "//" not in path.read_text()  # rewritten as plain JSON
    for ref in ("venice/llama-3.3-70b", "venice/qwen3-5-9b"):
        set_default(ref)
        assert backup.read_text() == odd  # later saves keep it
    assert json5.loads(path.read_text())["agents"]["defaults"]["model"]["primary"] == (
        "venice/qwen3-5-9b"
    )


def test_a_commented_file_still_refreshes_its_bak() -> None:
    path = write(COMMENTED)
    set_default("venice/kimi-k2-6")
    set_default("venice/llama-3.3-70b")
    backup = path.with_name("openclaw.json.bak").read_text()
    assert "venice/kimi-k2-6" in backup and "// my settings" in backup  # the previous version


def test_a_symlinked_config_is_edited_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "openclaw.json"
    real.parent.mkdir()
    real.write_text(COMMENTED)
    link = config_path()
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(real)
    set_default()
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert "venice/kimi-k2-6" in real.read_text() and "// my settings" in real.read_text()
    assert (real.parent / "openclaw.json.bak").read_text() == COMMENTED


def test_a_read_only_config_is_refused_in_one_line() -> None:
    path = write(COMMENTED)
    path.chmod(0o444)
    result = run_cli("models", "set", "venice/kimi-k2-6")
    assert result.code != 0
    (line,) = errors(result.stderr)
    assert "read-only" in line and str(path) in line
    assert path.read_text() == COMMENTED
    assert not path.with_name("openclaw.json.bak").exists()
    assert oct(path.stat().st_mode & 0o777) == "0o444"


def test_temp_files_of_a_killed_writer_are_removed_by_the_next_write() -> None:
    path = write(COMMENTED)
    stale = [
        path.with_name(".openclaw.json.k1ll3d.tmp"),
        path.with_name(".openclaw.json.bak.k1ll3d.tmp"),
    ]
    for each in stale:
        each.write_text("half a file")
    unrelated = path.with_name(".other.json.x.tmp")
    unrelated.write_text("not ours")
    set_default()
    assert [p for p in stale if p.exists()] == []
    assert unrelated.exists()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{agents: "x"}', "agents"),
        ("{agents: {defaults: 5}}", "agents.defaults"),
        ('{agents: {defaults: {model: ["venice/x"]}}}', "agents.defaults.model"),
    ],
)
def test_bad_shapes_are_one_line_naming_the_path(text: str, where: str) -> None:
    path = write(text)
    for command in (("models", "set", "venice/kimi-k2-6"), ("chat", "hi"), ("models", "list")):
        result = run_cli(*command, env={"VENICE_API_KEY": "k"})
        assert result.code != 0
        (line,) = errors(result.stderr)
        assert f"config value {where}:" in line and "unexpected" not in line.lower(), line
        assert "expected" in line and f"change it in {path}" in line
    assert path.read_text() == text


def deep(levels: int) -> str:
    return "[" * levels + "1" + "]" * levels


@pytest.mark.parametrize("where", ["elsewhere", "agents.defaults.model"])
def test_nesting_800_deep(where: str) -> None:
    nested = deep(800)
    if where == "elsewhere":
        text = "{\n  // deep\n  history: " + nested + ",\n}\n"
    else:
        text = "{agents: {defaults: {model: " + nested + "}}}"
    path = write(text)
    result = run_cli("models", "set", "venice/kimi-k2-6")
    lines = errors(result.stderr)
    assert all("unexpected" not in line.lower() for line in lines), result.output
    if where == "elsewhere":  # nothing wrong with it: the edit lands, the nesting stays
        assert result.code == 0, result.output
        assert nested in path.read_text() and "// deep" in path.read_text()
        assert run_cli("models", "list").code == 0
    else:  # the file is checked when read: every command says where, in one line
        assert result.code != 0 and len(lines) == 1 and where in lines[0]
        assert path.read_text() == text
        assert errors(run_cli("models", "list").stderr) == lines


# -- the fast reader is the json5 package, faster ------------------------------------------

_keys = st.text(alphabet="abcxyz_$019 '\"é", min_size=0, max_size=6)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.text(alphabet="ab \"'\\/\n\t*é😀", max_size=8)
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=12,
)


def _json5_text(value: Any, draw: Any) -> str:
    """``value`` written the ways people write JSON5: quotes, keys, commas, comments."""
    gap = draw(st.sampled_from(["", " ", "\n  ", " // note\n", " /* c */ "]))
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if key.isidentifier() and key.isascii() and draw(st.booleans()):
                shown = key
            elif "'" not in key and "\\" not in key and draw(st.booleans()):
                shown = "'" + key.replace('"', '\\"') + "'"
            else:
                shown = json.dumps(key)
            items.append(f"{gap}{shown}:{gap}{_json5_text(item, draw)}")
        trailing = "," if items and draw(st.booleans()) else ""
        return "{" + ",".join(items) + trailing + gap + "}"
    if isinstance(value, list):
        items = [gap + _json5_text(item, draw) for item in value]
        trailing = "," if items and draw(st.booleans()) else ""
        return "[" + ",".join(items) + trailing + gap + "]"
    if isinstance(value, str) and draw(st.booleans()):
        body = json.dumps(value)[1:-1].replace("'", "\\'").replace('\\"', '"')
        return "'" + body + "'"
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= 0
        and draw(st.booleans())
    ):
        return draw(st.sampled_from([hex(value), "+" + str(value)]))
    if isinstance(value, float) and draw(st.booleans()):
        return repr(value).replace("0.", ".", 1) if repr(value).startswith("0.") else repr(value)
    return json.dumps(value)


@st.composite
def json5_documents(draw: Any) -> str:
    data = draw(st.dictionaries(_keys, _values, max_size=5))
    return _json5_text(data, draw)


@settings(max_examples=examples(150), deadline=None)
@given(json5_documents())
def test_the_fast_reader_agrees_with_json5(text: str) -> None:
    expected = _join_surrogates(json5.loads(text))  # as parse_config_text reads it
    if re.search(r"\*/[\w.+\-$'\"]", text):  # maybe a comment glued to a token:
        with pytest.raises(NotSimpleJSON5):  # declined, the json5 parser decides
            fast_loads(text)
        return
    assert repr(fast_loads(text)) == repr(expected)


@settings(max_examples=examples(150), deadline=None)
@given(st.text(alphabet="{}[]:,'\"/*\n ab1.+-xNaInfity\\", max_size=30))
def test_the_fast_reader_never_accepts_what_json5_rejects(text: str) -> None:
    try:
        expected = json5.loads(text)
    except ValueError:
        with pytest.raises(ValueError):
            fast_loads(text)
        return
    except RecursionError:
        return
    try:
        got = fast_loads(text)
    except ValueError:
        return  # the fast path may decline; the complete parser then reads it
    assert repr(got) == repr(_join_surrogates(expected))


def test_load_reuses_what_it_parsed_when_the_file_is_unchanged() -> None:
    path = write(COMMENTED)
    doc = load_config(path)
    again = load_config(path, known=doc)
    assert again.data is doc.data
    saved = save_edits(doc, [(("gateway", "port"), 1)])
    assert load_config(path, known=doc).data is not doc.data
    assert saved.comments_kept
