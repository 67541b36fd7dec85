"""Before a paid media job is queued: its price is shown, and the user agrees to it.

The rule, for every job that has a price (``video``, ``music``, ``sound``): the quote goes to
stderr; ``--yes`` queues without asking; on a terminal the user is asked (``[y/N]``: only a
yes queues); with no terminal to ask on and no ``--yes`` nothing is queued, and the one-line
error says to add ``--yes``. (``openclaw image`` has no quote to show: it is paid as it is
asked, cents a picture, as before.) :func:`before_paid_job` also gives the host's
low-balance warning (:mod:`.balance_guard`), after the price and before the question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import prompts
from ..errors import UsageError
from ..key_input import confirm

if TYPE_CHECKING:
    from ..host import Host
    from ..media_jobs import Quote
    from ..secret import SecretStr


class Declined(Exception):
    """The user said no: nothing was queued."""


def before_paid_job(
    host: Host, provider_id: str, quote: Quote, what: str, yes: bool, key: SecretStr
) -> None:
    """Show ``quote`` for ``what`` ("this video") and a low-balance warning when one is
    configured (``lowBalanceWarning``: :mod:`.balance_guard`); return when the job may be
    queued, raise :class:`Declined` when the user said no, :class:`UsageError` when no one
    could be asked."""
    from .balance_guard import warn_if_low_balance

    host.err(f"{what} with {provider_id}/{quote.model}: {quote.describe()}")
    warn_if_low_balance(host, provider_id, key)
    if yes:
        return
    if not prompts.allowed:
        raise UsageError(
            f"{what} costs {quote.describe()}; add --yes to queue it without asking "
            "(there is no terminal to ask on)"
        )
    if not confirm("Queue it? [y/N]", False, host.stdin, host.stderr):
        raise Declined
