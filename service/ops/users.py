"""Users: create, change role or password, deactivate — each change logged."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.auth import close_user_sessions
from service.changelog import record_change
from service.ops import ServiceError
from service.passwords import WeakPasswordError, hash_password
from service.scope import ROLES
from service.tables import School, User


def _check_role(db: Session, role: str, school_id: int | None) -> None:
    if role not in ROLES:
        raise ServiceError(f"角色应为以下之一：{'、'.join(ROLES)}")
    if role == "clerk":
        if school_id is None:
            raise ServiceError("学校文员必须指定所属学校")
        if db.get(School, school_id) is None:
            raise ServiceError("所属学校不存在")
    elif school_id is not None:
        raise ServiceError("只有学校文员属于某一所学校")


def _hash(password: str) -> str:
    try:
        return hash_password(password)
    except WeakPasswordError as exc:
        raise ServiceError(str(exc)) from None


def create_user(
    db: Session,
    actor: User | None,
    username: str,
    display_name: str,
    role: str,
    password: str | None,
    school_id: int | None = None,
) -> User:
    username = username.strip()
    if not username:
        raise ServiceError("用户名不能为空")
    if db.scalar(select(User).where(User.username == username)):
        raise ServiceError(f"用户名“{username}”已被使用")
    _check_role(db, role, school_id)
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        school_id=school_id,
        password_hash=_hash(password) if password else None,
        active=True,
    )
    db.add(user)
    db.flush()
    record_change(
        db, actor, "user.create", "user", user.id, school_id, username=username, role=role
    )
    return user


def update_user(
    db: Session,
    actor: User,
    user: User,
    *,
    display_name: str | None = None,
    role: str | None = None,
    school_id: int | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    changes: dict[str, object] = {}
    new_role = role or user.role
    new_school = school_id if role is not None or school_id is not None else user.school_id
    if new_role != "clerk":
        new_school = None
    if (new_role, new_school) != (user.role, user.school_id):
        _check_role(db, new_role, new_school)
        if user.role == "admin" and new_role != "admin":
            _keep_one_admin(db, user)
        changes.update(role=new_role, school_id=new_school)
        user.role, user.school_id = new_role, new_school
    if display_name is not None and display_name.strip() and display_name != user.display_name:
        user.display_name = display_name.strip()
        changes["display_name"] = user.display_name
    if active is not None and active != user.active:
        if not active and user.role == "admin":
            _keep_one_admin(db, user)
        user.active = active
        changes["active"] = active
    if password:
        user.password_hash = _hash(password)
        changes["password"] = "（已重设）"
    if changes:
        if "active" in changes or "password" in changes or "role" in changes:
            close_user_sessions(db, user.id)
        record_change(db, actor, "user.update", "user", user.id, user.school_id, **changes)
    return user


def _keep_one_admin(db: Session, leaving: User) -> None:
    others = db.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.active.is_(True), User.id != leaving.id)
    )
    if not others:
        raise ServiceError("至少要保留一名启用的教育局管理员")


def create_admin(db: Session, username: str, password: str, display_name: str = "") -> User:
    """First admin (CLI `baoxue users create-admin`); also resets an existing admin's password."""
    existing = db.scalar(select(User).where(User.username == username.strip()))
    if existing is not None:
        if existing.role != "admin":
            raise ServiceError(f"用户名“{username}”已被一名非管理员使用")
        existing.password_hash = _hash(password)
        existing.active = True
        close_user_sessions(db, existing.id)
        record_change(db, None, "user.update", "user", existing.id, None, password="（命令行重设）")
        return existing
    return create_user(db, None, username, display_name or username, "admin", password)
