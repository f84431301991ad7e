"""Pages for dropout cases: clerks open a case, record each step, generate its document and
close it; inspectors and the bureau see what is due and overdue across their schools."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from cases.ladder import case_due, ladder
from cases.model import EVENT_NAMES, STEP_KINDS
from forms.dates import DateParseError, parse_date
from forms.profiles import get_profile
from service.ops import ServiceError
from service.ops import cases as ops
from service.ops.formfields import nest
from service.scope import NotFound, Scope
from service.tables import CaseRecord
from service.web.deps import DB_SESSION, ctx, get_scope
from service.web.files import MEDIA
from service.web.render import page, redirect_with_flash

router = APIRouter(include_in_schema=False)


def _day(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return parse_date(text)
    except DateParseError as exc:
        raise ServiceError(str(exc), 422) from None


def _cases_page(
    request: Request,
    db: Session,
    scope: Scope,
    on: str = "",
    township: str = "",
    status: int = 200,
    error: str | None = None,
    **forms: Any,
) -> Response:
    day = _day(on)
    return page(
        request,
        "cases.html",
        status_code=status,
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
        error=error,
        **forms,
    )


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    on: str = "",
    township: str = "",
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    try:
        _day(on)
    except ServiceError as exc:  # a bad date to look at: said beside the field, not raw
        return _cases_page(
            request, db, scope, "", township, exc.status, None, due_on=on, due_error=str(exc)
        )
    return _cases_page(request, db, scope, on, township)


@router.post("/cases", response_class=HTMLResponse)
async def case_open(
    request: Request, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> Response:
    form = await _form(request)
    school_text = form.pop("school_id", "")
    school = scope.school(db, int(school_text) if school_text.isdigit() else 0)
    data = nest({k: v for k, v in form.items() if v.strip()})
    try:
        with db.begin_nested():
            row = ops.open_for(db, scope, school, data, date.today())
    except ServiceError as exc:  # the form again, as typed, each problem beside its field
        return _cases_page(
            request,
            db,
            scope,
            status=exc.status,
            error=_explain(exc),
            opening={**form, "school_id": school_text},
            open_errors=exc.fields,
        )
    return redirect_with_flash(request, f"/cases/{row.id}", f"已开案：{row.student_name}")


@router.get("/schools/{school_id}/cases/report")
def case_report_download(
    request: Request,
    school_id: int,
    month: str = "",
    fmt: str = "pdf",
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    """The monthly report from the cases page's form: the file, or the page again with
    what is wrong beside the month (the JSON API answers the same in JSON)."""
    school = scope.school(db, school_id)
    try:
        files = ops.monthly_files(db, scope, school, month.strip())
    except ServiceError as exc:
        return _cases_page(
            request,
            db,
            scope,
            status=exc.status,
            report_school=school_id,
            report_month=month,
            report_error=_explain(exc),
        )
    if fmt not in files:
        raise NotFound("格式")
    name, content = files[fmt]
    return Response(
        content,
        media_type=MEDIA["." + fmt],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _explain(exc: ServiceError) -> str:
    return str(exc) + ("：" + "；".join(exc.details) if exc.details else "")


def _case_page(
    request: Request,
    db: Session,
    scope: Scope,
    row: CaseRecord,
    message: str,
    error: str | None,
    status: int = 200,
    **forms: Any,
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
        **forms,
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
    request: Request,
    db: Session,
    scope: Scope,
    case_id: int,
    exc: ServiceError,
    form: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    """The case page again: the reason, and the refused form as typed with each field's
    problem beside it."""
    row = scope.get(db, CaseRecord, case_id, "个案")
    return _case_page(
        request,
        db,
        scope,
        row,
        "",
        _explain(exc),
        status=exc.status,
        form=form,
        typed=typed or {},
        field_errors=exc.fields,
    )


def _act(
    request: Request,
    db: Session,
    scope: Scope,
    case_id: int,
    action: Any,
    done: str,
    form: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    """Run a change inside a savepoint: on success back to the case, saying `done`;
    refused, the case page again with the reason and what was typed, nothing changed."""
    try:
        with db.begin_nested():
            action()
    except ServiceError as exc:
        return _refused(request, db, scope, case_id, exc, form, typed)
    return redirect_with_flash(request, f"/cases/{case_id}", done)


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

    def reopen() -> None:
        try:
            day = _day(f.get("date") or "")
        except ServiceError as exc:
            raise ServiceError(str(exc), exc.status, fields={"date": str(exc)}) from None
        if not f.get("date"):
            raise ServiceError("请填写再次未到校首日", 422, fields={"date": "必填"})
        ops.reopen_for(db, scope, case_id, day, f.get("who", ""), date.today())

    return _act(request, db, scope, case_id, reopen, "已重开", "reopen", f)


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
    typed = await _form(request)
    data = {k: v for k, v in typed.items() if v}
    return _act(
        request,
        db,
        scope,
        case_id,
        lambda: change(db, scope, case_id, data, date.today()),
        done,
        action,
        typed,
    )
