"""Pages for the calendar of duties and for 四查三对比: what is due this week and month and
what is overdue at each place a user sees, marked done with its file or number; the same as
JSON and as an iCalendar feed a calendar app subscribes to (an API token in the address);
the lists of a township compared, for its inspectors and the bureau."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from cases.duties import STATUS_NAMES, as_json, ics
from cases.lists import list_kinds
from forms.dates import DateParseError, parse_date
from forms.profiles import all_profiles
from service.auth import Auth, NotAuthenticated, from_bearer
from service.ops import ServiceError, reconcile_runs
from service.ops import duties as ops
from service.ops.cases import site_holidays
from service.scope import Scope
from service.web.deps import DB_SESSION, ctx, get_scope, optional_auth
from service.web.files import send_blob
from service.web.render import page, redirect_with_flash

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["周期性工作"])


def _day(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return parse_date(text)
    except DateParseError as exc:
        raise ServiceError(str(exc), 422, fields={"on": str(exc)}) from None


def _chosen(db: Session, scope: Scope, key: str) -> tuple[list[ops.Place], ops.Place | None]:
    found = ops.places(db, scope)
    if key:
        return found, ops.place_of(db, scope, key)
    return found, (found[0] if found else None)


def _duties_page(
    request: Request,
    db: Session,
    scope: Scope,
    place: str = "",
    week: str = "",
    month: str = "",
    on: str = "",
    status: int = 200,
    error: str | None = None,
    **extra: Any,
) -> Response:
    found, chosen = _chosen(db, scope, place)
    shown = None
    problem = error
    try:
        day = _day(on)
        if chosen is not None:
            holidays = site_holidays(ctx(request).config.data_dir)
            shown = ops.duty_page(db, scope, chosen, day, week or None, month or None, holidays)
    except ServiceError as exc:
        day, problem, status = date.today(), str(exc), exc.status
    from service.ops.reminders import visible

    return page(
        request,
        "duties.html",
        reminders=visible(db, scope),  # the queue's daily task makes them (PostgreSQL)
        status_code=status,
        places=found,
        chosen=chosen,
        shown=shown,
        week=week,
        month=month,
        on=on or day.isoformat(),
        error=problem,
        S=STATUS_NAMES,
        **extra,
    )


@router.get("/duties", response_class=HTMLResponse)
def duties_page(
    request: Request,
    place: str = "",
    week: str = "",
    month: str = "",
    on: str = "",
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    return _duties_page(request, db, scope, place, week, month, on)


@router.post("/duties/done", response_class=HTMLResponse)
def duty_done(
    request: Request,
    place: str = Form(...),
    key: str = Form(...),
    done_on: str = Form(""),
    by: str = Form(""),
    reference: str = Form(""),
    note: str = Form(""),
    week: str = Form(""),
    file: UploadFile | None = File(None),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    chosen = ops.place_of(db, scope, place)
    try:
        day = _day(done_on)
        upload = (file.filename or "", file.file) if file is not None and file.filename else None
        with db.begin_nested():
            ops.mark_done(
                db,
                scope,
                ctx(request).blobs,
                chosen,
                key,
                day,
                by,
                upload,
                reference,
                note,
                ctx(request).config.max_roster_bytes,
            )
    except ServiceError as exc:
        return _duties_page(
            request,
            db,
            scope,
            place,
            week,
            status=exc.status,
            error=str(exc),
            marking={
                "key": key,
                "by": by,
                "reference": reference,
                "note": note,
                "done_on": done_on,
            },
        )
    query = f"/duties?place={place}" + (f"&week={week}" if week else "")
    return redirect_with_flash(request, query, f"已标记已办：{key}")


@router.get("/duties/done/{mark_id}/file")
def duty_file(
    request: Request, mark_id: int, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> Response:
    sha, name = ops.mark_file(db, scope, mark_id)
    return send_blob(ctx(request).blobs, sha, name)


@router.get("/duties/calendar.ics")
def duty_feed(
    request: Request,
    place: str = "",
    token: str = "",
    auth: Auth | None = Depends(optional_auth),
    db: Session = DB_SESSION,
) -> Response:
    """The school year's duties of a place as RFC 5545: a calendar app subscribes to
    `…/duties/calendar.ics?place=s1&token=<API 令牌>` (it sends no cookie)."""
    who = auth or (from_bearer(db, f"Bearer {token}") if token else None)
    if who is None:
        raise NotAuthenticated()
    scope = Scope.of(db, who.user)
    _, chosen = _chosen(db, scope, place)
    if chosen is None:
        raise ServiceError("没有可见的地点", status=404)
    lines = ops.year_lines(
        db, scope, chosen, date.today(), site_holidays(ctx(request).config.data_dir)
    )
    body = ics(lines, f"{chosen.label}控辍保学工作")
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": "inline; filename=duties.ics"},
    )


@api.get("/duties", summary="周期性工作：本周（或本月）应办、本月和逾期的工作")
def api_duties(
    request: Request,
    place: str = "",
    week: str = "",
    month: str = "",
    on: str = "",
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> JSONResponse:
    found, chosen = _chosen(db, scope, place)
    out: dict[str, Any] = {"places": [{"key": p.key, "label": p.label} for p in found]}
    if chosen is not None:
        shown = ops.duty_page(
            db,
            scope,
            chosen,
            _day(on),
            week or None,
            month or None,
            site_holidays(ctx(request).config.data_dir),
        )
        out.update(
            place=chosen.key,
            overdue=[as_json(x) for x in shown.seen.overdue],
            window=[as_json(x) for x in shown.seen.in_window],
            month=[as_json(x) for x in shown.seen.this_month],
        )
    return JSONResponse(jsonable(out))


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- 四查三对比


def _reconcile_page(
    request: Request,
    db: Session,
    scope: Scope,
    status: int = 200,
    error: str | None = None,
    **extra: Any,
) -> Response:
    return page(
        request,
        "reconcile.html",
        status_code=status,
        kinds=list_kinds(),
        profiles=[p for p in all_profiles() if p.cases is not None],
        runs=reconcile_runs.runs(db, scope) if scope.role in reconcile_runs.RUNNERS else [],
        may_run=scope.role in reconcile_runs.RUNNERS,
        schools=scope.schools(db) if scope.can("cases.manage") else [],
        error=error,
        today=date.today().isoformat(),
        **extra,
    )


@router.get("/reconcile", response_class=HTMLResponse)
def reconcile_page(
    request: Request, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> Response:
    return _reconcile_page(request, db, scope)


@router.post("/reconcile", response_class=HTMLResponse)
async def reconcile_run(
    request: Request, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    uploads = [
        reconcile_runs.ListUpload(kind, f.filename or "", f.file)
        for kind in list_kinds()
        for f in form.getlist(kind)
        if not isinstance(f, str) and f.filename
    ]
    school = None
    try:
        day = _day(fields.get("on"))
        if fields.get("open_cases") == "1":
            school_id = fields.get("school_id", "")
            school = scope.school(db, int(school_id) if school_id.isdigit() else 0)
        with db.begin_nested():
            run_id = reconcile_runs.run(
                db,
                scope,
                ctx(request).blobs,
                uploads,
                fields.get("profile_id", ""),
                day,
                fields.get("unit", ""),
                ctx(request).config.max_roster_bytes,
                school,
            )
    except ServiceError as exc:
        return _reconcile_page(
            request, db, scope, exc.status, str(exc), given=fields, field_errors=exc.fields
        )
    return redirect_with_flash(request, f"/reconcile#run-{run_id}", "四查三对比已完成")


@router.get("/reconcile/{run_id}/{fmt}")
def reconcile_file(
    request: Request,
    run_id: int,
    fmt: str,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    sha, name = reconcile_runs.run_file(db, scope, run_id, fmt)
    return send_blob(ctx(request).blobs, sha, name)
