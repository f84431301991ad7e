"""The record of every change: who, when, what (verdicts, finding statuses, users …)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from service.tables import ChangeLog, User


def record_change(
    db: Session,
    actor: User | None,
    action: str,
    obj_type: str,
    obj_id: object,
    school_id: int | None = None,
    **detail: Any,
) -> None:
    db.add(
        ChangeLog(
            user_id=actor.id if actor else None,
            action=action,
            object_type=obj_type,
            object_id=str(obj_id),
            school_id=school_id,
            detail=detail,
        )
    )
