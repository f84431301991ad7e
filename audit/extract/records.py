"""Dated records: leave, visits and home-teaching sessions — from record tables, forms, prose.

Each kind is read in the first shape that yields anything: a record table (a header row with a
date column), else a form (label | value cells, plus “标签：值” lines), else prose paragraphs,
one record per dated paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, time
from typing import Literal

from audit.classify import norm
from audit.extract.bodies import body_of, participants, participants_in_prose
from audit.extract.source import Source, split_names, yes_no
from audit.extract.tables import Record, field_of, form_values, labelled_values, unfilled
from audit.extract.values import (
    cell_date,
    minutes_between,
    number,
    parse_count,
    parse_minutes,
    parse_time_range,
)
from audit.facts import (
    HomeTeachingSession,
    LeaveRecord,
    PackageFacts,
    Participant,
    Provenance,
    Visit,
)
from audit.readers.model import Block


def _shaped_records(source: Source) -> Iterator[tuple[Record, Provenance, str]]:
    """(record, provenance, full text of the record) in the first shape that has any."""
    rows = source.table_records(("date",))
    if rows:
        for table, record in rows:
            yield record, source.item_prov(table, record.snippet, record.row), record.snippet
        return
    form: dict[str, str] = {}
    prov: Provenance | None = None
    for table in source.tables:
        found = form_values(table)
        if found:
            for key, value in found.values.items():
                form.setdefault(key, value)
            prov = prov or source.item_prov(table, found.snippet, found.row)
    prose = labelled_values([b.text for b in source.blocks])
    for key, value in prose.items():
        form.setdefault(key, value)
    if form.get("date"):
        text = source.text(3000)
        snippet = " ".join(f"{k}:{v}" for k, v in form.items())
        first = source.items[0] if source.items else None
        yield (
            Record(form, None, snippet),
            prov or source.item_prov(first or Block(""), snippet),
            text,
        )
        return
    for block in source.blocks:
        if len(block.text) >= 12 and source.dates(block.text):
            yield Record({}, None, block.text), source.item_prov(block, block.text), block.text


def _student(record: Record, text: str, source: Source, hint: str | None) -> str:
    names = split_names(record.get("name"))
    if names:
        return names[0]
    for name in sorted(source.known_names, key=len, reverse=True):
        if name in text:
            return name
    match = re.search(
        r"(?:学生|对|到|为)([\u4e00-\u9fff]{2,3}?)(?:同学)?(?:家|的|进行|同学|开展)", text
    )
    if match and match[1] not in {"学生", "家中"}:
        return match[1]
    return hint or ""


# ----------------------------------------------------------------------------------- leave


def leaves(source: Source, facts: PackageFacts) -> None:
    hint = source.student_hint()
    rows = source.table_records(("name",)) or source.table_records(("start_date",))
    shaped: list[tuple[Record, Provenance, str]] = [
        (r, source.item_prov(t, r.snippet, r.row), r.snippet) for t, r in rows
    ]
    if not shaped:
        shaped = list(_leave_forms(source))
    for record, prov, text in shaped:
        leave = _leave(record, text, source, hint, prov)
        if leave is not None:
            facts.leaves.append(leave)


def _leave_forms(source: Source) -> Iterator[tuple[Record, Provenance, str]]:
    form: dict[str, str] = {}
    prov: Provenance | None = None
    for table in source.tables:
        found = form_values(table)
        if found:
            for key, value in found.values.items():
                form.setdefault(key, value)
            prov = prov or source.item_prov(table, found.snippet, found.row)
    for key, value in labelled_values([b.text for b in source.blocks]).items():
        form.setdefault(key, value)
    if form:
        text = source.text(3000)
        approver = _approver_from_opinions(source) or form.get("approver")
        if approver:
            form["approver"] = approver
        yield Record(form, None, text[:200]), prov or source.prov(text[:200]), text


_OPINION = re.compile(
    r"(班主任|年级组|政教处|德育处|教导处|学生处|分管校长|副校长|校长)(?:审批)?意见"
)


def _approver_from_opinions(source: Source) -> str | None:
    """The highest tier whose 意见 cell is filled in (班主任意见 | 同意 | 校长意见 | 同意)."""
    found: str | None = None
    for table in source.tables:
        for row in table.rows:
            for col, cell in enumerate(row):
                match = _OPINION.search(cell)
                if not match:
                    continue
                rest = cell[match.end() :].strip(" ：:")
                value = rest or next((c for c in row[col + 1 :] if c and c != cell), "")
                if value and not _OPINION.search(value) and not unfilled(value):
                    found = match[1]
    return found


def _leave(
    record: Record, text: str, source: Source, hint: str | None, prov: Provenance
) -> LeaveRecord | None:
    pick = source.pick
    start = cell_date(record.get("start_date"), pick) if record.get("start_date") else None
    end = cell_date(record.get("end_date"), pick) if record.get("end_date") else None
    if start is None:
        span = source.dates(record.get("date") or record.get("start_date") or text)
        if span:
            start = span[0]
            end = end or (span[1] if len(span) > 1 else None)
    if start is None:
        return None
    days_text = record.get("days")
    days = number(re.sub(r"[^\d.一二三四五六七八九十半两]", "", days_text)) if days_text else None
    if end is None and days:
        end = date.fromordinal(start.toordinal() + max(int(days) - 1, 0))
    end = end or start
    if days is None:
        days = float((end - start).days + 1)
    returned_text = record.get("returned")
    returned = cell_date(returned_text, pick) if returned_text else None
    if returned is None and returned_text and yes_no(returned_text):
        returned = end
    home_visit = yes_no(record.get("home_visit")) if "home_visit" in record.values else None
    if home_visit is None and re.search(r"已(?:到家|上门)?(?:家访|核实)", text):
        home_visit = True
    return LeaveRecord(
        prov=prov,
        student=_student(record, text, source, hint),
        start=start,
        end=end,
        days=days,
        approver=record.get("approver") or None,
        home_visit=home_visit,
        returned=returned,
    )


# ---------------------------------------------------------------------------------- visits

_JOINT = re.compile(r"联合劝访|联合家访|联合劝返|多部门")
_PERSUASION = re.compile(r"劝返|劝学|劝访|劝导|动员返校|劝其返校")


def visits(source: Source, facts: PackageFacts) -> None:
    hint = source.student_hint()
    doc_words = norm(source.title + source.path)
    for record, prov, text in _shaped_records(source):
        found = source.dates(record.get("date")) if record.get("date") else source.dates(text)
        if not found:
            continue
        people = _participant_rows(source) if record.values and not record.row else []
        if not people:
            people = (
                participants(record.get("participants"))
                if record.get("participants")
                else participants_in_prose(text)
            )
        words = record.get("method") + record.get("purpose") + text[:120]
        if not record.get("method") and not _PERSUASION.search(words):
            words += doc_words  # the record says nothing itself: the document's title does
        kind: Literal["home_visit", "persuasion", "joint"] = "home_visit"
        if _JOINT.search(words):
            kind = "joint"
        elif _PERSUASION.search(words):
            kind = "persuasion"
        facts.visits.append(
            Visit(
                prov=prov,
                student=_student(record, text, source, hint),
                date=found[0],
                kind=kind,
                participants=people,
                purpose=(record.get("purpose") or record.get("method") or None),
                outcome=(record.get("outcome") or None),
            )
        )


def _participant_rows(source: Source) -> list[Participant]:
    """A form listing one participant a row: 参加人员 | 姓名 | 单位 | 职务."""
    people: list[Participant] = []
    for table in source.tables:
        for row in table.rows:
            cells = [c for c in row if c]
            if len(cells) < 3 or field_of(cells[0], exact=True) != "participants":
                continue
            rest = cells[1:]
            if all(field_of(c) for c in rest):
                continue  # the sub-header 姓名 | 单位 | 职务
            where = " ".join(rest[1:])
            hit = body_of(where)
            name = rest[0] if 2 <= len(rest[0]) <= 4 else None
            people.append(
                Participant(
                    name=name,
                    body=hit[0] if hit else "other",
                    body_text=re.sub(r"[（(].*$", "", rest[1]),
                )
            )
    return people


# -------------------------------------------------------------------------------- sessions

_PERIODS = re.compile(r"([\d一二两三四五六七八九十]+)\s*(?:个)?\s*(?:课时|节课|节)")
_PER_PERIOD = re.compile(
    r"每\s*(?:个)?\s*(?:课时|节课?)\s*(?:时长)?\s*(?:约|为)?\s*([^，,。；;]{1,10})"
)
_TEACHERS = re.compile(r"([\u4e00-\u9fff]{1,3}(?:老师|教师))")


def sessions(source: Source, facts: PackageFacts) -> None:
    hint = source.student_hint()
    for record, prov, text in _shaped_records(source):
        session = _session(record, text, source, hint, prov)
        if session is not None:
            facts.sessions.append(session)


def _clock_cell(text: str) -> time | None:
    match = re.fullmatch(r"\s*(\d{1,2})\s*[:：]\s*(\d{2})(?::\d{2})?\s*", text)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2])
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _session(
    record: Record, text: str, source: Source, hint: str | None, prov: Provenance
) -> HomeTeachingSession | None:
    pick = source.pick
    date_text = record.get("date") or text
    when = cell_date(date_text, pick) if record.get("date") else None
    if when is None:
        found = source.dates(date_text)
        when = found[0] if found else None
    if when is None:
        return None
    start = end = None
    span = parse_time_range(record.get("time_range") or record.get("date") or "")
    if span is None and record.get("start_date") and record.get("end_date"):
        a, b = _clock_cell(record.get("start_date")), _clock_cell(record.get("end_date"))
        span = (a, b) if a and b and b > a else None
    if span is None and not record.values:
        span = parse_time_range(text)
    if span:
        start, end = span
    periods = parse_count(record.get("periods")) if record.get("periods") else None
    if periods is None and not record.get("periods"):
        match = _PERIODS.search(text)
        periods = parse_count(match[0]) if match else None
    per = (
        parse_minutes(record.get("minutes_per_period"))
        if record.get("minutes_per_period")
        else None
    )
    if per is None and not record.get("minutes_per_period"):
        match = _PER_PERIOD.search(text)
        per = parse_minutes(match[1]) if match else None
    total = parse_minutes(record.get("duration")) if record.get("duration") else None
    if total is None and start and end:
        total = minutes_between(start, end)
    if per is None and total and periods:
        per = round(total / periods, 1)
    if total is None and per and periods:
        total = per * periods
    teachers = [t for t in re.split(r"[\s、，,;；/]+", record.get("teachers")) if len(t) >= 2]
    if not teachers and not record.get("teachers"):
        teachers = list(dict.fromkeys(_TEACHERS.findall(text)))
    return HomeTeachingSession(
        prov=prov,
        student=_student(record, text, source, hint),
        date=when,
        start=start,
        end=end,
        periods=periods,
        minutes_per_period=per,
        total_minutes=total,
        teachers=teachers,
        content=(record.get("content") or None),
    )
