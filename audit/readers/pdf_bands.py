"""A sheet too wide for its paper, printed: its further columns come on later pages.

Excel, WPS and LibreOffice print a register wider than the page in column bands — columns
A–E on page 1, F–H on page 2 (or, for a long one, down then over: all rows of A–E on pages
1–3, then F–H on pages 4–6). A person lays the pages side by side; read page by page, the
first band is a register without its later columns (请假时间, 审批 …) and the second a list
whose only names are the 监护人's. The bands of one sheet share the sheet's rows: on each
page the table has the same number of rows at the very same heights, and a later band's
header names other columns (a band may repeat the sheet's leading columns, print titles).
Such tables are joined back into the rows the sheet holds, on the first band's pages; the
later bands' lines of text, which the joined table holds, go with their tables.
"""

from __future__ import annotations

from collections import defaultdict

from audit.readers.model import Block, Item, Table, table_text

SPAN_TOLERANCE = 2.0  # pt: the bands of one sheet lie at the same heights on their pages


def join_bands(items: list[Item]) -> list[Item]:
    """`items` with the column bands of a wide printed sheet joined (see the module)."""
    by_page: dict[int, list[Table]] = defaultdict(list)
    for item in items:
        if isinstance(item, Table) and item.page is not None:
            by_page[item.page].append(item)
    alone = {page: tables[0] for page, tables in by_page.items() if len(tables) == 1}
    gone: dict[int, Table] = {}  # page → a later band's table, now part of a joined table
    joined: dict[int, Table] = {}  # id of a first band's table → the joined table
    page = min(alone, default=0)
    while page <= max(alone, default=0):
        run = _run(alone, page)
        taken = _bands(run)
        if taken is None:
            page += 1
            continue
        width, count = taken
        for i in range(width):
            parts = [run[i + k * width] for k in range(count)]
            joined[id(parts[0])] = _joined(parts)
            for part in parts[1:]:
                gone[part.page or 0] = part
        page += width * count
    if not gone:
        return items
    kept: list[Item] = []
    for item in items:
        if isinstance(item, Table):
            if item.page in gone and gone[item.page] is item:
                continue
            kept.append(joined.get(id(item), item))
        elif not (isinstance(item, Block) and item.page in gone and _in(item, gone[item.page])):
            kept.append(item)
    return kept


def _run(alone: dict[int, Table], page: int) -> list[Table]:
    """The tables of consecutive pages from `page`, each alone on its page."""
    run: list[Table] = []
    while page in alone:
        run.append(alone[page])
        page += 1
    return run


def _bands(run: list[Table]) -> tuple[int, int] | None:
    """(pages a band takes, bands) when the run begins with the bands of one sheet."""
    for width in range(1, len(run) // 2 + 1):
        count = 1
        while (
            (count + 1) * width <= len(run)
            and all(_same_rows(run[i], run[i + count * width]) for i in range(width))
            and all(_other_columns(run[k * width], run[count * width]) for k in range(count))
        ):
            count += 1
        if count >= 2:
            return width, count
    return None


def _same_rows(a: Table, b: Table) -> bool:
    if a.span is None or b.span is None or len(a.rows) != len(b.rows) or len(a.rows) < 2:
        return False
    return all(abs(x - y) <= SPAN_TOLERANCE for x, y in zip(a.span, b.span, strict=True))


def _other_columns(a: Table, b: Table) -> bool:
    """Whether b's header names columns a's does not (apart from repeated leading ones) —
    and b is not more rows of a's columns: a long register's next page, headerless, whose
    columns hold what a's hold (numbers under numbers, words under words)."""
    if _profile(a) == _profile(b):
        return False
    lead = _repeated(a, b)
    head_a = {c.strip() for c in a.rows[0] if c.strip()}
    head_b = {c.strip() for c in b.rows[0][lead:] if c.strip()}
    return bool(head_b) and not head_a & head_b


def _profile(table: Table) -> list[str]:
    """What each column mostly holds below the first row: digits, words or nothing."""
    width = max(len(r) for r in table.rows)
    found = []
    for col in range(width):
        kinds = [_kind(r[col] if col < len(r) else "") for r in table.rows[1:]]
        found.append(max(sorted(set(kinds)), key=kinds.count))
    return found


def _kind(cell: str) -> str:
    cell = "".join(cell.split())
    if not cell:
        return "empty"
    digits = sum(c.isdigit() for c in cell)
    return "digits" if digits * 2 >= len(cell) else "words"


def _repeated(a: Table, b: Table) -> int:
    """How many leading columns b repeats from a in every row (the sheet's print titles)."""
    lead = 0
    while lead < len(b.rows[0]) - 1 and all(
        lead < len(ra) and lead < len(rb) and ra[lead] == rb[lead]
        for ra, rb in zip(a.rows, b.rows, strict=True)
    ):
        lead += 1
    return lead


def _joined(parts: list[Table]) -> Table:
    first = parts[0]
    rows = [list(r) for r in first.rows]
    for part in parts[1:]:
        lead = _repeated(first, part)
        width = max(len(r) for r in part.rows)
        for row, more in zip(rows, part.rows, strict=True):
            row.extend([*more[lead:], *[""] * (width - len(more))])
    return Table(rows=rows, page=first.page, row0=first.row0, span=first.span)


def _in(block: Block, table: Table) -> bool:
    """Whether a line of text is the table's (`model.table_text`)."""
    return table_text(block.text, "\n".join(c for row in table.rows for c in row if c))
