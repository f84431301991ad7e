"""The supervision round through the JSON API: what the round pages do (service/ops/rounds.py,
visits.py, round_docs.py), scoped the same way."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from service.blobs import TooLargeError
from service.ops import round_docs, rounds, visits
from service.scope import Scope
from service.tables import School
from service.tables_round import RectificationRow, RoundVisit, SupervisionRound
from service.web.deps import DB_SESSION, ctx, get_scope
from service.web.files import send_blob
from supervision.rates import UnitRates

router = APIRouter(prefix="/api", tags=["督导轮次"])


class RoundIn(BaseModel):
    name: str = Field(description="本轮督导的名称")
    checklist: str = Field("liupu-supervision-2024", description="督导清单")
    start: date
    end: date
    cadences: list[str] | None = Field(None, description="排入计划的督导方式，默认本清单的规定")
    schools: list[int] | None = Field(None, description="学校 id，默认全部可见学校")
    number: str = Field("", description="通报文号")


class VisitIn(BaseModel):
    visited_on: date
    audit: int | None = Field(None, description="所依据的核查报告 id（本校的）")
    notes: dict[str, str] = Field(default_factory=dict, description="核查项 → 督导情况记录")
    observations: list[str] = Field(default_factory=list)
    summary: str = ""


class ScheduleIn(BaseModel):
    planned_on: date | None = None
    inspector_id: int | None = Field(None, description="督学用户 id（须挂点该校所在乡镇）")


class RectIn(BaseModel):
    item: str
    text: str
    deadline: date | None = None


class DecisionIn(BaseModel):
    note: str = ""


def read_upload(file: UploadFile, limit: int) -> bytes:
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise TooLargeError(limit)
    return data


def rates_json(u: UnitRates) -> dict[str, Any]:
    return {
        "level": u.level,
        "name": u.name,
        "township": u.township,
        "counts": u.counts,
        "rates": [
            {
                "key": r.key,
                "name": r.name,
                "value": r.value,
                "shown": r.shown,
                "target": r.target,
                "target_source": r.target_source,
                "met": r.met,
                "formula": r.formula,
                "source": r.source,
                "reading": r.reading,
            }
            for r in u.rates
        ],
    }


def rect_out(db: Session, rect: RectificationRow, school: School, today: date) -> dict[str, Any]:
    from supervision.config import round_config
    from supervision.rectify import revisit_due, status_name

    rnd = db.get(SupervisionRound, rect.round_id)
    assert rnd is not None
    config = round_config(rnd.checklist_id)
    model = rounds.rect_model(rect)
    out = rounds.rect_json(rect, school, status_name(model, today, config))
    due = revisit_due(model, config)
    out["revisit_due"] = due.isoformat() if due else None
    out["evidence"] = [
        {"id": e.id, "file": e.filename, "note": e.note, "uploaded_at": e.uploaded_at.isoformat()}
        for e in visits.evidence_of(db, rect)
    ]
    return out


def visit_out(db: Session, visit: RoundVisit, school: School) -> dict[str, Any]:
    out = rounds.visit_json(visit, school)
    out["rectifications"] = [
        rect_out(db, r, school, date.today()) for r in visits.visit_rects(db, visit)
    ]
    return out


@router.get("/rounds", summary="可见的督导轮次")
def list_rounds(
    scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> list[dict[str, Any]]:
    return [
        {"id": r.id, "name": r.name, "start": r.start.isoformat(), "end": r.end.isoformat()}
        for r in rounds.rounds_for(db, scope)
    ]


@router.post(
    "/rounds", status_code=201, summary="制定督导计划（教育局）：按督导方式排出每所学校的督导"
)
def create_round(
    body: RoundIn, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    row = rounds.create_round(
        db,
        scope,
        body.name,
        body.checklist,
        body.start,
        body.end,
        body.cadences,
        body.schools,
        body.number,
    )
    return rounds.round_json(rounds.round_view(db, scope, row, date.today()))


@router.get("/rounds/{round_id}", summary="一轮督导：计划、督导、整改意见、应回访（按可见学校）")
def get_round(
    round_id: int,
    on: date | None = None,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    row = rounds.visible_round(db, scope, round_id)
    return rounds.round_json(rounds.round_view(db, scope, row, on or date.today()))


@router.post(
    "/rounds/{round_id}/roster", summary="上传摸排名单（计算巩固率、入学率等指标；教育局）"
)
def upload_roster(
    request: Request,
    round_id: int,
    file: UploadFile = File(..., description="摸排名单：.xlsx、.xls 或 .csv"),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> list[dict[str, Any]]:
    row = rounds.visible_round(db, scope, round_id)
    context = ctx(request)
    data = read_upload(file, context.config.max_roster_bytes)
    rates = round_docs.set_roster(db, context, scope, row, file.filename or "摸排名单.xlsx", data)
    return [rates_json(u) for u in rates]


@router.get(
    "/rounds/{round_id}/rates", summary="巩固率、入学率、辍学率、劝返率：学校、乡镇、全县对照目标"
)
def get_rates(
    request: Request,
    round_id: int,
    on: date | None = None,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> list[dict[str, Any]]:
    row = rounds.visible_round(db, scope, round_id)
    scope.require("round.plan")
    units = round_docs.round_rates(db, ctx(request), row, on or date.today())
    return [rates_json(u) for u in units]


@router.get(
    "/rounds/{round_id}/bulletin/{fmt}",
    summary="督导通报（pdf 或 docx；?month=2026-03 为月通报；教育局）",
)
def get_bulletin(
    request: Request,
    round_id: int,
    fmt: str,
    month: str | None = None,
    on: date | None = None,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    row = rounds.visible_round(db, scope, round_id)
    context = ctx(request)
    sha, name = round_docs.bulletin(db, context, scope, row, fmt, month, on or date.today())
    return send_blob(context.blobs, sha, name)


@router.get("/visits/{visit_id}", summary="一次督导：计划、记录、整改意见")
def get_visit(
    visit_id: int, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    visit, school = _visit(db, scope, visit_id)
    return visit_out(db, visit, school)


@router.put(
    "/visits/{visit_id}", summary="记录督导：日期、核查报告、督导情况记录、现场记录（督学）"
)
def put_visit(
    visit_id: int, body: VisitIn, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    visit, school = _visit(db, scope, visit_id)
    if body.audit is not None:
        from service.tables import Audit

        scope.get(db, Audit, body.audit, "核查报告")
    visits.record_visit(
        db, scope, visit, body.visited_on, body.audit, body.notes, body.observations, body.summary
    )
    return visit_out(db, visit, school)


@router.patch("/visits/{visit_id}", summary="改计划：督导日期或督导人（教育局；未记录的督导）")
def patch_visit(
    visit_id: int, body: ScheduleIn, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    visit, school = _visit(db, scope, visit_id)
    rounds.reschedule(db, scope, visit, body.planned_on, body.inspector_id)
    return visit_out(db, visit, school)


@router.get(
    "/visits/{visit_id}/report/{fmt}", summary="学校的督导报告（pdf 或 docx，附督导工作情况表）"
)
def get_report(
    request: Request,
    visit_id: int,
    fmt: str,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    visit, _ = _visit(db, scope, visit_id)
    context = ctx(request)
    sha, name = round_docs.visit_report(db, context, scope, visit, fmt)
    return send_blob(context.blobs, sha, name)


@router.post(
    "/visits/{visit_id}/rectifications", status_code=201, summary="添加一条整改意见（督学）"
)
def post_rectification(
    visit_id: int, body: RectIn, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    visit, school = _visit(db, scope, visit_id)
    rect = visits.add_rectification(db, scope, visit, body.item, body.text, body.deadline)
    return rect_out(db, rect, school, date.today())


@router.get("/rectifications/{rect_id}", summary="一条整改意见：状态、期限、整改材料")
def get_rectification(
    rect_id: int, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    rect = _rect(db, scope, rect_id)
    return rect_out(db, rect, scope.school(db, rect.school_id), date.today())


@router.post(
    "/rectifications/{rect_id}/evidence", status_code=201, summary="上传整改材料（待验收）"
)
def post_evidence(
    request: Request,
    rect_id: int,
    file: UploadFile = File(...),
    note: str = Form(""),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    rect = _rect(db, scope, rect_id)
    visits.add_evidence(db, ctx(request), scope, rect, file.filename or "整改材料", file.file, note)
    return rect_out(db, rect, scope.school(db, rect.school_id), date.today())


@router.post("/rectifications/{rect_id}/accept", summary="验收通过：整改完成（督学）")
def post_accept(
    rect_id: int, body: DecisionIn, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    rect = _rect(db, scope, rect_id)
    visits.decide(db, scope, rect, "accept", body.note)
    return rect_out(db, rect, scope.school(db, rect.school_id), date.today())


@router.post("/rectifications/{rect_id}/reject", summary="退回整改（督学）")
def post_reject(
    rect_id: int, body: DecisionIn, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    rect = _rect(db, scope, rect_id)
    visits.decide(db, scope, rect, "reject", body.note)
    return rect_out(db, rect, scope.school(db, rect.school_id), date.today())


@router.post(
    "/rectifications/{rect_id}/revisit", status_code=201, summary="安排回访：整改期限已过（督学）"
)
def post_revisit(
    rect_id: int,
    on: date | None = None,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    rect = _rect(db, scope, rect_id)
    visit = visits.plan_revisit(db, scope, rect, on or date.today())
    return visit_out(db, visit, scope.school(db, visit.school_id))


def _visit(db: Session, scope: Scope, visit_id: int) -> tuple[RoundVisit, School]:
    visit = scope.get(db, RoundVisit, visit_id, "督导")
    return visit, scope.school(db, visit.school_id)


def _rect(db: Session, scope: Scope, rect_id: int) -> RectificationRow:
    return scope.get(db, RectificationRow, rect_id, "整改意见")
