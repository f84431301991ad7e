"""Pages for dropout cases: clerks open a case, record each step, generate its document and
close it; inspectors and the bureau see what is due and overdue across their schools."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from forms.cases.ladder import case_due, ladder
from forms.cases.model import EVENT_NAMES, STEP_KINDS
from forms.dates import DateParseError, parse_date
from forms.profiles import get_profile
from service.ops import ServiceError
from service.ops import cases as ops
from service.ops.formfields import nest
from service.scope import NotFound, Scope
from service.tables import CaseRecord
from service.web.deps import DB_SESSION, ctx, get_scope
from service.web.render import page

router = APIRouter(include_in_schema=False)


def _day(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return parse_date(text)
    except DateParseError as exc:
        raise ServiceError(str(exc), 422) from None


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    on: str = "",
    township: str = "",
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    day = _day(on)
    return page(
        request,
        "cases.html",
        scope=scope,
        day=day,
        township=township,
        groups=ops.due_by_township(
            db, scope, day, township or None, ops.site_holidays(ctx(request).config.data_dir)
        ),
        reports=ops.reports_due_for(db, scope, day),
        rows=ops.visible_cases(db, scope),
        schools=scope.schools(db) if scope.can("cases.manage") else [],
        report_schools=scope.schools(db),
        month=day.strftime("%Y-%m"),
        error=None,
    )


@router.post("/cases", response_class=HTMLResponse)
async def case_open(
    request: Request, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    school = scope.school(db, int(form.pop("school_id", "0") or 0))
    data = nest(form)
    with db.begin_nested():
        row = ops.open_for(db, scope, school, data, date.today())
    return RedirectResponse(f"/cases/{row.id}?message=已开案", status_code=303)


def _case_page(
    request: Request,
    db: Session,
    scope: Scope,
    row: CaseRecord,
    message: str,
    error: str | None,
    status: int = 200,
) -> Response:
    case = ops.case_of(row)
    profile = get_profile(case.profile_id)
    steps = ladder(profile)
    recorded = {e.step for e in case.episode_events() if e.step}
    kinds = [k for k in STEP_KINDS if any(s.event == k for s in steps)] + [
        k for k in STEP_KINDS if not any(s.event == k for s in steps)
    ]
    return page(
        request,
        "case.html",
        status_code=status,
        scope=scope,
        row=row,
        case=case,
        steps=steps,
        recorded=recorded,
        due=case_due(
            case,
            date.today(),
            ops.site_holidays(ctx(request).config.data_dir),
            profile=profile,
        ),
        kinds=kinds,
        EVENT_NAMES=EVENT_NAMES,
        message=message,
        error=error,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: int,
    message: str = "",
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    return _case_page(request, db, scope, scope.get(db, CaseRecord, case_id, "个案"), message, None)


async def _form(request: Request) -> dict[str, Any]:
    return {
        k: v for k, v in (await request.form()).items() if isinstance(v, str) and k != "csrf_token"
    }


def _refused(
    request: Request, db: Session, scope: Scope, case_id: int, exc: ServiceError
) -> Response:
    row = scope.get(db, CaseRecord, case_id, "个案")
    text = str(exc) + ("：" + "；".join(exc.details) if exc.details else "")
    return _case_page(request, db, scope, row, "", text, status=exc.status)


def _act(
    request: Request, db: Session, scope: Scope, case_id: int, action: Any, done: str
) -> Response:
    """Run a change inside a savepoint: on success back to the case with `done`; refused,
    the case page again with the reason, nothing changed."""
    try:
        with db.begin_nested():
            action()
    except ServiceError as exc:
        return _refused(request, db, scope, case_id, exc)
    return RedirectResponse(f"/cases/{case_id}?message={done}", status_code=303)


@router.post("/cases/{case_id}/documents/{step}", response_class=HTMLResponse)
def case_document(
    request: Request,
    case_id: int,
    step: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    blobs = ctx(request).blobs
    return _act(
        request,
        db,
        scope,
        case_id,
        lambda: ops.document_for(db, blobs, scope, case_id, step, date.today()),
        f"已生成第{step}步文书",
    )


@router.post("/cases/{case_id}/reopen", response_class=HTMLResponse)
async def case_reopen(
    request: Request, case_id: int, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> Response:
    f = await _form(request)
    return _act(
        request,
        db,
        scope,
        case_id,
        lambda: ops.reopen_for(
            db, scope, case_id, _day(f.get("date")), f.get("who", ""), date.today()
        ),
        "已重开",
    )


# The case's forms that post fields: the change each makes and what the page then says.
FORM_ACTIONS: dict[str, tuple[Any, str]] = {
    "events": (ops.record_for, "已记录"),
    "close": (ops.close_for, "已销号"),
}


@router.post("/cases/{case_id}/{action}", response_class=HTMLResponse)
async def case_form(
    request: Request,
    case_id: int,
    action: str,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    if action not in FORM_ACTIONS:
        raise NotFound("页面")
    change, done = FORM_ACTIONS[action]
    data = {k: v for k, v in (await _form(request)).items() if v}
    return _act(
        request, db, scope, case_id, lambda: change(db, scope, case_id, data, date.today()), done
    )
