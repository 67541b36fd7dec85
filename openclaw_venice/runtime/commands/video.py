"""``openclaw video "a boat at dawn" -o boat.mp4``: a video from any provider that makes
them, through the job machinery of :mod:`.media_job` (price shown and agreed to, progress on
a terminal, Ctrl-C resumable with ``--resume JOB_ID``)."""

from __future__ import annotations

import argparse
from typing import Any

from ..host import Host
from ..plugins import Registry
from .media_job import add_job_options, run_job


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    p = sub.add_parser("video", help="generate a video from a prompt (a paid, queued job)")
    p.add_argument("prompt", nargs="*", help="what happens in the video")
    p.add_argument("--duration", "-d", type=int, metavar="SECONDS", help="length, e.g. 5")
    p.add_argument("--aspect", metavar="RATIO", help="aspect ratio, e.g. 16:9")
    p.add_argument("--resolution", metavar="RES", help="e.g. 720p, 1080p")
    p.add_argument("--audio", action=argparse.BooleanOptionalAction, default=None,
                   help="generate sound, on models that can")  # fmt: skip
    p.add_argument("--negative", metavar="TEXT", help="what should not be in the video")
    p.add_argument("--image", metavar="FILE", help="first frame (image-to-video models)")
    add_job_options(p, registry, "video.mp4")
    p.set_defaults(handler=run, command_name="video")


def run(args: argparse.Namespace, host: Host) -> int:
    from ..media_jobs import VideoRequest
    from .media_input import read_image

    request = None
    if args.prompt:
        image = read_image(args.image, "--image") if args.image else None
        request = VideoRequest(
            " ".join(args.prompt),
            duration=args.duration,
            aspect_ratio=args.aspect,
            resolution=args.resolution,
            audio=args.audio,
            negative_prompt=args.negative,
            image=image,
        )
    return run_job(host, args, "video", request, "this video")
