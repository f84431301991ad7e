"""Login sessions (cookie), API tokens (Bearer) and CSRF protection.

Tokens and session ids are random; only their sha256 is stored, so a copy of the database
does not let anyone log in. A browser session carries a CSRF token that every state-changing
request must echo (form field `csrf_token` or header `X-CSRF-Token`); scripts using an API
token send no cookies and need none. The login form itself uses a double-submit cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.passwords import needs_rehash, verify_password
from service.tables import ApiToken, LoginSession, User, utcnow

SESSION_COOKIE = "bx_session"
PRE_CSRF_COOKIE = "bx_csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotAuthenticated(Exception):
    pass


class CsrfError(Exception):
    def __init__(self) -> None:
        super().__init__("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


@dataclass(frozen=True)
class Auth:
    user: User
    session: LoginSession | None  # None when authenticated by an API token

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session else ""


def authenticate(db: Session, username: str, password: str) -> User | None:
    user = db.scalar(select(User).where(User.username == username.strip()))
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.active:
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        from service.passwords import hash_password

        user.password_hash = hash_password(password)
    return user


def open_session(db: Session, user: User, hours: int) -> tuple[str, LoginSession]:
    token = new_token()
    session = LoginSession(
        token_hash=token_hash(token),
        csrf_token=new_token(),
        user_id=user.id,
        expires_at=utcnow() + timedelta(hours=hours),
    )
    db.add(session)
    db.execute(delete(LoginSession).where(LoginSession.expires_at < utcnow()))
    return token, session


def close_session(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))


def close_user_sessions(db: Session, user_id: int) -> None:
    db.execute(delete(LoginSession).where(LoginSession.user_id == user_id))


def from_session_cookie(db: Session, token: str | None) -> Auth | None:
    if not token:
        return None
    session = db.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(token)))
    if session is None or session.expires_at < utcnow():
        return None
    user = db.get(User, session.user_id)
    if user is None or not user.active:
        return None
    return Auth(user, session)


def from_bearer(db: Session, header: str | None) -> Auth | None:
    if not header or not header.lower().startswith("bearer "):
        return None
    token = header.split(None, 1)[1].strip()
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.revoked:
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return Auth(user, None)


def create_api_token(db: Session, user: User, name: str) -> tuple[str, ApiToken]:
    token = "bx_" + new_token()
    row = ApiToken(token_hash=token_hash(token), user_id=user.id, name=name)
    db.add(row)
    db.flush()
    return token, row
