"""Venice's billing, image and embedding answers, written by hand for tests in the shapes of
Venice's spec (``test_extras_conformance`` holds them to its response
schemas), and a responder serving them on the loopback server."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from tests.support.pngs import png, png_size
from tests.support.server import Reply, Request, json_reply

REQUEST_ID = "9a8b7c6d5e4f-FRA"
BALANCE = {
    "canConsume": True,
    "consumptionCurrency": "DIEM",
    "balances": {"diem": 90.5, "usd": 25},
    "diemEpochAllocation": 100,
}
USAGE = {
    "lookback": "7d",
    "byDate": [{"date": "2026-11-30", "USD": 0.5, "DIEM": 10.25}],
    "byModel": [
        {
            "modelName": "GLM 5.1",
            "unitType": "tokens",
            "modelType": "LLM",
            "totalUsd": 0.4,
            "totalDiem": 12.5,
            "totalUnits": 50000,
            "breakdown": [
                {"type": "Output", "usd": 0.3, "diem": 10, "units": 35000},
                {"type": "Input", "usd": 0.1, "diem": 2.5, "units": 15000},
            ],
        },
        {
            "modelName": "Venice SD35",
            "unitType": "images",
            "modelType": "IMAGE",
            "totalUsd": 0.03,
            "totalDiem": 0,
            "totalUnits": 3,
        },
    ],
    "byModelDaily": [{"date": 1764460800000, "GLM 5.1": 5.5}],
    "topModels": ["GLM 5.1", "Venice SD35"],
    "byKey": [
        {
            "apiKeyId": "key_abc123",
            "description": "Laptop",
            "totalUsd": 0.43,
            "totalDiem": 12.5,
            "totalUnits": 50003,
        }
    ],
    "byKeyDaily": [{"date": 1764460800000, "Laptop": 8.5}],
    "topKeyNames": ["Laptop"],
}
RATE_LIMITS = {
    "data": {
        "accessPermitted": True,
        "apiTier": {"id": "paid", "isCharged": True},
        "balances": {"USD": 50.23, "DIEM": 100.023},
        "keyExpiration": None,
        "nextEpochBegins": "2026-12-08 00:00:00+00:00",
        "rateLimits": [
            {
                "apiModelId": "zai-org-glm-5-1",
                "rateLimits": [
                    {"amount": 100, "type": "RPM"},
                    {"amount": 5000, "type": "RPD"},
                    {"amount": 2000000, "type": "TPM"},
                ],
            },
            {"apiModelId": "venice-sd35", "rateLimits": [{"amount": 20, "type": "RPM"}]},
        ],
    }
}
RATE_LIMIT_LOG = {
    "object": "list",
    "data": [
        {
            "apiKeyId": "key_abc123",
            "modelId": "zai-org-glm-5-1",
            "rateLimitTier": "paid",
            "rateLimitType": "RPM",
            "timestamp": "2026-12-07 12:00:00+00:00",
        },
        {
            "apiKeyId": "key_abc123",
            "modelId": "venice-sd35",
            "rateLimitTier": "paid",
            "rateLimitType": "FAILED_REQUESTS",
            "timestamp": "2026-12-06 08:30:00+00:00",
        },
    ],
}
#: a character as ``GET /characters/{slug}`` answers (the spec's example)
CHARACTER = {
    "adult": False,
    "author": "k3x9q",
    "createdAt": "2024-12-20 21:28:08.934000+00:00",
    "description": "Alan Watts was a British writer and speaker on Zen.",
    "featured": False,
    "id": "2f460055-7595-4640-9cb6-c442c4c869b0",
    "name": "Alan Watts",
    "shareUrl": "https://venice.ai/c/alan-watts",
    "photoUrl": None,
    "slug": "alan-watts",
    "stats": {
        "averageRating": 4.7,
        "imports": 112,
        "ratingCount": 24,
        "ratingSum": 113,
        "userRating": None,
    },
    "tags": ["AlanWatts", "Philosophy"],
    "updatedAt": "2025-02-09 03:23:53.708000+00:00",
    "webEnabled": True,
    "modelId": "venice-uncensored-1-2",
}
REVIEWS = {
    "object": "list",
    "data": [
        {
            "characterId": CHARACTER["id"],
            "createdAt": "2025-02-09 03:23:53.708000+00:00",
            "id": "1e38fb78-043f-4ce2-b3bc-966089c25467",
            "isOwner": False,
            "locale": "en",
            "message": "Thoughtful, grounded, and surprisingly practical.",
            "rating": 5,
            "userAvatarUrl": None,
            "username": "product_user_42",
        }
    ],
    "pagination": {"page": 1, "pageSize": 20, "total": 1, "totalPages": 1},
    "summary": {"averageRating": 4.7, "totalReviews": 1},
}
IMAGE_ROWS = [
    {
        "id": "venice-sd35",
        "object": "model",
        "owned_by": "venice.ai",
        "type": "image",
        "model_spec": {
            "name": "Venice SD35",
            "privacy": "private",
            "traits": ["eliza-default"],
            "constraints": {
                "promptCharacterLimit": 1500,
                "steps": {"default": 25, "max": 30},
                "widthHeightDivisor": 16,
            },
        },
    },
    {
        "id": "nano-banana-pro",
        "object": "model",
        "owned_by": "venice.ai",
        "type": "image",
        "model_spec": {
            "name": "Nano Banana Pro",
            "privacy": "anonymized",
            "constraints": {
                "aspectRatios": ["1:1", "16:9", "9:16"],
                "defaultAspectRatio": "1:1",
                "resolutions": ["1K", "2K", "4K"],
                "defaultResolution": "1K",
                "promptCharacterLimit": 40,
                "steps": {"default": 1, "max": 1},
                "widthHeightDivisor": 1,
            },
        },
    },
]
INPAINT_ROWS = [  # two of Venice's edit models (static-models-2026-08.json)
    {"id": i, "object": "model", "type": "inpaint",
     "model_spec": {"name": name, "privacy": "private"}}
    for i, name in (("firered-image-edit", "FireRed Edit"), ("qwen-image-2-edit", "Qwen Edit"))
]  # fmt: skip
EMBEDDING_ROWS = [
    {
        "id": "text-embedding-bge-m3",
        "object": "model",
        "owned_by": "venice.ai",
        "type": "embedding",
        "model_spec": {"name": "BGE-M3", "privacy": "private"},
    }
]


def image_answer(count: int, headers: dict[str, str] | None = None) -> Reply:
    """``count`` distinct real PNGs, base64, as ``/image/generate`` answers."""
    images = [base64.b64encode(png(4 + i, 3, (10 * i, 99, 7))).decode() for i in range(count)]
    payload = {
        "id": "generate-image-1",
        "images": images,
        "request": None,
        "timing": {
            "inferenceDuration": 800,
            "inferencePreprocessingTime": 10,
            "inferenceQueueTime": 5,
            "total": 815,
        },
    }
    return json_reply(payload, headers={"CF-RAY": REQUEST_ID, **(headers or {})})


def vector(text: str, dims: int = 3) -> list[float]:
    """A vector that depends on the text, so that order mistakes show."""
    return [float(len(text) + i) / 10 for i in range(dims)]


def embeddings_answer(body: dict[str, Any], reverse: bool = False) -> Reply:
    texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
    dims = body.get("dimensions", 3)
    data = [
        {"object": "embedding", "index": i, "embedding": vector(t, dims)}
        for i, t in enumerate(texts)
    ]
    payload = {
        "object": "list",
        "model": body["model"],
        "data": data[::-1] if reverse else data,
        "usage": {"prompt_tokens": len(texts) * 2, "total_tokens": len(texts) * 2},
    }
    return json_reply(payload, headers={"CF-RAY": REQUEST_ID})


STYLES = ["3D Model", "Analog Film", "Anime", "Cinematic", "Comic Book"]  # the spec's example


def image_tool_answer(request: Request) -> Reply:
    """The image Venice answers an edit, upscale or background removal with: a real PNG,
    twice the input's size for an upscale (``scale``), the input's size otherwise."""
    body = request.json()
    given = body.get("image") or (body.get("images") or [""])[0]
    width, height = png_size(base64.b64decode(given))
    factor = body.get("scale", 1) if request.path.endswith("/image/upscale") else 1
    headers = {"Content-Type": "image/png", "CF-RAY": REQUEST_ID}
    if "model" in body or "modelId" in body:
        headers["x-venice-model-id"] = body.get("model") or body["modelId"]
    return Reply(200, png(width * factor, height * factor, (1, 2, 3)), headers)


def venice_extras(
    image: Callable[[Request], Reply | None] | None = None,
    embeddings: Callable[[Request], Reply | None] | None = None,
    balance: Callable[[Request], Reply | None] | None = None,
    limits: Callable[[Request], Reply | None] | None = None,
) -> Callable[[Request], Reply | None]:
    """Serve ``/models`` (by ``type``), billing, rate limits, characters, image and embedding
    endpoints."""

    def respond(request: Request) -> Reply | None:
        path = request.path
        if path.endswith("/models"):
            kind = request.query.get("type", ["text"])[0]
            rows = {"image": IMAGE_ROWS, "embedding": EMBEDDING_ROWS, "inpaint": INPAINT_ROWS}.get(
                kind
            )
            if rows is None:
                rows = [{"id": "llama-3.3-70b", "type": "text", "model_spec": {}}]
            return json_reply({"object": "list", "type": kind, "data": rows})
        if path.endswith("/billing/balance"):
            return (
                balance(request) if balance else json_reply(BALANCE, headers={"CF-RAY": REQUEST_ID})
            )
        if path.endswith(("/api_keys/rate_limits", "/api_keys/rate_limits/log")):
            if limits is not None:
                return limits(request)
            payload = RATE_LIMIT_LOG if path.endswith("/log") else RATE_LIMITS
            return json_reply(payload, headers={"CF-RAY": REQUEST_ID})
        if path.endswith("/characters"):
            return json_reply({"object": "list", "data": [CHARACTER]})
        if path.endswith("/characters/alan-watts"):
            return json_reply({"object": "character", "data": CHARACTER})
        if path.endswith("/characters/alan-watts/reviews"):
            return json_reply(REVIEWS, headers={"CF-RAY": REQUEST_ID})
        if "/characters/" in path:
            return json_reply({"error": "Character not found"}, 404, {"CF-RAY": REQUEST_ID})
        if path.endswith("/billing/usage-analytics"):
            return json_reply(USAGE, headers={"CF-RAY": REQUEST_ID})
        if path.endswith("/image/generate"):
            return image(request) if image else image_answer(request.json().get("variants", 1))
        if path.endswith("/embeddings"):
            return embeddings(request) if embeddings else embeddings_answer(request.json())
        if path.endswith("/image/styles"):
            return json_reply({"data": STYLES, "object": "list"}, headers={"CF-RAY": REQUEST_ID})
        if path.endswith(("/image/edit", "/image/multi-edit", "/image/upscale",
                          "/image/background-remove")):  # fmt: skip
            return image_tool_answer(request)
        return Reply(404, json.dumps({"error": "not found"}).encode())

    return respond
