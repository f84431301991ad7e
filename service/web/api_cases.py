"""JSON API for dropout cases: open, record a step, generate its document, close, reopen;
the due list across the schools one can see, by township; the daily reminders."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from cases.model import Closing
from service.ops import cases as ops
from service.privacy import mask_record
from service.scope import NotFound, Scope
from service.tables import CaseRecord
from service.web.deps import DB_SESSION, ctx, get_scope
from service.web.files import MEDIA

router = APIRouter(prefix="/api", tags=["辍学个案"])


def case_json(row: CaseRecord, scope: Scope) -> dict[str, Any]:
    data = row.data if scope.can("idcard.full") else mask_record(row.data)
    return {
        "id": row.id,
        "case_no": row.case_no,
        "school_id": row.school_id,
        "profile_id": row.profile_id,
        "student_name": row.student_name,
        "status": row.status,
        "kind": row.kind,
        "opened": row.opened.isoformat(),
        "case": data,
    }


@router.get("/cases/due", summary="当日应办和逾期的步骤（可见学校，按乡镇）")
def cases_due(
    request: Request,
    on: date | None = None,
    township: str | None = None,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, list[dict[str, Any]]]:
    holidays = ops.site_holidays(ctx(request).config.data_dir)
    groups = ops.due_by_township(db, scope, on or date.today(), township, holidays)
    return {
        name: [
            {
                **asdict(r.item),
                "id": r.row_id,
                "rule": r.item.rule,
                "status_name": r.item.status_name,
            }
            for r in rows
        ]
        for name, rows in groups.items()
    }


@router.get(
    "/reminders", summary="每日提醒：可见地点逾期和本周应办的工作与个案步骤（任务队列每天生成）"
)
def reminders(
    on: date | None = None, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> list[dict[str, Any]]:
    from service.ops.reminders import visible

    return [
        {
            "day": r.day.isoformat(),
            "place": r.place_key,
            "level": r.level,
            "name": r.name,
            "due": r.due,
            "overdue": r.overdue,
            "items": r.items,
        }
        for r in visible(db, scope, on)
    ]


@router.get("/cases", summary="可见的个案")
def cases_list(
    open_only: bool = False,
    school_id: int | None = None,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> list[dict[str, Any]]:
    return [case_json(r, scope) for r in ops.visible_cases(db, scope, open_only, school_id)]


class OpeningIn(BaseModel):
    opened: str = Field(description="未到校起始日期")
    student: dict[str, Any]
    guardian: dict[str, Any]
    reason: str | None = None
    school: dict[str, Any] | None = Field(None, description="可省略：取本校；写了别的学校则拒绝")


@router.post("/schools/{school_id}/cases", status_code=201, summary="开案（学校取本校）")
def case_open(
    school_id: int, body: OpeningIn, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    school = scope.school(db, school_id)
    row = ops.open_for(db, scope, school, body.model_dump(exclude_none=True), date.today())
    return case_json(row, scope)


@router.get("/cases/{case_id}", summary="一个个案")
def case_get(
    case_id: int, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    return case_json(scope.get(db, CaseRecord, case_id, "个案"), scope)


@router.post("/cases/{case_id}/events", summary="记录一步（按辖区规定的顺序和日期核对）")
def case_record(
    case_id: int, body: dict[str, Any], scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    return case_json(ops.record_for(db, scope, case_id, body, date.today()), scope)


@router.post("/cases/{case_id}/close", summary="销号：复学、转学或经批准休学")
def case_close(
    case_id: int, body: Closing, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    return case_json(ops.close_for(db, scope, case_id, body.model_dump(), date.today()), scope)


class ReopenIn(BaseModel):
    date: date
    who: str


@router.post("/cases/{case_id}/reopen", summary="重开：销号后期限内再次未到校")
def case_reopen(
    case_id: int, body: ReopenIn, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    return case_json(ops.reopen_for(db, scope, case_id, body.date, body.who, date.today()), scope)


@router.post("/cases/{case_id}/documents/{step}", status_code=201, summary="由个案生成某一步的文书")
def case_document(
    request: Request,
    case_id: int,
    step: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    row, doc_id = ops.document_for(db, ctx(request).blobs, scope, case_id, step, date.today())
    return {**case_json(row, scope), "document_id": doc_id}


@router.get(
    "/schools/{school_id}/cases/report", summary="学校月报（一月一报告）：pdf、docx 或 xlsx"
)
def case_report(
    school_id: int,
    month: str,
    fmt: str = "pdf",
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    school = scope.school(db, school_id)
    files = ops.monthly_files(db, scope, school, month)
    if fmt not in files:
        raise NotFound("格式")
    name, content = files[fmt]
    return Response(
        content,
        media_type=MEDIA["." + fmt],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
