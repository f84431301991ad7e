"""Bureau admin pages: overview, users, schools, townships, 挂点 assignments, change log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.ops import ServiceError
from service.ops import directory as ops_dir
from service.ops import users as ops_users
from service.ops.admin_views import change_log_rows, directory_view, user_view
from service.ops.overview import overview
from service.scope import NotFound, Scope
from service.tables import Assignment, School, Township, User
from service.web.deps import DB_SESSION, ctx, get_scope
from service.web.render import page, redirect_with_flash

router = APIRouter(prefix="/admin", include_in_schema=False)


def admin_scope(scope: Scope = Depends(get_scope)) -> Scope:
    scope.require("admin")
    return scope


def _opt_int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


async def _read(upload: UploadFile, limit: int) -> bytes:
    data = await upload.read(limit + 1)
    if len(data) > limit:
        from service.blobs import TooLargeError

        raise TooLargeError(limit)
    if not data:
        raise ServiceError("没有选择文件，或文件是空的")
    return data


@router.get("/overview", response_class=HTMLResponse)
def overview_page(
    request: Request,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> Response:
    from datetime import date

    from service.ops.round_docs import latest_rates

    today = date.today()
    rates_round, rates, rates_error = latest_rates(db, ctx(request), today)
    return page(
        request,
        "admin/overview.html",
        ov=overview(db, scope),
        rates_round=rates_round,
        rates=rates,
        rates_error=rates_error,
        today=today,
    )


@router.get("/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
    message: str = "",
) -> Response:
    users = list(db.scalars(select(User).order_by(User.role, User.username)))
    schools = list(db.scalars(select(School).order_by(School.name)))
    return page(
        request,
        "admin/users.html",
        users=users,
        schools={s.id: s for s in schools},
        message=message,
        error=None,
        form={},
    )


@router.post("/users", response_class=HTMLResponse)
def user_create(
    request: Request,
    username: str = Form(""),
    display_name: str = Form(""),
    role: str = Form("clerk"),
    school_id: str = Form(""),
    password: str = Form(""),
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> Response:
    try:
        with db.begin_nested():
            user = ops_users.create_user(
                db, scope.user, username, display_name, role, password or None, _opt_int(school_id)
            )
    except ServiceError as exc:
        users = list(db.scalars(select(User).order_by(User.role, User.username)))
        schools = list(db.scalars(select(School).order_by(School.name)))
        form = {
            "username": username,
            "display_name": display_name,
            "role": role,
            "school_id": school_id,
        }
        return page(
            request,
            "admin/users.html",
            status_code=400,
            users=users,
            schools={s.id: s for s in schools},
            message="",
            error=str(exc),
            form=form,
        )
    return RedirectResponse(f"/admin/users/{user.id}?created=1", status_code=303)


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_page(
    request: Request,
    user_id: int,
    created: int = 0,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> Response:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("用户")
    return page(
        request, "admin/user.html", **user_view(db, user), created=bool(created), error=None
    )


@router.post("/users/{user_id}", response_class=HTMLResponse)
def user_update(
    request: Request,
    user_id: int,
    display_name: str = Form(""),
    role: str = Form(""),
    school_id: str = Form(""),
    active: str = Form(""),
    password: str = Form(""),
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> Response:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("用户")
    try:
        with db.begin_nested():
            ops_users.update_user(
                db,
                scope.user,
                user,
                display_name=display_name,
                role=role or None,
                school_id=_opt_int(school_id),
                active=active == "1",
                password=password or None,
            )
    except ServiceError as exc:
        db.refresh(user)
        return page(
            request,
            "admin/user.html",
            status_code=400,
            **user_view(db, user),
            created=False,
            error=str(exc),
        )
    return redirect_with_flash(request, f"/admin/users/{user.id}", f"已保存用户“{user.username}”")


@router.post("/users/{user_id}/assignments")
def user_assign(
    request: Request,
    user_id: int,
    township_id: int = Form(...),
    duty: str = Form("inspector"),
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> Response:
    user, town = db.get(User, user_id), db.get(Township, township_id)
    if user is None or town is None:
        raise NotFound("用户或乡镇")
    ops_dir.assign(db, scope.user, user, town, duty)
    return redirect_with_flash(request, f"/admin/users/{user.id}", f"已挂点：{town.name}")


@router.post("/assignments/{assignment_id}/delete")
def assignment_delete(
    request: Request,
    assignment_id: int,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> Response:
    row = db.get(Assignment, assignment_id)
    if row is None:
        raise NotFound("挂点")
    user_id = row.user_id
    ops_dir.unassign(db, scope.user, row)
    return redirect_with_flash(request, f"/admin/users/{user_id}", "已取消挂点")


@router.get("/schools", response_class=HTMLResponse)
def schools_page(
    request: Request,
    imported: int = 0,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> Response:
    result = ops_dir.logged_import(db, imported) if imported else None
    return page(request, "admin/schools.html", **directory_view(db), result=result, error=None)


@router.post("/schools", response_class=HTMLResponse)
def school_create(
    request: Request,
    name: str = Form(""),
    township: str = Form(""),
    profile_id: str = Form(""),
    address: str = Form(""),
    phone: str = Form(""),
    contact: str = Form(""),
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> Response:
    try:
        with db.begin_nested():
            ops_dir.save_school(
                db,
                scope.user,
                name,
                township or None,
                profile_id or ctx(request).config.default_profile,
                address,
                phone,
                contact,
            )
    except ServiceError as exc:
        return page(
            request,
            "admin/schools.html",
            status_code=400,
            **directory_view(db),
            result=None,
            error=str(exc),
        )
    return redirect_with_flash(request, "/admin/schools", f"已保存学校“{name.strip()}”")


@router.post("/townships")
def township_create(
    request: Request,
    name: str = Form(""),
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> Response:
    town = ops_dir.township(db, name)
    return redirect_with_flash(request, "/admin/schools", f"已添加乡镇“{town.name}”")


@router.post("/import/{what}", response_class=HTMLResponse)
async def import_xlsx(
    request: Request,
    what: str,
    file: UploadFile = File(...),
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> Response:
    config = ctx(request).config
    try:
        data = await _read(file, config.max_roster_bytes)
        with db.begin_nested():
            if what == "schools":
                result = ops_dir.import_schools(db, scope.user, data, config.default_profile)
            elif what == "assignments":
                result = ops_dir.import_assignments(db, scope.user, data)
            else:
                raise NotFound("导入类型")
    except ServiceError as exc:
        return page(
            request,
            "admin/schools.html",
            status_code=400,
            **directory_view(db),
            result=None,
            error=str(exc),
        )
    change = ops_dir.log_import(db, scope.user, what, result)
    return RedirectResponse(f"/admin/schools?imported={change}", status_code=303)


@router.get("/log", response_class=HTMLResponse)
def log_page(
    request: Request,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> Response:
    return page(request, "admin/log.html", rows=change_log_rows(db, limit=300))
