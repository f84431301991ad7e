"""Login, logout, the home page for each role, API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth import (
    PRE_CSRF_COOKIE,
    SESSION_COOKIE,
    Auth,
    authenticate,
    close_session,
    create_api_token,
    new_token,
    open_session,
)
from service.changelog import record_change
from service.scope import NotFound, Scope
from service.tables import ApiToken
from service.web.deps import DB_SESSION, ctx, get_scope, optional_auth, require_auth
from service.web.render import page

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, next: str = "/", auth: Auth | None = Depends(optional_auth)
) -> Response:
    if auth is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    token = request.cookies.get(PRE_CSRF_COOKIE) or new_token()
    request.state.csrf_token = token
    response = page(request, "login.html", next=_safe_next(next), username="", error=None)
    _set_cookie(request, response, PRE_CSRF_COOKIE, token, max_age=3600, strict=True)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    db: Session = DB_SESSION,
) -> Response:
    user = authenticate(db, username, password)
    if user is None:
        request.state.csrf_token = request.cookies.get(PRE_CSRF_COOKIE, "")
        return page(
            request,
            "login.html",
            status_code=401,
            next=_safe_next(next),
            username=username,
            error="用户名或密码不对，或账号未启用。",
        )
    token, _ = open_session(db, user, ctx(request).config.session_hours)
    record_change(db, user, "login", "user", user.id, user.school_id)
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_cookie(
        request, response, SESSION_COOKIE, token, max_age=ctx(request).config.session_hours * 3600
    )
    response.delete_cookie(PRE_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(
    request: Request,
    db: Session = DB_SESSION,
    auth: Auth = Depends(require_auth),
) -> Response:
    close_session(db, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int, strict: bool = False
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        secure=ctx(request).config.secure_cookies,
        samesite="strict" if strict else "lax",
    )


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    if scope.role == "clerk" and scope.school_ids:
        return RedirectResponse(f"/schools/{next(iter(scope.school_ids))}", status_code=303)
    if scope.role == "admin":
        return RedirectResponse("/admin/overview", status_code=303)
    from service.ops.overview import school_summaries

    return page(request, "home.html", summaries=school_summaries(db, scope))


@router.get("/tokens", response_class=HTMLResponse)
def tokens(
    request: Request,
    auth: Auth = Depends(require_auth),
    db: Session = DB_SESSION,
) -> Response:
    rows = db.scalars(
        select(ApiToken).where(ApiToken.user_id == auth.user.id).order_by(ApiToken.id.desc())
    )
    return page(request, "tokens.html", tokens=list(rows), new_token=None)


@router.post("/tokens", response_class=HTMLResponse)
def token_create(
    request: Request,
    name: str = Form("脚本"),
    auth: Auth = Depends(require_auth),
    db: Session = DB_SESSION,
) -> Response:
    token, row = create_api_token(db, auth.user, name.strip() or "脚本")
    record_change(db, auth.user, "token.create", "api_token", row.id, None, name=row.name)
    rows = db.scalars(
        select(ApiToken).where(ApiToken.user_id == auth.user.id).order_by(ApiToken.id.desc())
    )
    return page(request, "tokens.html", tokens=list(rows), new_token=token)


@router.post("/tokens/{token_id}/revoke")
def token_revoke(
    token_id: int,
    auth: Auth = Depends(require_auth),
    db: Session = DB_SESSION,
) -> Response:
    row = db.get(ApiToken, token_id)
    if row is None or row.user_id != auth.user.id:
        raise NotFound("令牌")
    row.revoked = True
    record_change(db, auth.user, "token.revoke", "api_token", row.id, None)
    return RedirectResponse("/tokens", status_code=303)
