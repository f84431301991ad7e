"""Tables of an OCR'd page: the ruled grid found in the image, OCR words put in its cells.

Rules are long runs of dark pixels on the binarised, deskewed page: a horizontal rule is a run
of at least `W / 25` pixels along a row; a vertical rule fills (nearly) the whole height of the
band between two horizontal rules, which no character stroke does. The grid's columns are all
the vertical rules' positions; where a rule is missing two grid cells are one merged cell. As in
audit/readers/pdf_grid.py, a horizontally merged cell keeps its text in its first column and a
vertically merged one repeats it downwards.

A page without rules but with words aligned in columns (a borderless list) becomes a table by
grouping the words of consecutive lines into columns by their left edges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from audit.readers import ink
from audit.readers.model import Table, clean
from audit.readers.ocr import Recognised, Word, lowest, text_lines

Mask = npt.NDArray[np.bool_]

DARK = 170  # a pixel darker than this (0–255) is ink
MIN_BAND = 14  # px: bands thinner than this are a double rule, not a row
MERGE_GAP = 8  # px: rules (or vertical rule positions) closer than this are one
MAX_ROW_SHARE = 0.35  # a gap over this share of the page height ends a table
VERTICAL_FILL = 0.9  # share of a band's height a vertical rule covers
MISSING_RULE = 0.5  # a horizontal rule covering less of a cell's width than this is absent
MIN_COLUMN_LINES = 3  # consecutive lines of 2+ words that make a borderless table


@dataclass
class Rule:
    y: float
    cover: Mask  # per x: the rule runs here

    @property
    def extent(self) -> tuple[int, int]:
        xs = np.flatnonzero(self.cover)
        return int(xs[0]), int(xs[-1])


@dataclass
class Signs:
    """What a page's signature boxes are judged on (audit/readers/ink.py)."""

    ink: Mask  # ink no legible word explains
    bare: Mask  # ink outside every box the engine found, legible or not
    line_height: float  # the page's text height, px
    marks: list[Word] = field(default_factory=list)  # the signatures judged present


@dataclass
class Grid:
    ys: list[float]  # horizontal rules, top to bottom
    xs: list[float]  # column boundaries, left to right
    vertical: list[list[bool]]  # [band][boundary]: the rule is drawn in this band
    rules: list[Rule]


def page_tables(found: Recognised, page: int) -> list[Table]:
    dark = np.asarray(found.image, dtype=np.uint8) < DARK
    grids = find_grids(dark)
    tables: list[Table] = []
    loose = list(found.words)
    signs = None
    if grids:
        unexplained = ink.unexplained(dark, found.words)
        bare = ink.cleared(unexplained, found.dropped)
        signs = Signs(unexplained, bare, ink.text_height(found.words))
    for grid in grids:
        inside = [w for w in found.words if _inside(grid, w)]
        loose = [w for w in loose if w not in inside]
        rows = _fill(grid, inside, signs)
        if any(any(c for c in row) for row in rows):
            tables.append(Table(rows=rows, page=page, ocr=lowest(inside)))
    tables += column_tables(loose, page)
    if signs is not None and signs.marks:
        # a word the recogniser was unsure of where a signature was judged present is that
        # signature (“签字：医欧” at 0.79): no fact is missing for it, so the page need not wait
        # for a person on its account
        found.dropped = [w for w in found.dropped if not any(_overlap(w, m) for m in signs.marks)]
    return tables


def _overlap(word: Word, mark: Word) -> bool:
    """Whether most of a mark lies in a word's box (or most of the word in the mark's)."""
    width = min(word.x1, mark.x1) - max(word.x0, mark.x0)
    height = min(word.y1, mark.y1) - max(word.y0, mark.y0)
    if width <= 0 or height <= 0:
        return False
    area = width * height
    smaller = min((word.x1 - word.x0) * word.height, (mark.x1 - mark.x0) * mark.height)
    return area >= 0.5 * smaller


def find_grids(dark: Mask) -> list[Grid]:
    height, width = dark.shape
    rules = _horizontal_rules(dark, max(40, width // 25))
    grids: list[Grid] = []
    for group in _tables_of(rules, height):
        grids += _grids(dark, group)
    return grids


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(first, last) indices of each run of True."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _horizontal_rules(dark: Mask, length: int) -> list[Rule]:
    height, width = dark.shape
    if width <= length:
        return []
    band = dark.copy()  # a thin rule one pixel off its row after deskewing is still a rule
    band[1:] |= dark[:-1]
    band[:-1] |= dark[1:]
    sums = np.cumsum(band, axis=1, dtype=np.int32)
    sums = np.concatenate((np.zeros((height, 1), np.int32), sums), axis=1)
    full = (sums[:, length:] - sums[:, :-length]) == length  # a run of `length` starts here
    rows = full.any(axis=1)
    rules: list[Rule] = []
    for top, bottom in _runs(rows):
        starts = full[top : bottom + 1].any(axis=0)
        counts = np.concatenate(([0], np.cumsum(starts)))
        x = np.arange(width)
        hi = np.minimum(x + 1, starts.size)
        lo = np.clip(x - length + 1, 0, starts.size)
        cover = (counts[hi] - counts[lo]) > 0
        y = (top + bottom) / 2
        if rules and y - rules[-1].y < MERGE_GAP:
            rules[-1] = Rule((rules[-1].y + y) / 2, rules[-1].cover | cover)
        else:
            rules.append(Rule(y, cover))
    return rules


def _tables_of(rules: list[Rule], height: int) -> list[list[Rule]]:
    """Consecutive rules of one table: close together and spanning the same columns."""
    groups: list[list[Rule]] = []
    for rule in rules:
        if groups:
            last = groups[-1][-1]
            (a0, a1), (b0, b1) = last.extent, rule.extent
            overlap = min(a1, b1) - max(a0, b0)
            if rule.y - last.y <= MAX_ROW_SHARE * height and overlap >= 0.5 * min(a1 - a0, b1 - b0):
                groups[-1].append(rule)
                continue
        groups.append([rule])
    return [g for g in groups if len(g) >= 2]


def _grids(dark: Mask, rules: list[Rule]) -> list[Grid]:
    """The grids of a group of rules: one, or several where a band between two rules has no
    vertical rule at all (the gap under one boxed form and its neighbour's title: two forms a
    page are two tables, each with its own columns)."""
    left = min(r.extent[0] for r in rules)
    right = max(r.extent[1] for r in rules)
    lo, hi = max(0, left - MERGE_GAP), min(dark.shape[1], right + MERGE_GAP + 1)
    kept: list[Rule] = [rules[0]]
    for rule in rules[1:]:
        if rule.y - kept[-1].y >= MIN_BAND:
            kept.append(rule)
            continue
        # one rule, or a printed blank (＿＿＿＿ is a run as long as a short rule) just above
        # a cell's rule: the longer one is the rule, and it runs wherever either does — keeping
        # the blank alone left the cells beside it without their rule (merged downwards)
        longer = max(kept[-1], rule, key=lambda r: int(r.cover.sum()))
        kept[-1] = Rule(longer.y, kept[-1].cover | rule.cover)
    per_band: list[list[float]] = []
    for top, bottom in pairwise(kept):
        y0, y1 = int(top.y) + 3, int(bottom.y) - 2
        region = dark[y0:y1, lo:hi]
        near = region.copy()
        near[:, 1:] |= region[:, :-1]
        near[:, :-1] |= region[:, 1:]
        filled = near.mean(axis=0) >= VERTICAL_FILL
        per_band.append([lo + (a + b) / 2 for a, b in _runs(filled)])
    grids: list[Grid] = []
    start = 0
    for end in [*(i for i, xs in enumerate(per_band) if not xs), len(per_band)]:
        grid = _grid(kept[start : end + 1], per_band[start:end])
        if grid is not None:
            grids.append(grid)
        start = end + 1
    return grids


def _grid(kept: list[Rule], per_band: list[list[float]]) -> Grid | None:
    if len(per_band) < 1 or sum(len(xs) >= 2 for xs in per_band) < max(1, len(per_band) // 2):
        return None
    boundaries: list[float] = []
    for x in sorted(x for xs in per_band for x in xs):
        if boundaries and x - boundaries[-1] < MERGE_GAP * 2:
            continue
        boundaries.append(x)
    if len(boundaries) < 2:
        return None
    vertical = [
        [any(abs(x - b) < MERGE_GAP * 2 for x in xs) for b in boundaries] for xs in per_band
    ]
    return Grid([r.y for r in kept], boundaries, vertical, kept)


def _inside(grid: Grid, word: Word) -> bool:
    return grid.ys[0] <= word.cy < grid.ys[-1] and grid.xs[0] <= word.cx < grid.xs[-1]


def _index(edges: list[float], value: float) -> int:
    return max(0, min(len(edges) - 2, int(np.searchsorted(edges, value, side="right")) - 1))


def _pieces(grid: Grid, band: int, word: Word) -> list[tuple[int, Word]]:
    """A word crossing a drawn vertical rule (two cells read as one box) split at the rule."""
    cuts = [
        x for k, x in enumerate(grid.xs) if grid.vertical[band][k] and word.x0 + 4 < x < word.x1 - 4
    ]
    if not cuts:
        return [(_index(grid.xs, word.cx), word)]
    pieces: list[tuple[int, Word]] = []
    width = word.x1 - word.x0
    # each character's own box says on which side of the rule it is; without them (or when a
    # correction changed the text's length) the characters are taken as evenly spaced
    centres = [(c[0] + c[2]) / 2 for c in word.chars] if len(word.chars) == len(word.text) else []
    start_x, start_i = word.x0, 0
    for x in [*cuts, word.x1]:
        if centres:
            end_i = sum(1 for c in centres if c < x) if x < word.x1 else len(word.text)
        else:
            end_i = round(len(word.text) * (x - word.x0) / width)
        text = word.text[start_i:end_i].strip()
        if text:
            chars = tuple(c for c in word.chars if start_x <= (c[0] + c[2]) / 2 < x)
            part = Word(start_x, word.y0, x, word.y1, text, word.confidence, chars)
            pieces.append((_index(grid.xs, part.cx), part))
        start_x, start_i = x, end_i
    return pieces


def _fill(grid: Grid, words: list[Word], signs: Signs | None = None) -> list[list[str]]:
    bands, columns = len(grid.ys) - 1, len(grid.xs) - 1
    parent = list(range(bands * columns))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(bands):
        for c in range(columns - 1):
            if not grid.vertical[r][c + 1]:
                union(r * columns + c, r * columns + c + 1)
    for r in range(1, bands):
        cover = grid.rules[r].cover
        for c in range(columns):
            x0, x1 = int(grid.xs[c]) + 4, int(grid.xs[c + 1]) - 4
            if x1 > x0 and cover[x0:x1].mean() < MISSING_RULE:
                union((r - 1) * columns + c, r * columns + c)
    cells: dict[int, list[Word]] = {}
    for word in words:
        band = _index(grid.ys, word.cy)
        for column, piece in _pieces(grid, band, word):
            cells.setdefault(find(band * columns + column), []).append(piece)
    text = _texts(cells)
    if signs is not None:
        for group, mark in _signatures(grid, signs, text, find).items():
            cells.setdefault(group, []).append(mark)
        text = _texts(cells)
    rows: list[list[str]] = []
    for r in range(bands):
        row = [""] * columns
        seen: set[int] = set()
        for c in range(columns):
            group = find(r * columns + c)
            if group not in seen:
                seen.add(group)
                row[c] = text.get(group, "")
        rows.append(row)
    return rows


def _texts(cells: dict[int, list[Word]]) -> dict[int, str]:
    return {
        group: clean(" ".join(" ".join(w.text for w in line) for line in text_lines(ws)))
        for group, ws in cells.items()
    }


def _signatures(
    grid: Grid, signs: Signs, text: dict[int, str], find: Callable[[int], int]
) -> dict[int, Word]:
    """The merged cells where a signature belongs and one is present: its mark, by cell."""
    columns = len(grid.xs) - 1
    spans: dict[int, tuple[int, int, int, int]] = {}  # group → first/last band, first/last column
    for r in range(len(grid.ys) - 1):
        for c in range(columns):
            group = find(r * columns + c)
            r0, c0, r1, c1 = spans.get(group, (r, c, r, c))
            spans[group] = (min(r0, r), min(c0, c), max(r1, r), max(c1, c))
    marks: dict[int, Word] = {}
    for group, (r0, c0, r1, c1) in spans.items():
        label = text.get(find(r0 * columns + c0 - 1), "") if c0 else ""
        heading = text.get(find(c0), "") if r0 else ""
        if not ink.belongs(text.get(group, ""), label, heading):
            continue
        box = (grid.xs[c0], grid.ys[r0], grid.xs[c1 + 1], grid.ys[r1 + 1])
        mark = ink.mark_in(signs.ink, signs.bare, box, signs.line_height)
        if mark is not None:
            marks[group] = mark
            signs.marks.append(mark)
    return marks


def column_tables(words: list[Word], page: int) -> list[Table]:
    """Borderless tables: runs of lines holding 2+ words, columns by the words' left edges."""
    tables: list[Table] = []
    run: list[list[Word]] = []
    for line in [*text_lines(words), []]:
        if len(line) >= 2:
            run.append(line)
            continue
        if len(run) >= MIN_COLUMN_LINES:
            tables.append(_columns(run, page))
        run = []
    return tables


def _columns(lines: list[list[Word]], page: int) -> Table:
    size = float(np.median([w.height for line in lines for w in line]))
    anchors: list[float] = []
    for x in sorted(w.x0 for line in lines for w in line):
        if not anchors or x - anchors[-1] > 1.5 * size:
            anchors.append(x)
    rows: list[list[str]] = []
    for line in lines:
        row = [""] * len(anchors)
        for word in line:
            column = max(i for i, a in enumerate(anchors) if a <= word.x0 + 0.75 * size)
            row[column] = clean(f"{row[column]} {word.text}")
        rows.append(row)
    return Table(rows=rows, page=page, ocr=lowest([w for line in lines for w in line]))
