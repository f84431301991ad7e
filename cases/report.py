"""From cases to what a school sends up: the monthly report (一月一报告) as PDF, DOCX and
XLSX, and the ledgers (适龄儿童台账, 疑似辍学学生台账, 辍学学生台账, and the existing
辍学情况登记表 and 总台账) filled from the cases."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cases.ladder import first_kind
from cases.model import CLOSING, Case, CaseError, Event
from forms.dates import cn_date
from forms.documents.monthly_report import MonthlyReport, MonthlyRow
from forms.files import output_path, write_output
from forms.ledgers import LedgerResult, get_ledger, write_ledger
from forms.models import School
from forms.profiles import Profile, get_profile
from forms.registry import get_form
from forms.render.document import render_record


def month_bounds(month: str) -> tuple[date, date]:
    try:
        year, number = (int(x) for x in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise CaseError(f"月份“{month}”应写成“2026-03”") from None
    return first, date(year, number, calendar.monthrange(year, number)[1])


@dataclass(frozen=True)
class CaseState:
    """A case as it stood at the end of a day."""

    open: bool
    kind: str
    last_step: Event | None
    closing: Event | None


def state_on(case: Case, day: date, profile: Profile) -> CaseState | None:
    """None when the case had not opened by `day`."""
    if case.opened > day:
        return None
    opening_kind = first_kind(profile)
    becomes = {s.step: s.becomes for s in profile.escalation if s.becomes}
    is_open, kind, last_step, closing = True, opening_kind, None, None
    for event in case.events:
        if event.date > day:
            break
        if event.kind == "reopened":
            is_open, kind, last_step, closing = True, opening_kind, None, None
        elif event.kind in CLOSING:
            is_open, closing = False, event
        elif event.step is not None:
            last_step = event
            kind = becomes.get(event.step) or kind
    return CaseState(is_open, kind, last_step, closing)


def _progress(state: CaseState) -> str:
    if state.last_step is None:
        return "尚未记录劝返步骤"
    e = state.last_step
    return f"第{e.step}步 {e.name}（{e.date.month}月{e.date.day}日）"


def _status(state: CaseState) -> str:
    if state.closing is None or state.open:
        return "未销号"
    c = state.closing
    where = f"，转入{c.receiving_school}" if c.receiving_school else ""
    return f"已销号（{c.date.month}月{c.date.day}日{c.name}{where}）"


def _in(event_date: date, first: date, last: date) -> bool:
    return first <= event_date <= last


def monthly_report(
    cases: Iterable[Case],
    school: School,
    month: str,
    profile: Profile,
    issue_date: date | None = None,
    number: str | None = None,
) -> MonthlyReport:
    """The school's report for `month`: cases opened, closed and still open, one row for
    each case that was open at some time in the month."""
    first, last = month_bounds(month)
    counts = dict.fromkeys(
        ("new_cases", "returned", "transferred", "suspended", "open_suspected", "open_dropout"), 0
    )
    rows: list[MonthlyRow] = []
    for case in sorted(cases, key=lambda c: (c.opened, c.id)):
        if case.school.name != school.name:
            continue
        end = state_on(case, last, profile)
        if end is None:
            continue
        before = state_on(case, first - timedelta(days=1), profile)
        in_month = [e for e in case.events if _in(e.date, first, last)]
        starts = _in(case.opened, first, last) or any(e.kind == "reopened" for e in in_month)
        if not (end.open or starts or (before and before.open) or in_month):
            continue
        counts["new_cases"] += starts
        for e in in_month:
            if e.kind in CLOSING:
                counts[e.kind] += 1
        if end.open:
            counts["open_suspected" if end.kind == first_kind(profile) else "open_dropout"] += 1
        rows.append(
            MonthlyRow(
                case_id=case.id,
                name=case.student.name,
                id_masked=case.masked_id or None,
                grade_class=case.grade_class or None,
                opened=case.episode_start if starts else case.opened,
                kind=end.kind,
                progress=_progress(end),
                status=_status(end),
            )
        )
    return MonthlyReport(
        number=number,
        month=month,
        issue_date=issue_date or last,
        school=school,
        rows=rows,
        **counts,
    )


def write_monthly(report: MonthlyReport, profile: Profile, out_dir: Path) -> list[Path]:
    """The report as PDF and DOCX (the shared renderer) and XLSX."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{report.school.name}-{report.month}-月报"
    written = []
    for fmt, data in render_record(
        get_form("monthly_report"), report, profile, ("pdf", "docx")
    ).items():
        path = out_dir / f"{stem}.{fmt}"
        written.append(write_output(path, data))
    written.append(_monthly_xlsx(report, profile, out_dir / f"{stem}.xlsx"))
    return written


def _monthly_xlsx(report: MonthlyReport, profile: Profile, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    spec = profile.wording("monthly_report", report.school.township)
    wb = Workbook()
    ws = wb.active
    ws.title = "月报"
    year, month = report.month.split("-")
    ws.append([f"{report.school.name}{year}年{int(month)}月{spec['title']}"])
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws.append([f"报送日期：{cn_date(report.issue_date)}"])
    ws.append([])
    summary = [
        ("本月新增", report.new_cases),
        ("本月劝返复学", report.returned),
        ("本月转学", report.transferred),
        ("本月休学", report.suspended),
        ("月末疑似辍学", report.open_suspected),
        ("月末辍学", report.open_dropout),
    ]
    ws.append([label for label, _ in summary])
    ws.append([value for _, value in summary])
    ws.append([])
    header = [
        "序号",
        "个案编号",
        "姓名",
        "身份证号（隐去出生日期）",
        "年级班级",
        "未到校起始日期",
        "类别",
        "劝返进展",
        "销号情况",
    ]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = Font(name="黑体", bold=True)
        cell.alignment = Alignment(horizontal="center")
    for i, row in enumerate(report.rows, start=1):
        ws.append(
            [
                i,
                row.case_id,
                row.name,
                row.id_masked,
                row.grade_class,
                row.opened,
                row.kind,
                row.progress,
                row.status,
            ]
        )
        ws.cell(ws.max_row, 6).number_format = "yyyy-mm-dd"
    if not report.rows:
        ws.append([spec.get("zero_wording", "")])
    for letter, width in zip("ABCDEFGHI", (6, 14, 10, 22, 12, 14, 10, 30, 30), strict=True):
        ws.column_dimensions[letter].width = width
    with output_path(path) as tmp:
        wb.save(tmp)
    return path


# ---------------------------------------------------------------- ledgers


def _measures(case: Case) -> str:
    return "；".join(
        f"{e.date.month}月{e.date.day}日{e.name}（{e.who}）"
        for e in case.events
        if e.kind != "reopened"
    )


def case_cells(case: Case, as_of: date, profile: Profile) -> dict[str, Any]:
    """A case as a ledger row's cells (the keys of checklists/tables/ledgers.yaml)."""
    state = state_on(case, as_of, profile)
    assert state is not None
    cells: dict[str, Any] = {
        f"student.{k}": v for k, v in case.student.model_dump(exclude_none=True).items()
    }
    cells.update(
        {f"guardian.{k}": v for k, v in case.guardian.model_dump(exclude_none=True).items()}
    )
    cells["school.name"] = case.school.name
    report = next((e for e in case.episode_events() if e.kind == "report_sent" and e.step), None)
    returned = (
        state.closing
        if state.closing and state.closing.kind == "returned" and not state.open
        else None
    )
    enrolment = {"returned": "在校", "transferred": "转出", "suspended": "休学"}
    cells.update(
        {
            "case.id": case.id,
            "case.opened": case.episode_start,
            "case.kind": state.kind,
            "case.close_reason": state.closing.name if state.closing and not state.open else None,
            "case.report_date": report.date if report else None,
            "case.report_number": report.number if report else None,
            "absence_start": case.episode_start,
            "status.reason": case.reason,
            "status.measures": _measures(case),
            "status.category": state.kind,
            "status.progress": _progress(state),
            "status.closed": "未销号" if state.open else "已销号",
            "status.close_date": state.closing.date if state.closing and not state.open else None,
            "status.returned": "是" if returned else "否",
            "status.return_date": returned.date if returned else None,
            "status.enrolment": (
                ("疑似辍学" if state.kind == first_kind(profile) else "已辍学")
                if state.open
                else enrolment[state.closing.kind if state.closing else "returned"]
            ),
        }
    )
    return cells


LEDGERS_FROM_CASES = (
    "children_ledger",
    "suspected_ledger",
    "dropout_ledger",
    "dropout_register",
    "risk_ledger",
    "master_ledger",
)
# Ledgers of dropouts: only cases reported to the township (the step that `becomes` 辍学).
REPORTED_ONLY = ("dropout_ledger", "dropout_register")


def write_case_ledger(
    ledger_id: str,
    cases: Iterable[Case],
    out: Path,
    as_of: date,
    profile: Profile | None = None,
    unit: str | None = None,
    roster_rows: list[tuple[int, dict[str, Any]]] | None = None,
) -> LedgerResult:
    """A ledger filled from the cases open by `as_of` (the dropout ledger: those reported).
    The children's ledger lists a roster's rows when given, each with its case's status."""
    spec = get_ledger(ledger_id)
    rows: list[tuple[int, dict[str, Any]]] = []
    ordered = sorted((c for c in cases if c.opened <= as_of), key=lambda c: (c.opened, c.id))
    for i, case in enumerate(ordered):
        case_profile = profile or get_profile(case.profile_id)
        cells = case_cells(case, as_of, case_profile)
        if ledger_id in REPORTED_ONLY and cells["case.report_date"] is None:
            continue
        rows.append((i + 1, cells))
    if ledger_id == "children_ledger" and roster_rows is not None:
        rows = _with_roster(rows, roster_rows)
    return write_ledger(spec, rows, out, profile, unit, as_of)


def _with_roster(
    case_rows: list[tuple[int, dict[str, Any]]], roster_rows: list[tuple[int, dict[str, Any]]]
) -> list[tuple[int, dict[str, Any]]]:
    def key(cells: dict[str, Any]) -> str:
        return (
            str(cells.get("student.id_number") or cells.get("student.name") or "").strip().upper()
        )

    by_student = {key(cells): cells for _, cells in case_rows}
    out = []
    for line, cells in roster_rows:
        case = by_student.pop(key(cells), None)
        merged = {**cells, "status.enrolment": "在校"}
        if case is not None:
            merged.update({k: v for k, v in case.items() if k.startswith(("status.", "case."))})
        out.append((line, merged))
    next_line = max((line for line, _ in roster_rows), default=0) + 1
    out += [(next_line + i, cells) for i, cells in enumerate(by_student.values())]
    return out


def _profile_of(cases: list[Case], where: str, profile_id: str | None) -> Profile:
    if profile_id is not None:
        return get_profile(profile_id)
    ids = sorted({c.profile_id for c in cases})
    if len(ids) != 1:
        raise CaseError(
            f"{where}没有个案，请用 --profile 指明辖区规定"
            if not ids
            else f"{where}的个案属于多个辖区规定（{'、'.join(ids)}），请用 --profile 指明"
        )
    return get_profile(ids[0])


def write_township_month(
    cases: Iterable[Case],
    township: str,
    month: str,
    out_dir: Path,
    profile_id: str | None = None,
    as_of: date | None = None,
) -> Path:
    """The township's 控辍保学总台账 from every school's cases (Jiaotan: the 镇民生服务办
    sends it to the county bureau monthly by the 25th, 004 § 四(一)2 — the ledger's cadence row
    says so); `as_of` defaults to the month's last day."""
    _, last = month_bounds(month)
    day = as_of or last
    mine = [c for c in cases if c.school.township == township and c.opened <= day]
    profile = _profile_of(mine, township, profile_id)
    target = out_dir / f"{township}-{month}-{get_ledger('master_ledger').title}.xlsx"
    write_case_ledger("master_ledger", mine, target, day, profile, township)
    return target


def write_school_month(
    cases: Iterable[Case],
    school_name: str,
    month: str,
    out_dir: Path,
    profile_id: str | None = None,
    township: str | None = None,
    roster: Path | None = None,
) -> list[Path]:
    """`baoxue cases report`: the school's monthly report and its ledgers at the month's end.
    With no case the report still prints (its zero wording); the profile must then be named."""
    _, last = month_bounds(month)
    mine = [c for c in cases if c.school.name == school_name and c.opened <= last]
    profile = _profile_of(mine, school_name, profile_id)
    school = mine[-1].school if mine else School(name=school_name, township=township)
    report = monthly_report(mine, school, month, profile)
    written = write_monthly(report, profile, out_dir)
    roster_rows = None
    if roster is not None:
        from forms.roster import read_roster

        roster_rows = [(row.line, row.cells) for row in read_roster(roster).rows]
    for ledger_id in LEDGERS_FROM_CASES:
        target = out_dir / f"{school_name}-{month}-{get_ledger(ledger_id).title}.xlsx"
        write_case_ledger(ledger_id, mine, target, last, profile, school_name, roster_rows)
        written.append(target)
    return written
