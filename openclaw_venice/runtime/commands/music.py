"""``openclaw music "a sea shanty" -o shanty.mp3``: music from any provider that makes it,
through the job machinery of :mod:`.media_job` (as ``openclaw video``). ``openclaw sound``
(:mod:`.sound`) is the same command for sound effects."""

from __future__ import annotations

import argparse
from typing import Any

from ..host import Host
from ..plugins import Registry
from .media_job import add_job_options, run_job


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    p = sub.add_parser("music", help="generate music from a prompt (a paid, queued job)")
    p.add_argument("prompt", nargs="*", help="the music: genre, mood, instruments")
    add_common(p)
    p.add_argument("--lyrics", metavar="TEXT", help="words to sing, on models that sing")
    p.add_argument("--instrumental", action="store_true", default=None, help="no vocals")
    p.add_argument("--voice", metavar="NAME", help="a voice the model offers")
    p.add_argument("--language", metavar="CODE", help="ISO 639-1 language, e.g. en")
    add_job_options(p, registry, "music.mp3")
    p.set_defaults(handler=run, command_name="music", sound=False)


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--duration", "-d", type=int, metavar="SECONDS", help="length in seconds")
    p.add_argument("--loop", action="store_true", default=None,
                   help="end joins the start seamlessly, on models that can")  # fmt: skip


def run(args: argparse.Namespace, host: Host) -> int:
    from ..media_jobs import MusicRequest

    request = None
    if args.prompt:
        request = MusicRequest(
            " ".join(args.prompt),
            duration=args.duration,
            lyrics=getattr(args, "lyrics", None),
            instrumental=getattr(args, "instrumental", None),
            voice=getattr(args, "voice", None),
            language=getattr(args, "language", None),
            loop=args.loop,
            sound=args.sound,
        )
    return run_job(host, args, "music", request, "this sound" if args.sound else "this music")
