"""What the host hands a provider for one call (re-exported by ``plugins``, the contract)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class ProviderContext:
    """What the host hands a provider for one call: its config block, env, cache and flags."""

    config: Mapping[str, Any] = field(repr=False)  # may hold a literal apiKey
    env: Mapping[str, str] = field(repr=False)
    cache_dir: Path
    refresh: bool = False
    warn: Callable[[str], None] = field(default=lambda message: None)
