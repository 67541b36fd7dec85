"""``openclaw image PROMPT -o out.png``: generate images with any provider that offers them.

Files are written whole (a temporary file renamed into place) and never over an existing
file unless ``--force``. With ``--count N`` (N > 1) the files are ``out-1.png`` ... The
model's privacy and the provider's content-safety verdict (blurred, content violation) are
reported on stderr; stdout lists the files written, one a line (or ``--json``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import ProviderError, UsageError
from ..host import Host
from ..media import ImageRequest
from ..plugins import Registry
from .balance_guard import warn_if_low_balance
from .capability_use import call_context, pick_provider, run_async
from .image_output import EXTENSIONS as _EXTENSIONS
from .image_output import PRIVACY as PRIVACY  # re-exported: other media commands use them
from .image_output import check_writable as check_writable
from .image_output import report, write_whole
from .key_options import add_key_options


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    p = sub.add_parser("image", help="generate, edit, upscale images; remove backgrounds")
    p.add_argument("prompt", nargs="*", help="what to draw (with --edit: what to change)")
    p.add_argument("--model", "-m", metavar="PROVIDER/MODEL", help="default: the provider's")
    p.add_argument("--output", "-o", metavar="PATH", default="image.png", help="file to write")
    p.add_argument("--count", "-n", type=int, default=1, metavar="N", help="images (1-4)")
    p.add_argument("--size", metavar="WxH", help="width x height in pixels, e.g. 1024x768")
    p.add_argument("--aspect", metavar="RATIO", help="aspect ratio, e.g. 16:9")
    p.add_argument("--resolution", metavar="RES", help="resolution tier, e.g. 1K, 2K")
    p.add_argument("--quality", metavar="Q", help="quality, for models that take one")
    p.add_argument("--seed", type=int, metavar="N", help="same seed, same image")
    p.add_argument("--negative", metavar="TEXT", help="what should not be in the image")
    p.add_argument("--style", metavar="PRESET", help="a style preset, e.g. '3D Model'")
    p.add_argument(
        "--safe-mode",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="blur adult content (default: off, see docs/media.md)",
    )
    p.add_argument("--format", choices=("png", "jpeg", "webp"), help="default: from -o")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    tools = p.add_argument_group("image tools (instead of generating)")
    tools.add_argument("--edit", metavar="FILE", action="append",
                       help="edit FILE as the prompt says (repeat: a multi-edit)")  # fmt: skip
    tools.add_argument("--upscale", metavar="FILE", help="FILE made larger (--scale 2 or 4)")
    tools.add_argument("--scale", type=int, default=2, metavar="N", help="2 or 4 (--upscale)")
    tools.add_argument("--creativity", type=float, metavar="X",
                       help="detail the upscaler may add, 0 to 0.02 (--upscale)")  # fmt: skip
    tools.add_argument("--remove-background", metavar="FILE",
                       help="FILE with a transparent background (a PNG)")  # fmt: skip
    tools.add_argument("--list-styles", action="store_true",
                       help="the style presets --style takes")  # fmt: skip
    add_key_options(p, registry)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, host: Host) -> int:
    tool = _tool(args)
    if tool is not None:
        from .image_tools import run_tool

        return run_tool(args, host, tool)
    if not args.prompt:
        raise UsageError("say what to draw: openclaw image \"a lighthouse at dusk\" -o out.png")
    request = image_request(args)
    paths = output_paths(Path(args.output), request.count)
    if not args.force:
        taken = [str(p) for p in paths if p.exists()]
        if taken:
            raise UsageError(f"{', '.join(taken)} already exists; pick another -o or add --force")
    for directory in dict.fromkeys(p.parent for p in paths):
        check_writable(directory)  # before anything is generated (and paid for)
    provider_id, model_id = pick_provider(host, "images", args.model)
    request = ImageRequest(**{**_fields(request), "model": model_id})
    ctx, key = call_context(host, provider_id)
    if request.style is not None:
        from .image_tools import check_style

        check_style(host, provider_id, ctx, key, request.style)
    warn_if_low_balance(host, provider_id, key)
    result = run_async(host.registry.images(provider_id).generate_images(ctx, key, request))
    report(host, provider_id, result)
    if not result.images:
        raise ProviderError(
            f"{provider_id} sent no image"
            + (" (content violation)" if result.content_violation else "")
            + "; change the prompt and try again"
        )
    if len(result.images) < request.count:
        host.warn(f"asked for {request.count} images, {provider_id} sent {len(result.images)}")
    pairs = zip(paths, result.images, strict=False)
    written = [write_whole(path, image.data) for path, image in pairs]
    if args.json:
        payload = result.to_json()
        payload["files"] = [str(p) for p in written]
        host.out(json.dumps(payload, indent=2))
    else:
        for path in written:
            host.out(str(path))
    return 0


def _tool(args: argparse.Namespace) -> str | None:
    """Which image tool the options ask for (one at most), or None: generate."""
    asked = [name for name, on in (
        ("edit", bool(args.edit)), ("upscale", args.upscale is not None),
        ("remove-background", args.remove_background is not None),
        ("list-styles", args.list_styles),
    ) if on]  # fmt: skip
    if len(asked) > 1:
        raise UsageError(f"--{asked[0]} and --{asked[1]} are different tools; pick one")
    return asked[0] if asked else None


def image_request(args: argparse.Namespace) -> ImageRequest:
    fmt = args.format or _EXTENSIONS.get(Path(args.output).suffix.lower())
    if fmt is None:
        raise UsageError(f"{args.output}: end it in .png, .jpg or .webp, or pass --format")
    suffix_format = _EXTENSIONS.get(Path(args.output).suffix.lower())
    if suffix_format and suffix_format != fmt:
        raise UsageError(f"{args.output} says {suffix_format} but --format is {fmt}")
    width = height = None
    if args.size:
        width, height = _size(args.size)
    return ImageRequest(
        prompt=" ".join(args.prompt),
        count=args.count,
        width=width,
        height=height,
        aspect_ratio=args.aspect,
        resolution=args.resolution,
        seed=args.seed,
        negative_prompt=args.negative,
        style=args.style,
        safe_mode=args.safe_mode,
        format=fmt,
        quality=args.quality,
    )


def _size(text: str) -> tuple[int, int]:
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise UsageError(f"--size {text!r}: write WIDTHxHEIGHT, e.g. 1024x1024")
    return int(width), int(height)


def _fields(request: ImageRequest) -> dict[str, Any]:
    return {name: getattr(request, name) for name in ImageRequest._fields}


def output_paths(path: Path, count: int) -> list[Path]:
    if count <= 1:
        return [path]
    return [path.with_name(f"{path.stem}-{i}{path.suffix}") for i in range(1, count + 1)]
