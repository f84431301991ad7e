"""Round pages for the bureau, inspectors and schools: the rounds, a round's plan and
rectifications (and, for the bureau, its rates and 通报), a visit with its record and 整改意见."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.ops import ServiceError, round_docs, rounds, visits
from service.scope import Scope
from service.tables import Audit
from service.tables_round import RectificationEvidence, RectificationRow, RoundVisit
from service.web.api_round import read_upload
from service.web.deps import DB_SESSION, ctx, get_scope
from service.web.files import send_blob
from service.web.render import page, redirect_with_flash

router = APIRouter(include_in_schema=False)
PLAN_ROWS = 300  # a county's round holds thousands of visits: the page shows these, filtered
RECT_BADGE = {"待整改": "partial", "待验收": "not_reviewed", "已整改": "pass", "逾期未整改": "fail"}


def _date(value: str, field: str, fields: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fields[field] = f"日期“{value}”应写成 2026-03-10"
        return None


def _rounds_page(
    request: Request,
    db: Session,
    scope: Scope,
    error: str | None = None,
    form: dict[str, Any] | None = None,
    fields: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    from supervision.config import round_checklists, round_config

    configs = {c: round_config(c) for c in round_checklists()}
    return page(
        request,
        "rounds.html",
        status_code=status,
        rounds=rounds.rounds_for(db, scope),
        mine=rounds.my_visits(db, scope) if scope.role == "inspector" else [],
        due=[
            (r, x, s, when)
            for r in rounds.rounds_for(db, scope)
            for x, s, when in rounds.round_view(db, scope, r, date.today()).revisits_due
        ]
        if scope.can("round.visit")
        else [],
        today=date.today(),
        scope=scope,
        configs=configs,
        schools=scope.schools(db) if scope.can("round.plan") else [],
        error=error,
        form=form or {},
        fields=fields or {},
    )


@router.get("/rounds", response_class=HTMLResponse)
def rounds_page(
    request: Request, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> Response:
    return _rounds_page(request, db, scope)


@router.post("/rounds", response_class=HTMLResponse)
async def rounds_create(
    request: Request, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> Response:
    data = await request.form()
    form: dict[str, Any] = {
        k: str(data.get(k, "")) for k in ("name", "checklist_id", "start", "end", "number")
    }
    cadences = [str(c) for c in data.getlist("cadences")]
    school_ids = [int(str(s)) for s in data.getlist("school_ids") if str(s).isdigit()]
    form["cadences"], form["school_ids"] = cadences, school_ids
    fields: dict[str, str] = {}
    start = _date(str(form["start"]), "start", fields)
    end = _date(str(form["end"]), "end", fields)
    try:
        if fields or start is None or end is None:
            raise ServiceError("督导计划未保存：" + "；".join(fields.values()), fields=fields)
        with db.begin_nested():
            row = rounds.create_round(
                db,
                scope,
                str(form["name"]),
                str(form["checklist_id"]),
                start,
                end,
                cadences or None,
                school_ids or None,
                str(form["number"]),
            )
    except ServiceError as exc:
        return _rounds_page(request, db, scope, str(exc), form, exc.fields, 400)
    return redirect_with_flash(request, f"/rounds/{row.id}", f"已制定督导计划：{row.name}")


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(
    request: Request,
    round_id: int,
    on: str = "",
    school: str = "",
    pending: str = "",
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    row = rounds.visible_round(db, scope, round_id)
    today = _date(on, "on", {}) if on.strip() else None
    today = today or date.today()
    view = rounds.round_view(db, scope, row, today)
    schools = sorted({s.id: s for _, s in view.visits}.values(), key=lambda s: s.name)
    shown = [
        (v, s)
        for v, s in view.visits
        if (not school.isdigit() or s.id == int(school)) and (not pending or v.status != "done")
    ]
    rates, rates_error = [], ""
    if scope.can("round.plan"):
        try:
            rates = round_docs.round_rates(db, ctx(request), row, today)
        except ServiceError as exc:
            rates_error = str(exc)
    return page(
        request,
        "round.html",
        view=view,
        shown=shown[:PLAN_ROWS],
        hidden=max(0, len(shown) - PLAN_ROWS),
        schools=schools,
        school=school,
        pending=pending,
        scope=scope,
        today=today,
        rates=rates,
        rates_error=rates_error,
        badge=RECT_BADGE,
        visit_status=rounds.VISIT_STATUS,
    )


@router.get("/rounds/{round_id}/plan.xlsx")
def round_plan_xlsx(
    request: Request, round_id: int, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> Response:
    row = rounds.visible_round(db, scope, round_id)
    context = ctx(request)
    sha = round_docs.plan_file(db, context, scope, row)
    return send_blob(context.blobs, sha, f"{row.name}督导计划.xlsx")


@router.post("/rounds/{round_id}/roster", response_class=HTMLResponse)
def round_roster(
    request: Request,
    round_id: int,
    file: UploadFile = File(...),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    row = rounds.visible_round(db, scope, round_id)
    context = ctx(request)
    data = read_upload(file, context.config.max_roster_bytes)
    with db.begin_nested():
        round_docs.set_roster(db, context, scope, row, file.filename or "摸排名单.xlsx", data)
    return redirect_with_flash(request, f"/rounds/{row.id}", "已上传摸排名单，指标已更新")


@router.get("/rounds/{round_id}/bulletin.{fmt}")
def round_bulletin(
    request: Request,
    round_id: int,
    fmt: str,
    month: str = "",
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    row = rounds.visible_round(db, scope, round_id)
    context = ctx(request)
    sha, name = round_docs.bulletin(
        db, context, scope, row, fmt, month.strip() or None, date.today()
    )
    return send_blob(context.blobs, sha, name)


def _visit_page(
    request: Request,
    db: Session,
    scope: Scope,
    visit: RoundVisit,
    error: str | None = None,
    status: int = 200,
) -> Response:
    from audit.checklist import get_checklist
    from supervision.config import round_config
    from supervision.rectify import status_name

    school = scope.school(db, visit.school_id)
    rnd = rounds.visible_round(db, scope, visit.round_id)
    config = round_config(rnd.checklist_id)
    today = date.today()
    rects = [
        (r, status_name(rounds.rect_model(r), today, config), visits.evidence_of(db, r))
        for r in visits.visit_rects(db, visit)
    ]
    audit = db.get(Audit, visit.audit_id) if visit.audit_id else None
    result = visits.effective_result(db, audit) if audit else None
    return page(
        request,
        "visit.html",
        status_code=status,
        visit=visit,
        school=school,
        rnd=rnd,
        scope=scope,
        audits=visits.school_audits(db, school.id) if scope.can("round.visit") else [],
        inspectors=rounds.inspectors_for(db, school.id) if scope.can("round.plan") else [],
        audit=audit,
        result=result,
        checklist=get_checklist(rnd.checklist_id),
        rects=rects,
        badge=RECT_BADGE,
        visit_status=rounds.VISIT_STATUS,
        error=error,
        today=today,
    )


@router.get("/visits/{visit_id}", response_class=HTMLResponse)
def visit_page(
    request: Request, visit_id: int, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> Response:
    return _visit_page(request, db, scope, scope.get(db, RoundVisit, visit_id, "督导"))


@router.post("/visits/{visit_id}", response_class=HTMLResponse)
async def visit_record(
    request: Request, visit_id: int, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> Response:
    visit = scope.get(db, RoundVisit, visit_id, "督导")
    data = await request.form()
    fields: dict[str, str] = {}
    visited_on = _date(str(data.get("visited_on", "")), "visited_on", fields)
    audit_text = str(data.get("audit_id", "")).strip()
    notes = {k[5:]: str(v) for k, v in data.items() if k.startswith("note-")}
    observations = str(data.get("observations", "")).splitlines()
    try:
        if visited_on is None:
            raise ServiceError("督导记录未保存：" + "；".join(fields.values()), fields=fields)
        audit_id = int(audit_text) if audit_text.isdigit() else None
        if audit_id is not None:
            scope.get(db, Audit, audit_id, "核查报告")
        with db.begin_nested():
            visits.record_visit(
                db,
                scope,
                visit,
                visited_on,
                audit_id,
                notes,
                observations,
                str(data.get("summary", "")),
            )
    except ServiceError as exc:
        db.refresh(visit)
        return _visit_page(request, db, scope, visit, str(exc), 400)
    return redirect_with_flash(request, f"/visits/{visit.id}", "已保存督导记录")


@router.post("/visits/{visit_id}/schedule", response_class=HTMLResponse)
def visit_schedule(
    request: Request,
    visit_id: int,
    planned_on: str = Form(""),
    inspector_id: str = Form(""),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    visit = scope.get(db, RoundVisit, visit_id, "督导")
    fields: dict[str, str] = {}
    day = _date(planned_on, "planned_on", fields) if planned_on.strip() else None
    try:
        if fields:
            raise ServiceError("计划未改：" + "；".join(fields.values()), fields=fields)
        with db.begin_nested():
            rounds.reschedule(
                db, scope, visit, day, int(inspector_id) if inspector_id.isdigit() else None
            )
    except ServiceError as exc:
        db.refresh(visit)
        return _visit_page(request, db, scope, visit, str(exc), 400)
    return redirect_with_flash(request, f"/visits/{visit.id}", "已修改督导计划")


@router.get("/visits/{visit_id}/report.{fmt}")
def visit_report(
    request: Request,
    visit_id: int,
    fmt: str,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    visit = scope.get(db, RoundVisit, visit_id, "督导")
    context = ctx(request)
    sha, name = round_docs.visit_report(db, context, scope, visit, fmt)
    return send_blob(context.blobs, sha, name)


@router.post("/visits/{visit_id}/rectifications", response_class=HTMLResponse)
def visit_add_rect(
    request: Request,
    visit_id: int,
    item_id: str = Form(""),
    text: str = Form(""),
    deadline: str = Form(""),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    visit = scope.get(db, RoundVisit, visit_id, "督导")
    fields: dict[str, str] = {}
    due = _date(deadline, "deadline", fields) if deadline.strip() else None
    try:
        if fields:
            raise ServiceError("整改意见未保存：" + "；".join(fields.values()), fields=fields)
        with db.begin_nested():
            visits.add_rectification(db, scope, visit, item_id, text, due)
    except ServiceError as exc:
        return _visit_page(request, db, scope, visit, str(exc), 400)
    return redirect_with_flash(request, f"/visits/{visit.id}", "已添加整改意见")


@router.post("/rectifications/{rect_id}", response_class=HTMLResponse)
def rect_action(
    request: Request,
    rect_id: int,
    action: str = Form(""),
    note: str = Form(""),
    file: UploadFile | None = File(None),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    rect = scope.get(db, RectificationRow, rect_id, "整改意见")
    visit = db.get(RoundVisit, rect.visit_id)
    assert visit is not None
    target, message = f"/visits/{visit.id}", "已保存"
    try:
        with db.begin_nested():
            if action == "evidence":
                if file is None or not file.filename:
                    raise ServiceError("请选择整改材料", fields={"file": "请选择整改材料"})
                visits.add_evidence(db, ctx(request), scope, rect, file.filename, file.file, note)
                message = "已上传整改材料，等待督学验收"
            elif action == "revisit":
                revisit = visits.plan_revisit(db, scope, rect, date.today())
                target, message = f"/visits/{revisit.id}", "已安排回访"
            else:
                visits.decide(db, scope, rect, action, note)
                message = "已验收通过" if action == "accept" else "已退回整改"
    except ServiceError as exc:
        return _visit_page(request, db, scope, visit, str(exc), 400)
    return redirect_with_flash(request, target, message)


@router.get("/rectifications/{rect_id}/evidence/{evidence_id}")
def rect_evidence(
    request: Request,
    rect_id: int,
    evidence_id: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    rect = scope.get(db, RectificationRow, rect_id, "整改意见")
    row = db.get(RectificationEvidence, evidence_id)
    if row is None or row.rectification_id != rect.id:
        from service.scope import NotFound

        raise NotFound("整改材料")
    return send_blob(ctx(request).blobs, row.blob_sha256, row.filename)
