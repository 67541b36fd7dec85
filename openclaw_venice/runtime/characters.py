"""Characters a provider hosts: personas with their own prompt and model, chatted with by
slug (``openclaw chat --character SLUG``), listed and looked up by ``openclaw characters``.

Records of the ``characters`` capability (:mod:`.capabilities`); loaded only by the commands
that use them. Times are as the provider writes them.
"""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef); a class's own name is quoted instead
from typing import Any, NamedTuple


class CharacterQuery(NamedTuple):
    """What ``openclaw characters`` asks for; None and empty leave it to the provider.
    ``sort``: one of the provider's sort modes (Venice: ``featured``, ``highestRating``,
    ``mostRecent`` ...)."""

    search: str | None = None
    tags: tuple[str, ...] = ()
    model: str | None = None
    sort: str | None = None
    limit: int | None = None
    offset: int | None = None
    adult: bool | None = None


class Character(NamedTuple):
    """A character: ``slug`` is what a chat names; ``model`` the model id it runs on (of its
    provider's catalog); ``rating`` its average stars (of ``ratings``)."""

    slug: str
    name: str
    provider: str
    description: str | None = None
    model: str | None = None
    tags: tuple[str, ...] = ()
    adult: bool | None = None
    web_enabled: bool | None = None
    featured: bool | None = None
    rating: float | None = None
    ratings: int | None = None
    imports: int | None = None
    share_url: str | None = None
    photo_url: str | None = None
    created: str | None = None
    updated: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.provider}/{self.slug}"

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "slug": self.slug,
            "name": self.name,
            "description": self.description,
            "model": self.model,
            "tags": list(self.tags),
            "adult": self.adult,
            "webEnabled": self.web_enabled,
            "featured": self.featured,
            "rating": self.rating,
            "ratings": self.ratings,
            "imports": self.imports,
            "shareUrl": self.share_url,
            "photoUrl": self.photo_url,
            "created": self.created,
            "updated": self.updated,
        }


class CharacterReview(NamedTuple):
    rating: int
    message: str | None = None
    author: str | None = None
    created: str | None = None
    locale: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rating": self.rating,
            "message": self.message,
            "author": self.author,
            "created": self.created,
            "locale": self.locale,
        }


class CharacterReviews(NamedTuple):
    """One page of a character's reviews, with the totals over every page."""

    slug: str
    reviews: tuple[CharacterReview, ...]
    page: int = 1
    pages: int | None = None
    total: int | None = None
    average: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "page": self.page,
            "pages": self.pages,
            "total": self.total,
            "averageRating": self.average,
            "reviews": [r.to_json() for r in self.reviews],
        }
