"""The calendar of duties: every recurring duty a profile sets (`duties:`, each cited), made
into dated occurrences for a place — a school, a township (and its villages), the bureau —
with what is due this week, this month, and what is overdue; marked done with the document
or upload that shows it (DutyStore, an append-only log beside the cases).

Per-student duties come from the cases: 学籍 restored within days of a return (a case closed
as 复学), and the 劝返 due every few months after an approved suspension (a case closed as
休学). An occurrence is due from its start to its deadline and overdue after it, unless the
duty says it is not carried as overdue (the daily reports: listed in their week).
"""

from __future__ import annotations

import calendar
import hashlib
import json
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from cases.calendar import is_school_day
from cases.model import Case
from forms.dates import cn_date
from forms.paths import default_data_dir
from forms.profiles import Duty, Profile

LEVEL_NAMES = {"school": "学校", "township": "乡镇", "village": "村（社区）", "bureau": "教育局"}
# a place's own duties and those it answers for: a township sees its villages'
LEVELS_OF = {"school": ("school",), "township": ("township", "village"), "bureau": ("bureau",)}

Status = Literal["done", "overdue", "past", "due", "upcoming"]
STATUS_NAMES = {
    "done": "已办",
    "overdue": "逾期",
    "past": "已过",
    "due": "应办",
    "upcoming": "未到期",
}


class DutyError(Exception):
    """A duty that cannot be marked (the reason in Chinese)."""


@dataclass(frozen=True)
class Occurrence:
    key: str  # profile:duty:place:deadline[:case]
    profile_id: str
    duty_id: str
    what: str
    actor: str
    level: str
    to: str | None
    place: str
    start: date
    deadline: date
    source: str
    reading: str | None
    track_overdue: bool = True
    subject: str | None = None  # the student, for a per-case duty
    case_id: str | None = None

    @property
    def rule(self) -> str:
        to = f"报{self.to}" if self.to else ""
        who = f"（{self.subject}）" if self.subject else ""
        return f"{self.actor}：{self.what}{who}{to}"

    def status(self, on: date, done: bool) -> Status:
        if done:
            return "done"
        if on > self.deadline:
            return "overdue" if self.track_overdue else "past"
        return "due" if on >= self.start else "upcoming"


# ---------------------------------------------------------------- dates of a duty


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months(first: date, last: date) -> Iterator[tuple[int, int]]:
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _term_starts(profile: Profile, first: date, last: date) -> list[date]:
    if profile.terms is None:
        return []
    out = []
    for year in range(first.year - 1, last.year + 1):
        for text in profile.terms.value:
            month, day = (int(x) for x in text.split("-"))
            out.append(date(year, month, day))
    return sorted(out)


def _periods(
    duty: Duty, profile: Profile, first: date, last: date, holidays: frozenset[date]
) -> Iterator[tuple[date, date]]:
    """(start, deadline) of each occurrence whose deadline falls in [first, last]."""
    c = duty.cadence
    if c == "daily":
        day = first
        while day <= last:
            if is_school_day(day, holidays):
                yield day, day
            day += timedelta(days=1)
    elif c == "weekly":
        monday = first - timedelta(days=first.weekday())
        while monday <= last:
            due = monday + timedelta(days=duty.weekday - 1)
            origin = school_year_start(due, profile)  # every N weeks from the year's first
            weeks = (monday - (origin - timedelta(days=origin.weekday()))).days // 7
            if weeks % duty.every == 0 and first <= due <= last:
                yield monday, due
            monday += timedelta(days=7)
    elif c == "monthly":
        for y, m in _months(first, last):
            end = _month_end(y, m)
            due = end if duty.by_day is None else date(y, m, min(duty.by_day, end.day))
            if first <= due <= last:
                yield date(y, m, 1), due
    elif c == "quarterly":
        for y, m in _months(first, last):
            if m % 3 == 0:
                due = _month_end(y, m)
                if first <= due <= last:
                    yield date(y, m - 2, 1), due
    elif c == "term":
        starts = _term_starts(profile, first, last)
        for i, start in enumerate(starts):
            if duty.within_days is not None:
                due = start + timedelta(days=duty.within_days)
            elif i + 1 < len(starts):
                due = starts[i + 1] - timedelta(days=1)
            else:
                continue
            if first <= due <= last:
                yield start, due
    elif c == "yearly":
        assert duty.month is not None and duty.day is not None
        for year in range(first.year, last.year + 1):
            due = date(year, duty.month, duty.day)
            start = date(year, duty.start_month, 1) if duty.start_month else due.replace(day=1)
            if first <= due <= last:
                yield start, due
    elif c == "once":
        assert duty.until is not None
        if first <= duty.until <= last:
            yield duty.start or duty.until, duty.until


def _in_window(duty: Duty, start: date, deadline: date) -> bool:
    return (duty.start is None or deadline >= duty.start) and (
        duty.until is None or deadline <= duty.until
    )


def _case_periods(duty: Duty, case: Case, first: date, last: date) -> Iterator[tuple[date, date]]:
    if case.closed_on is None or case.status != "closed":
        return
    closing = next((e for e in reversed(case.events) if e.date == case.closed_on), None)
    if closing is None:
        return
    if duty.cadence == "after_return" and closing.kind == "returned":
        due = case.closed_on + timedelta(days=duty.within_days or 0)
        if first <= due <= last:
            yield case.closed_on, due
    elif duty.cadence == "after_suspension" and closing.kind == "suspended":
        n, start = 1, case.closed_on
        while True:
            due = _add_months(case.closed_on, duty.every * n) - timedelta(days=1)
            if due > last:
                return
            if due >= first:
                yield start, due
            start, n = due + timedelta(days=1), n + 1


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def occurrences(
    profile: Profile,
    level: str,
    place: str,
    first: date,
    last: date,
    cases: Iterable[Case] = (),
    holidays: Iterable[date] = (),
) -> list[Occurrence]:
    """Every occurrence of the profile's duties for `place` at `level` (school, township,
    bureau) whose deadline falls in [first, last]; per-case duties from the place's cases."""
    days = frozenset(holidays)
    levels = LEVELS_OF[level]
    out: list[Occurrence] = []
    mine = [
        c
        for c in cases
        if c.profile_id == profile.id
        and (
            (level == "school" and c.school.name == place)
            or (level == "township" and c.school.township == place)
            or level == "bureau"
        )
    ]
    for duty in profile.duties:
        if duty.level not in levels:
            continue
        common = {
            "profile_id": profile.id,
            "duty_id": duty.id,
            "what": duty.what,
            "actor": duty.actor,
            "level": duty.level,
            "to": duty.to,
            "place": place,
            "source": duty.source,
            "reading": duty.reading,
            "track_overdue": duty.track_overdue,
        }
        if duty.cadence in ("after_return", "after_suspension"):
            for case in mine:
                for start, due in _case_periods(duty, case, first, last):
                    key = f"{profile.id}:{duty.id}:{place}:{due.isoformat()}:{case.id}"
                    out.append(
                        Occurrence(
                            key=key,
                            start=start,
                            deadline=due,
                            subject=case.student.name,
                            case_id=case.id,
                            **common,  # type: ignore[arg-type]
                        )
                    )
            continue
        for start, due in _periods(duty, profile, first, last, days):
            if not _in_window(duty, start, due):
                continue
            key = f"{profile.id}:{duty.id}:{place}:{due.isoformat()}"
            out.append(Occurrence(key=key, start=start, deadline=due, **common))  # type: ignore[arg-type]
    return sorted(out, key=lambda o: (o.deadline, o.start, o.duty_id, o.key))


# ---------------------------------------------------------------- done marks


@dataclass(frozen=True)
class Mark:
    key: str
    done_on: str
    by: str
    document: str | None  # a file kept in the store (its name under files/)
    reference: str | None  # a document number or an upload's id in the service
    note: str | None
    at: str


def default_root() -> Path:
    """`duties/` in the data directory (./baoxue-data/duties or $BAOXUE_DATA/duties)."""
    return default_data_dir() / "duties"


class DutyStore:
    """done.jsonl: one line a mark, never rewritten; files/: the documents that show it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.log_path = root / "done.jsonl"
        self.files_dir = root / "files"

    def marks(self) -> dict[str, Mark]:
        if not self.log_path.is_file():
            return {}
        out: dict[str, Mark] = {}
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                mark = Mark(**json.loads(line))
                out[mark.key] = mark
        return out

    def mark(
        self,
        key: str,
        done_on: date,
        by: str,
        document: Path | None = None,
        reference: str | None = None,
        note: str | None = None,
    ) -> Mark:
        """Mark an occurrence done; it needs its document (a file, kept here) or the number or
        upload that shows it."""
        if document is None and not (reference or "").strip():
            raise DutyError("标记已办须附上办理的文书或上传的材料（文件，或文书编号、上传编号）")
        if key.count(":") < 3:
            raise DutyError(f"“{key}”不是一项工作的编号（baoxue duties 列出的第一栏）")
        kept = None
        if document is not None:
            if not document.is_file():
                raise DutyError(f"找不到文件 {document}")
            digest = hashlib.sha256(document.read_bytes()).hexdigest()
            kept = f"{digest[:16]}-{document.name}"
            self.files_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(document, self.files_dir / kept)
        mark = Mark(
            key=key,
            done_on=done_on.isoformat(),
            by=by,
            document=kept,
            reference=(reference or "").strip() or None,
            note=note,
            at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        self.root.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(asdict(mark), ensure_ascii=False) + "\n")
        return mark


# ---------------------------------------------------------------- what a place sees


@dataclass(frozen=True)
class DutyLine:
    occurrence: Occurrence
    status: Status
    mark: Mark | None

    @property
    def status_name(self) -> str:
        o = self.occurrence
        if self.status == "done" and self.mark is not None:
            return f"已办（{self.mark.done_on}）"
        if self.status == "overdue":
            return f"逾期（应于{cn_date(o.deadline)}前）"
        if self.status == "past":
            return f"已过（{cn_date(o.deadline)}，不累计逾期）"
        if o.start == o.deadline:
            return f"{cn_date(o.deadline)}当日"
        return f"应于{cn_date(o.deadline)}前"


@dataclass
class DutyView:
    on: date
    first: date
    last: date
    overdue: list[DutyLine]
    in_window: list[DutyLine]
    this_month: list[DutyLine]


def school_year_start(on: date, profile: Profile) -> date:
    """The first term start on or before `on` that opens a school year (the first listed)."""
    if profile.terms is None:
        return date(on.year if on.month >= 9 else on.year - 1, 9, 1)
    month, day = (int(x) for x in profile.terms.value[0].split("-"))
    start = date(on.year, month, day)
    return start if start <= on else date(on.year - 1, month, day)


def view(
    profile: Profile,
    level: str,
    place: str,
    first: date,
    last: date,
    on: date,
    marks: dict[str, Mark],
    cases: Iterable[Case] = (),
    holidays: Iterable[date] = (),
) -> DutyView:
    """The duties of [first, last] (a week or a month) with their status on `on`, this
    month's, and everything overdue since the school year began."""
    cases = list(cases)
    holidays = list(holidays)

    def lines(a: date, b: date) -> list[DutyLine]:
        return [
            DutyLine(o, o.status(on, o.key in marks), marks.get(o.key))
            for o in occurrences(profile, level, place, a, b, cases, holidays)
        ]

    month_first = on.replace(day=1)
    month_last = _month_end(on.year, on.month)
    since = school_year_start(on, profile)
    overdue = [d for d in lines(since, on - timedelta(days=1)) if d.status == "overdue"]
    return DutyView(
        on=on,
        first=first,
        last=last,
        overdue=overdue,
        in_window=lines(first, last),
        this_month=lines(month_first, month_last),
    )


def week_bounds(text: str) -> tuple[date, date]:
    """`2026-W11` → its Monday and Sunday (ISO 8601 weeks)."""
    try:
        year, week = text.upper().split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise DutyError(f"周“{text}”应写成“2026-W11”（ISO 周）") from None
    return monday, monday + timedelta(days=6)


def month_bounds(text: str) -> tuple[date, date]:
    try:
        year, month = (int(x) for x in text.split("-"))
        return date(year, month, 1), _month_end(year, month)
    except ValueError:
        raise DutyError(f"月份“{text}”应写成“2026-03”") from None


# ---------------------------------------------------------------- iCalendar


def ics(lines: Iterable[DutyLine], name: str, stamp: datetime | None = None) -> bytes:
    """An RFC 5545 calendar a clerk subscribes to: one all-day event a duty on its deadline,
    the rule and its source in the description, a reminder the day before; done ones say so."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//baoxue//duties//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    now = stamp or datetime.now(UTC)
    for line in lines:
        o = line.occurrence
        event = Event()
        event.add("uid", f"{hashlib.sha256(o.key.encode()).hexdigest()[:32]}@baoxue")
        event.add("dtstamp", now)
        event.add("dtstart", o.deadline)
        event.add("dtend", o.deadline + timedelta(days=1))
        prefix = {"done": "【已办】", "overdue": "【逾期】"}.get(line.status, "")
        event.add("summary", f"{prefix}{o.what}")
        text = [o.rule, f"出处：{o.source}"]
        if o.reading:
            text.append(f"理解：{o.reading}")
        if o.start != o.deadline:
            text.append(f"办理期间：{cn_date(o.start)}至{cn_date(o.deadline)}")
        text.append(f"编号：{o.key}")
        event.add("description", "\n".join(text))
        event.add("categories", [LEVEL_NAMES[o.level]])
        if line.status != "done":
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", o.what)
            alarm.add("trigger", timedelta(hours=-15))  # 09:00 the day before
            event.add_component(alarm)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def as_json(line: DutyLine) -> dict[str, Any]:
    out = asdict(line.occurrence)
    out.update(
        status=line.status,
        status_name=line.status_name,
        rule=line.occurrence.rule,
        done=asdict(line.mark) if line.mark else None,
    )
    return out
