"""The calendar of duties in the service: the places a user sees (her school; an inspector's
townships and their schools; the bureau for the admin), each with its profile's duties
(cases/duties.py) and the school's cases from the database; a duty marked done with the
file or the number that shows it, kept in the change log (`duty.done`) — append-only, with
who and when, no table of its own."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.duties import (
    LEVEL_NAMES,
    DutyError,
    DutyLine,
    DutyView,
    Mark,
    month_bounds,
    occurrences,
    school_year_start,
    view,
    week_bounds,
)
from cases.model import Case
from forms.profiles import Profile, ProfileError, get_profile
from service.blobs import BlobStore
from service.changelog import record_change
from service.ops import ServiceError
from service.ops.uploads import store_upload
from service.scope import Scope
from service.tables import CaseRecord, ChangeLog, School

# who marks a place's duty done: the school's clerk (or the bureau); township and bureau
# duties the inspectors answerable for them (挂点) and the bureau
MARKERS = {"school": ("clerk", "admin"), "township": ("inspector", "admin"), "bureau": ("admin",)}


@dataclass(frozen=True)
class Place:
    key: str  # s12 | t3 | b:liupu-2026
    level: str  # school | township | bureau
    name: str
    profile: Profile
    school_id: int | None = None
    township_id: int | None = None

    @property
    def label(self) -> str:
        if self.level == "bureau":
            return f"教育局（{self.profile.name}）"
        return f"{self.name}（{LEVEL_NAMES[self.level]}）"


def places(db: Session, scope: Scope) -> list[Place]:
    """The places whose duties the user sees: her schools; the townships of her schools when
    she is an inspector or the bureau; the bureau, once per profile, for the admin."""
    out: list[Place] = []
    townships: dict[int, Place] = {}
    profiles: dict[str, Profile] = {}
    for school in scope.schools(db):
        try:
            profile = get_profile(school.profile_id)
        except ProfileError:
            continue
        if not profile.duties:
            continue
        profiles.setdefault(profile.id, profile)
        out.append(Place(f"s{school.id}", "school", school.name, profile, school_id=school.id))
        if scope.role != "clerk" and school.township is not None:
            t = school.township
            townships.setdefault(
                t.id, Place(f"t{t.id}", "township", t.name, profile, township_id=t.id)
            )
    out += sorted(townships.values(), key=lambda p: p.name)
    if scope.role == "admin":
        out += [Place(f"b:{p}", "bureau", "教育局", profiles[p]) for p in sorted(profiles)]
    return out


def place_of(db: Session, scope: Scope, key: str) -> Place:
    for place in places(db, scope):
        if place.key == key:
            return place
    raise ServiceError("找不到该地点，或您无权查看", status=404)


def _cases(db: Session, scope: Scope, place: Place) -> list[Case]:
    stmt = scope.restrict(select(CaseRecord), CaseRecord.school_id)
    if place.level == "school":
        stmt = stmt.where(CaseRecord.school_id == place.school_id)
    elif place.level == "township":
        ids = select(School.id).where(School.township_id == place.township_id)
        stmt = stmt.where(CaseRecord.school_id.in_(ids))
    return [Case.model_validate(row.data) for row in db.scalars(stmt)]


def _mark_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def marks(db: Session, keys: set[str]) -> dict[str, tuple[int, Mark]]:
    """The done marks of these occurrences (the change log's `duty.done`), by key."""
    if not keys:
        return {}
    ids = {_mark_id(k) for k in keys}
    rows = db.scalars(
        select(ChangeLog)
        .where(ChangeLog.action == "duty.done", ChangeLog.object_id.in_(ids))
        .order_by(ChangeLog.id)
    )
    out: dict[str, tuple[int, Mark]] = {}
    for row in rows:
        d = row.detail
        if d.get("key") in keys:
            out[d["key"]] = (
                row.id,
                Mark(
                    key=d["key"],
                    done_on=d["done_on"],
                    by=d["by"],
                    document=d.get("filename"),
                    reference=d.get("reference"),
                    note=d.get("note"),
                    at=row.at.isoformat(timespec="seconds"),
                ),
            )
    return out


@dataclass
class DutyPage:
    place: Place
    seen: DutyView
    mark_ids: dict[str, int]  # key → change-log id of its mark (for the file's link)
    can_mark: bool


def duty_page(
    db: Session,
    scope: Scope,
    place: Place,
    on: date,
    week: str | None = None,
    month: str | None = None,
    holidays: frozenset[date] = frozenset(),
) -> DutyPage:
    try:
        if month:
            first, last = month_bounds(month)
        elif week:
            first, last = week_bounds(week)
        else:
            first, last = week_bounds(f"{on.isocalendar().year}-W{on.isocalendar().week:02d}")
    except DutyError as exc:
        raise ServiceError(str(exc), status=422) from None
    cases = _cases(db, scope, place)
    start = min(first, school_year_start(on, place.profile))
    shown = occurrences(
        place.profile, place.level, place.name, start, max(last, on), cases, holidays
    )
    found = marks(db, {o.key for o in shown})
    seen = view(
        place.profile,
        place.level,
        place.name,
        first,
        last,
        on,
        {k: m for k, (_, m) in found.items()},
        cases,
        holidays,
    )
    return DutyPage(
        place,
        seen,
        {k: i for k, (i, _) in found.items()},
        scope.role in MARKERS[place.level],
    )


def year_lines(
    db: Session, scope: Scope, place: Place, on: date, holidays: frozenset[date] = frozenset()
) -> list[DutyLine]:
    """The school year's occurrences with their status: what the calendar feed holds."""
    start = school_year_start(on, place.profile)
    end = start.replace(year=start.year + 1)
    cases = _cases(db, scope, place)
    shown = occurrences(place.profile, place.level, place.name, start, end, cases, holidays)
    found = {k: m for k, (_, m) in marks(db, {o.key for o in shown}).items()}
    return view(
        place.profile, place.level, place.name, start, end, on, found, cases, holidays
    ).in_window


def mark_done(
    db: Session,
    scope: Scope,
    blobs: BlobStore,
    place: Place,
    key: str,
    done_on: date,
    by: str,
    upload: tuple[str, BinaryIO] | None,
    reference: str,
    note: str,
    limit: int,
) -> int:
    """Mark one of the place's occurrences done, with its file or number; the change log keeps
    it. An occurrence the place does not have, or a mark without either, is refused."""
    if scope.role not in MARKERS[place.level]:
        raise ServiceError(f"您的角色不能标记{LEVEL_NAMES[place.level]}的工作已办", status=403)
    if not by.strip():
        raise ServiceError("请填写办理人员", status=422, fields={"by": "请填写办理人员"})
    has_file = upload is not None and bool(upload[0])
    if not has_file and not reference.strip():
        message = "标记已办须附上办理的文书或材料（上传文件，或填写文书编号）"
        raise ServiceError(message, status=422, fields={"file": message})
    parts = key.split(":")
    try:
        deadline = date.fromisoformat(parts[3])
    except (IndexError, ValueError):
        raise ServiceError(f"“{key}”不是一项工作的编号", status=422) from None
    known = {
        o.key
        for o in occurrences(
            place.profile, place.level, place.name, deadline, deadline, _cases(db, scope, place)
        )
    }
    if key not in known:
        raise ServiceError(f"{place.label}没有编号为“{key}”的工作", status=404)
    detail: dict[str, Any] = {
        "key": key,
        "done_on": done_on.isoformat(),
        "by": by.strip(),
        "reference": reference.strip() or None,
        "note": note.strip() or None,
        "place": place.key,
    }
    if upload is not None and has_file:
        sha, size = store_upload(db, blobs, upload[1], limit)
        detail.update(sha256=sha, filename=upload[0], size=size)
    record_change(db, scope.user, "duty.done", "duty", _mark_id(key), place.school_id, **detail)
    db.flush()
    row = db.scalars(
        select(ChangeLog)
        .where(ChangeLog.action == "duty.done", ChangeLog.object_id == _mark_id(key))
        .order_by(ChangeLog.id.desc())
    ).first()
    assert row is not None
    return row.id


def mark_file(db: Session, scope: Scope, mark_id: int) -> tuple[str, str]:
    """(sha256, file name) of a mark's document, for a user who sees its place."""
    row = db.get(ChangeLog, mark_id)
    if row is None or row.action != "duty.done" or not row.detail.get("sha256"):
        raise ServiceError("找不到该材料，或您无权查看", status=404)
    keys = {p.key for p in places(db, scope)}
    if row.detail.get("place") not in keys:
        raise ServiceError("找不到该材料，或您无权查看", status=404)
    return str(row.detail["sha256"]), str(row.detail.get("filename") or "材料")
