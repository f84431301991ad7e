"""Document numbers a school's batches share: one counter a school, year and numbering
pattern (`number_counters`), so a second batch goes on where the first stopped and no number
is printed twice. A batch reserves a number for every roster row (a bad row keeps its
number, as `forms.batch_plan` numbers by row), before it renders.

Each reservation is one UPDATE: it takes the row's write lock first (SQLite and PostgreSQL
alike), so two batches of a school running at once get different numbers.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.tables import NumberCounter


class NumberTaken(Exception):
    """The start asked for is below numbers already printed (Chinese message)."""


def next_number(db: Session, school_id: int, year: int, pattern: str) -> int:
    """The first number a new batch would print."""
    value = db.scalar(
        select(NumberCounter.next_number).where(
            NumberCounter.school_id == school_id,
            NumberCounter.year == year,
            NumberCounter.pattern == pattern,
        )
    )
    return int(value or 1)


def taken_message(year: int, pattern: str, first_free: int, start: int) -> str:
    last = pattern.format(n=first_free - 1)
    return (
        f"本校{year}年按“{pattern}”已编到{last}：起始编号{start}会与已打印的文书重号，"
        f"至少应为{first_free}（留空则自动接着编号）"
    )


def reserve_numbers(
    db: Session, school_id: int, year: int, pattern: str, count: int, start: int | None = None
) -> int:
    """Reserve `count` numbers; the first of them. `start` asks for a given first number,
    refused (NumberTaken) when numbers from it on were already reserved. Call it in a fresh
    transaction: its first statement writes, so SQLite waits for the lock instead of
    failing on a stale read."""
    key = (
        NumberCounter.school_id == school_id,
        NumberCounter.year == year,
        NumberCounter.pattern == pattern,
    )
    for _ in range(3):
        if start is None:
            stmt = update(NumberCounter).where(*key)
            moved = db.execute(stmt.values(next_number=NumberCounter.next_number + count))
        else:
            stmt = update(NumberCounter).where(*key, NumberCounter.next_number <= start)
            moved = db.execute(stmt.values(next_number=start + count))
        if moved.rowcount == 1:  # type: ignore[attr-defined]
            if start is not None:
                return start
            after = db.scalar(select(NumberCounter.next_number).where(*key))
            assert after is not None
            return int(after) - count
        current = db.scalar(select(NumberCounter.next_number).where(*key))
        if current is not None:  # start given, and numbers from it on already printed
            raise NumberTaken(taken_message(year, pattern, int(current), start or 1))
        first = start or 1
        try:
            with db.begin_nested():
                db.add(
                    NumberCounter(
                        school_id=school_id, year=year, pattern=pattern, next_number=first + count
                    )
                )
            return first
        except IntegrityError:  # another batch of the school made the counter first
            continue
    raise RuntimeError("document number counter: no row after three tries")
