"""Where this machine caches Intel's collateral: beside the host's cache of ``/models``."""

from __future__ import annotations

from pathlib import Path

from .collateral import CollateralCache


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    from ..identity import PROVIDER_ID
    from ..runtime.host import APP_NAME

    return Path(user_cache_dir(APP_NAME, appauthor=False)) / "providers" / PROVIDER_ID / "tee"


def default_cache() -> CollateralCache:
    return CollateralCache(default_cache_dir())
