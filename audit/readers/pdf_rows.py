"""A table row broken across a page: Word and LibreOffice Writer let a row run on to the next
page (“allow row to break across pages” is on by default), so its cells' first lines end one
page and their last lines begin the next — 2026年 | 14:30- | 梁晓 at the foot, 3月12日 | 16:50 |
燕、覃丽萍 at the head. A person reads one row; read page by page it is a record missing half
of each box, and a row with no number. The next page's first row is the broken row's rest when
its first column — the one every other row fills (序号, 次数) — is empty and the table before,
as wide, ends the page before: its cells are joined to that row's, line after line.
"""

from __future__ import annotations

from audit.readers.model import Item, Table
from audit.readers.pdf_layout import continue_cell


def join_broken_rows(items: list[Item]) -> list[Item]:
    """`items` with each row broken across a page made whole again (see the module)."""
    tables = [i for i in items if isinstance(i, Table) and i.page is not None]
    last_on: dict[int, Table] = {}
    first_on: dict[int, Table] = {}
    for table in tables:
        assert table.page is not None
        last_on[table.page] = table
        first_on.setdefault(table.page, table)
    emptied: set[int] = set()
    for page, before in last_on.items():
        after = first_on.get(page + 1)
        if after is None or not _broken(before, after):
            continue
        before.rows[-1] = [
            continue_cell(a, b) for a, b in zip(before.rows[-1], after.rows[0], strict=True)
        ]
        del after.rows[0]
        if not after.rows:
            emptied.add(id(after))
    return [i for i in items if id(i) not in emptied]


def _broken(before: Table, after: Table) -> bool:
    if not before.rows or not after.rows:
        return False
    width = len(before.rows[-1])
    head = after.rows[0]
    if len(head) != width or any(len(r) != width for r in after.rows):
        return False
    keyed = [r for r in (*before.rows[1:], *after.rows[1:]) if r]
    return (
        not head[0].strip()
        and any(c.strip() for c in head[1:])
        and bool(before.rows[-1][0].strip())
        and bool(keyed)
        and all(r[0].strip() for r in keyed)  # the first column is filled in every other row
    )
