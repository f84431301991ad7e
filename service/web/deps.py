"""FastAPI dependencies shared by pages and API: database session, who is asking, CSRF."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from service.auth import (
    PRE_CSRF_COOKIE,
    SESSION_COOKIE,
    UNSAFE_METHODS,
    Auth,
    CsrfError,
    NotAuthenticated,
    from_bearer,
    from_session_cookie,
    same,
)
from service.context import ServiceContext
from service.scope import Scope


def ctx(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.ctx
    return context


def get_db(request: Request) -> Iterator[Session]:
    """The request's database session; declare it as `db: Session = DB_SESSION`."""
    with ctx(request).db.session() as session:
        yield session


# Commits before the response is sent: with FastAPI's default scope ("request") the commit
# after `yield` runs once the response is out, so a client that follows a redirect at once
# (login → /api/me) could read the old state.
DB_SESSION = Depends(get_db, scope="function")


def optional_auth(request: Request, db: Session = DB_SESSION) -> Auth | None:
    cached: Auth | None = getattr(request.state, "auth", None)
    if cached is not None:
        return cached
    auth = from_bearer(db, request.headers.get("authorization")) or from_session_cookie(
        db, request.cookies.get(SESSION_COOKIE)
    )
    if auth is not None:
        # Detach: an error page rendered after a rollback must still read who is asking.
        db.expunge(auth.user)
        if auth.session is not None:
            db.expunge(auth.session)
    request.state.auth = auth
    return auth


async def require_auth(auth: Auth | None = Depends(optional_auth)) -> Auth:
    if auth is None:
        raise NotAuthenticated()
    return auth


def get_scope(auth: Auth = Depends(require_auth), db: Session = DB_SESSION) -> Scope:
    return Scope.of(db, auth.user)


async def csrf_protect(request: Request, auth: Auth | None = Depends(optional_auth)) -> None:
    """Every state-changing request from a browser must echo its CSRF token."""
    if request.method not in UNSAFE_METHODS:
        return
    if auth is not None and auth.session is None:
        return  # API token: no cookies involved, nothing to forge
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    expected = auth.csrf_token if auth is not None else request.cookies.get(PRE_CSRF_COOKIE)
    if not same(sent, expected):
        raise CsrfError()
