"""``openclaw characters [SLUG] [--reviews]``: the characters a provider hosts (a search, a
table), one character (its model, rating, tags, description) or its reviews. For any
provider that registered the ``characters`` capability; ``openclaw chat --character SLUG``
talks to one."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..characters import Character, CharacterQuery, CharacterReviews
from ..host import Host
from ..plugins import Registry
from .capability_use import call_context, pick_provider, run_async
from .key_options import add_key_options
from .render import counted, print_table


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    p = sub.add_parser("characters", help="list and look up characters to chat with")
    p.add_argument("slug", nargs="?", metavar="SLUG", help="one character (e.g. alan-watts)")
    p.add_argument("--reviews", action="store_true", help="the character's reviews (with SLUG)")
    p.add_argument("--page", type=int, default=1, metavar="N", help="page of reviews (20 each)")
    p.add_argument("--search", metavar="TEXT", help="name, description or tags containing TEXT")
    p.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="with this tag (repeatable)"
    )
    p.add_argument("--model", metavar="ID", help="only characters running on this model")
    p.add_argument("--sort", metavar="MODE", help="e.g. featured, highestRating, mostRecent")
    p.add_argument("--limit", type=int, metavar="N", help="at most N characters")
    p.add_argument("--offset", type=int, metavar="N", help="skip the first N")
    p.add_argument(
        "--adult", action=argparse.BooleanOptionalAction, default=None,
        help="only adult characters (--no-adult: none)",
    )  # fmt: skip
    p.add_argument("--provider", metavar="ID", help="only this provider")
    p.add_argument("--json", action="store_true", help="print JSON")
    add_key_options(p, registry)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, host: Host) -> int:
    from ..errors import UsageError

    listing = [
        f"--{name}" for name in ("search", "tag", "model", "sort", "limit", "offset", "adult")
        if getattr(args, name) not in (None, [])
    ]  # fmt: skip
    if args.slug and listing:
        raise UsageError(f"{', '.join(listing)} filter the list: drop SLUG, or drop them")
    if args.reviews and not args.slug:
        raise UsageError("--reviews needs a SLUG: `openclaw characters SLUG --reviews`")
    provider_id, _ = pick_provider(host, "characters", None, args.provider)
    ctx, key = call_context(host, provider_id)
    capability = host.registry.characters(provider_id)
    if args.slug and args.reviews:
        reviews = run_async(capability.character_reviews(ctx, key, args.slug, args.page))
        return _show_reviews(host, provider_id, reviews, args.json)
    if args.slug:
        character = run_async(capability.character(ctx, key, args.slug))
        return _show_one(host, character, args.json)
    query = CharacterQuery(
        args.search, tuple(args.tag), args.model, args.sort, args.limit, args.offset, args.adult
    )
    found = run_async(capability.characters(ctx, key, query))
    return _show_list(host, provider_id, found, args.json)


def _show_list(host: Host, provider_id: str, found: tuple[Character, ...], as_json: bool) -> int:
    if as_json:
        payload = {"provider": provider_id, "characters": [c.to_json() for c in found]}
        host.out(json.dumps(payload, indent=2))
        return 0
    rows = [
        [
            c.slug,
            c.name,
            _model(c),
            _stars(c),
            ",".join(c.tags[:4]) + ("…" if len(c.tags) > 4 else ""),
        ]
        for c in found
    ]
    footer = (
        f"{provider_id}: {counted(len(rows), 'character')}; `openclaw characters SLUG` for one, "
        "`openclaw chat --character SLUG` to talk to it"
    )
    print_table(host, ["Slug", "Name", "Model", "Rating", "Tags"], rows, [footer], (4, 1), 0)
    return 0


def _show_one(host: Host, c: Character, as_json: bool) -> int:
    if as_json:
        host.out(json.dumps(c.to_json(), indent=2))
        return 0
    from ..terminal import for_stream

    lines = [f"{c.name} ({c.ref})", f"  model: {_model(c)}"]
    if c.rating is not None:
        lines.append(f"  rating: {_stars(c)} of 5 ({counted(c.ratings or 0, 'rating')})")
    if c.tags:
        lines.append(f"  tags: {', '.join(c.tags)}")
    flags = ((c.adult, "adult"), (c.web_enabled, "web enabled"), (c.featured, "featured"))
    facts = [text for flag, text in flags if flag]
    if facts:
        lines.append(f"  {', '.join(facts)}")
    if c.share_url:
        lines.append(f"  {c.share_url}")
    if c.description:
        lines.extend(["", c.description.strip()])
    lines.extend(["", f"Talk to it: openclaw chat --character {c.slug}"])
    host.out(for_stream("\n".join(lines), host.stdout))
    return 0


def _show_reviews(host: Host, provider_id: str, reviews: CharacterReviews, as_json: bool) -> int:
    if as_json:
        host.out(json.dumps({"provider": provider_id, **reviews.to_json()}, indent=2))
        return 0
    rows = [
        [r.created or "-", f"{r.rating}/5", r.author or "-", (r.message or "").replace("\n", " ")]
        for r in reviews.reviews
    ]
    of = f" of {reviews.pages}" if reviews.pages else ""
    total = f", {counted(reviews.total, 'review')} in all" if reviews.total is not None else ""
    average = f", {reviews.average:.1f} on average" if reviews.average is not None else ""
    footer = f"{provider_id}/{reviews.slug}: page {reviews.page}{of}{total}{average}"
    print_table(host, ["Date", "Rating", "Author", "Review"], rows, [footer], (3, 2))
    return 0


def _model(c: Character) -> str:
    return f"{c.provider}/{c.model}" if c.model else "-"


def _stars(c: Character) -> str:
    return f"{c.rating:.1f}" if c.rating is not None else "-"
