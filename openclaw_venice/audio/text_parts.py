"""Long text for speech, cut into parts a model takes at once. Pure.

Venice's ``/audio/speech`` takes at most 4096 characters of ``input`` (the spec's
``maxLength``). Longer text is cut at sentence ends (``.``, ``!``, ``?``, ``…`` and the CJK
full stops, followed by a space or the end), sentences packed greedily into parts under the
limit; a sentence longer than the limit is cut at its last space before it, and a run without
spaces at the limit itself. Joined, the parts are the text again, less the whitespace at the
cuts: nothing is dropped or reordered.
"""

from __future__ import annotations

import re

#: a sentence ends at its closing punctuation (and any closing quotes or brackets after it):
#: ". ! ? \u2026" before a space or the end, the CJK full stops "\u3002 \uff01 \uff1f" anywhere
_SENTENCE_END = re.compile(
    "(?:[.!?\u2026]+[\"'\u201d\u2019)\\]]*(?=\\s|$))|(?:[\u3002\uff01\uff1f]+[\u300d\u300f]*)"
)


def sentences(text: str) -> list[str]:
    """``text`` as sentences, each with its closing punctuation, stripped."""
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        piece = text[start : match.end()].strip()
        if piece:
            out.append(piece)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return out


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut at sentence ends where it can
    be (see the module). One part when the text fits; none for blank text."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    stripped = text.strip()
    if len(stripped) <= limit:
        return [stripped] if stripped else []
    parts: list[str] = []
    current = ""
    for sentence in sentences(stripped):
        for piece in _fit(sentence, limit):
            joined = f"{current} {piece}" if current else piece
            if len(joined) <= limit:
                current = joined
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts


def _fit(sentence: str, limit: int) -> list[str]:
    """A sentence in pieces of at most ``limit``: at the last space before it, else at it."""
    pieces: list[str] = []
    while len(sentence) > limit:
        cut = sentence.rfind(" ", 1, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(sentence[:cut].rstrip())
        sentence = sentence[cut:].lstrip()
    if sentence:
        pieces.append(sentence)
    return pieces
