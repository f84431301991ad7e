"""Documents whose presence counts, meetings, rosters, headcounts and attendance ledgers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import PurePosixPath
from typing import Literal

from audit.classify import norm
from audit.extract.source import Source, split_names
from audit.extract.tables import field_of, labelled_values, unfilled
from audit.extract.values import cell_date, parse_count
from audit.facts import (
    AttendanceDay,
    DocumentPresence,
    Headcount,
    ListedStudent,
    Meeting,
    PackageFacts,
)
from audit.readers.model import Table

# Kinds whose existence (optionally per student) is what a requirement asks for.
PLAN_KINDS = {"work_plan", "home_visit_plan", "persuasion_plan", "leave_system"}
STUDENT_DOCUMENT_KINDS = {
    "court_ruling",
    "suspension_determination",
    "suspension_application",
    "school_statement",
    "individual_plan",
    "home_teaching_profile",
    "assessment_form",
    "disability_certificate",
    "guardian_opinion",
    "lesson_plan",
    "photo",
}
MEETING_PARTS: dict[str, Literal["notice", "sign_in", "minutes", "photo"]] = {
    "meeting_notice": "notice",
    "sign_in_sheet": "sign_in",
    "meeting_minutes": "minutes",
    "meeting_photo": "photo",
}
ROSTERS: dict[str, Literal["monitoring", "suspension", "disabled", "home_teaching"]] = {
    "monitoring_list": "monitoring",
    "suspension_roster": "suspension",
    "disabled_roster": "disabled",
    "home_teaching_roster": "home_teaching",
}


def _first_snippet(source: Source) -> str:
    return source.title or (
        source.blocks[0].text if source.blocks else PurePosixPath(source.path).name
    )


def _first_page(source: Source) -> int | None:
    return next((i.page for i in source.items if i.page is not None), None)


def presence(source: Source, facts: PackageFacts) -> None:
    student = source.student_hint() if source.kind in STUDENT_DOCUMENT_KINDS else None
    when = source.signed_date() or (
        source.last_date() if source.kind in PLAN_KINDS else source.first_date()
    )
    facts.documents.append(
        DocumentPresence(
            prov=source.prov(_first_snippet(source), page=_first_page(source)),
            kind=source.kind,
            student=student,
            date=when,
            title=source.title or None,
        )
    )


_NOTICE_DATE = re.compile(
    r"(?:定于|兹定于|将于|于)\s*([^，,。；;]{4,24}?)(?:在|召开|举行|上午|下午)"
)
_PART_WORDS = re.compile(
    r"(签到表|签到册|签到|会议记录|会议纪要|纪要|记录|通知|照片|图片|关于|召开)"
)


def _topic(source: Source) -> str | None:
    labelled = labelled_values([b.text for b in source.blocks[:20]]).get("topic")
    if labelled:  # spaced as its title is (“2026 年春季…”: a printer's gap beside a digit)
        return norm(labelled)[:60]
    path = PurePosixPath(source.path)
    title = source.title or path.stem
    if re.fullmatch(r"(?i)(img|dsc|dscn|photo|mmexport|wx_camera|微信图片)[_\-\d]*.*", path.stem):
        # A camera's file name says nothing: the meeting's folder does.
        folders = [p for p in path.parent.parts if "会" in p and not re.search("照片|图片", p)]
        if not folders:
            return None
        title = folders[-1]
    topic = _PART_WORDS.sub("", norm(title))
    topic = re.sub(r"^\d{1,2}[.、_\-]|的$", "", topic)
    if len(topic) < 4 and not source.title:  # “签到表扫描件.pdf”: the meeting's folder says more
        folders = [p for p in path.parent.parts if "会" in p]
        topic = _PART_WORDS.sub("", norm(folders[-1])) if folders else topic
    return topic[:60] or None


def meeting(source: Source, facts: PackageFacts) -> None:
    part = MEETING_PARTS[source.kind]
    when = None
    if part == "notice":
        match = _NOTICE_DATE.search(source.text(4000))
        if match:
            found = source.dates(match[1])
            when = found[0] if found else None
    if part == "photo" and source.photo_date:
        when = source.photo_date
    when = when or source.first_date()
    attendees = _attendees(source) if part == "sign_in" else None
    facts.meetings.append(
        Meeting(
            prov=source.prov(_first_snippet(source), page=_first_page(source)),
            part=part,
            date=when,
            topic=_topic(source),
            attendees=attendees,
        )
    )


# Written in a sign-in box by someone else for one who did not come.
_ABSENT = re.compile(r"^(?:请假|病假|事假|缺席|未到|公出|出差|外出)")


def _attendees(source: Source) -> int | None:
    """Who signed in: the rows whose 签名/签到 box holds a mark (a name, ✓, a signature judged
    present on a scan: 〔手写签名〕) — not a printed blank or 请假; a sheet without such a
    column, its distinct names (a list of those present)."""
    rows = [record for _, record in source.table_records(("name",))]
    if any("signature" in r.values for r in rows):
        signed = [r.get("signature") or "" for r in rows]
        return sum(1 for v in signed if v and not unfilled(v) and not _ABSENT.match(v)) or None
    return len({r.get("name") for r in rows if r.get("name")}) or None


def roster(source: Source, facts: PackageFacts) -> None:
    which = ROSTERS[source.kind]
    for table, record in source.table_records(("name",)):
        name = record.get("name")
        if not split_names(name):
            continue
        # 休学名册 headed 批准日期: the roster's only date is the date it began
        since_text = record.get("since") or record.get("start_date") or record.get("date")
        facts.students.append(
            ListedStudent(
                prov=source.item_prov(table, record.snippet, record.row),
                roster=which,
                name=split_names(name)[0],
                id_number=record.get("id_number") or None,
                grade=record.get("grade") or None,
                class_name=record.get("class_name") or None,
                since=cell_date(since_text, source.pick) if since_text else None,
                note=record.get("disability") or record.get("reason") or record.get("note") or None,
            )
        )


_TOTAL_ROW = re.compile(r"合计|总计|共计|全校")
_COUNT_PROSE = re.compile(
    r"(?:共有|共计|合计|总数|总人数|在籍|在校|人数)[^0-9]{0,8}(\d{1,6})\s*(?:人|名)"
)


def headcount(source: Source, facts: PackageFacts) -> None:
    roll_call = "点名" in norm(source.path) or "点名" in source.title
    kind: Literal["xueji", "on_roll", "roll_call"] = (
        "xueji" if source.kind == "xueji_headcount" else "roll_call" if roll_call else "on_roll"
    )
    roster_name: Literal["xueji", "on_roll"] = "xueji" if kind == "xueji" else "on_roll"
    names: list[str] = []
    first = None
    for table, record in source.table_records(("name",)):
        found = split_names(record.get("name"))
        if not found:
            continue
        names.append(found[0])
        prov = source.item_prov(table, record.snippet, record.row)
        first = first or prov
        facts.students.append(
            ListedStudent(
                prov=prov,
                roster=roster_name,
                name=found[0],
                id_number=record.get("id_number") or None,
                grade=record.get("grade") or None,
                class_name=record.get("class_name") or None,
            )
        )
    count = len(names)
    stated: int | None = None
    # A summary by class (班级 | 人数 … 合计): the count when no names are listed, else a
    # cross-check of the names — never added to them.
    by_class = 0
    summary_prov = None
    counted = source.table_records(("count",))
    field = "count"
    if not counted:  # 班级 | 应到人数 | 实到人数: the class's roll is 应到
        counted, field = source.table_records(("expected",)), "expected"
    for table, record in counted:
        value = parse_count(record.get(field))
        if value is None:
            continue
        if _TOTAL_ROW.search(record.snippet):
            stated = value
        else:
            by_class += value
            summary_prov = summary_prov or source.item_prov(table, record.snippet, record.row)
    if not names:
        count, first = (by_class, summary_prov) if by_class else (stated or 0, summary_prov)
        if not count:
            match = _COUNT_PROSE.search(source.text(8000))
            if match:
                count = int(match[1])
                first = source.prov(match[0], page=_first_page(source))
    if count or first:
        facts.headcounts.append(
            Headcount(
                prov=first or source.prov(_first_snippet(source)),
                source=kind,
                count=count,
                names=names,
                date=source.first_date(),
                stated_total=stated,
            )
        )


def attendance(source: Source, facts: PackageFacts) -> None:
    days: dict[tuple[str, int | None], AttendanceDay] = {}
    for table, record in source.table_records(("date",)):
        when = cell_date(record.get("date"), source.pick)
        if when is None:
            continue
        key = (when.isoformat(), table.page)
        day = days.get(key)
        if day is None:
            day = AttendanceDay(prov=source.item_prov(table, record.snippet, record.row), date=when)
            days[key] = day
            facts.attendance.append(day)
        names = split_names(record.get("absent_names")) or split_names(record.get("name"))
        day.names.extend(n for n in names if n not in day.names)
        absent = parse_count(record.get("absent")) if record.get("absent") else None
        if absent is None and record.get("expected") and record.get("present"):
            expected, present = (
                parse_count(record.get("expected")),
                parse_count(record.get("present")),
            )
            if expected is not None and present is not None:
                absent = expected - present
        if absent is not None:
            day.absent = (day.absent or 0) + absent
        elif names:
            day.absent = len(day.names)
    if not days:
        for table in source.tables:  # a 考勤表: one row a pupil, one column a day of the month
            facts.attendance += _month_grid(source, table)
        if facts.attendance and facts.attendance[-1].prov.file == source.path:
            return
    if not days:
        # A ledger written as dated lines (“3月5日 未到校 0 人”).
        for block in source.blocks:
            found = source.dates(block.text)
            if found and ("到" in block.text or "缺" in block.text or "勤" in block.text):
                match = re.search(r"(\d+)\s*人", block.text)
                facts.attendance.append(
                    AttendanceDay(
                        prov=source.item_prov(block, block.text),
                        date=found[0],
                        absent=int(match[1]) if match else None,
                    )
                )


_DAY_HEADING = re.compile(r"^(\d{1,2})\s*日?$")
_MONTH = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月")
# Marks of an absent pupil in a 考勤表 (√ or blank: present).
_ABSENT_MARK = re.compile(r"[×✗✘Xx○〇△缺旷病事假迟]")
MIN_DAY_COLUMNS = 8


def _month_grid(source: Source, table: Table) -> list[AttendanceDay]:
    """A class attendance sheet (姓名 | 1 | 2 | … | 31): a day is recorded when its column holds
    marks; its absences are the pupils marked ×/病/事/旷. The month comes from the sheet's name or
    title (“2025年9月”, “9月”), the year from there or the audit period."""
    header = _day_header(table)
    if header is None:
        return []
    index, day_cols = header
    row = table.rows[index]
    lines = [
        table.sheet or "",
        *(" ".join(dict.fromkeys(c for c in r if c)) for r in table.rows[:index]),
    ]
    above = " ".join(dict.fromkeys([*lines, source.title]))
    month = _MONTH.search(above)
    if month is None:
        return []
    year = int(month[1]) if month[1] else None
    number = int(month[2])
    if year is None:
        pick = source.pick
        year = pick(number) if pick else None
    if year is None or not 1 <= number <= 12:
        return []
    name_col = next((c for c, cell in enumerate(row) if field_of(cell) == "name"), None)
    found: list[AttendanceDay] = []
    for col, day in sorted(day_cols.items()):
        try:
            when = date(year, number, day)
        except ValueError:
            continue
        marks = [
            (r, body[col].strip())
            for r, body in enumerate(table.rows[index + 1 :])
            if col < len(body)
        ]
        marks = [(r, m) for r, m in marks if m]
        if not marks:
            continue
        absent = [r for r, m in marks if _ABSENT_MARK.search(m)]
        rows = table.rows[index + 1 :]
        names = [
            rows[r][name_col] for r in absent if name_col is not None and name_col < len(rows[r])
        ]
        found.append(
            AttendanceDay(
                prov=source.item_prov(table, f"{above[:60]} {day}日", table.row0 + index),
                date=when,
                absent=len(absent),
                names=[n for n in names if n],
            )
        )
    return found


def _day_header(table: Table) -> tuple[int, dict[int, int]] | None:
    """The row (among the first few) whose cells are days of a month, with column → day."""
    for index, row in enumerate(table.rows[:6]):
        days = {
            c: int(m[1]) for c, cell in enumerate(row) if (m := _DAY_HEADING.match(cell.strip()))
        }
        if len(days) >= MIN_DAY_COLUMNS and all(1 <= d <= 31 for d in days.values()):
            return index, days
    return None
