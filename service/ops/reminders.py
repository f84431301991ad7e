"""The daily reminders: at each place (a school, a township, the bureau once per profile) the
duties overdue and due this week (cases/duties.py) and the case steps due or overdue
(cases/ladder.py), stored once a day and place (`reminders`) by the queue's daily task and
shown to those who see the place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from cases.ladder import case_due
from service.ops.cases import case_of, visible_cases
from service.ops.duties import Place, duty_page, places
from service.scope import Scope
from service.tables import Reminder, School, User

MAX_ITEMS = 50  # a place's list; the counts are complete


@dataclass(frozen=True)
class Digest:
    place: Place
    due: int
    overdue: int
    items: list[dict[str, Any]]


def bureau_scope() -> Scope:
    """Everything, as the bureau sees it: the reminders are made for every place."""
    return Scope(User(username="-", display_name="提醒", role="admin"), None)


def digest(db: Session, place: Place, on: date, holidays: frozenset[date]) -> Digest:
    scope = bureau_scope()
    items: list[dict[str, Any]] = []
    seen = duty_page(db, scope, place, on, holidays=holidays).seen
    week = [line for line in seen.in_window if line.status not in ("done", "past", "overdue")]
    for status, lines in (("overdue", seen.overdue), ("due", week)):
        for line in lines:
            o = line.occurrence
            items.append(
                {
                    "kind": "duty",
                    "status": status,
                    "what": o.what,
                    "deadline": o.deadline.isoformat(),
                    "source": o.source,
                }
            )
    for school_id in _schools(db, place):
        for row in visible_cases(db, scope, only_open=True, school_id=school_id):
            for item in case_due(case_of(row), on, holidays):
                items.append(
                    {
                        "kind": "case",
                        "status": item.status,
                        "what": f"{item.student}：{item.rule}",
                        "deadline": (item.deadline or item.earliest).isoformat(),
                        "source": item.source,
                    }
                )
    items.sort(key=lambda i: (i["status"] != "overdue", i["deadline"]))
    overdue = sum(i["status"] == "overdue" for i in items)
    return Digest(place, len(items) - overdue, overdue, items[:MAX_ITEMS])


def _schools(db: Session, place: Place) -> list[int]:
    if place.level == "school" and place.school_id is not None:
        return [place.school_id]
    if place.level == "township":
        return list(db.scalars(select(School.id).where(School.township_id == place.township_id)))
    return []


def store_day(db: Session, on: date, holidays: frozenset[date] = frozenset()) -> int:
    """Store the day's reminder of every place with something due; a place already stored
    that day is kept as it is (the task run twice stores once). Returns how many were new."""
    added = 0
    for place in places(db, bureau_scope()):
        found = digest(db, place, on, holidays)
        if not found.items:
            continue
        values = {
            "day": on,
            "place_key": place.key,
            "level": place.level,
            "name": place.label,
            "school_id": place.school_id,
            "township_id": place.township_id,
            "due": found.due,
            "overdue": found.overdue,
            "items": found.items,
        }
        dialect = db.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = (
            insert(Reminder)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["day", "place_key"])
            .returning(Reminder.id)
        )
        added += len(db.execute(stmt).all())
    return added


def visible(db: Session, scope: Scope, on: date | None = None) -> list[Reminder]:
    """The reminders of the places the user sees, of `on` (default the latest day stored)."""
    day = on or db.scalar(select(func.max(Reminder.day)))
    if day is None:
        return []
    keys = {p.key for p in places(db, scope)}
    rows = db.scalars(select(Reminder).where(Reminder.day == day).order_by(Reminder.id))
    return [r for r in rows if r.place_key in keys]
