"""How hard the property tests try, by Hypothesis profile.

``HYPOTHESIS_PROFILE=ci`` (``.ci/run`` sets it) runs each property with the example count its
test names (Hypothesis' default, 100, where it names none). Without it, the ``quick`` profile
for local runs tries a fifth as many (at least 10): the same properties and strategies, the
explicit ``@example`` cases always, and the examples that failed before first (Hypothesis'
database), so a local run is quick and CI is thorough. Tests name their count through
:func:`examples`.
"""

from __future__ import annotations

import os

from hypothesis import settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or "quick"
FULL = PROFILE == "ci"
QUICK_SHARE = 5



def load_profile() -> None:
    """Make :data:`PROFILE` the default of every property (conftest calls it)."""
    settings.register_profile("ci", max_examples=100)
    settings.register_profile("quick", max_examples=100 // QUICK_SHARE)
    settings.load_profile(PROFILE)


def examples(count: int) -> int:
    """``count`` under the ci profile; a fifth of it (at least 10) under the quick one."""
    return count if FULL else max(10, count // QUICK_SHARE)
