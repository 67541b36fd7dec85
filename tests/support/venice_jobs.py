"""A loopback Venice that runs queued jobs (``/video/*`` and ``/audio/*``), in the shapes of
Venice's spec: a quote, a queue id, ``PROCESSING`` answers for the first ``polls`` retrieves
of a job, then the file itself (chunked, in pieces), and ``{"success": true}`` on complete.
It records what it was asked, so a test can count queue requests and see what was sent."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from tests.support.server import Reply, Request, json_reply

REQUEST_ID = "7f6e5d4c3b2a-AMS"
# real container heads: an MP4 ``ftyp`` box, an MP3 with an ID3 tag
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 64
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + bytes(range(256)) * 32


LISTED = {  # /models?type=video|music: a few of Venice's rows (static-models-2026-08.json)
    "video": ["seedance-2-0-text-to-video-basic", "wan-2.6-image-to-video",
              "kling-2.6-pro-text-to-video"],
    "music": ["elevenlabs-music", "elevenlabs-sound-effects-v2"],
}  # fmt: skip


def model_rows(kind: str) -> list[dict[str, object]]:
    return [
        {"id": i, "type": kind, "model_spec": {"name": i, "privacy": "anonymized"}}
        for i in LISTED.get(kind, [])
    ]


@dataclass
class JobServer:
    """``polls``: PROCESSING answers before the file; ``price``: the quote in USD;
    ``pause``: called before each piece of the file (a test may block it there)."""

    polls: int = 1
    price: float = 0.45
    expected_ms: int = 3000  # what Venice expects the job to take (its P80)
    video: bytes = MP4
    audio: bytes = MP3
    download_url: str | None = None  # queue answers carry it (VPS-backed video models)
    pause: Callable[[int], None] | None = None
    queued: list[dict[str, object]] = field(default_factory=list)
    retrieved: dict[str, int] = field(default_factory=dict)
    completed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __call__(self, request: Request) -> Reply | None:
        path = request.path
        kind = "video" if "/video/" in path else "audio"
        headers = {"CF-RAY": REQUEST_ID}
        if path.endswith("/models"):
            kind = request.query.get("type", ["text"])[0]
            return json_reply({"object": "list", "type": kind, "data": model_rows(kind)})
        if path.endswith(("/video/quote", "/audio/quote")):
            return json_reply({"quote": self.price}, headers=headers)
        if path.endswith(("/video/queue", "/audio/queue")):
            body = request.json()
            with self.lock:
                self.queued.append(body)
                queue_id = f"job-{next(self._ids)}"
            answer: dict[str, object] = {"model": body["model"], "queue_id": queue_id}
            if kind == "audio":
                answer["status"] = "QUEUED"
            elif self.download_url:
                answer["download_url"] = self.download_url
            return json_reply(answer, headers=headers)
        if path.endswith(("/video/retrieve", "/audio/retrieve")):
            queue_id = request.json()["queue_id"]
            with self.lock:
                seen = self.retrieved[queue_id] = self.retrieved.get(queue_id, 0) + 1
            if seen <= self.polls:
                status = {
                    "status": "PROCESSING",
                    "average_execution_time": self.expected_ms,
                    "execution_duration": 500 * seen,
                }
                return json_reply(status, headers=headers)
            if kind == "video" and self.download_url:
                return json_reply(
                    {"status": "COMPLETED", "average_execution_time": 1, "execution_duration": 1},
                    headers=headers,
                )
            data = self.video if kind == "video" else self.audio
            mime = "video/mp4" if kind == "video" else "audio/mpeg"
            return Reply(200, self._pieces(data), {"Content-Type": mime, **headers})
        if path.endswith(("/video/complete", "/audio/complete")):
            with self.lock:
                self.completed.append(request.json()["queue_id"])
            return json_reply({"success": True}, headers=headers)
        if self.download_url and self.download_url.endswith(path):
            return Reply(200, self._pieces(self.video), {"Content-Type": "video/mp4"})
        return Reply(404, b'{"error": "not found"}', {"Content-Type": "application/json"})

    def _pieces(self, data: bytes) -> Iterator[bytes]:
        step = 4096
        for number, start in enumerate(range(0, len(data), step)):
            if self.pause is not None:
                self.pause(number)
            yield data[start : start + step]

    def requests_to(self, requests: list[Request], endpoint: str) -> list[Request]:
        return [r for r in requests if r.path.endswith(endpoint)]
