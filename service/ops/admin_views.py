"""Read-only views the admin pages and API share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.profiles import all_profiles
from service.tables import Assignment, ChangeLog, School, Township, User


def directory_view(db: Session) -> dict[str, Any]:
    towns = list(db.scalars(select(Township).order_by(Township.name)))
    schools = list(db.scalars(select(School).order_by(School.name)))
    people: dict[int, list[tuple[User, str]]] = {t.id: [] for t in towns}
    for a, u in db.execute(
        select(Assignment, User)
        .join(User, User.id == Assignment.user_id)
        .order_by(Assignment.duty, User.display_name)
    ):
        people.setdefault(a.township_id, []).append((u, a.duty))
    return {"townships": towns, "schools": schools, "people": people, "profiles": all_profiles()}


def user_view(db: Session, user: User) -> dict[str, Any]:
    rows = db.execute(
        select(Assignment, Township)
        .join(Township, Township.id == Assignment.township_id)
        .where(Assignment.user_id == user.id)
    )
    return {
        "person": user,
        "assignments": [(a, t) for a, t in rows],
        "schools": list(db.scalars(select(School).order_by(School.name))),
        "townships": list(db.scalars(select(Township).order_by(Township.name))),
    }


def change_log_rows(
    db: Session, limit: int = 200, school_ids: frozenset[int] | None = None
) -> list[tuple[ChangeLog, str]]:
    stmt = (
        select(ChangeLog, User.display_name)
        .outerjoin(User, User.id == ChangeLog.user_id)
        .order_by(ChangeLog.id.desc())
        .limit(limit)
    )
    if school_ids is not None:
        stmt = stmt.where(ChangeLog.school_id.in_(school_ids))
    return [(row, name or "系统") for row, name in db.execute(stmt)]
