"""Who may see and do what — the one place pages and the API ask.

A user sees a set of schools: a clerk her own, an inspector the schools of the
townships assigned to him (挂点), a bureau admin all. Any object belonging to a school
outside that set is reported as not found (404), so ids cannot be probed across schools.
Actions a role may not take on what it can see answer 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.tables import Assignment, School, User

ROLES: dict[str, str] = {"clerk": "学校文员", "inspector": "督学/挂点领导", "admin": "教育局管理员"}

# action → roles allowed (on schools they can see)
PERMISSIONS: dict[str, frozenset[str]] = {
    "documents.create": frozenset({"clerk", "admin"}),
    "rosters.upload": frozenset({"clerk", "admin"}),
    "packages.upload": frozenset({"clerk", "inspector", "admin"}),
    # the school or the bureau takes back an upload (a wrong file): its audit and findings go
    "packages.withdraw": frozenset({"clerk", "admin"}),
    "audit.review": frozenset({"inspector", "admin"}),
    "audit.observe": frozenset({"inspector", "admin"}),
    "finding.remediate": frozenset({"clerk", "inspector", "admin"}),
    "finding.close": frozenset({"inspector", "admin"}),
    "cases.manage": frozenset({"clerk", "admin"}),  # open, record, document, close a case
    # the supervision round (issue 21): the bureau plans it and issues its 通报; inspectors
    # record visits and accept rectifications; a school uploads what it has put right
    "round.plan": frozenset({"admin"}),
    "round.visit": frozenset({"inspector", "admin"}),
    "rect.submit": frozenset({"clerk", "inspector", "admin"}),
    "rect.accept": frozenset({"inspector", "admin"}),
    "idcard.full": frozenset({"clerk"}),  # she prints documents that carry the full number
    "admin": frozenset({"admin"}),
}

T = TypeVar("T")


def sees_full_ids(role: str | None) -> bool:
    """Whether a role may receive full 身份证号 (in any byte: pages, files, previews, API)."""
    return role in PERMISSIONS["idcard.full"]


class NotFound(Exception):
    def __init__(self, what: str = "对象") -> None:
        super().__init__(f"找不到该{what}，或您无权查看")


class Forbidden(Exception):
    def __init__(self, message: str = "您的角色不能进行此操作") -> None:
        super().__init__(message)


def visible_school_ids(db: Session, user: User) -> frozenset[int] | None:
    """None means every school."""
    if user.role == "admin":
        return None
    if user.role == "clerk":
        return frozenset({user.school_id}) if user.school_id else frozenset()
    if user.role == "inspector":
        rows = db.scalars(
            select(School.id)
            .join(Assignment, Assignment.township_id == School.township_id)
            .where(Assignment.user_id == user.id)
        )
        return frozenset(rows)
    return frozenset()


@dataclass(frozen=True)
class Scope:
    user: User
    school_ids: frozenset[int] | None

    @classmethod
    def of(cls, db: Session, user: User) -> Scope:
        return cls(user, visible_school_ids(db, user))

    @property
    def role(self) -> str:
        return self.user.role

    def can(self, action: str) -> bool:
        return self.user.role in PERMISSIONS[action]

    @property
    def full_ids(self) -> bool:
        return sees_full_ids(self.user.role)

    def require(self, action: str) -> None:
        if not self.can(action):
            raise Forbidden()

    def sees(self, school_id: int | None) -> bool:
        if school_id is None:
            return self.school_ids is None
        return self.school_ids is None or school_id in self.school_ids

    def school(self, db: Session, school_id: int) -> School:
        school = db.get(School, school_id)
        if school is None or not self.sees(school.id):
            raise NotFound("学校")
        return school

    def get(self, db: Session, model: type[T], obj_id: int, what: str = "对象") -> T:
        """A school-owned row by id, or NotFound when missing or outside the scope."""
        obj = db.get(model, obj_id)
        if obj is None or not self.sees(getattr(obj, "school_id")):  # noqa: B009
            raise NotFound(what)
        return obj

    def restrict(self, stmt: Select[Any], column: Any) -> Select[Any]:
        """Limit a query on a school-owned table to the visible schools."""
        if self.school_ids is None:
            return stmt
        return stmt.where(column.in_(self.school_ids))

    def schools(self, db: Session) -> list[School]:
        stmt = self.restrict(select(School).order_by(School.name), School.id)
        return list(db.scalars(stmt))
