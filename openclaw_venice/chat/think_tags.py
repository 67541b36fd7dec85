"""``<think>…</think>`` inside streamed content: split into thinking and answer text. Pure."""

from __future__ import annotations

__all__ = ["ThinkTags"]


class ThinkTags:
    """Splits ``<think>…</think>`` out of content (open models on Venice, e.g. Qwen and
    DeepSeek distills, put their reasoning there), wherever it appears. A tag may be split
    over deltas ("<thi" + "nk>"): a tail that could still become one is held back until the
    next delta, or the end, decides; so a plain "<" is delayed, never swallowed."""

    __slots__ = ("_held", "_inside", "_strip")

    def __init__(self) -> None:
        self._held, self._inside, self._strip = "", False, False

    def plain(self, text: str) -> bool:
        """True when ``text`` is all answer text, nothing to split (the usual case)."""
        return not (self._inside or self._held or self._strip) and "<" not in text

    def feed(self, text: str) -> list[tuple[bool, str]]:
        """(is thinking, text) pieces of one content delta."""
        text, self._held = self._held + text, ""
        out: list[tuple[bool, str]] = []
        while text:
            tag = "</think>" if self._inside else "<think>"
            at = text.find(tag)
            if at < 0:
                tail = text.rfind("<", max(0, len(text) - len(tag) + 1))
                if tail >= 0 and tag.startswith(text[tail:]):
                    text, self._held = text[:tail], text[tail:]
                self._add(out, text)
                break
            self._add(out, text[:at])
            # the answer after "</think>" starts with blank lines, which are not text
            self._inside, self._strip = not self._inside, self._inside
            text = text[at + len(tag) :]
        return out

    def flush(self) -> list[tuple[bool, str]]:
        out: list[tuple[bool, str]] = []
        self._add(out, self._held)
        self._held = ""
        return out

    def _add(self, out: list[tuple[bool, str]], text: str) -> None:
        if self._strip and not self._inside:
            text = text.lstrip()
            self._strip = not text
        if text:
            out.append((self._inside, text))
