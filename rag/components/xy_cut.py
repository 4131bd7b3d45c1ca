"""Reading order of boxes on a page by recursive XY-cut, cutting between columns first.

Where no straight cut parts a region (a photo over two columns with the text running on in
a narrow column beside it: the gutter steps sideways), the region is read in flow order:
Breuel's partial order of lines (`_flow_order`). Where a column is a column of labels, each
beside what it labels (a mind map's branches, centred on their children), the region is a
diagram, not columns of text: it is read in the order its producer wrote it (`stream`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar


class HasBox(Protocol):
    x0: float
    y0: float
    x1: float
    y1: float


T = TypeVar("T", bound=HasBox)

# Flow order compares every pair of boxes with every other box (cubic): a region with more
# boxes than this (a dense table no cut parts) keeps row order.
FLOW_MAX = 200
# A column of labels: at least this many lines, filling at most this share of the height
# they span, each at least this many of its heights from the next: a column of text is
# dense, a mind map's branch labels stand far apart.
LABELS_MIN = 3
LABELS_FILL = 0.2
LABELS_APART = 3.0

# Where the content stream draws a box (None for a box that is no text: a picture).
Stream = Callable[[T], int | None]


class Piece(list[T]):
    """A diagram's node read in content-stream order (`_stream_pieces`): it stands apart
    from the piece before it, so its text does not run on from that piece's."""


def xy_cut(
    boxes: Sequence[T], min_col_gap: float, min_row_gap: float, stream: Stream[T] | None = None
) -> list[list[T]]:
    """Groups of boxes in reading order; each group is one column piece, top to bottom.

    Vertical cuts (empty gutters at least `min_col_gap` wide) are tried first, so that a
    region is read column by column; only where no gutter runs through the whole region
    (a headline or photo spans columns) is it cut horizontally at gaps of at least
    `min_row_gap`, top to bottom, and each part is cut again. Given the content-stream
    order (`stream`), a region with a column of labels is read in that order.
    """
    if not boxes:
        return []
    columns = _split(boxes, lambda b: (b.x0, b.x1), min_col_gap)
    if len(columns) > 1:
        if stream is not None and any(
            _labels(column, columns[i + 1 :], stream) for i, column in enumerate(columns[:-1])
        ):
            return _stream_pieces(boxes, stream)
        return [leaf for part in columns for leaf in xy_cut(part, min_col_gap, min_row_gap, stream)]
    # Rows top to bottom: split on -y so that the first interval is the top one.
    rows = _split(boxes, lambda b: (-b.y1, -b.y0), min_row_gap)
    if len(rows) > 1:
        parts = _join_columnar(rows, min_col_gap)
        return [leaf for part in parts for leaf in xy_cut(part, min_col_gap, min_row_gap, stream)]
    if len(boxes) <= FLOW_MAX and _side_by_side_text(boxes, min_col_gap):
        return _flow_order(boxes)
    return [_rows_in_order(boxes)]


def _labels(column: Sequence[T], right: Sequence[Sequence[T]], stream: Stream[T]) -> bool:
    """`column` is a column of labels: only text, a few lines far apart (`LABELS_*`), each
    with text to its right nearer to it than to the next label (what it labels: a branch's
    children sit above and below it). A column of a newspaper is dense; a column of photos
    has its pictures."""
    if len(column) < LABELS_MIN or any(stream(b) is None for b in column):
        return False
    texts = sorted(column, key=lambda b: -b.y1)
    span = texts[0].y1 - texts[-1].y0
    if sum(b.y1 - b.y0 for b in texts) > LABELS_FILL * span:
        return False
    pairs = zip(texts, texts[1:], strict=False)
    if any(a.y0 - b.y1 < LABELS_APART * (a.y1 - a.y0) for a, b in pairs):
        return False
    mids = [(b.y0 + b.y1) / 2 for b in texts]
    beside = [(b.y0 + b.y1) / 2 for part in right for b in part if stream(b) is not None]
    for i, mid in enumerate(mids):
        reach = 0.5 * min(abs(mid - m) for j, m in enumerate(mids) if j != i)
        if not any(abs(mid - m) < reach for m in beside):
            return False
    return True


def _stream_pieces(boxes: Sequence[T], stream: Stream[T]) -> list[list[T]]:
    """The text boxes in content-stream order, cut into pieces where the next box does not
    run on from the last (`_runs_on`); boxes without text after them, one per piece."""
    texts = sorted((b for b in boxes if stream(b) is not None), key=lambda b: stream(b) or 0)
    pieces: list[list[T]] = []
    for box in texts:
        if pieces and _runs_on(pieces[-1][-1], box):
            pieces[-1].append(box)
        else:
            pieces.append(Piece([box]))
    return pieces + [[b] for b in boxes if stream(b) is None]


def _side_by_side_text(boxes: Sequence[T], min_col_gap: float) -> bool:
    """Two lines of text (boxes at least three times as wide as tall) on one row with a
    gutter between them: read row by row, the region would interleave two columns."""
    lines = [b for b in boxes if b.x1 - b.x0 >= 3 * (b.y1 - b.y0) > 0]
    for i, a in enumerate(lines):
        for b in lines[i + 1 :]:
            shared = min(a.y1, b.y1) - max(a.y0, b.y0)
            gap = max(b.x0 - a.x1, a.x0 - b.x1)
            if shared >= 0.5 * min(a.y1 - a.y0, b.y1 - b.y0) and gap >= min_col_gap:
                return True
    return False


def _flow_order(boxes: Sequence[T]) -> list[list[T]]:
    """Column pieces in reading order by Breuel's rules: `a` comes before `b` when they
    overlap sideways and `a` is above, or when `a` lies wholly left of `b` and nothing
    between them in height reaches across both. Ties go to the topmost; on its row, the leftmost.
    The order is cut into pieces where the next box is not below the last one or beside
    it on its row, so that each piece is one column's run of lines."""
    n = len(boxes)
    mid = [(b.y0 + b.y1) / 2 for b in boxes]
    above = [_just_above(b, boxes) for b in boxes]
    after: list[set[int]] = [set() for _ in range(n)]
    waiting = [0] * n
    for i in range(n):
        for j in range(n):
            if i != j and _before(i, j, boxes, mid, above[j]):
                after[i].add(j)
                waiting[j] += 1
    ready = [i for i in range(n) if waiting[i] == 0]
    order: list[int] = []
    while ready:
        top = max(ready, key=lambda k: boxes[k].y1)
        i = min((k for k in ready if _same_row(boxes[k], boxes[top])), key=lambda k: boxes[k].x0)
        ready.remove(i)
        order.append(i)
        for j in after[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                ready.append(j)
    # A cycle cannot arise from these rules on boxes that do not overlap; if boxes do,
    # what is left keeps row order.
    seen = set(order)
    order += [i for i in range(n) if i not in seen]
    pieces: list[list[T]] = []
    for i in order:
        box = boxes[i]
        if pieces and _runs_on(pieces[-1][-1], box):
            pieces[-1].append(box)
        else:
            pieces.append([box])
    return pieces


def _before(
    i: int, j: int, boxes: Sequence[HasBox], mid: list[float], above: HasBox | None
) -> bool:
    """Box i is read before box j; `above` is what `_just_above` gives for box j."""
    a, b = boxes[i], boxes[j]
    if min(a.x1, b.x1) - max(a.x0, b.x0) > 0:
        return mid[i] > mid[j] and not _same_row(a, b)
    if a.x1 > b.x0:
        return False
    low, high = sorted((mid[i], mid[j]))
    if any(
        low < mid[k] < high and c.x0 < a.x1 and c.x1 > b.x0
        for k, c in enumerate(boxes)
        if k not in (i, j)
    ):
        return False
    # `b` hangs under a line that reaches over `a` (a caption's credit set apart at the
    # right end of its last row): that line, not `b`'s own place, says where `b` goes.
    return above is None or min(a.x1, above.x1) <= max(a.x0, above.x0)


def _just_above(box: HasBox, boxes: Sequence[HasBox]) -> HasBox | None:
    """The box that overlaps `box` sideways and ends less than a line above it."""
    height = box.y1 - box.y0
    for other in boxes:
        if (
            other is not box
            and min(box.x1, other.x1) - max(box.x0, other.x0) > 0
            and 0 <= other.y0 - box.y1 <= height
        ):
            return other
    return None


def _same_row(a: HasBox, b: HasBox) -> bool:
    shared = min(a.y1, b.y1) - max(a.y0, b.y0)
    return shared >= 0.5 * min(a.y1 - a.y0, b.y1 - b.y0)


def _runs_on(last: HasBox, box: HasBox) -> bool:
    """`box` continues the column piece that ends with `last`: below it and overlapping it
    sideways, within two of its heights, or beside it on its row."""
    if _same_row(last, box):
        return True
    overlap = min(last.x1, box.x1) - max(last.x0, box.x0)
    height = max(last.y1 - last.y0, box.y1 - box.y0)
    return overlap > 0 and 0 <= last.y0 - box.y1 <= 2 * height


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
