"""``openclaw models list|set|status|refresh|attest`` (attest: ``commands/attest.py``)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from ..catalog import (
    MODEL_KINDS,
    Catalog,
    ModelInfo,
    Resolution,
    deprecation_warning,
    split_ref,
)
from ..config_file import get_path
from ..errors import (
    MissingVariableError,
    ProviderUnreachableError,
    UnknownModelError,
    UsageError,
)
from ..host import Host
from ..plugins import Registry
from .key_options import add_key_options
from .render import counted, human_tokens, print_table, print_usage

_HEADERS = ("Model", "Input", "Context", "Privacy", "Tags")

_SOURCE_RANK = {"live": 0, "cache": 1, "bundled": 2}
_FILTERS: dict[str, Callable[[ModelInfo], bool]] = {
    "private": lambda m: m.privacy == "private",
    "anonymized": lambda m: m.privacy == "anonymized",
    "vision": lambda m: "image" in m.input,
    "tools": lambda m: m.supports_tools,
    "reasoning": lambda m: m.reasoning,
}
#: a model has one privacy, so these two widen each other: --private --anonymized is both
_EITHER = ("private", "anonymized")
_FILTER_HELP = {
    "private": "only private models (with --anonymized: both kinds)",
    "anonymized": "only anonymized models (with --private: both kinds)",
    "vision": "only models that take images",
    "tools": "only models that can call tools",
    "reasoning": "only reasoning models",
}


def add_parser(
    sub: Any,
    registry: Registry | Callable[[], Registry | None] | None = None,
    lazy: bool = False,
) -> None:
    """``openclaw models`` and its actions, from :data:`ACTIONS`; ``lazy``: an action's
    parser is built when argparse picks it. ``registry`` (or a callable giving it, asked
    when ``status`` or ``attest`` is built): for the providers' key options."""
    from .table import Subcommands

    models = sub.add_parser("models", help="list, pick and refresh models")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", action=Subcommands)

    def builder(name: str, build: Callable[[Any], Any]) -> Callable[[Any], None]:
        def add(msub: Any) -> None:
            built = build(msub)
            if name in ("status", "attest"):
                add_key_options(built, registry() if callable(registry) else registry)

        return add

    for name, (help, build) in ACTIONS.items():
        msub.listed(name, help, builder(name, build))
    if not lazy:
        msub.build_all()
    models.set_defaults(handler=lambda args, host: print_usage(models, host))


def _add_list(msub: Any) -> Any:
    ls = msub.add_parser("list")
    ls.add_argument("--provider", metavar="ID", help="only this provider's models")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.add_argument("--refresh", action="store_true", help="ask the provider, ignore caches")
    ls.add_argument(
        "--all",
        action="store_true",
        help="also retired models and known ones the provider did not list this time",
    )
    ls.add_argument(
        "--type", choices=("text", *MODEL_KINDS), default="text", metavar="KIND",
        help="which models: text (chat, the default), image, embedding, tts (speech), asr "
        "(transcription), video, music (and sound effects), upscale or inpaint (image editing)",
    )  # fmt: skip
    for name in _FILTERS:
        ls.add_argument(f"--{name}", action="store_true", help=_FILTER_HELP[name])
    ls.set_defaults(handler=run_list)
    return ls


def _add_set(msub: Any) -> Any:
    st = msub.add_parser("set")
    st.add_argument(
        "ref", metavar="PROVIDER/MODEL", help="the model, e.g. from `openclaw models list`"
    )
    st.set_defaults(handler=run_set)
    return st


def _add_status(msub: Any) -> Any:
    ss = msub.add_parser("status")
    ss.add_argument("--json", action="store_true", help="print JSON")
    ss.set_defaults(handler=run_status)
    return ss


def _add_refresh(msub: Any) -> Any:
    rf = msub.add_parser("refresh")
    rf.add_argument("--provider", metavar="ID", help="only this provider's models")
    rf.set_defaults(handler=run_refresh)
    return rf


def _add_attest(msub: Any) -> Any:
    from . import attest

    return attest.add_parser(msub, resolve_ref)


#: each action: its help (listed at once) and how its parser is built (when it is picked)
ACTIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "list": ("list the models of every installed provider", _add_list),
    "set": ("set the default model (agents.defaults.model.primary)", _add_set),
    "status": ("default model, key source, base URL, catalog source", _add_status),
    "refresh": ("refetch model lists; show what was added and removed", _add_refresh),
    "attest": ("fetch and verify a fresh attestation of a model's enclave", _add_attest),
}


def _provider_ids(host: Host, provider: str | None) -> list[str]:
    if provider:
        host.registry.provider(provider)  # raises a clear error when unknown
        return [provider]
    return sorted(host.registry.providers)


def run_list(args: argparse.Namespace, host: Host) -> int:
    if args.type != "text":
        from .media_list import run_media_list

        return run_media_list(args, host)
    catalogs = [
        host.catalog(pid, refresh=args.refresh) for pid in _provider_ids(host, args.provider)
    ]
    for note in (note for c in catalogs for note in c.notes):  # this command shows the lists
        host.warn(note)
    rows = [m for c in catalogs for m in _shown(c, args.all) if _wanted(m, args)]
    source = max((c.source for c in catalogs), key=_SOURCE_RANK.__getitem__, default="bundled")
    if args.json:
        payload = {
            "source": source,
            "sources": {c.provider: c.source for c in catalogs},
            "models": [m.to_json() for m in rows],
        }
        host.out(json.dumps(payload, indent=2))
        return 0
    footers = [_source_line(c, sum(1 for m in rows if m.provider == c.provider)) for c in catalogs]
    print_table(host, _HEADERS, [_row(m) for m in rows], footers, shrink=(4, 3, 1, 2), whole=0)
    return 0


def _wanted(model: ModelInfo, args: argparse.Namespace) -> bool:
    """Every filter asked holds, the privacy ones read as one: any privacy asked for."""
    privacy = [_FILTERS[name] for name in _EITHER if getattr(args, name)]
    others = [f for name, f in _FILTERS.items() if name not in _EITHER and getattr(args, name)]
    return (not privacy or any(f(model) for f in privacy)) and all(f(model) for f in others)


def _shown(catalog: Catalog, everything: bool) -> tuple[ModelInfo, ...]:
    """What the provider offers now; with ``--all`` also its retired models and the known
    ones it did not list (tagged ``unlisted``)."""
    if not everything:
        return catalog.models
    return (*catalog.models, *catalog.retired, *(m.with_tags("unlisted") for m in catalog.unlisted))


def _row(model: ModelInfo) -> list[str]:
    tags = list(model.tags)
    if model.replacement:
        tags = [t if t != "retired" else f"retired→{model.replacement}" for t in tags]
    return [
        model.ref,
        "+".join(model.input),
        human_tokens(model.context_window),
        model.privacy or "-",
        ",".join(tags),
    ]


def _source_line(catalog: Catalog, shown: int) -> str:
    where = {
        "live": "live from the provider",
        "cache": "from the local cache (openclaw models refresh to update)",
        "bundled": "from the bundled catalog (provider not reached)",
    }[catalog.source]
    return f"{catalog.provider}: {counted(shown, 'model')}, {where}"


def resolve_ref(host: Host, ref: str) -> Resolution:
    """A model ref (``provider/id``, an alias, or a bare id) to a catalog model."""
    aliases = {alias: target for target, alias in host.model_aliases().items()}
    if "/" not in ref and ref in aliases:
        ref = aliases[ref]
    try:
        default = host.default_model_ref()
    except MissingVariableError:  # setting a new default is how that gets fixed
        default = None
    default_provider = split_ref(default)[0] if default else None
    if default_provider is None and len(host.registry.providers) == 1:
        default_provider = next(iter(host.registry.providers))
    provider_id, model_id = split_ref(ref, default_provider)
    if not provider_id or not model_id:
        raise UsageError(f"{ref!r} is not a model ref; use PROVIDER/MODEL, e.g. venice/<id>")
    catalog = host.catalog(provider_id)
    resolution = catalog.resolve(model_id)
    if resolution is None:
        ref = f"{provider_id}/{model_id}"
        raise UnknownModelError(ref, catalog.suggestions(model_id), catalog.fallback)
    return resolution


def run_set(args: argparse.Namespace, host: Host) -> int:
    resolution = resolve_ref(host, args.ref)
    ref = resolution.model.ref
    current = get_path(host.config.data, "agents", "defaults", "model")
    key = (
        ("agents", "defaults", "model")
        if isinstance(current, str)
        else ("agents", "defaults", "model", "primary")
    )
    from ..config_edit import save_edits  # only this action writes

    written = get_path(host.config.data, *key)
    saved = save_edits(host.config, [(key, ref)], say=host.err)
    if isinstance(written, str) and "${" in written and written != ref:
        host.warn(
            f"{'.'.join(key)} was {written} (read from the environment); it is now {ref}, "
            "written as it is: set it back by hand to keep taking it from the variable"
        )
    if not saved.comments_kept:
        host.warn(
            f"the file was rewritten; its previous text, comments included, is in "
            f"{host.config_path}.bak"
        )
    if resolution.notice:
        host.out(f"{resolution.notice.rstrip('.')}.")
    warning = deprecation_warning(resolution.model)
    if warning:
        host.warn(warning)
    if resolution.model.profile.e2ee:
        host.warn(
            f"{ref} is an end-to-end-encrypted (e2ee) model: prompts must be encrypted on this "
            f"machine for it; check that `openclaw chat -m {ref} hi` works before relying on it"
        )
    host.out(f"Default model: {ref} (written to {host.config_path})")
    return 0


def run_refresh(args: argparse.Namespace, host: Host) -> int:
    failed: list[str] = []
    for pid in _provider_ids(host, args.provider):
        catalog = host.catalog(pid, refresh=True)
        if catalog.source != "live":  # said in the one error line below
            reason = catalog.fallback
            failed.append(f"{pid}'s models: {reason}" if reason else f"{pid}'s models")
            continue
        for note in catalog.notes:
            host.warn(note)
        ids = [m.id for m in catalog.models]
        if catalog.previous_ids is None:
            host.out(f"{pid}: {counted(len(ids), 'model')} fetched (no earlier cache to compare)")
            continue
        added = [i for i in ids if i not in catalog.previous_ids]
        removed = sorted(catalog.previous_ids - set(ids))
        host.out(f"{pid}: {counted(len(ids), 'model')}, {len(added)} added, {len(removed)} removed")
        host.out(
            "\n".join([*(f"  + {i}" for i in added), *(f"  - {i}" for i in removed)])
            or "  (no change)"
        )
    if failed:
        raise ProviderUnreachableError(
            f"could not refresh {', '.join(failed)}; check the connection and the "
            "provider's base URL (`openclaw models status`), then try again"
        )
    return 0


def run_status(args: argparse.Namespace, host: Host) -> int:
    from .models_status import run_status as run  # its imports only when asked for

    return run(args, host)
