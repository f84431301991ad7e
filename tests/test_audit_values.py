"""Dates, durations, clock ranges and counts as schools write them; header aliases."""

from __future__ import annotations

from datetime import date, time

import pytest

from audit.extract.tables import field_of, find_header
from audit.extract.values import (
    cell_date,
    parse_count,
    parse_minutes,
    parse_time_range,
    year_for,
)
from audit.readers.model import Table
from forms.dates import find_dates

SCHOOL_YEAR = (date(2025, 9, 1), date(2026, 7, 15))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026年3月5日", date(2026, 3, 5)),
        ("2026.3.5", date(2026, 3, 5)),
        ("2026-03-05", date(2026, 3, 5)),
        ("2026/3/5", date(2026, 3, 5)),
        ("二〇二六年三月五日", date(2026, 3, 5)),
        ("3月5日", date(2026, 3, 5)),  # spring term of the period
        ("10月12日", date(2025, 10, 12)),  # autumn term of the period
        ("3.5", date(2026, 3, 5)),
        ("46086", date(2026, 3, 5)),  # Excel serial
        ("2026-03-05 00:00", date(2026, 3, 5)),
        ("20260305", date(2026, 3, 5)),  # a system export's compact date
        ("2026年3月5日(周四)", date(2026, 3, 5)),
        ("3月5日星期四", date(2026, 3, 5)),
        ("２０２６年３月５日", date(2026, 3, 5)),  # full-width digits (an IME left on)
        ("2026．3．5", date(2026, 3, 5)),  # full-width full stops
        ("2026／03／05", date(2026, 3, 5)),
    ],
)
def test_cell_dates(text: str, expected: date) -> None:
    assert cell_date(text, year_for(SCHOOL_YEAR)) == expected


def test_month_day_without_context_is_not_guessed() -> None:
    assert cell_date("3月5日", None) is None
    assert find_dates("3月5日到校") == []


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90分钟", 90),
        ("1.5小时", 90),
        ("1小时30分", 90),
        ("一小时", 60),
        ("半小时", 30),
        ("一个半小时", 90),
        ("40min", 40),
        ("45′", 45),
        ("9:00-10:30", 90),
        ("9：00—10：30", 90),
        ("25", 25),
        ("约30分钟", 30),
    ],
)
def test_durations(text: str, minutes: float) -> None:
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("9:00-10:30", (time(9), time(10, 30))),
        ("9：00—10：30", (time(9), time(10, 30))),
        ("上午9:00至10:30", (time(9), time(10, 30))),
        ("下午2:30~4:00", (time(14, 30), time(16))),
        ("2:30-4:00", (time(14, 30), time(16))),
        ("9时至10时30分", (time(9), time(10, 30))),
        ("八点半到十点", (time(8, 30), time(10))),
        # as a scan's recogniser splits “9：00—11：00”: spaces, a doubled dash, the dash lost
        ("9: 00 -11: 00", (time(9), time(11))),
        ("9:00- -11:00", (time(9), time(11))),
        ("9:00 11: 00", (time(9), time(11))),
    ],
)
def test_time_ranges(text: str, span: tuple[time, time]) -> None:
    assert parse_time_range(text) == span


@pytest.mark.parametrize(
    ("text", "count"),
    [("3", 3), ("三", 3), ("3节", 3), ("三课时", 3), ("3个课时", 3), ("十二课时", 12), ("两节", 2)],
)
def test_counts(text: str, count: int) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("送教日期", "date"),
        ("日期", "date"),
        ("时间", "date"),
        ("课时数", "periods"),
        ("节数", "periods"),
        ("课时", "periods"),
        ("每课时时长（分钟）", "minutes_per_period"),
        ("时长(分钟)", "duration"),
        ("起止时间", "time_range"),
        ("送教教师", "teachers"),
        ("学生姓名", "name"),
        ("参加人员", "participants"),
        ("开始送教时间", "since"),
        ("请假天数", "days"),
        ("备 注", "note"),
        ("无关的标题", None),
    ],
)
def test_header_aliases(heading: str, field: str | None) -> None:
    assert field_of(heading) == field


def test_header_row_found_under_title_rows() -> None:
    table = Table(
        rows=[
            ["XX中学送教上门记录表", "", "", ""],
            ["填表人：李老师", "", "", ""],
            ["序号", "送教时间", "节数", "时长(分钟)"],
            ["1", "2026.3.5", "3", "90"],
        ]
    )
    header = find_header(table)
    assert header is not None and header.index == 2
    assert set(header.columns.values()) == {"serial", "date", "periods", "duration"}


@pytest.mark.parametrize("text", ["9: 00- 00", "00- -11: 00", "9 10", "3节 9:00"])
def test_not_time_ranges(text: str) -> None:
    assert parse_time_range(text) is None


def test_a_duration_whose_number_a_scan_lost_is_no_duration() -> None:
    """“一个半小时” scanned came back “个半小时”: read as half an hour it failed a visit of
    3 课时 at 10 minutes each (OCR sweep, compliant seed 29)."""
    assert parse_minutes("个半小时") is None
    assert parse_minutes("一个半小时") == 90 and parse_minutes("半小时") == 30
