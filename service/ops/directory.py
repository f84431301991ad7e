"""Townships, schools and 挂点 assignments, by hand or imported from XLSX."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.profiles import ProfileError, get_profile
from service.changelog import record_change
from service.ops import ServiceError
from service.ops.xlsx import cell, read_table
from service.tables import Assignment, ChangeLog, School, Township, User

DUTIES = {"leader": "责任领导", "inspector": "责任督学"}


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: int = 0
    warnings: list[str] = field(default_factory=list)
    new_users: list[str] = field(default_factory=list)  # created without password

    def count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


def log_import(db: Session, actor: User, what: str, result: ImportResult) -> int:
    """The import's outcome in the change log; its id lets the page show it after the
    redirect (POST/redirect/GET: a refresh shows it again, it does not import again)."""
    row = ChangeLog(
        user_id=actor.id,
        action=f"import.{what}",
        object_type="import",
        object_id=what,
        detail={
            "created": result.created,
            "updated": result.updated,
            "warnings": result.warnings,
            "new_users": result.new_users,
        },
    )
    db.add(row)
    db.flush()
    return row.id


def logged_import(db: Session, change_id: int) -> ImportResult | None:
    row = db.get(ChangeLog, change_id)
    if row is None or row.object_type != "import":
        return None
    d = row.detail
    return ImportResult(
        dict(d.get("created", {})),
        int(d.get("updated", 0)),
        list(d.get("warnings", [])),
        list(d.get("new_users", [])),
    )


def township(db: Session, name: str, result: ImportResult | None = None) -> Township:
    name = re.sub(r"\s+", "", name)
    if not name:
        raise ServiceError("乡镇名称不能为空")
    row = db.scalar(select(Township).where(Township.name == name))
    if row is None:
        row = Township(name=name)
        db.add(row)
        db.flush()
        if result:
            result.count("townships")
    return row


def _profile(profile_id: str) -> str:
    try:
        get_profile(profile_id)
    except ProfileError as exc:
        raise ServiceError(str(exc)) from None
    return profile_id


def save_school(
    db: Session,
    actor: User | None,
    name: str,
    township_name: str | None,
    profile_id: str,
    address: str | None = None,
    phone: str | None = None,
    contact: str | None = None,
    school: School | None = None,
) -> School:
    name = name.strip()
    if not name:
        raise ServiceError("学校名称不能为空")
    clash = db.scalar(select(School).where(School.name == name))
    if clash is not None and clash is not school:
        raise ServiceError(f"已有名为“{name}”的学校")
    values = {
        "name": name,
        "township_id": township(db, township_name).id if township_name else None,
        "profile_id": _profile(profile_id),
        "address": address or None,
        "phone": phone or None,
        "contact": contact or None,
    }
    if school is None:
        school = School(**values)
        db.add(school)
        db.flush()
        record_change(db, actor, "school.create", "school", school.id, school.id, name=name)
    else:
        for key, value in values.items():
            setattr(school, key, value)
        record_change(db, actor, "school.update", "school", school.id, school.id, name=name)
    return school


SCHOOL_COLUMNS = {
    "name": ("学校名称", "学校", "单位名称"),
    "township": ("所在乡镇", "乡镇", "乡镇（街道）"),
    "address": ("学校地址", "地址"),
    "phone": ("联系电话", "电话"),
    "contact": ("联系人",),
    "profile": ("辖区规定", "profile"),
}


def import_schools(db: Session, actor: User, data: bytes, default_profile: str) -> ImportResult:
    sheet = read_table(data, SCHOOL_COLUMNS, ("name",))
    result = ImportResult()
    for row_no, row in sheet.rows:
        name = cell(sheet, row, "name")
        if not name:
            result.warnings.append(f"第{row_no}行：没有学校名称，已跳过")
            continue
        existing = db.scalar(select(School).where(School.name == name))
        try:
            with db.begin_nested():
                save_school(
                    db,
                    actor,
                    name,
                    cell(sheet, row, "township") or None,
                    cell(sheet, row, "profile")
                    or (existing.profile_id if existing else default_profile),
                    cell(sheet, row, "address"),
                    cell(sheet, row, "phone"),
                    cell(sheet, row, "contact"),
                    school=existing,
                )
        except ServiceError as exc:
            result.warnings.append(f"第{row_no}行（{name}）：{exc}")
            continue
        if existing:
            result.updated += 1
        else:
            result.count("schools")
    return result


ASSIGNMENT_COLUMNS = {
    "township": ("挂点乡镇", "乡镇"),
    "leader": ("责任领导", "挂点领导"),
    "inspectors": ("责任人", "责任督学", "挂点股室"),
}


def split_names(text: str) -> list[str]:
    """Names in one cell, separated by spaces or punctuation.

    reading: the 挂点 table (002 附件2) writes "罗 燕" for 罗燕 — a Chinese name has at least
    two characters, so single-character pieces are joined in pairs (张 三 李 四 → 张三、李四).
    """
    pieces = [p for p in re.split(r"[\s\u3000,，、;；/]+", text) if p]
    names: list[str] = []
    joining = False
    for piece in pieces:
        if len(piece) == 1 and joining:
            names[-1] += piece
            joining = False
        else:
            names.append(piece)
            joining = len(piece) == 1
    return names


def _inspector(db: Session, actor: User, name: str, result: ImportResult) -> User:
    user = db.scalar(
        select(User).where(User.display_name == name, User.role == "inspector").order_by(User.id)
    )
    if user is not None:
        return user
    if db.scalar(select(User).where(User.username == name)) is not None:
        raise ServiceError(f"用户名“{name}”已被非督学用户占用")
    from service.ops.users import create_user

    user = create_user(db, actor, name, name, "inspector", None)
    result.count("users")
    result.new_users.append(name)
    return user


def assign(db: Session, actor: User, user: User, town: Township, duty: str) -> bool:
    if user.role != "inspector":
        raise ServiceError(f"{user.display_name} 不是督学，不能挂点")
    if duty not in DUTIES:
        raise ServiceError("职责应为 leader（责任领导）或 inspector（责任督学）")
    existing = db.scalar(
        select(Assignment).where(Assignment.user_id == user.id, Assignment.township_id == town.id)
    )
    if existing is not None:
        return False
    db.add(Assignment(user_id=user.id, township_id=town.id, duty=duty))
    record_change(
        db, actor, "assignment.create", "township", town.id, None, user=user.username, duty=duty
    )
    return True


def unassign(db: Session, actor: User, assignment: Assignment) -> None:
    record_change(
        db,
        actor,
        "assignment.delete",
        "township",
        assignment.township_id,
        None,
        user_id=assignment.user_id,
    )
    db.delete(assignment)


def import_assignments(db: Session, actor: User, data: bytes) -> ImportResult:
    """The 挂点联系一览表 (002 附件2): 挂点乡镇 | 责任领导 | 责任人（责任督学）."""
    sheet = read_table(data, ASSIGNMENT_COLUMNS, ("township", "inspectors"))
    result = ImportResult()
    for row_no, row in sheet.rows:
        town_name = cell(sheet, row, "township")
        if not town_name:
            result.warnings.append(f"第{row_no}行：没有乡镇名称，已跳过")
            continue
        town = township(db, town_name, result)
        people = [(n, "leader") for n in split_names(cell(sheet, row, "leader"))]
        people += [(n, "inspector") for n in split_names(cell(sheet, row, "inspectors"))]
        for name, duty in people:
            try:
                with db.begin_nested():
                    if assign(db, actor, _inspector(db, actor, name, result), town, duty):
                        result.count("assignments")
            except ServiceError as exc:
                result.warnings.append(f"第{row_no}行（{name}）：{exc}")
    return result
