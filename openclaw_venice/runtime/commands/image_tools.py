"""``openclaw image``'s tools beside generation, for any provider that offers them:
``--edit FILE "prompt"`` (repeat ``--edit``: layers, a multi-edit), ``--upscale FILE
[--scale 4]``, ``--remove-background FILE``, ``--list-styles``; and the ``--style`` check
of generation against the provider's presets.

Before anything is paid for: the output file (kept unless ``--force``; its directory must
take a file), every input file (read whole, a PNG, JPEG or WebP by its content; the provider
then checks its own limits: pixels, bytes), and the options (those of generation alone are
refused here, not silently dropped). The result is written whole, as generated images are.
"""

from __future__ import annotations

import argparse
import difflib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OpenClawError, UsageError
from .balance_guard import warn_if_low_balance
from .capability_use import call_context, pick_provider, run_async
from .image_output import EXTENSIONS, check_writable, report, write_whole
from .media_input import read_image

if TYPE_CHECKING:
    from ..context import ProviderContext
    from ..host import Host
    from ..media import ImageResult
    from ..secret import SecretStr

#: options of generation only, as (attribute, its unset value, the option)
_GENERATE_ONLY = (
    ("count", 1, "--count"), ("size", None, "--size"), ("seed", None, "--seed"),
    ("negative", None, "--negative"), ("style", None, "--style"),
)  # fmt: skip
_EDIT_ONLY = (
    ("aspect", None, "--aspect"), ("resolution", None, "--resolution"),
    ("quality", None, "--quality"), ("safe_mode", None, "--safe-mode"),
    ("format", None, "--format"),
)  # fmt: skip


def run_tool(args: argparse.Namespace, host: Host, tool: str) -> int:
    if tool == "list-styles":
        return _list_styles(args, host)
    _refuse_options(args, tool)
    output = Path(args.output)
    if output.exists() and not args.force:
        raise UsageError(f"{output} already exists; pick another -o or add --force")
    if tool == "edit":
        return _edit(args, host, output)
    if args.prompt:
        raise UsageError(f"--{tool} takes no prompt; leave out {' '.join(args.prompt)!r}")
    if output.suffix.lower() != ".png":
        raise UsageError(f"--{tool} writes a PNG; end -o in .png")
    check_writable(output.parent)
    if tool == "upscale":
        from ..image_tools import UpscaleRequest

        if args.scale not in (2, 4):
            raise UsageError(f"--scale must be 2 or 4 (got {args.scale})")
        request = UpscaleRequest(read_image(args.upscale, "--upscale"), args.scale, args.creativity)
        provider_id, _ = pick_provider(host, "image_upscale", args.model)
        upscaler = _capability(host, "image_upscale", provider_id)
        ctx, key = call_context(host, provider_id)
        warn_if_low_balance(host, provider_id, key)
        result = run_async(upscaler.upscale_image(ctx, key, request))
    else:
        image = read_image(args.remove_background, "--remove-background")
        provider_id, _ = pick_provider(host, "background_removal", args.model)
        remover = _capability(host, "background_removal", provider_id)
        ctx, key = call_context(host, provider_id)
        warn_if_low_balance(host, provider_id, key)
        result = run_async(remover.remove_background(ctx, key, image))
    return _write_result(args, host, provider_id, result, output)


def _edit(args: argparse.Namespace, host: Host, output: Path) -> int:
    from ..image_tools import ImageEditRequest

    if not args.prompt:
        raise UsageError('say what to change: openclaw image --edit FILE "make the sky red"')
    fmt = args.format or EXTENSIONS.get(output.suffix.lower())
    if fmt is None:
        raise UsageError(f"{output}: end it in .png, .jpg or .webp, or pass --format")
    suffix_format = EXTENSIONS.get(output.suffix.lower())
    if suffix_format and suffix_format != fmt:
        raise UsageError(f"{output} says {suffix_format} but --format is {fmt}")
    check_writable(output.parent)
    images = tuple(read_image(path, "--edit") for path in args.edit)
    provider_id, model_id = pick_provider(host, "image_edit", args.model)
    request = ImageEditRequest(
        " ".join(args.prompt), images, model_id, args.aspect, args.resolution, fmt,
        args.quality, args.safe_mode,
    )  # fmt: skip
    editor = _capability(host, "image_edit", provider_id)
    ctx, key = call_context(host, provider_id)
    warn_if_low_balance(host, provider_id, key)
    result = run_async(editor.edit_image(ctx, key, request))
    return _write_result(args, host, provider_id, result, output)


def _refuse_options(args: argparse.Namespace, tool: str) -> None:
    checked = _GENERATE_ONLY if tool == "edit" else _GENERATE_ONLY + _EDIT_ONLY
    for name, unset, option in checked:
        if getattr(args, name) != unset:
            raise UsageError(f"{option} does not apply to --{tool}; leave it out")
    if tool != "upscale" and (args.scale != 2 or args.creativity is not None):
        raise UsageError(f"--scale and --creativity apply to --upscale, not --{tool}")


def _write_result(
    args: argparse.Namespace, host: Host, provider_id: str, result: ImageResult, output: Path
) -> int:
    from ..errors import ProviderError

    report(host, provider_id, result)
    if not result.images:
        raise ProviderError(f"{provider_id} sent no image; try again")
    written = write_whole(output, result.images[0].data)
    if args.json:
        payload = result.to_json()
        payload["files"] = [str(written)]
        host.out(json.dumps(payload, indent=2))
    else:
        host.out(str(written))
    return 0


def _list_styles(args: argparse.Namespace, host: Host) -> int:
    provider_id, _ = pick_provider(host, "image_styles", args.model)
    ctx, key = call_context(host, provider_id)
    styles = run_async(_capability(host, "image_styles", provider_id).image_styles(ctx, key))
    if args.json:
        host.out(json.dumps({"provider": provider_id, "styles": list(styles)}, indent=2))
    else:
        for style in styles:
            host.out(style)
    return 0


def check_style(
    host: Host, provider_id: str, ctx: ProviderContext, key: SecretStr, style: str
) -> None:
    """``style`` is one of the provider's presets, before the image is paid for; when the
    list cannot be had, a warning and the image goes on (the provider is the judge then)."""
    if provider_id not in host.registry.offers("image_styles"):
        return
    try:
        styles = run_async(_capability(host, "image_styles", provider_id).image_styles(ctx, key))
    except OpenClawError as exc:
        host.warn(f"could not check --style against {provider_id}'s presets: {exc}")
        return
    if style in styles:
        return
    near = difflib.get_close_matches(style, styles, n=3, cutoff=0.5) or [
        s for s in styles if s.casefold() == style.casefold()
    ]
    hint = f"did you mean {', '.join(repr(s) for s in near)}? " if near else ""
    raise UsageError(
        f"{provider_id} has no style preset {style!r}; {hint}"
        "`openclaw image --list-styles` lists them"
    )


def _capability(host: Host, kind: str, provider_id: str) -> Any:
    return host.registry.capability(kind, provider_id)  # type: ignore[arg-type]
