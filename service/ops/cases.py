"""Dropout cases in the service: the library's case actions (cases/) on rows of the
`cases` table, scoped like every school-owned row, each change in the change log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.actions import close, open_case, record, reopen
from cases.calendar import read_holidays
from cases.documents import step_record
from cases.ladder import DueItem, case_due
from cases.model import Case, CaseDocument, CaseError, CaseOpening, Closing, Event
from cases.reports_due import ReportDue, reports_due
from cases.workflow import validated
from forms.errors import RecordError
from forms.profiles import get_profile
from service.blobs import BlobStore
from service.changelog import record_change
from service.ops import ServiceError
from service.ops.documents import create_document, school_values
from service.scope import Scope
from service.tables import CaseRecord, School, utcnow

HOLIDAYS_FILE = "holidays.txt"


def case_of(row: CaseRecord) -> Case:
    return Case.model_validate(row.data)


def _refused(exc: CaseError | RecordError) -> ServiceError:
    if not isinstance(exc, RecordError):
        return ServiceError(str(exc), status=422)
    fields: dict[str, str] = {}
    for e in exc.errors:  # each field's problems, for the form to show beside it
        fields[e.loc] = f"{fields[e.loc]}；{e.message}" if e.loc in fields else e.message
    details = [str(e) for e in exc.errors]
    return ServiceError("记录有误", status=422, details=details, fields=fields)


def _save(db: Session, scope: Scope, row: CaseRecord, case: Case, action: str, detail: str) -> None:
    row.data = case.model_dump(mode="json")
    row.status = case.status
    row.kind = case.kind
    row.student_name = case.student.name
    row.updated_at = utcnow()
    db.flush()
    record_change(
        db,
        scope.user,
        f"case.{action}",
        "case",
        row.id,
        row.school_id,
        case_no=row.case_no,
        detail=detail,
    )


def _new_no(db: Session, opened: date) -> str:
    prefix = opened.strftime("%Y%m%d")
    taken = set(
        db.scalars(select(CaseRecord.case_no).where(CaseRecord.case_no.like(f"{prefix}-%")))
    )
    n = 1
    while f"{prefix}-{n:03d}" in taken:
        n += 1
    return f"{prefix}-{n:03d}"


def open_for(
    db: Session, scope: Scope, school: School, data: dict[str, Any], today: date
) -> CaseRecord:
    """Open a case for a student of `school` (a student named for another school is refused)."""
    scope.require("cases.manage")
    given = data.get("school") or {}
    if given.get("name") and given["name"] != school.name:
        raise ServiceError(
            f"学生不是{school.name}的学生（记录中的学校为{given['name']}），不能由本校开案", 422
        )
    data = {**data, "school": school_values(school)}
    try:
        opening = validated(CaseOpening, data)
        existing = [
            case_of(r)
            for r in db.scalars(select(CaseRecord).where(CaseRecord.school_id == school.id))
        ]
        case = open_case(
            _new_no(db, opening.opened), get_profile(school.profile_id), opening, today, existing
        )
    except (CaseError, RecordError) as exc:
        raise _refused(exc) from None
    row = CaseRecord(
        school_id=school.id,
        case_no=case.id,
        profile_id=case.profile_id,
        student_name=case.student.name,
        status=case.status,
        kind=case.kind,
        opened=case.opened,
        data={},
        created_by=scope.user.id,
    )
    db.add(row)
    db.flush()
    _save(
        db,
        scope,
        row,
        case,
        "open",
        f"开案：{case.student.name}，{case.opened.isoformat()}起未到校",
    )
    return row


def _change(
    db: Session,
    scope: Scope,
    case_id: int,
    action: str,
    change: Callable[[Case], Case],
    detail: Callable[[Case], str],
) -> CaseRecord:
    scope.require("cases.manage")
    row = scope.get(db, CaseRecord, case_id, "个案")
    try:
        case = change(case_of(row))
    except (CaseError, RecordError) as exc:
        raise _refused(exc) from None
    _save(db, scope, row, case, action, detail(case))
    return row


def record_for(
    db: Session,
    scope: Scope,
    case_id: int,
    data: dict[str, Any],
    today: date,
    holidays: list[date] | None = None,
) -> CaseRecord:
    def change(case: Case) -> Case:
        event = validated(Event, data)
        return record(case, event, get_profile(case.profile_id), today, None, holidays or ())

    def detail(case: Case) -> str:
        e = case.events[-1]
        return f"记录{f'第{e.step}步 ' if e.step else ''}{e.name}（{e.date.isoformat()}）"

    return _change(db, scope, case_id, "record", change, detail)


def close_for(
    db: Session, scope: Scope, case_id: int, closing: dict[str, Any], today: date
) -> CaseRecord:
    def change(case: Case) -> Case:
        return close(case, validated(Closing, closing), today)

    return _change(
        db, scope, case_id, "close", change, lambda c: f"销号：{c.close_reason}（{c.closed_on}）"
    )


def reopen_for(
    db: Session, scope: Scope, case_id: int, absent_from: date, who: str, today: date
) -> CaseRecord:
    return _change(
        db,
        scope,
        case_id,
        "reopen",
        lambda c: reopen(c, get_profile(c.profile_id), absent_from, who, today),
        lambda c: f"重开：{absent_from.isoformat()}起再次未到校",
    )


def document_for(
    db: Session, blobs: BlobStore, scope: Scope, case_id: int, step: int, today: date
) -> tuple[CaseRecord, int]:
    """Generate a recorded step's document from the case (a Document row, like any other),
    linked to the case; returns the row and the document's id."""
    scope.require("cases.manage")
    row = scope.get(db, CaseRecord, case_id, "个案")
    case = case_of(row)
    school = scope.school(db, row.school_id)
    try:
        form_id, data = step_record(case, step, get_profile(case.profile_id))
        with db.begin_nested():
            doc = create_document(db, blobs, scope, school, form_id, data)
    except (CaseError, RecordError) as exc:
        raise _refused(exc) from None
    link = CaseDocument(
        step=step,
        form_id=form_id,
        title=doc.title,
        number=doc.number or "",
        files=[f"/api/documents/{doc.id}/pdf", f"/api/documents/{doc.id}/docx"],
        generated_on=today,
    )
    case = case.model_copy(
        update={"documents": [d for d in case.documents if d.step != step] + [link]}
    )
    _save(db, scope, row, case, "document", f"生成第{step}步文书 {doc.title}（{doc.number or ''}）")
    return row, doc.id


def visible_cases(
    db: Session, scope: Scope, only_open: bool = False, school_id: int | None = None
) -> list[CaseRecord]:
    stmt = select(CaseRecord).order_by(CaseRecord.opened.desc(), CaseRecord.id.desc())
    if only_open:
        stmt = stmt.where(CaseRecord.status == "open")
    if school_id is not None:
        stmt = stmt.where(CaseRecord.school_id == school_id)
    return list(db.scalars(scope.restrict(stmt, CaseRecord.school_id)))


@dataclass(frozen=True)
class DueRow:
    row_id: int
    item: DueItem


def due_by_township(
    db: Session,
    scope: Scope,
    on: date,
    township: str | None = None,
    holidays: frozenset[date] = frozenset(),
) -> dict[str, list[DueRow]]:
    """Steps due or overdue on `on` in the visible schools, by township, overdue first."""
    out: dict[str, list[DueRow]] = {}
    for row in visible_cases(db, scope, only_open=True):
        case = case_of(row)
        if township is not None and case.school.township != township:
            continue
        for item in case_due(case, on, holidays):
            out.setdefault(item.township or "未指定乡镇", []).append(DueRow(row.id, item))
    for rows in out.values():
        rows.sort(
            key=lambda r: (
                r.item.status != "overdue",
                r.item.deadline or r.item.earliest,
                r.item.case_id,
            )
        )
    return dict(sorted(out.items()))


def site_holidays(data_dir: Path) -> frozenset[date]:
    """The site's term calendar, `holidays.txt` in the data directory (school days skip it)."""
    return read_holidays(data_dir / HOLIDAYS_FILE)


def reports_due_for(db: Session, scope: Scope, on: date) -> list[ReportDue]:
    """The monthly reports due around `on` under the profiles of the visible schools."""
    profiles = {s.profile_id for s in scope.schools(db)}
    return reports_due([get_profile(p) for p in sorted(profiles)], on)


def monthly_files(
    db: Session, scope: Scope, school: School, month: str
) -> dict[str, tuple[str, bytes]]:
    """The school's monthly report (一月一报告) from its cases: {format: (file name, bytes)}
    for pdf, docx and xlsx; a month without a case prints the profile's zero wording."""
    from cases.report import monthly_report
    from forms.models import School as SchoolRecord
    from service.rendering import render_monthly

    cases = [case_of(r) for r in visible_cases(db, scope, school_id=school.id)]
    profile = get_profile(school.profile_id)
    try:
        report = monthly_report(
            cases, SchoolRecord.model_validate(school_values(school)), month, profile
        )
    except (CaseError, RecordError) as exc:
        raise _refused(exc) from None
    return render_monthly(report, profile)  # in the web process's renderer
