"""A warning before a paid job when the provider's balance is low. Provider-neutral.

The threshold is ``lowBalanceWarning`` under the provider block's ``params`` in the config
file (``models.providers.<id>.params.lowBalanceWarning``: ``params`` is where TypeScript
OpenClaw, which refuses unknown keys in a provider block, takes a plugin's settings): a
number, compared with the amount of the currency the provider says the next request is paid
in (every amount when it does not say), or ``{UNIT: number}`` (``{USD: 2, DIEM: 5}``), each
unit compared with its own amount. Without one nothing is asked. The check never stops the
job: a balance that cannot be read is one warning line, and the job goes on (the provider
refuses it if it cannot be paid for).

The media commands call :func:`warn_if_low_balance` once their inputs are checked and just
before the request that is paid for.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import OpenClawError

if TYPE_CHECKING:
    from ..account import Balance
    from ..host import Host
    from ..secret import SecretStr

KEY = "lowBalanceWarning"


def warn_if_low_balance(host: Host, provider_id: str, key: SecretStr | None = None) -> None:
    """Warn on stderr when ``provider_id``'s balance is below its configured threshold.
    ``key``: the key the job uses (default: the one the host resolves)."""
    limits = threshold(host, provider_id)
    if limits is not None:  # nothing configured: no request either
        asyncio.run(_check(host, provider_id, limits, key))


async def warn_if_low_balance_async(
    host: Host, provider_id: str, key: SecretStr | None = None
) -> None:
    """:func:`warn_if_low_balance` inside a running event loop."""
    limits = threshold(host, provider_id)
    if limits is not None:
        await _check(host, provider_id, limits, key)


async def _check(
    host: Host, provider_id: str, limits: Mapping[str | None, float], key: SecretStr | None
) -> None:
    if provider_id not in host.registry.offers("balance"):
        host.warn(
            f"models.providers.{provider_id}.params.{KEY} is set, but {provider_id} reports no "
            "balance; it is not checked"
        )
        return
    provider = host.registry.provider(provider_id)
    try:
        if key is None:
            key = host.resolve_key(provider).value
        balance = await host.registry.balance(provider_id).balance(
            host.provider_context(provider), key
        )
    except OpenClawError as exc:
        host.warn(f"could not check the {provider_id} balance before this paid job: {exc}")
        return
    except Exception as exc:  # a plugin's bug must not stop the job either
        host.warn(
            f"could not check the {provider_id} balance before this paid job (unexpected "
            f"{type(exc).__name__} from its plugin)"
        )
        return
    for line in low_balance_lines(provider_id, balance, limits):
        host.warn(line)


def threshold(host: Host, provider_id: str) -> dict[str | None, float] | None:
    """The configured threshold by unit (None: the unit the next request is paid in), or None
    when none is set; a value of the wrong shape is warned about and ignored."""
    block = host.provider_config(provider_id)
    params = block.get("params")
    value = params.get(KEY) if isinstance(params, Mapping) else None
    if value is None:
        if block.get(KEY) is not None:  # the place this setting had before 'params'
            host.warn(
                f"models.providers.{provider_id}.{KEY} is not read there (TypeScript OpenClaw "
                f"refuses the file with it); move it to models.providers.{provider_id}.params."
                f"{KEY}"
            )
        return None
    parsed = parse_threshold(value)
    if parsed is None:
        host.warn(
            f"models.providers.{provider_id}.params.{KEY} must be a number or {{UNIT: number}} "
            f"(e.g. {{USD: 2, DIEM: 5}}); ignored"
        )
    return parsed


def parse_threshold(value: Any) -> dict[str | None, float] | None:
    """``5`` -> ``{None: 5.0}``; ``{"usd": 2}`` -> ``{"USD": 2.0}``; None for anything else
    (a negative, NaN or non-number amount, an empty map)."""
    single = _amount(value)
    if single is not None:
        return {None: single}
    if not isinstance(value, Mapping) or not value:
        return None
    parsed: dict[str | None, float] = {}
    for unit, amount in value.items():
        number = _amount(amount)
        if not isinstance(unit, str) or not unit.strip() or number is None:
            return None
        parsed[unit.strip().upper()] = number
    return parsed


def _amount(value: Any) -> float | None:
    """A finite, non-negative number; a string holding one too (``"${LOW_BALANCE}"``
    substituted is a string)."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def low_balance_lines(
    provider_id: str, balance: Balance, limits: Mapping[str | None, float]
) -> list[str]:
    """The warnings ``balance`` calls for under ``limits`` (none when all is well)."""
    where = f"models.providers.{provider_id}.params.{KEY}"
    lines = []
    for amount in balance.amounts:
        unit = amount.unit.upper()
        if unit in limits:
            limit = limits[unit]
        elif None in limits and (balance.currency is None or balance.currency.upper() == unit):
            limit = limits[None]
        else:
            continue
        if amount.value < limit:
            lines.append(
                f"the {provider_id} balance is low before this paid job: {amount.unit} "
                f"{amount.value:,.2f} left, below the {limit:g} set in {where}"
            )
    if balance.can_consume is False:
        lines.append(
            f"{provider_id} says this account cannot pay for requests now ({balance.summary()}); "
            "the job will likely be refused"
        )
    return lines
