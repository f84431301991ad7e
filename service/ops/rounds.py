"""The bureau plans a supervision round (002 § 三): the schools, the cadences, the dates; each
visit gets its inspector from the 挂点 table. Who sees a round: the bureau every round, an
inspector or a clerk the rounds with a visit to a school they see — and only those visits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.changelog import record_change
from service.ops import ServiceError
from service.scope import NotFound, Scope
from service.tables import Assignment, School, Township, User, utcnow
from service.tables_round import RectificationRow, RoundVisit, SupervisionRound
from supervision.config import RoundConfigError, round_checklists, round_config
from supervision.model import Rectification
from supervision.plan import Assigned, PlanError, PlanSchool, plan_visits
from supervision.rectify import revisit_due

VISIT_STATUS = {"planned": "待督导", "done": "已督导"}


def _default_profile(checklist_id: str) -> str:
    from audit.checklist import get_checklist

    return get_checklist(checklist_id).default_profile or ""


def _terms(profile_id: str) -> tuple[str, ...] | None:
    """The term starts of the profile, or None (the round's own, from its YAML)."""
    from forms.profiles import ProfileError, get_profile

    try:
        terms = get_profile(profile_id).terms
    except ProfileError:
        return None
    return tuple(terms.value) if terms else None


def _assigned(db: Session) -> tuple[list[Assigned], dict[tuple[str, str], int]]:
    rows = db.execute(
        select(Township.name, User.display_name, User.id, Assignment.duty)
        .join(Assignment, Assignment.township_id == Township.id)
        .join(User, User.id == Assignment.user_id)
        .where(User.active.is_(True))
        .order_by(Assignment.id)
    )
    people, ids = [], {}
    for town, name, user_id, duty in rows:
        people.append(Assigned(town, name, duty))
        ids[(town, name)] = user_id
    return people, ids


def create_round(
    db: Session,
    scope: Scope,
    name: str,
    checklist_id: str,
    start: date,
    end: date,
    cadences: list[str] | None = None,
    school_ids: list[int] | None = None,
    number: str = "",
) -> SupervisionRound:
    """The round and its plan: a visit for each school, cadence and window."""
    scope.require("round.plan")
    fields: dict[str, str] = {}
    if not name.strip():
        fields["name"] = "请填写本轮督导的名称"
    if checklist_id not in round_checklists():
        fields["checklist_id"] = f"没有督导清单“{checklist_id}”的督导轮次规定"
    if end < start:
        fields["end"] = "结束日期早于开始日期"
    if fields:
        raise ServiceError("督导计划未保存：" + "；".join(fields.values()), fields=fields)
    config = round_config(checklist_id)
    try:
        chosen = [config.cadence(c).id for c in (cadences or config.default_cadences.value)]
    except RoundConfigError as exc:
        raise ServiceError(str(exc), fields={"cadences": str(exc)}) from None
    schools = scope.schools(db)
    if school_ids:
        schools = [s for s in schools if s.id in set(school_ids)]
        if len(schools) != len(set(school_ids)):
            raise NotFound("学校")
    if not schools:
        raise ServiceError("没有可督导的学校：请先添加学校", fields={"school_ids": "请选择学校"})
    profile_id = _default_profile(checklist_id)
    row = SupervisionRound(
        name=name.strip(),
        checklist_id=checklist_id,
        profile_id=profile_id,
        start=start,
        end=end,
        number=number.strip(),
        cadences=chosen,
        created_by=scope.user.id,
    )
    db.add(row)
    db.flush()
    people, ids = _assigned(db)
    by_name = {s.name: s for s in schools}
    try:
        plan = plan_visits(
            config,
            [PlanSchool(s.name, s.township.name if s.township else None) for s in schools],
            people,
            start,
            end,
            chosen,
            _terms(profile_id),
        )
    except PlanError as exc:
        raise ServiceError(str(exc)) from None
    for v in plan:
        school = by_name[v.school]
        db.add(
            RoundVisit(
                round_id=row.id,
                school_id=school.id,
                cadence=v.cadence,
                cadence_name=v.cadence_name,
                actor=v.actor,
                inspector_id=ids.get((v.township or "", v.inspector or "")),
                inspector_name=v.inspector,
                planned_on=v.planned_on,
                due=v.due,
                notes={},
                observations=[],
            )
        )
    record_change(
        db,
        scope.user,
        "round.create",
        "round",
        row.id,
        None,
        name=row.name,
        checklist=checklist_id,
        start=start.isoformat(),
        end=end.isoformat(),
        cadences=chosen,
        schools=len(schools),
        visits=len(plan),
    )
    db.flush()
    return row


def visible_round(db: Session, scope: Scope, round_id: int) -> SupervisionRound:
    row = db.get(SupervisionRound, round_id)
    if row is None:
        raise NotFound("督导轮次")
    if scope.school_ids is None:
        return row
    stmt = scope.restrict(
        select(RoundVisit.id).where(RoundVisit.round_id == row.id), RoundVisit.school_id
    )
    if db.scalar(stmt.limit(1)) is None:
        raise NotFound("督导轮次")
    return row


def rounds_for(db: Session, scope: Scope) -> list[SupervisionRound]:
    stmt = select(SupervisionRound).order_by(SupervisionRound.start.desc(), SupervisionRound.id)
    if scope.school_ids is not None:
        seen = scope.restrict(select(RoundVisit.round_id), RoundVisit.school_id)
        stmt = stmt.where(SupervisionRound.id.in_(seen))
    return list(db.scalars(stmt))


def rect_model(r: RectificationRow, evidence: list[str] | None = None) -> Rectification:
    return Rectification(
        item_id=r.item_id,
        title=r.title,
        text=r.text,
        severity=r.severity,
        deadline=r.deadline,
        status=r.status,
        evidence=evidence or [],
    )


@dataclass
class RoundView:
    round: SupervisionRound
    visits: list[tuple[RoundVisit, School]]
    rects: list[tuple[RectificationRow, School, str]]  # with the status's name today
    revisits_due: list[tuple[RectificationRow, School, date]]
    counts: dict[str, int] = field(default_factory=dict)


def round_view(db: Session, scope: Scope, row: SupervisionRound, today: date) -> RoundView:
    from supervision.rectify import status_name

    config = round_config(row.checklist_id)
    visit_stmt: Any = (
        select(RoundVisit, School)
        .join(School, School.id == RoundVisit.school_id)
        .where(RoundVisit.round_id == row.id)
        .order_by(RoundVisit.planned_on, School.name, RoundVisit.id)
    )
    rect_stmt: Any = (
        select(RectificationRow, School)
        .join(School, School.id == RectificationRow.school_id)
        .where(RectificationRow.round_id == row.id)
        .order_by(RectificationRow.deadline, School.name, RectificationRow.id)
    )
    visits: list[tuple[RoundVisit, School]] = [
        (v, s) for v, s in db.execute(scope.restrict(visit_stmt, RoundVisit.school_id))
    ]
    rects_rows: list[tuple[RectificationRow, School]] = [
        (r, s) for r, s in db.execute(scope.restrict(rect_stmt, RectificationRow.school_id))
    ]
    revisited = {v.rectification_id for v, _ in visits if v.kind == "revisit"}
    rects, due = [], []
    for r, school in rects_rows:
        model = rect_model(r)
        rects.append((r, school, status_name(model, today, config)))
        when = revisit_due(model, config)
        if when is not None and when <= today and r.id not in revisited:
            due.append((r, school, when))
    counts: dict[str, int] = {}
    for _, _, name in rects:
        counts[name] = counts.get(name, 0) + 1
    return RoundView(row, visits, rects, due, counts)


def round_json(view: RoundView) -> dict[str, Any]:
    r = view.round
    return {
        "id": r.id,
        "name": r.name,
        "checklist": r.checklist_id,
        "profile": r.profile_id,
        "start": r.start.isoformat(),
        "end": r.end.isoformat(),
        "number": r.number,
        "cadences": r.cadences,
        "roster": r.roster_name,
        "visits": [visit_json(v, s) for v, s in view.visits],
        "rectifications": [rect_json(x, s, name) for x, s, name in view.rects],
        "revisits_due": [
            {"rectification": x.id, "school": s.name, "due": d.isoformat()}
            for x, s, d in view.revisits_due
        ],
        "rectification_counts": view.counts,
    }


def visit_json(v: RoundVisit, school: School) -> dict[str, Any]:
    return {
        "id": v.id,
        "round": v.round_id,
        "school": {"id": school.id, "name": school.name},
        "kind": v.kind,
        "cadence": v.cadence,
        "cadence_name": v.cadence_name,
        "actor": v.actor,
        "inspector": v.inspector_name,
        "planned_on": v.planned_on.isoformat(),
        "due": v.due.isoformat(),
        "status": v.status,
        "visited_on": v.visited_on.isoformat() if v.visited_on else None,
        "audit": v.audit_id,
        "notes": v.notes,
        "observations": v.observations,
        "summary": v.summary,
        "rectification": v.rectification_id,
    }


def rect_json(r: RectificationRow, school: School, status_name: str) -> dict[str, Any]:
    return {
        "id": r.id,
        "visit": r.visit_id,
        "school": {"id": school.id, "name": school.name},
        "item": r.item_id,
        "title": r.title,
        "text": r.text,
        "severity": r.severity,
        "deadline": r.deadline.isoformat(),
        "status": r.status,
        "status_name": status_name,
    }


def reschedule(
    db: Session,
    scope: Scope,
    visit: RoundVisit,
    planned_on: date | None,
    inspector_id: int | None,
) -> RoundVisit:
    """The bureau moves a planned visit or gives it another inspector — one who sees the
    school (挂点 on its township)."""
    from service.scope import visible_school_ids

    scope.require("round.plan")
    if visit.status == "done":
        raise ServiceError("这次督导已记录，不能再改计划")
    before = {
        "planned_on": visit.planned_on.isoformat(),
        "inspector": visit.inspector_name,
    }
    if planned_on is not None:
        if planned_on > visit.due:
            visit.due = planned_on
        visit.planned_on = planned_on
    if inspector_id is not None:
        person = db.get(User, inspector_id)
        if person is None or person.role != "inspector" or not person.active:
            raise ServiceError("督导人应为在用的督学账户", fields={"inspector_id": "请选择督学"})
        seen = visible_school_ids(db, person)
        if seen is not None and visit.school_id not in seen:
            raise ServiceError(
                f"{person.display_name}没有挂点该校所在乡镇，请先在挂点联系一览表中增加",
                fields={"inspector_id": "该督学看不到这所学校"},
            )
        visit.inspector_id, visit.inspector_name = person.id, person.display_name
    visit.updated_at = utcnow()
    record_change(
        db,
        scope.user,
        "visit.reschedule",
        "visit",
        visit.id,
        visit.school_id,
        before=before,
        after={"planned_on": visit.planned_on.isoformat(), "inspector": visit.inspector_name},
    )
    db.flush()
    return visit


def inspectors_for(db: Session, school_id: int) -> list[User]:
    """The inspectors who see a school: those with a 挂点 on its township."""
    school = db.get(School, school_id)
    if school is None or school.township_id is None:
        return []
    return list(
        db.scalars(
            select(User)
            .join(Assignment, Assignment.user_id == User.id)
            .where(Assignment.township_id == school.township_id, User.active.is_(True))
            .where(User.role == "inspector")
            .order_by(User.display_name)
            .distinct()
        )
    )


def my_visits(db: Session, scope: Scope, limit: int = 50) -> list[tuple[RoundVisit, School]]:
    """An inspector's planned visits, soonest first (his page's 待办)."""
    stmt: Any = (
        select(RoundVisit, School)
        .join(School, School.id == RoundVisit.school_id)
        .where(RoundVisit.inspector_id == scope.user.id, RoundVisit.status == "planned")
        .order_by(RoundVisit.planned_on, School.name)
        .limit(limit)
    )
    return [(v, s) for v, s in db.execute(scope.restrict(stmt, RoundVisit.school_id))]
