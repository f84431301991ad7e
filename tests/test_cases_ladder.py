"""The due list: each profile's ladder at its day boundaries, school days over weekends and
holidays, and the order the steps are recorded in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from cases_helpers import MONDAY, new_case, step

from cases.calendar import add_days, nth_day
from cases.ladder import case_due, due
from cases.model import Case


def _states(case: Case, on: date, holidays: frozenset[date] = frozenset()) -> dict[int, str]:
    return {item.step: item.status for item in case_due(case, on, holidays)}


def test_school_days_skip_the_weekend_and_holidays() -> None:
    friday = date(2026, 3, 6)
    assert nth_day(friday, 1, "school_days", frozenset()) == friday
    assert nth_day(friday, 3, "school_days", frozenset()) == date(2026, 3, 10)  # Fri, Mon, Tue
    assert nth_day(friday, 3, "school_days", frozenset({date(2026, 3, 9)})) == date(2026, 3, 11)
    assert nth_day(date(2026, 3, 7), 1, "school_days", frozenset()) == date(
        2026, 3, 9
    )  # a Saturday
    assert add_days(friday, 1, "school_days", frozenset()) == date(2026, 3, 9)
    assert add_days(friday, 3, "calendar_days", frozenset()) == date(2026, 3, 9)
    assert nth_day(friday, 3, "calendar_days", frozenset()) == date(2026, 3, 8)


def test_jiaotan_phone_call_due_on_the_first_day_overdue_the_next() -> None:
    case = new_case("jiaotan-2025")
    assert _states(case, MONDAY - timedelta(days=1)) == {}
    assert _states(case, MONDAY) == {1: "due"}
    assert _states(case, MONDAY + timedelta(days=1)) == {1: "overdue"}


def test_jiaotan_home_visit_on_the_third_school_day() -> None:
    case = step(new_case("jiaotan-2025"), "phone_call", MONDAY)
    assert _states(case, date(2026, 3, 3)) == {}  # day 2: not yet
    assert _states(case, date(2026, 3, 4)) == {2: "due"}  # day 3
    assert _states(case, date(2026, 3, 5)) == {2: "overdue"}
    item = case_due(case, date(2026, 3, 5))[0]
    assert (
        item.source == "004 § 四(二)1" and "无故3日未到校" in item.rule and item.days_overdue == 1
    )


def test_jiaotan_days_counted_over_a_weekend() -> None:
    thursday = date(2026, 3, 5)
    case = step(new_case("jiaotan-2025", opened=thursday), "phone_call", thursday)
    # Thu = day 1, Fri = day 2, Sat and Sun do not count, Mon = day 3
    assert _states(case, date(2026, 3, 8)) == {}
    assert _states(case, date(2026, 3, 9)) == {2: "due"}
    # a holiday on the Monday moves it to Tuesday
    assert _states(case, date(2026, 3, 9), frozenset({date(2026, 3, 9)})) == {}
    assert _states(case, date(2026, 3, 10), frozenset({date(2026, 3, 9)})) == {2: "due"}


def _jiaotan_reported() -> Case:
    case = new_case("jiaotan-2025")
    case = step(case, "phone_call", MONDAY)
    case = step(case, "home_visit", date(2026, 3, 4))
    case = step(case, "joint_visit", date(2026, 3, 5))
    return case


def test_jiaotan_report_on_the_fifth_school_day_and_the_town_within_three_days() -> None:
    case = _jiaotan_reported()
    assert _states(case, date(2026, 3, 5)) == {}
    assert _states(case, date(2026, 3, 6)) == {4: "due"}
    assert _states(case, date(2026, 3, 9)) == {4: "overdue"}  # Friday's step, seen on Monday
    case = step(case, "report_sent", date(2026, 3, 6))
    assert case.kind == "辍学"
    assert _states(case, date(2026, 3, 6)) == {5: "due"}  # from the report, calendar days
    assert _states(case, date(2026, 3, 9)) == {5: "due"}  # report + 3
    assert _states(case, date(2026, 3, 10)) == {5: "overdue"}
    case = step(case, "deadline_notice", date(2026, 3, 9))
    # 司法所: the notice's 3 days run out on 3-12; the day after, the guardian has refused
    assert _states(case, date(2026, 3, 12)) == {}
    assert _states(case, date(2026, 3, 13)) == {6: "due"}
    assert _states(case, date(2026, 3, 14)) == {6: "overdue"}


def test_liupu_report_seven_days_after_the_notice() -> None:
    case = new_case("liupu-2026")
    assert _states(case, MONDAY) == {1: "due"}
    assert _states(case, date(2026, 4, 30)) == {1: "due"}  # no days in the seed: never overdue
    case = step(case, "home_visit", date(2026, 3, 4))
    assert _states(case, date(2026, 3, 4)) == {2: "due"}
    case = step(case, "notice_served", date(2026, 3, 13))
    assert _states(case, date(2026, 3, 19)) == {}
    assert _states(case, date(2026, 3, 20)) == {3: "due"}
    assert _states(case, date(2026, 3, 21)) == {3: "overdue"}
    item = case_due(case, date(2026, 3, 21))[0]
    assert item.source == "000 § 四(一)3" and "7日内" in item.trigger


def test_xiuyan_report_one_week_after_the_notice() -> None:
    case = step(new_case("xiuyan-2024"), "notice_served", date(2026, 3, 4))
    assert _states(case, date(2026, 3, 10)) == {}
    assert _states(case, date(2026, 3, 11)) == {2: "due"}
    assert _states(case, date(2026, 3, 12)) == {2: "overdue"}
    assert case_due(case, date(2026, 3, 12))[0].source == "003 § 四(一)"


def test_due_across_schools_overdue_first_and_filtered() -> None:
    a = new_case("jiaotan-2025", case_id="A")
    b = step(new_case("xiuyan-2024", case_id="B"), "notice_served", date(2026, 3, 4))
    items = due([b, a], date(2026, 3, 11))
    assert [(i.case_id, i.step, i.status) for i in items] == [
        ("A", 1, "overdue"),
        ("A", 2, "overdue"),
        ("A", 4, "overdue"),
        ("B", 2, "due"),
    ]
    assert {i.case_id for i in due([a, b], date(2026, 3, 11), township="蛟潭镇")} == {"A"}
    assert {
        i.case_id for i in due([a, b], date(2026, 3, 11), school="岫岩满族自治县某镇初级中学")
    } == {"B"}


@pytest.mark.parametrize("profile_id", ["jiaotan-2025", "liupu-2026", "xiuyan-2024"])
def test_every_step_cites_its_seed(profile_id: str) -> None:
    case = new_case(profile_id)
    for item in case_due(case, date(2026, 3, 31)):
        assert item.source[:3] in {"003", "004", "000"} and "§" in item.source
