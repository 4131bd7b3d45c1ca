"""Reading order of boxes on a page by recursive XY-cut, cutting between columns first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar


class HasBox(Protocol):
    x0: float
    y0: float
    x1: float
    y1: float


T = TypeVar("T", bound=HasBox)


def xy_cut(boxes: Sequence[T], min_col_gap: float, min_row_gap: float) -> list[list[T]]:
    """Groups of boxes in reading order; each group is one column piece, top to bottom.

    Vertical cuts (empty gutters at least `min_col_gap` wide) are tried first, so that a
    region is read column by column; only where no gutter runs through the whole region
    (a headline or photo spans columns) is it cut horizontally at gaps of at least
    `min_row_gap`, top to bottom, and each part is cut again.
    """
    if not boxes:
        return []
    columns = _split(boxes, lambda b: (b.x0, b.x1), min_col_gap)
    if len(columns) > 1:
        return [leaf for part in columns for leaf in xy_cut(part, min_col_gap, min_row_gap)]
    # Rows top to bottom: split on -y so that the first interval is the top one.
    rows = _split(boxes, lambda b: (-b.y1, -b.y0), min_row_gap)
    if len(rows) > 1:
        parts = _join_columnar(rows, min_col_gap)
        return [leaf for part in parts for leaf in xy_cut(part, min_col_gap, min_row_gap)]
    return [_rows_in_order(boxes)]


def _rows_in_order(boxes: Sequence[T]) -> list[T]:
    """Top to bottom by row, left to right in a row. A box that shares most of its height
    with a row is in it: a headline's characters set one by one in two sizes (a bigger
    「则」 between 「内心强大」 and 「世界辽阔」) read left to right, not biggest first."""
    rows: list[list[T]] = []
    for box in sorted(boxes, key=lambda b: (-b.y1, b.x0)):
        row = rows[-1] if rows else None
        if row is not None:
            top, bottom = min(b.y1 for b in row), max(b.y0 for b in row)
            shared = min(top, box.y1) - max(bottom, box.y0)
            height = min(top - bottom, box.y1 - box.y0)
            if height > 0 and shared >= 0.5 * height:
                row.append(box)
                continue
        rows.append([box])
    return [box for row in rows for box in sorted(row, key=lambda b: b.x0)]


def _join_columnar(rows: list[list[T]], min_col_gap: float) -> list[list[T]]:
    """Rejoins neighbouring rows that share a gutter.

    Columns that happen to have a gap at the same height would otherwise be cut across,
    and read row by row; only cuts next to something spanning the gutter are kept.
    """
    parts = [rows[0]]
    for row in rows[1:]:
        joined = parts[-1] + row
        if len(_split(joined, lambda b: (b.x0, b.x1), min_col_gap)) > 1:
            parts[-1] = joined
        else:
            parts.append(row)
    return parts


def _split(
    boxes: Sequence[T], interval: Callable[[T], tuple[float, float]], min_gap: float
) -> list[list[T]]:
    """Boxes grouped by the gaps (at least min_gap) in their projection on one axis."""
    ordered = sorted(boxes, key=lambda b: interval(b)[0])
    groups: list[list[T]] = [[ordered[0]]]
    reach = interval(ordered[0])[1]
    for box in ordered[1:]:
        start, end = interval(box)
        if start - reach >= min_gap:
            groups.append([box])
        else:
            groups[-1].append(box)
        reach = max(reach, end)
    return groups
