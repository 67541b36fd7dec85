"""The real Venice data the suite reads is vendored under ``tests/data`` (see its
PROVENANCE.md): every copy is the file its note names, unedited, and no test reaches outside
the checkout for data, so a fresh clone runs every test."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from tests.conftest import REPO, VENICE_DATA

NOTE = REPO / "tests" / "data" / "PROVENANCE.md"
#: a ``sha256sum`` line of the note: hash, two spaces, the path below venice-api/
HASHED = re.compile(r"^\s+([0-9a-f]{64})  (\S+)$", re.MULTILINE)
#: how a module would reach a directory beside the checkout
OUTSIDE = re.compile(r'\.parent\s*/\s*"shared"|"\.\./shared|parents\[2\]\s*/\s*"shared"')


def test_every_vendored_file_is_the_one_its_provenance_note_names() -> None:
    listed = dict((path, digest) for digest, path in HASHED.findall(NOTE.read_text()))
    present = {
        str(p.relative_to(VENICE_DATA)) for p in VENICE_DATA.rglob("*") if p.is_file()
    }
    assert present == set(listed)
    for path, digest in listed.items():
        assert hashlib.sha256((VENICE_DATA / path).read_bytes()).hexdigest() == digest, path


def test_no_test_reads_data_from_beside_the_checkout() -> None:
    readers = [
        str(path.relative_to(REPO))
        for path in (REPO / "tests").rglob("*.py")
        if path.parent.name != "data" and path.name != Path(__file__).name
        and OUTSIDE.search(path.read_text())
    ]
    assert readers == []


def test_the_outside_pattern_finds_a_reader() -> None:
    assert OUTSIDE.search('CAPTURE = REPO.parent / "shared" / "venice-api"')
    assert not OUTSIDE.search('CAPTURE = REPO / "tests" / "data" / "venice-api"')
