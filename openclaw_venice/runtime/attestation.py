"""What a provider found verifying the enclave a model runs in (the ``attestation``
capability of :mod:`.capabilities`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Attestation:
    """What a provider found verifying the enclave a model runs in: ``lines`` for people,
    ``data`` for ``--json``, ``summary`` one line (the first failure, or that it verified)."""

    passed: bool
    summary: str
    lines: Sequence[str]
    data: Mapping[str, Any]
