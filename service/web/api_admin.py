"""JSON API for the bureau admin: users, schools, townships, assignments, imports, overview."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.blobs import TooLargeError
from service.ops import ServiceError
from service.ops import directory as ops_dir
from service.ops import users as ops_users
from service.ops.admin_views import change_log_rows
from service.ops.overview import overview
from service.scope import NotFound, Scope
from service.tables import Assignment, Township, User
from service.web.api_school import school_json
from service.web.deps import DB_SESSION, ctx, get_scope

router = APIRouter(prefix="/api/admin", tags=["教育局管理"])


def admin_scope(scope: Scope = Depends(get_scope)) -> Scope:
    scope.require("admin")
    return scope


def user_json(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "school_id": u.school_id,
        "active": u.active,
        "has_password": bool(u.password_hash),
    }


@router.get("/users", summary="全部用户")
def users(scope: Scope = Depends(admin_scope), db: Session = DB_SESSION) -> list[dict[str, Any]]:
    return [user_json(u) for u in db.scalars(select(User).order_by(User.id))]


class UserIn(BaseModel):
    username: str
    display_name: str = ""
    role: str = Field(description="clerk | inspector | admin")
    school_id: int | None = None
    password: str | None = Field(None, description="至少8位；可省略，稍后设置")


@router.post("/users", status_code=201, summary="新建用户")
def user_create(
    body: UserIn,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    return user_json(
        ops_users.create_user(
            db,
            scope.user,
            body.username,
            body.display_name,
            body.role,
            body.password,
            body.school_id,
        )
    )


class UserPatch(BaseModel):
    display_name: str | None = None
    role: str | None = None
    school_id: int | None = None
    active: bool | None = None
    password: str | None = None


@router.patch("/users/{user_id}", summary="修改用户（角色、学校、启用、密码）")
def user_update(
    user_id: int,
    body: UserPatch,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("用户")
    ops_users.update_user(db, scope.user, user, **body.model_dump(exclude_unset=True))
    return user_json(user)


@router.get("/townships", summary="乡镇及挂点")
def townships(
    scope: Scope = Depends(admin_scope), db: Session = DB_SESSION
) -> list[dict[str, Any]]:
    people: dict[int, list[dict[str, Any]]] = {}
    for a, u in db.execute(select(Assignment, User).join(User, User.id == Assignment.user_id)):
        people.setdefault(a.township_id, []).append(
            {"assignment_id": a.id, "user_id": u.id, "name": u.display_name, "duty": a.duty}
        )
    return [
        {"id": t.id, "name": t.name, "assignments": people.get(t.id, [])}
        for t in db.scalars(select(Township).order_by(Township.name))
    ]


class TownshipIn(BaseModel):
    name: str


@router.post("/townships", status_code=201, summary="新增乡镇")
def township_create(
    body: TownshipIn,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    town = ops_dir.township(db, body.name)
    return {"id": town.id, "name": town.name}


class SchoolIn(BaseModel):
    name: str
    township: str | None = None
    profile_id: str | None = None
    address: str | None = None
    phone: str | None = None
    contact: str | None = None


@router.post("/schools", status_code=201, summary="新增学校")
def school_create(
    request: Request,
    body: SchoolIn,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    school = ops_dir.save_school(
        db,
        scope.user,
        body.name,
        body.township,
        body.profile_id or ctx(request).config.default_profile,
        body.address,
        body.phone,
        body.contact,
    )
    return school_json(school)


@router.put("/schools/{school_id}", summary="修改学校")
def school_update(
    request: Request,
    school_id: int,
    body: SchoolIn,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    school = scope.school(db, school_id)
    ops_dir.save_school(
        db,
        scope.user,
        body.name,
        body.township,
        body.profile_id or school.profile_id,
        body.address,
        body.phone,
        body.contact,
        school=school,
    )
    return school_json(school)


class AssignmentIn(BaseModel):
    user_id: int
    township_id: int
    duty: str = Field("inspector", description="leader（责任领导）| inspector（责任督学）")


@router.post("/assignments", status_code=201, summary="挂点：督学负责某乡镇的学校")
def assignment_create(
    body: AssignmentIn,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    user, town = db.get(User, body.user_id), db.get(Township, body.township_id)
    if user is None or town is None:
        raise NotFound("用户或乡镇")
    created = ops_dir.assign(db, scope.user, user, town, body.duty)
    return {"created": created}


@router.delete("/assignments/{assignment_id}", summary="取消挂点")
def assignment_delete(
    assignment_id: int,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    row = db.get(Assignment, assignment_id)
    if row is None:
        raise NotFound("挂点")
    ops_dir.unassign(db, scope.user, row)
    return {"deleted": assignment_id}


@router.post("/import/{what}", summary="导入 XLSX：schools（学校）或 assignments（挂点联系一览表）")
async def import_xlsx(
    request: Request,
    what: str,
    file: UploadFile = File(...),
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    limit = ctx(request).config.max_roster_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLargeError(limit)
    if not data:
        raise ServiceError("没有选择文件，或文件是空的")
    if what == "schools":
        result = ops_dir.import_schools(db, scope.user, data, ctx(request).config.default_profile)
    elif what == "assignments":
        result = ops_dir.import_assignments(db, scope.user, data)
    else:
        raise NotFound("导入类型")
    ops_dir.log_import(db, scope.user, what, result)
    return {
        "created": result.created,
        "updated": result.updated,
        "warnings": result.warnings,
        "new_users": result.new_users,
    }


@router.get("/overview", summary="总览：每所学校 × 每个核查项的状态")
def overview_json(scope: Scope = Depends(admin_scope), db: Session = DB_SESSION) -> dict[str, Any]:
    ov = overview(db, scope)
    return {
        "columns": [{"id": i, "title": t} for i, t in ov.columns],
        "rows": [
            {
                "school": school_json(r.school),
                "audit_id": r.audit.id if r.audit else None,
                "statuses": r.statuses,
                "counts": dict(r.counts),
                "open_findings": r.open_findings,
                "open_critical": r.open_critical,
            }
            for r in ov.rows
        ],
        "totals": {k: dict(v) for k, v in ov.totals.items()},
    }


@router.get("/log", summary="操作日志（谁、何时、改了什么）")
def change_log(
    limit: int = 200,
    scope: Scope = Depends(admin_scope),
    db: Session = DB_SESSION,
) -> list[dict[str, Any]]:
    return [
        {
            "id": row.id,
            "at": row.at.isoformat(),
            "user": who,
            "user_id": row.user_id,
            "action": row.action,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "school_id": row.school_id,
            "detail": row.detail,
        }
        for row, who in change_log_rows(db, limit=min(max(limit, 1), 1000))
    ]
