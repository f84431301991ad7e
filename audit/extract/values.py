"""Values as schools write them: durations, clock-time ranges, counts, dates in context.

- durations: 90分钟, 1.5小时, 1小时30分, 一小时, 半小时, 40min, 45′
- time ranges: 9:00-10:30, 9：00—10：30, 上午9:00至10:30, 下午2:30~4:00, 9时至10时30分
- counts: 3, 三, 3节, 三课时, 3个课时
- dates: forms.dates (2026年3月5日, 2026.3.5, 2026-03-05, 2026/3/5, 二〇二六年三月五日, Excel
  serials) and 3月5日 with the year taken from the audit period or the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, time

import cn2an

from forms.dates import DateParseError, coerce_date, find_dates

Period = tuple[date, date]

_CN_NUM = "零〇一二两三四五六七八九十百半"
_NUM = rf"(?:\d+(?:\.\d+)?|[{_CN_NUM}]+)"


def number(token: str) -> float | None:
    """A number written in digits or Chinese numerals (半 = 0.5)."""
    token = token.strip()
    if not token:
        return None
    try:
        return float(token)
    except ValueError:
        pass
    if token == "半":
        return 0.5
    if token.endswith("半"):
        whole = number(token[:-1])
        return None if whole is None else whole + 0.5
    try:
        return float(cn2an.cn2an(token.replace("两", "二"), "smart"))
    except (ValueError, KeyError, TypeError):
        return None


_HOURS_MINUTES = re.compile(
    rf"(?<!个)(?P<h>{_NUM})\s*(?:个)?\s*(?P<half>半)?\s*(?:小时|钟头|h(?:ours?)?\b)\s*(?:(?P<m>{_NUM})\s*(?:分钟|分|min))?",
    re.IGNORECASE,
)
_MINUTES = re.compile(rf"(?P<m>{_NUM})\s*(?:分钟|分|min(?:utes?)?\b|mins\b|′|')", re.IGNORECASE)


def parse_minutes(text: str) -> float | None:
    """A duration in minutes; a bare number is minutes (a 时长(分钟) column). “个半小时” is not
    half an hour: its number is missing (a scan's recogniser drops a leading 一 as a rule)."""
    text = text.strip()
    if not text:
        return None
    match = _HOURS_MINUTES.search(text)
    if match:
        hours = number(match["h"])
        minutes = number(match["m"]) if match["m"] else 0.0
        if hours is not None and minutes is not None:
            return (hours + (0.5 if match["half"] else 0)) * 60 + minutes
    match = _MINUTES.search(text)
    if match:
        return number(match["m"])
    span = parse_time_range(text)
    if span:
        return minutes_between(*span)
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    return None


_CLOCK = (
    r"(?P<{p}h>\d{{1,2}}|[零〇一二两三四五六七八九十]{{1,3}})\s*"
    r"(?:[:：.]\s*(?P<{p}m>\d{{2}})"
    r"|时\s*(?:(?P<{p}m2>\d{{1,2}}|[零〇一二三四五六七八九十]{{1,3}})\s*分)?"
    r"|点\s*(?:(?P<{p}m3>\d{{1,2}}|半)\s*分?)?)"
)
_RANGE = re.compile(
    r"(?P<ap1>上午|下午|晚上|中午)?\s*"
    + _CLOCK.format(p="a")
    + r"\s*(?:[-－—–~～]|至|到)(?:\s*[-－—–~～])*\s*(?P<ap2>上午|下午|晚上|中午)?\s*"
    + _CLOCK.format(p="b")
)


def _clock(match: re.Match[str], p: str, ampm: str | None) -> time | None:
    hour = number(match[f"{p}h"])
    groups = match.groupdict()
    minute_token = groups[f"{p}m"] or groups.get(f"{p}m2") or groups.get(f"{p}m3") or "0"
    minute = 30.0 if minute_token == "半" else number(minute_token)
    if hour is None or minute is None:
        return None
    h = int(hour)
    if ampm in {"下午", "晚上"} and h < 12:
        h += 12
    if not (0 <= h < 24 and 0 <= minute < 60):
        return None
    return time(h, int(minute))


EARLIEST_LESSON_HOUR = 7


# Two clocks with nothing but space between (“9:00 11: 00”): a scan's recogniser lost the
# dash of “9：00—11：00”. Only clocks with their minutes, so “9 10” is never a range.
_BARE_RANGE = re.compile(
    r"(?P<ap1>上午|下午|晚上|中午)?\s*(?P<ah>\d{1,2})\s*[:：]\s*(?P<am>\d{2})\s+"
    r"(?P<ap2>)(?P<bh>\d{1,2})\s*[:：]\s*(?P<bm>\d{2})(?!\d)"
)


def parse_time_range(text: str) -> tuple[time, time] | None:
    """A start and end clock time (9:00-10:30); 下午 applies to both ends unless restated."""
    match = _RANGE.search(text) or _BARE_RANGE.search(text)
    if not match:
        return None
    start = _clock(match, "a", match["ap1"])
    end = _clock(match, "b", match["ap2"] or match["ap1"])
    if start is None or end is None:
        return None
    if match["ap1"] is None and start.hour < EARLIEST_LESSON_HOUR:
        # 2:30-4:00 written without 下午: nobody teaches at half past two in the night.
        start = time(start.hour + 12, start.minute)
        if end.hour < 12:
            end = time(end.hour + 12, end.minute)
    elif end <= start and end.hour < 12 and match["ap1"] is None:
        end = time(end.hour + 12, end.minute)  # 11:00-1:00
    return (start, end) if end > start else None


def minutes_between(start: time, end: time) -> float:
    return float((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute))


_COUNT = re.compile(rf"(?P<n>{_NUM})\s*(?:个)?\s*(?:课时|节课|节|课|次)?")


# “2课时+1课时”, “2+1课时”, “上午2节加下午1节”: one count written as a sum of its parts.
_ADDEND = rf"(?:{_NUM})\s*(?:个)?\s*(?:课时|节课|节)?"
_SUM = re.compile(rf"{_ADDEND}(?:\s*[+＋加]\s*(?:上午|下午|晚上)?\s*{_ADDEND})+")


def parse_count(text: str) -> int | None:
    """A count such as 3, 三课时, 3节, 3个课时 (the first number in the text), or the sum a
    count is written as (2课时+1课时 is 3)."""
    text = text.strip()
    match = _COUNT.search(text)
    if not match:
        return None
    total = _SUM.match(text, match.start())
    parts = _COUNT.findall(total[0]) if total else [match["n"]]
    values = [number(p) for p in parts]
    if any(v is None or v != int(v) for v in values):
        return None
    return int(sum(v for v in values if v is not None))


def year_for(period: Period | None, default: int | None = None) -> Callable[[int], int] | None:
    """The year of a month written without one: the one that puts it inside the period."""
    if period is None:
        if default is None:
            return None
        return lambda month: default
    start, end = period

    def pick(month: int) -> int:
        for year in range(start.year, end.year + 1):
            first = date(year, month, 1)
            if date(start.year, start.month, 1) <= first <= end:
                return year
        return start.year if month >= start.month else end.year

    return pick


_SCHOOL_YEAR = re.compile(r"(?P<a>20\d{2})\s*[-—～~至到]\s*(?P<b>20\d{2})\s*学年")


def document_period(text: str) -> Period | None:
    """A school year named in a document (2025-2026学年) as Sept 1 – Aug 31."""
    match = _SCHOOL_YEAR.search(text)
    if match and int(match["b"]) == int(match["a"]) + 1:
        return date(int(match["a"]), 9, 1), date(int(match["b"]), 8, 31)
    return None


def cell_date(text: str, pick: Callable[[int], int] | None) -> date | None:
    """A date from a table cell: ISO or Chinese, an Excel serial, or 3月5日 / 3.5 in context."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d{5}(?:\.0+)?", text):
        try:
            return coerce_date(float(text))
        except (DateParseError, ValueError, OverflowError):
            return None
    compact = re.fullmatch(r"((?:19|20)\d{2})(\d{2})(\d{2})", text)  # 20250906, as systems export
    if compact:
        try:
            return date(int(compact[1]), int(compact[2]), int(compact[3]))
        except ValueError:
            return None
    found = find_dates(text, year_for=pick)
    if found:
        return found[0]
    if pick is not None:
        short = re.fullmatch(r"(\d{1,2})\s*[./]\s*(\d{1,2})(?:\s*[日号])?", text)
        if short:
            month, day = int(short[1]), int(short[2])
            try:
                return date(pick(month), month, day)
            except ValueError:
                return None
    return None


# A date box of day numbers only (“10日、24日”, “8、22”): the days of a row of one month's visits.
_DAY_LIST = re.compile(r"\d{1,2}\s*[日号]?(?:\s*[、，,；;/和及与]\s*\d{1,2}\s*[日号]?)*")
# The row's month, in a cell of its own: 2025年9月, 2025.9, 2025-09, 9月, 9月份.
_MONTH_CELL = re.compile(
    r"(?:(?P<y>(?:19|20)\d{2})\s*年\s*)?(?P<m>\d{1,2})\s*月份?"
    r"|(?P<y2>(?:19|20)\d{2})\s*[./-]\s*(?P<m2>\d{1,2})"
)


def month_row_days(
    date_text: str, cells: Iterable[str], pick: Callable[[int], int] | None
) -> list[date]:
    """The visits of a row that tells one month's (月份 | 送教日期 10日、24日 | …): its date box
    holds day numbers only and another cell of the row the month. Empty when the row is not
    such a row, or a day is not in its month (nothing is guessed)."""
    if not _DAY_LIST.fullmatch(date_text.strip()):
        return []
    for cell in cells:
        match = _MONTH_CELL.fullmatch(cell.strip())
        if match is None:
            continue
        month = int(match["m"] or match["m2"])
        written = match["y"] or match["y2"]
        year = int(written) if written else pick(month) if pick else None
        if year is None or not 1 <= month <= 12:
            return []
        try:
            return [date(year, month, int(day)) for day in re.findall(r"\d{1,2}", date_text)]
        except ValueError:
            return []
    return []
