"""``openclaw sound "rain on a tin roof" -o rain.mp3``: a sound effect, by the provider of
music and sound effects (``openclaw music``'s machinery, the provider's sound-effect model
unless ``-m``)."""

from __future__ import annotations

from typing import Any

from ..plugins import Registry
from .media_job import add_job_options
from .music import add_common, run


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    p = sub.add_parser("sound", help="generate a sound effect (a paid, queued job)")
    p.add_argument("prompt", nargs="*", help="the sound, e.g. 'a door creaks open'")
    add_common(p)
    add_job_options(p, registry, "sound.mp3")
    p.set_defaults(handler=run, command_name="sound", sound=True)
