"""What the ``usage``, ``image`` and ``embed`` commands share: which provider offers a
capability for a model ref, and the key and context to call it with. Provider-neutral."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from ..capabilities import DESCRIPTIONS, Kind
from ..errors import PluginError, UsageError

if TYPE_CHECKING:
    from ..host import Host
    from ..plugins import ProviderContext
    from ..secret import SecretStr

T = TypeVar("T")


def pick_provider(
    host: Host, kind: Kind, ref: str | None, provider: str | None = None
) -> tuple[str, str | None]:
    """(provider id, model id or None) for ``ref`` (``PROVIDER/MODEL``, ``MODEL`` or None),
    or for ``provider`` when given. A ref whose first part names no installed provider is a
    model id that holds a slash (``openai/whisper-large-v3``), of the one provider offering
    ``kind``."""
    offering = host.registry.offers(kind)
    if provider:
        host.registry.capability(kind, provider)
        return provider, (ref or "").removeprefix(f"{provider}/") or None
    named = ref.split("/", 1)[0] if ref and "/" in ref else None
    if ref and named is not None and (named in host.registry.providers or len(offering) != 1):
        provider_id, model_id = ref.split("/", 1)
        host.registry.capability(kind, provider_id)  # a clear error when it offers none
        return provider_id, model_id or None
    if len(offering) == 1:
        return offering[0], ref or None
    if not offering:
        raise PluginError(f"no installed provider offers {DESCRIPTIONS[kind]}")
    raise UsageError(
        f"several providers offer {DESCRIPTIONS[kind]} ({', '.join(offering)}); "
        "say which: --model PROVIDER/MODEL or --provider ID"
    )


def call_context(host: Host, provider_id: str) -> tuple[ProviderContext, SecretStr]:
    provider = host.registry.provider(provider_id)
    key = host.resolve_key(provider)
    return host.provider_context(provider), key.value


def run_async(call: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(call)
