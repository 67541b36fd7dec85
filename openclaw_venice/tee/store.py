"""Where this machine caches Intel's collateral: beside the host's cache of ``/models``."""

from __future__ import annotations

from pathlib import Path

from .collateral import CollateralCache


def default_cache_dir() -> Path:
    from ..identity import PROVIDER_ID
    from ..runtime.plugins import provider_cache_dir

    return provider_cache_dir(PROVIDER_ID) / "tee"


def default_cache() -> CollateralCache:
    return CollateralCache(default_cache_dir())
