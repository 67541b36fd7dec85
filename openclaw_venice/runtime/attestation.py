"""What a provider found verifying the enclave a model runs in (the ``attestation``
capability of :mod:`.capabilities`)."""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef); a class's own name is quoted instead
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple


class Attestation(NamedTuple):
    """What a provider found verifying the enclave a model runs in: ``lines`` for people,
    ``data`` for ``--json``, ``summary`` one line (the first failure, or that it verified)."""

    passed: bool
    summary: str
    lines: Sequence[str]
    data: Mapping[str, Any]
