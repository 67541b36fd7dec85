"""OpenAI's media endpoints over the providers' capabilities: ``POST /v1/images/generations``
(the ``images`` capability) and ``POST /v1/embeddings`` (``embeddings``); speech and
transcription are in :mod:`.audio`.

The model is routed as the commands route it (``provider/model``, a bare id of the one
provider offering the kind, or none: that provider's default; OpenAI's own model names mean
the default too); the call goes through the
provider's capability, so its checks, limits and key handling apply. As for chat, every
request field is taken, accepted as a no-op, or refused with a 400 naming it.

:data:`ENDPOINTS` is the routing table the gateway consults for every path that is not chat
or models: one row per endpoint (``path -> handler``). A handler gets the
:class:`MediaProviders` and the raw :class:`Request` (headers and body: a multipart upload
reads them as it needs) and returns a :class:`Reply` (bytes, or an async iterator of bytes
for a streamed answer with its ``content_type``). Nothing here names a provider.
"""

from __future__ import annotations

import base64
import json
import struct
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ..capabilities import Kind
from ..errors import OpenClawError
from ..media import EmbeddingResult, ImageRequest, ImageResult
from .failures import error_reply, refusal
from .http import Reply, Request
from .request import BadField

if TYPE_CHECKING:
    from ..capabilities import EmbeddingCapability, ImageCapability
    from ..context import ProviderContext
    from ..host import Host
    from ..secret import SecretStr


# -- images: the request and the answer (pure) ---------------------------------------------------
@dataclass(frozen=True, slots=True)
class ImageCall:
    model: str | None  # as asked: ``provider/id``, ``id`` or None (the provider's default)
    request: ImageRequest
    as_url: bool  # ``response_format: url``: each image as a data URL


#: OpenAI fields accepted at their default only (they change nothing then)
_IMAGE_DEFAULTS: Mapping[str, tuple[object, ...]] = {
    "background": (None, "auto"),
    "output_compression": (None, 100),
    "style": (None,),
}
#: the host's image options a client may add beside OpenAI's (as ``extra_body``)
_IMAGE_EXTRAS = ("seed", "negative_prompt", "aspect_ratio", "resolution", "style_preset")


def read_image_request(body: Any) -> ImageCall:
    """An OpenAI ``images.generate`` body -> the host's :class:`ImageRequest`."""
    body = _object(body)
    known = {"model", "prompt", "n", "size", "quality", "response_format", "output_format",
             "moderation", "user", *_IMAGE_DEFAULTS, *_IMAGE_EXTRAS}  # fmt: skip
    _refuse_unknown(body, known)
    for name, allowed in _IMAGE_DEFAULTS.items():
        if body.get(name) not in allowed:
            raise BadField(name, f"`{name}` {body[name]!r} cannot be honoured here; leave it out")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise BadField("prompt", "`prompt` is missing; say what to draw")
    count = _optional(body, "n", int) or 1
    width, height = _size(body.get("size"))
    quality = _optional(body, "quality", str)
    if quality in ("hd", "standard"):
        raise BadField("quality", f"`quality` {quality!r}: use low, medium, high or auto")
    moderation = _optional(body, "moderation", str)
    if moderation not in (None, "auto", "low"):
        raise BadField("moderation", "`moderation` is auto (content filtered) or low")
    response_format = _optional(body, "response_format", str) or "b64_json"
    if response_format not in ("b64_json", "url"):
        raise BadField("response_format", "`response_format` is b64_json or url")
    request = ImageRequest(
        prompt=prompt,
        count=count,
        width=width,
        height=height,
        quality=None if quality == "auto" else quality,
        format=_optional(body, "output_format", str),
        safe_mode=None if moderation is None else moderation == "auto",
        seed=_optional(body, "seed", int),
        negative_prompt=_optional(body, "negative_prompt", str),
        aspect_ratio=_optional(body, "aspect_ratio", str),
        resolution=_optional(body, "resolution", str),
        style=_optional(body, "style_preset", str),
    )
    return ImageCall(_model(body, OPENAI_IMAGE_MODELS), request, response_format == "url")


def _size(value: Any) -> tuple[int | None, int | None]:
    if value is None or value == "auto":
        return None, None
    width, x, height = str(value).partition("x")
    if not (x and width.isdigit() and height.isdigit()):
        raise BadField("size", f"`size` {value!r}: use WIDTHxHEIGHT (1024x1024) or auto")
    return int(width), int(height)


def images_json(result: ImageResult, as_url: bool, created: int) -> dict[str, Any]:
    """OpenAI's images answer: each image base64 (or as a data URL, as Venice's own
    OpenAI-compatible endpoint answers ``url``)."""
    data: list[dict[str, str]] = []
    for image in result.images:
        encoded = base64.b64encode(image.data).decode("ascii")
        if as_url:
            data.append({"url": f"data:{image.mime_type};base64,{encoded}"})
        else:
            data.append({"b64_json": encoded})
    return {"created": created, "data": data}


# -- embeddings: the request and the answer (pure) -----------------------------------------------
@dataclass(frozen=True, slots=True)
class EmbeddingCall:
    model: str | None
    texts: tuple[str, ...]
    dimensions: int | None
    as_base64: bool  # ``encoding_format: base64`` (the openai SDK's default)


def read_embedding_request(body: Any) -> EmbeddingCall:
    """An OpenAI ``embeddings.create`` body -> texts and options. Token arrays are refused:
    the capability embeds text."""
    body = _object(body)
    _refuse_unknown(body, {"model", "input", "dimensions", "encoding_format", "user"})
    given = body.get("input")
    texts = [given] if isinstance(given, str) else given
    if not isinstance(texts, list) or not texts:
        raise BadField("input", "`input` is missing; give a text or a list of texts")
    if not all(isinstance(text, str) for text in texts):
        raise BadField("input", "`input` holds token arrays; send the texts themselves")
    encoding = _optional(body, "encoding_format", str) or "float"
    if encoding not in ("float", "base64"):
        raise BadField("encoding_format", "`encoding_format` is float or base64")
    dimensions = _optional(body, "dimensions", int)
    model = _model(body, OPENAI_EMBEDDING_MODELS)
    return EmbeddingCall(model, tuple(texts), dimensions, encoding == "base64")


def embeddings_json(result: EmbeddingResult, model: str, as_base64: bool) -> dict[str, Any]:
    """OpenAI's embeddings answer; base64 is the vector as little-endian float32, as the
    openai SDK decodes it."""
    data: list[dict[str, Any]] = []
    for index, vector in enumerate(result.vectors):
        embedding: Any = list(vector)
        if as_base64:
            packed = struct.pack(f"<{len(vector)}f", *vector)
            embedding = base64.b64encode(packed).decode("ascii")
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    usage = {"prompt_tokens": result.prompt_tokens, "total_tokens": result.total_tokens}
    return {"object": "list", "data": data, "model": model, "usage": usage}


# -- shared reading --------------------------------------------------------------------------------
def _object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise BadField("", "the request body is not a JSON object")
    return body


def _refuse_unknown(body: Mapping[str, Any], known: set[str]) -> None:
    for name in body:
        if name not in known:
            raise BadField(name, f"`{name}` is not something this endpoint can honour")


def _optional(body: Mapping[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BadField(name, f"`{name}` must be {'an integer' if kind is int else 'a string'}")
    return value


#: OpenAI's own model names, which mean "the provider's default model" here (as Venice's own
#: OpenAI-compatible image endpoint reads them): a runtime set up for OpenAI keeps working
OPENAI_IMAGE_MODELS = frozenset({"dall-e-2", "dall-e-3", "gpt-image-1", "gpt-image-1-mini"})
OPENAI_EMBEDDING_MODELS = frozenset(
    {"text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002"}
)


def _model(body: Mapping[str, Any], openai_names: frozenset[str]) -> str | None:
    model = _optional(body, "model", str)
    return None if not model or model in openai_names else model


# -- the providers and the endpoints ---------------------------------------------------------------
@dataclass(slots=True)
class MediaProviders:
    """The providers a media endpoint may call: their keys (resolved at start) and their
    contexts (made on first use)."""

    host: Host
    keys: Mapping[str, SecretStr]
    log: Callable[[str], None] = field(default=lambda line: None)
    contexts: dict[str, ProviderContext] = field(default_factory=dict)

    def pick(self, kind: Kind, ref: str | None) -> tuple[str, str | None, ProviderContext]:
        """(provider id, model id or None, context) for ``ref``; :class:`UsageError` or
        :class:`PluginError` when no provider fits."""
        from ..commands.capability_use import pick_provider
        from ..errors import UsageError

        provider_id, model_id = pick_provider(self.host, kind, ref)
        if provider_id not in self.keys:
            raise UsageError(
                f"{provider_id} has no API key in this gateway; run `openclaw onboard`"
            )
        if provider_id not in self.contexts:
            provider = self.host.registry.provider(provider_id)
            self.contexts[provider_id] = self.host.provider_context(provider, warn=self.log)
        return provider_id, model_id, self.contexts[provider_id]


Handler = Callable[[MediaProviders, Request], Awaitable[Reply]]


async def images(media: MediaProviders, request: Request) -> Reply:
    try:
        call = read_image_request(_json(request))
        provider_id, model_id, ctx = media.pick("images", call.model)
        capability = cast("ImageCapability", media.host.registry.capability("images", provider_id))
        asked = call.request._replace(model=model_id)
        result = await capability.generate_images(ctx, media.keys[provider_id], asked)
    except BadField as exc:
        return refusal(400, str(exc), "invalid_request_error", exc.param or None)
    except OpenClawError as exc:
        return error_reply(exc)
    return Reply(200, json.dumps(images_json(result, call.as_url, int(time.time()))).encode())


async def embeddings(media: MediaProviders, request: Request) -> Reply:
    try:
        call = read_embedding_request(_json(request))
        provider_id, model_id, ctx = media.pick("embeddings", call.model)
        capability = cast(
            "EmbeddingCapability", media.host.registry.capability("embeddings", provider_id)
        )
        key = media.keys[provider_id]
        result = await capability.embed(ctx, key, call.texts, model_id, call.dimensions)
    except BadField as exc:
        return refusal(400, str(exc), "invalid_request_error", exc.param or None)
    except OpenClawError as exc:
        return error_reply(exc)
    answer = embeddings_json(result, f"{provider_id}/{result.model}", call.as_base64)
    return Reply(200, json.dumps(answer).encode())


def _json(request: Request) -> Any:
    try:
        return json.loads(request.body)
    except ValueError:
        raise BadField("", "the request body is not valid JSON") from None


#: path -> handler, for the media endpoints of this module (POST only). Speech and
#: transcription are :mod:`.audio`'s (``audio.PATHS``, dispatched beside this table).
ENDPOINTS: Mapping[str, Handler] = {
    "/v1/images/generations": images,
    "/v1/embeddings": embeddings,
}
#: the capability kinds :data:`ENDPOINTS` call (their providers' keys are resolved at start)
KINDS: Sequence[Kind] = ("images", "embeddings")


def media_providers(
    host: Host, chat_keys: Mapping[str, SecretStr], warn: Callable[[str], None]
) -> MediaProviders:
    """The keys of every provider offering a kind in :data:`KINDS`: its chat route's, else
    resolved now (a provider without one is said once, here or by the chat routes)."""
    from ..plugins import ChatProvider

    keys = dict(chat_keys)
    offering = sorted({pid for kind in KINDS for pid in host.registry.offers(kind)})
    for provider_id in offering:
        provider = host.registry.provider(provider_id)
        if provider_id in keys or isinstance(provider, ChatProvider):
            continue  # a chat provider without a key was said already
        try:
            keys[provider_id] = host.resolve_key(provider).value
        except OpenClawError as exc:
            warn(f"{provider.label}'s media endpoints are not served: {exc}")
    return MediaProviders(host, keys, warn)
