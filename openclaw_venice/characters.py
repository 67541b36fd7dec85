"""Venice's characters: ``GET /characters`` (a search), ``GET /characters/{slug}`` and
``GET /characters/{slug}/reviews``, as the host's character records; ``provider.characters``
for Python callers and the ``characters`` capability the host's ``openclaw characters`` and
``openclaw chat --character`` use. Parsing is pure; the requests go through the wire.

A chat with a character sends its slug as ``venice_parameters.character_slug`` (see
``chat/options.py``); the slug is checked here first, so a mistyped one is one line naming
the closest slugs, not a turn Venice answers out of character.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .errors import NotFoundError, UsageError
from .identity import PROVIDER_ID
from .runtime.plugins import (
    Character,
    CharacterQuery,
    CharacterReview,
    CharacterReviews,
    UnknownCharacterError,
)
from .wire.client import CallLimits, malformed

if TYPE_CHECKING:
    from .runtime.plugins import ProviderContext, SecretStr
    from .wire.client import Wire
    from .wire.sync import LoopRunner

LIST_LIMITS = CallLimits(timeout=20.0, max_bytes=4 * 1024 * 1024, max_retries=2)  # 100 of them
ONE_LIMITS = CallLimits(timeout=15.0, max_bytes=1024 * 1024, max_retries=2)
REVIEW_LIMITS = CallLimits(timeout=15.0, max_bytes=2 * 1024 * 1024, max_retries=2)
#: the spec's bounds (``listCharacters``, ``getCharacterReviews``)
SORTS = (
    "featured", "highestRating", "highlyRated", "highlyRatedAndRecent", "imports", "mostRecent",
    "ratingCount",
)  # fmt: skip
MAX_LIMIT, MAX_SEARCH, MAX_TAGS, MAX_TAG, MAX_MODEL = 100, 200, 20, 100, 200
REVIEWS_PER_PAGE = 20
LIST_HINT = "`openclaw characters --search WORD` lists them"


# -- checks before sending ---------------------------------------------------------------------
def check_slug(slug: str) -> str:
    """``slug`` as it goes into the URL path; a :class:`UsageError` for one that cannot be a
    slug (empty, a ``/``, spaces or control characters, ``.``/``..``)."""
    text = slug.strip()
    if (
        not text
        or len(text) > 200
        or text in (".", "..")
        or any(c == "/" or c.isspace() or not c.isprintable() for c in text)
    ):
        raise UsageError(f"{slug!r} is not a character slug (e.g. alan-watts); {LIST_HINT}")
    return text


def query_params(query: CharacterQuery) -> dict[str, str]:
    """``GET /characters`` parameters for ``query``; a :class:`UsageError` for a value the
    spec does not take (before anything is sent)."""
    params: dict[str, str] = {}
    if query.search is not None:
        if len(query.search) > MAX_SEARCH:
            raise UsageError(f"--search takes at most {MAX_SEARCH} characters")
        params["search"] = query.search
    if query.tags:
        if len(query.tags) > MAX_TAGS or any(len(t) > MAX_TAG or "," in t for t in query.tags):
            raise UsageError(
                f"--tag: at most {MAX_TAGS} tags of at most {MAX_TAG} characters, without commas"
            )
        params["tags"] = ",".join(query.tags)  # the spec takes comma-separated values
    if query.model is not None:
        if len(query.model) > MAX_MODEL or "," in query.model:
            raise UsageError("--model takes one model id")
        params["modelId"] = query.model.removeprefix(f"{PROVIDER_ID}/")
    if query.sort is not None:
        if query.sort not in SORTS:
            raise UsageError(f"--sort must be one of {', '.join(SORTS)}")
        params["sortBy"] = query.sort
    if query.limit is not None:
        if not 1 <= query.limit <= MAX_LIMIT:
            raise UsageError(f"--limit must be 1 to {MAX_LIMIT}")
        params["limit"] = str(query.limit)
    if query.offset is not None:
        if query.offset < 0:
            raise UsageError("--offset must be 0 or more")
        params["offset"] = str(query.offset)
    if query.adult is not None:
        params["isAdult"] = "true" if query.adult else "false"
    return params


# -- answers -----------------------------------------------------------------------------------
def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value)


def _count(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number >= 0 else None


def parse_character(row: Any, request_id: str | None = None) -> Character:
    """One character of an answer (``getCharacterBySlug``'s ``data``, a row of the list)."""
    if not isinstance(row, Mapping) or not _text(row.get("slug")):
        raise malformed("character", request_id)
    stats = row.get("stats")
    stats = stats if isinstance(stats, Mapping) else {}
    tags = row.get("tags")
    return Character(
        slug=row["slug"],
        name=_text(row.get("name")) or row["slug"],
        provider=PROVIDER_ID,
        description=_text(row.get("description")),
        model=_text(row.get("modelId")),
        tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
        adult=_flag(row.get("adult")),
        web_enabled=_flag(row.get("webEnabled")),
        featured=_flag(row.get("featured")),
        rating=_number(stats.get("averageRating")),
        ratings=_count(stats.get("ratingCount")),
        imports=_count(stats.get("imports")),
        share_url=_text(row.get("shareUrl")),
        photo_url=_text(row.get("photoUrl")),
        created=_text(row.get("createdAt")),
        updated=_text(row.get("updatedAt")),
    )


def parse_characters(payload: Any, request_id: str | None = None) -> tuple[Character, ...]:
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if not isinstance(data, list):
        raise malformed("characters", request_id)
    return tuple(parse_character(row, request_id) for row in data)


def parse_one(payload: Any, request_id: str | None = None) -> Character:
    data = payload.get("data") if isinstance(payload, Mapping) else None
    return parse_character(data, request_id)


def parse_reviews(
    payload: Any, slug: str, page: int, request_id: str | None = None
) -> CharacterReviews:
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if not isinstance(data, list):
        raise malformed("character reviews", request_id)
    reviews = []
    for row in data:
        if not isinstance(row, Mapping) or _count(row.get("rating")) is None:
            raise malformed("character reviews", request_id)
        reviews.append(
            CharacterReview(
                rating=_count(row["rating"]) or 0,
                message=_text(row.get("message")),
                author=_text(row.get("username")),
                created=_text(row.get("createdAt")),
                locale=_text(row.get("locale")),
            )
        )
    paging = payload.get("pagination")
    paging = paging if isinstance(paging, Mapping) else {}
    summary = payload.get("summary")
    summary = summary if isinstance(summary, Mapping) else {}
    return CharacterReviews(
        slug,
        tuple(reviews),
        page=_count(paging.get("page")) or page,
        pages=_count(paging.get("totalPages")),
        total=_count(paging.get("total")),
        average=_number(summary.get("averageRating")),
    )


# -- requests ----------------------------------------------------------------------------------
async def search_with(wire: Wire, query: CharacterQuery) -> tuple[Character, ...]:
    answer = await wire.json("GET", "/characters", limits=LIST_LIMITS, params=query_params(query))
    return parse_characters(answer.payload, answer.request_id)


async def character_with(wire: Wire, slug: str) -> Character:
    """``slug``'s character; :class:`UnknownCharacterError` (with close slugs, found by a
    search for it) when Venice has none."""
    path = f"/characters/{quote(check_slug(slug), safe='')}"
    try:
        answer = await wire.json("GET", path, limits=ONE_LIMITS)
    except NotFoundError as exc:
        raise UnknownCharacterError(
            PROVIDER_ID, slug, await _close_slugs(wire, slug), exc.request_id
        ) from None
    return parse_one(answer.payload, answer.request_id)


async def reviews_with(wire: Wire, slug: str, page: int = 1) -> CharacterReviews:
    if page < 1:
        raise UsageError("--page must be 1 or more")
    path = f"/characters/{quote(check_slug(slug), safe='')}/reviews"
    params = {"page": str(page), "pageSize": str(REVIEWS_PER_PAGE)}
    try:
        answer = await wire.json("GET", path, limits=REVIEW_LIMITS, params=params)
    except NotFoundError as exc:
        raise UnknownCharacterError(
            PROVIDER_ID, slug, await _close_slugs(wire, slug), exc.request_id
        ) from None
    return parse_reviews(answer.payload, slug, page, answer.request_id)


async def _close_slugs(wire: Wire, slug: str) -> tuple[str, ...]:
    """Slugs like ``slug`` that a search for its words finds; none when the search fails
    (the error being reported is the unknown slug, not this)."""
    from .errors import OpenClawError

    words = " ".join(slug.replace("-", " ").replace("_", " ").split())[:MAX_SEARCH]
    try:
        found = await search_with(wire, CharacterQuery(search=words, limit=20))
    except OpenClawError:
        return ()
    slugs = [c.slug for c in found]
    return tuple(difflib.get_close_matches(slug, slugs, 3, 0.5))


class VeniceCharacters:
    """Venice's characters. ``await provider.characters.search(search="philosophy")``,
    ``await provider.characters.get("alan-watts")``, ``await
    provider.characters.reviews("alan-watts")``; each has a ``*_sync`` form for scripts
    without an event loop. ``wire``: the wire of the provider's key (made on first use)."""

    def __init__(self, wire: Callable[[], Wire], runner: LoopRunner) -> None:
        self._wire, self._runner = wire, runner

    def __repr__(self) -> str:
        return "VeniceCharacters()"

    async def search(
        self,
        search: str | None = None,
        *,
        tags: Sequence[str] = (),
        model: str | None = None,
        sort: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        adult: bool | None = None,
    ) -> tuple[Character, ...]:
        """The characters Venice finds (``limit`` 1-100, Venice's default 50)."""
        query = CharacterQuery(search, tuple(tags), model, sort, limit, offset, adult)
        return await search_with(self._wire(), query)

    async def get(self, slug: str) -> Character:
        """One character; :class:`UnknownCharacterError` naming close slugs when none."""
        return await character_with(self._wire(), slug)

    async def reviews(self, slug: str, page: int = 1) -> CharacterReviews:
        return await reviews_with(self._wire(), slug, page)

    def search_sync(self, search: str | None = None, **options: Any) -> tuple[Character, ...]:
        return self._runner.run(
            lambda: self.search(search, **options),
            "characters.search_sync", "await provider.characters.search(...)",
        )  # fmt: skip

    def get_sync(self, slug: str) -> Character:
        return self._runner.run(
            lambda: self.get(slug), "characters.get_sync", "await provider.characters.get(...)"
        )

    def reviews_sync(self, slug: str, page: int = 1) -> CharacterReviews:
        return self._runner.run(
            lambda: self.reviews(slug, page),
            "characters.reviews_sync", "await provider.characters.reviews(...)",
        )  # fmt: skip


# -- the host's ``characters`` capability ------------------------------------------------------
class VeniceCharacterCapability:
    async def characters(
        self, ctx: ProviderContext, api_key: SecretStr, query: CharacterQuery
    ) -> tuple[Character, ...]:
        from .wire.config import wire_for

        query_params(query)  # a value Venice does not take: refused before connecting
        async with wire_for(ctx, api_key) as wire:
            return await search_with(wire, query)

    async def character(self, ctx: ProviderContext, api_key: SecretStr, slug: str) -> Character:
        from .wire.config import wire_for

        check_slug(slug)
        async with wire_for(ctx, api_key) as wire:
            return await character_with(wire, slug)

    async def character_reviews(
        self, ctx: ProviderContext, api_key: SecretStr, slug: str, page: int = 1
    ) -> CharacterReviews:
        from .wire.config import wire_for

        check_slug(slug)
        async with wire_for(ctx, api_key) as wire:
            return await reviews_with(wire, slug, page)
