"""The round's outputs from the database: each school's 督导报告, the round's and a month's
督导通报 (002 § 四(三)(四)), and the rates against the targets — all built by supervision/
from what the tables hold, rendered in the web process's renderer."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.idcard import mask_in_text
from service.blobs import BlobStore
from service.changelog import record_change
from service.context import ServiceContext
from service.ops import ServiceError
from service.ops.files import register_blob
from service.ops.rounds import rect_model
from service.ops.visits import effective_result, evidence_of, visit_rects
from service.scope import NotFound, Scope
from service.tables import Audit, CaseRecord, School
from service.tables_round import RoundVisit, SupervisionRound
from supervision.model import Round, VisitRecord
from supervision.rates import Child, UnitRates

FORMATS = ("pdf", "docx")
_CHILDREN: dict[str, list[Child]] = {}  # roster sha256 → its rows (the file never changes)


def visit_record(
    db: Session, visit: RoundVisit, school: School, followed: bool = False
) -> VisitRecord:
    """The visit as supervision/ sees it; a 回访 carries the rectification it follows up only
    when `followed` (its own report), so a round's rectifications are counted once."""
    audit = db.get(Audit, visit.audit_id) if visit.audit_id else None
    rects = [
        rect_model(r, [e.filename for e in evidence_of(db, r)]) for r in visit_rects(db, visit)
    ]
    return VisitRecord(
        school=school.name,
        township=school.township.name if school.township else None,
        profile_id=school.profile_id,
        cadence_name=visit.cadence_name,
        inspector=visit.inspector_name or "督导组",
        visited_on=visit.visited_on or visit.planned_on,
        kind=visit.kind,
        result=effective_result(db, audit) if audit else None,
        notes={str(k): str(v) for k, v in (visit.notes or {}).items()},
        observations=list(visit.observations or []),
        summary=visit.summary,
        rectifications=rects if visit.kind == "visit" or followed else [],
    )


def round_model(db: Session, rnd: SupervisionRound) -> Round:
    """The whole round as supervision/ sees it: every visit done (the bureau's view)."""
    rows = db.execute(
        select(RoundVisit, School)
        .join(School, School.id == RoundVisit.school_id)
        .where(RoundVisit.round_id == rnd.id, RoundVisit.status == "done")
        .order_by(RoundVisit.visited_on, RoundVisit.id)
    )
    return Round(
        name=rnd.name,
        checklist=rnd.checklist_id,
        profile_id=rnd.profile_id,
        start=rnd.start,
        end=rnd.end,
        issued=date.today(),
        number=rnd.number,
        visits=[visit_record(db, v, s) for v, s in rows],
    )


def _checklist(rnd: SupervisionRound, record: VisitRecord) -> Any:
    from audit.checklist import Checklist, get_checklist

    if record.result is not None:
        return Checklist.model_validate(record.result.checklist.effective)
    return get_checklist(rnd.checklist_id)


def _store(db: Session, blobs: BlobStore, data: bytes) -> str:
    return register_blob(db, blobs, blobs.put_bytes(data))


def visit_report(
    db: Session, context: ServiceContext, scope: Scope, visit: RoundVisit, fmt: str
) -> tuple[str, str]:
    """A school's 督导报告 (pdf or docx): (sha256 of the stored file, file name)."""
    from service.rendering import render_with
    from supervision.config import round_config
    from supervision.render import render_report

    if fmt not in FORMATS:
        raise NotFound("导出格式")
    if visit.status != "done":
        raise ServiceError("这次督导还没有记录，不能生成督导报告")
    rnd = db.get(SupervisionRound, visit.round_id)
    school = scope.school(db, visit.school_id)
    assert rnd is not None
    record = visit_record(db, visit, school, followed=True)
    config = round_config(rnd.checklist_id)
    files = render_with(
        render_report, record, _checklist(rnd, record), config, date.today(), (fmt,)
    )
    sha = _store(db, context.blobs, files[fmt])
    record_change(
        db, scope.user, "visit.report", "visit", visit.id, visit.school_id, format=fmt, sha256=sha
    )
    return sha, f"{school.name}-督导报告-{visit.visited_on}.{fmt}"


def cases_and_profiles(db: Session) -> tuple[list[Any], dict[str, Any]]:
    from forms.profiles import get_profile
    from service.ops.cases import case_of

    cases = [case_of(row) for row in db.scalars(select(CaseRecord))]
    profiles = {pid: get_profile(pid) for pid in {c.profile_id for c in cases}}
    return cases, profiles


def round_rates(
    db: Session, context: ServiceContext, rnd: SupervisionRound, on: date
) -> list[UnitRates]:
    """The rates of the round's schools, their townships and the county, from the round's
    school-age roster and every case in the database; [] without a roster."""
    from forms.profiles import get_profile
    from forms.roster import RosterError
    from supervision.rates import dropouts_from_cases, read_children, unit_rates

    if rnd.roster_sha256 is None:
        return []
    children = _CHILDREN.get(rnd.roster_sha256)
    if children is None:
        import shutil
        import tempfile
        from pathlib import Path

        suffix = Path(rnd.roster_name or "roster.xlsx").suffix or ".xlsx"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"摸排名单{suffix}"
            shutil.copyfile(context.blobs.path(rnd.roster_sha256), path)
            try:
                children = read_children(path)
            except RosterError as exc:
                raise ServiceError(f"摸排名单读不了：{exc}") from None
        while len(_CHILDREN) >= 2:  # a roster read once a process, the latest two kept
            _CHILDREN.pop(next(iter(_CHILDREN)))
        _CHILDREN[rnd.roster_sha256] = children
    cases, profiles = cases_and_profiles(db)
    schools = list(
        db.scalars(
            select(School).where(
                School.id.in_(select(RoundVisit.school_id).where(RoundVisit.round_id == rnd.id))
            )
        )
    )
    school_profiles = {s.name: get_profile(s.profile_id) for s in schools}
    county = get_profile(rnd.profile_id)
    return unit_rates(
        children,
        dropouts_from_cases(cases, on, profiles),
        rnd.start,
        on,
        county.body("bureau").removesuffix("教育局"),
        county,
        school_profiles,
        [(s.name, s.township.name if s.township else None) for s in schools],
    )


def set_roster(
    db: Session,
    context: ServiceContext,
    scope: Scope,
    rnd: SupervisionRound,
    filename: str,
    data: bytes,
) -> list[UnitRates]:
    """The school-age roster (摸排名单) the round's rates are counted from; checked by
    reading it before it is kept."""
    scope.require("round.plan")
    if not data:
        raise ServiceError("没有选择文件，或文件是空的", fields={"file": "请选择摸排名单"})
    sha = _store(db, context.blobs, data)
    before = rnd.roster_name
    rnd.roster_sha256, rnd.roster_name = sha, filename[:300]
    rates = round_rates(db, context, rnd, date.today())
    record_change(
        db,
        scope.user,
        "round.roster",
        "round",
        rnd.id,
        None,
        file=mask_in_text(filename),
        before=mask_in_text(before or ""),
    )
    db.flush()
    return rates


def bulletin(
    db: Session,
    context: ServiceContext,
    scope: Scope,
    rnd: SupervisionRound,
    fmt: str,
    month: str | None,
    today: date,
) -> tuple[str, str]:
    """The round's 督导通报, or a month's (`month` “2026-03”), for the bureau to issue."""
    from service.rendering import render_with
    from supervision.bulletin import build_bulletin
    from supervision.config import round_config
    from supervision.render import render_bulletin

    scope.require("round.plan")
    if fmt not in FORMATS:
        raise NotFound("导出格式")
    if month is not None:
        from cases.model import CaseError
        from cases.report import month_bounds

        try:
            month_bounds(month)
        except CaseError as exc:
            raise ServiceError(str(exc), fields={"month": str(exc)}) from None
    config = round_config(rnd.checklist_id)
    model = round_model(db, rnd)
    rates = round_rates(db, context, rnd, today) if month is None else []
    b = build_bulletin(model, config, today, month=month, rates=rates)
    number = rnd.number if month is None else ""
    files = render_with(render_bulletin, b, config, today, number, rnd.profile_id, (fmt,))
    sha = _store(db, context.blobs, files[fmt])
    record_change(
        db, scope.user, "round.bulletin", "round", rnd.id, None, month=month, format=fmt, sha256=sha
    )
    stem = f"{month}督导通报" if month else f"{rnd.name}督导通报"
    return sha, f"{stem}.{fmt}"


def latest_rates(
    db: Session, context: ServiceContext, today: date
) -> tuple[SupervisionRound | None, list[UnitRates], str]:
    """The bureau overview's rates: those of the latest round with a school-age roster
    (the round, its rates, or why they could not be counted)."""
    rnd = db.scalar(
        select(SupervisionRound)
        .where(SupervisionRound.roster_sha256.is_not(None))
        .order_by(SupervisionRound.start.desc(), SupervisionRound.id.desc())
        .limit(1)
    )
    if rnd is None:
        return None, [], ""
    try:
        return rnd, round_rates(db, context, rnd, today), ""
    except ServiceError as exc:
        return rnd, [], str(exc)


def plan_file(db: Session, context: ServiceContext, scope: Scope, rnd: SupervisionRound) -> str:
    """The round's plan as the user sees it (his schools' visits) in 督导计划.xlsx: sha256."""
    import tempfile
    from pathlib import Path

    from service.ops.rounds import round_view
    from supervision.model import PlannedVisit
    from supervision.sheets import write_plan

    view = round_view(db, scope, rnd, date.today())
    plan = [
        PlannedVisit(
            school=s.name,
            township=s.township.name if s.township else None,
            cadence=v.cadence,
            cadence_name=v.cadence_name,
            actor=v.actor,
            inspector=v.inspector_name,
            planned_on=v.planned_on,
            due=v.due,
        )
        for v, s in view.visits
    ]
    with tempfile.TemporaryDirectory() as tmp:
        data = write_plan(plan, Path(tmp) / "plan.xlsx").read_bytes()
    return _store(db, context.blobs, data)
