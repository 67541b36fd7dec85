"""Plain-text rendering helpers shared by commands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from ..host import Host

GAP = "  "


def print_usage(parser: argparse.ArgumentParser, host: Host) -> int:
    """A command group run without its action (``openclaw models``): that group's help, on
    stderr like the top level's, and the usage exit status."""
    parser.print_help(host.stderr)
    return 2


def print_table(
    host: Host,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    footers: Sequence[str] = (),
    shrink: Sequence[int] = (),
    whole: int | None = None,
) -> None:
    """A table as ``models list`` shows it. On a terminal it fits the width and server text
    in it is made safe; down a pipe stdout gets the rows alone and the header, rule and
    footers go to stderr (as gh does), so ``| grep`` and ``| head`` see rows and nothing else.
    ``whole``: the column never cut (a model ref, which must stay usable): narrowed last,
    and a longer cell in it pushes the rest of its row out instead of being cut.
    """
    from ..terminal import columns, is_terminal, safe_text

    tty = is_terminal(host.stdout)
    cells = [[safe_text(c) for c in row] for row in rows] if tty else rows
    width = columns(host.env, host.stdout) if tty else None
    lines = format_table(headers, cells, width, shrink, whole)
    aside = host.out if tty else host.err
    for line in lines[:2]:
        aside(line)
    for line in lines[2:]:
        host.out(line)
    for line in footers:
        aside(line)


def format_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int | None = None,
    shrink: Sequence[int] = (),
    whole: int | None = None,
) -> list[str]:
    """The header line, a rule and the rows, columns padded to line up. With ``width``, the
    columns in ``shrink`` (first listed, first cut) are narrowed, cells ending in ``…``,
    until every line fits or they are down to their header's width; then the ``whole``
    column, whose cells are never cut (a longer one pushes its row out)."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    if width is not None:
        widths = _fit(widths, headers, width, [*shrink, *([] if whole is None else [whole])])
    lines = [headers, ["-" * w for w in widths], *rows]
    return [
        GAP.join(
            (cell if column == whole else _cut(cell, w)).ljust(w)
            for column, (cell, w) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    ]


def _fit(widths: list[int], headers: Sequence[str], width: int, shrink: Sequence[int]) -> list[int]:
    widths = list(widths)
    excess = sum(widths) + len(GAP) * (len(widths) - 1) - width
    for column in shrink:
        if excess <= 0:
            break
        cut = min(excess, widths[column] - max(len(headers[column]), 2))
        if cut > 0:
            widths[column] -= cut
            excess -= cut
    return widths


def _cut(cell: str, width: int) -> str:
    return cell if len(cell) <= width else cell[: width - 1] + "…"


def counted(count: int, noun: str) -> str:
    """``1 model``, ``2 models``, ``0 models`` (``noun`` takes a plain -s)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def human_tokens(count: int) -> str:
    """128000 -> '128k', 1000000 -> '1M', 262144 -> '262k'."""
    if count >= 1_000_000 and count % 1_000_000 == 0:
        return f"{count // 1_000_000}M"
    if count >= 1000:
        return f"{round(count / 1000)}k"
    return str(count)
