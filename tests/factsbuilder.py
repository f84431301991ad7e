"""Hand-built PackageFacts for rule tests: a fully compliant school, then one change per test."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from audit.facts import (
    AttendanceDay,
    DocumentPresence,
    Headcount,
    HomeTeachingSession,
    LeaveRecord,
    ListedStudent,
    Meeting,
    PackageFacts,
    PackageFile,
    Participant,
    Provenance,
    Visit,
)
from audit.rules import Period

PERIOD = Period(date(2025, 9, 1), date(2026, 7, 15))
TEACHING = (9, 10, 11, 12, 1, 3, 4, 5, 6, 7)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def prov(file: str, page: int | None = 1, row: int | None = None, snippet: str = "") -> Provenance:
    return Provenance(file=file, sha256=sha(file), page=page, row=row, snippet=snippet)


def pfile(path: str, kind: str, **kw: Any) -> PackageFile:
    return PackageFile(path=path, sha256=sha(path), size=1000, kind=kind, pages=1, **kw)


def visit(student: str, day: date, *bodies: str, kind: str = "persuasion") -> Visit:
    return Visit(
        prov=prov("劝返记录/劝返记录.docx", None, snippet=f"{day} {student}"),
        student=student,
        date=day,
        kind=kind,  # type: ignore[arg-type]
        participants=[Participant(body=b, name=f"{b}人员") for b in bodies],  # type: ignore[arg-type]
    )


def session(
    student: str, day: date, periods: int = 3, minutes: float = 40, **kw: Any
) -> HomeTeachingSession:
    return HomeTeachingSession(
        prov=prov("送教上门/送教记录.xlsx", None, snippet=f"{day} {student}"),
        student=student,
        date=day,
        periods=periods,
        minutes_per_period=minutes,
        **kw,
    )


def teaching_days(start: date, end: date, per_month: int = 2) -> list[date]:
    """`per_month` dates (the 5th, 15th, 25th …) in each teaching month of start..end."""
    out = []
    day = start
    while day <= end:
        if (
            day.month in TEACHING
            and day.day in (5, 15, 25)[:per_month] + (10, 20)[: max(0, per_month - 3)]
        ):
            out.append(day)
        day += timedelta(days=1)
    return out


def compliant(period: Period = PERIOD) -> PackageFacts:
    f = PackageFacts()
    kinds = {
        "会议/通知.docx": "meeting_notice",
        "会议/签到表.pdf": "sign_in_sheet",
        "会议/会议记录.docx": "meeting_minutes",
        "会议/照片.jpg": "meeting_photo",
        "制度/控辍保学工作方案.docx": "work_plan",
        "学籍/学籍导出.xlsx": "xueji_headcount",
        "学籍/点名册.xlsx": "on_roll_list",
        "监测/重点监测名单.xlsx": "monitoring_list",
        "台账/日报台账.xlsx": "attendance_ledger",
        "制度/请销假制度.docx": "leave_system",
        "请假/请假审批.xlsx": "leave_record",
        "制度/家访工作方案.docx": "home_visit_plan",
        "制度/劝返工作方案.docx": "persuasion_plan",
        "休学/休学名册.xlsx": "suspension_roster",
        "劝返记录/劝返记录.docx": "visit_record",
        "残疾/残疾儿童花名册.xlsx": "disabled_roster",
        "送教上门/送教花名册.xlsx": "home_teaching_roster",
        "送教上门/送教记录.xlsx": "home_teaching_record",
    }
    f.files = [pfile(p, k) for p, k in kinds.items()]
    f.meetings = [
        Meeting(prov=prov("会议/通知.docx"), part="notice", date=date(2025, 8, 28)),
        Meeting(prov=prov("会议/签到表.pdf"), part="sign_in", date=date(2025, 9, 2)),
        Meeting(prov=prov("会议/会议记录.docx"), part="minutes", date=date(2025, 9, 2)),
        Meeting(prov=prov("会议/照片.jpg", None), part="photo", date=date(2025, 9, 2)),
    ]
    for path, kind in kinds.items():
        if kind in (
            "work_plan",
            "monitoring_list",
            "leave_system",
            "home_visit_plan",
            "persuasion_plan",
        ):
            f.documents.append(DocumentPresence(prov=prov(path), kind=kind))
    names = ["张三", "李四", "王五"]
    f.headcounts = [
        Headcount(prov=prov("学籍/学籍导出.xlsx", None), source="xueji", count=3, names=names),
        Headcount(
            prov=prov("学籍/点名册.xlsx", None),
            source="roll_call",
            count=3,
            names=names,
            date=date(2025, 10, 10),
        ),
    ]
    day = period.start
    while day <= period.end:
        if day.month in TEACHING and day.weekday() < 5:
            f.attendance.append(
                AttendanceDay(prov=prov("台账/日报台账.xlsx", None), date=day, absent=0)
            )
        day += timedelta(days=1)
    f.leaves = [
        LeaveRecord(
            prov=prov("请假/请假审批.xlsx", None, 2),
            student="张三",
            start=date(2025, 9, 10),
            end=date(2025, 9, 10),
            days=1,
            approver="班主任",
        ),
        LeaveRecord(
            prov=prov("请假/请假审批.xlsx", None, 3),
            student="李四",
            start=date(2025, 10, 13),
            end=date(2025, 10, 14),
            days=2,
            approver="德育处",
        ),
        LeaveRecord(
            prov=prov("请假/请假审批.xlsx", None, 4),
            student="张三",
            start=date(2025, 11, 3),
            end=date(2025, 11, 12),
            days=10,
            approver="校长",
            home_visit=True,
        ),
    ]
    # 陈七: suspended 2025-10-15 after three joint visits; visited monthly afterwards.
    f.students = [
        ListedStudent(
            prov=prov("休学/休学名册.xlsx", None, 2),
            roster="suspension",
            name="陈七",
            since=date(2025, 10, 15),
        ),
        ListedStudent(
            prov=prov("残疾/残疾儿童花名册.xlsx", None, 2), roster="disabled", name="赵六"
        ),
        ListedStudent(
            prov=prov("送教上门/送教花名册.xlsx", None, 2), roster="home_teaching", name="赵六"
        ),
    ]
    for kind in (
        "suspension_determination",
        "suspension_application",
        "school_statement",
        "individual_plan",
    ):
        f.documents.append(
            DocumentPresence(prov=prov(f"休学/陈七/{kind}.docx"), kind=kind, student="陈七")
        )
    f.visits = [
        visit("陈七", date(2025, 9, 8), "school", "township", kind="joint"),
        visit("陈七", date(2025, 9, 20), "school", "village", kind="joint"),
        visit("陈七", date(2025, 10, 8), "school", "township", "justice", kind="joint"),
    ]
    day = date(2025, 11, 10)
    while day <= period.end:
        f.visits.append(visit("陈七", day, "school"))
        day = day.replace(month=day.month % 12 + 1, year=day.year + (day.month == 12))
    for kind in (
        "home_teaching_profile",
        "assessment_form",
        "individual_plan",
        "disability_certificate",
        "guardian_opinion",
        "lesson_plan",
    ):
        f.documents.append(
            DocumentPresence(prov=prov(f"送教上门/赵六/{kind}.docx"), kind=kind, student="赵六")
        )
    f.sessions = [session("赵六", d) for d in teaching_days(period.start, period.end)]
    return f
