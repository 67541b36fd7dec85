"""Venice AI for OpenClaw-style agent runtimes.

``openclaw_venice.plugin:plugin`` is the ``venice`` entry point of ``openclaw.plugins``.
Importing this package is cheap: it loads nothing heavy and does no I/O.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
