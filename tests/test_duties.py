"""The calendar of duties (issue 22): each profile's duties at their day boundaries, the
per-case duties, done marks with their document, the iCalendar feed, the CLI."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from cases.duties import (
    DutyError,
    DutyStore,
    ics,
    month_bounds,
    occurrences,
    view,
    week_bounds,
)
from cases.model import Case
from forms.profiles import all_profiles, get_profile
from tests.cases_helpers import PEOPLE, new_case, shut

SCHOOL = "浮梁县蛟潭第二中学"


def _deadlines(profile_id: str, duty: str, level: str, place: str, a: date, b: date) -> list[date]:
    return [
        o.deadline
        for o in occurrences(get_profile(profile_id), level, place, a, b)
        if o.duty_id == duty
    ]


def test_every_profile_has_duties_each_cited() -> None:
    for profile in all_profiles():
        assert profile.duties, profile.id
        assert profile.terms is not None
        for duty in profile.duties:
            assert duty.source[:3] in {"000", "001", "002", "003", "004"}, duty.id


def test_jiaotan_ledgers_at_their_days() -> None:
    year = (date(2025, 9, 1), date(2026, 8, 31))
    assert _deadlines("jiaotan-2025", "roster_ledger", "township", "蛟潭镇", *year) == [
        date(2025, 9, 20)
    ]
    risk = _deadlines("jiaotan-2025", "risk_ledger", "school", SCHOOL, *year)
    assert risk == [date(2025, 9, 11), date(2026, 3, 11)]  # term start + 10 days
    master = _deadlines("jiaotan-2025", "master_ledger", "township", "蛟潭镇", *year)
    assert len(master) == 12 and all(d.day == 25 for d in master)
    weekly = _deadlines("jiaotan-2025", "risk_ledger_update", "school", SCHOOL, *year)
    assert all(d.weekday() == 4 for d in weekly) and len(weekly) == 52
    quarterly = _deadlines("jiaotan-2025", "quarterly_review", "township", "蛟潭镇", *year)
    assert quarterly == [
        date(2025, 9, 30),
        date(2025, 12, 31),
        date(2026, 3, 31),
        date(2026, 6, 30),
    ]
    meeting = _deadlines("jiaotan-2025", "term_meeting", "township", "蛟潭镇", *year)
    assert meeting == [date(2026, 2, 28), date(2026, 8, 31)]  # a term ends the day before the next


@pytest.mark.parametrize(
    ("on", "status"),
    [
        (date(2026, 3, 24), "due"),
        (date(2026, 3, 25), "due"),  # the last day
        (date(2026, 3, 26), "overdue"),  # the day after
    ],
)
def test_master_ledger_day_boundary(on: date, status: str) -> None:
    v = view(get_profile("jiaotan-2025"), "township", "蛟潭镇", *month_bounds("2026-03"), on, {})
    line = next(x for x in v.in_window if x.occurrence.duty_id == "master_ledger")
    assert line.status == status
    overdue_keys = {x.occurrence.key for x in v.overdue}
    assert (line.occurrence.key in overdue_keys) == (status == "overdue")


def test_risk_ledger_ten_days_after_term_start() -> None:
    p = get_profile("jiaotan-2025")
    day_10 = view(p, "school", SCHOOL, *week_bounds("2026-W11"), date(2026, 3, 11), {})
    line = next(x for x in day_10.in_window if x.occurrence.duty_id == "risk_ledger")
    assert line.occurrence.start == date(2026, 3, 1) and line.status == "due"
    day_11 = view(p, "school", SCHOOL, *week_bounds("2026-W11"), date(2026, 3, 12), {})
    assert (
        next(x for x in day_11.in_window if x.occurrence.duty_id == "risk_ledger").status
        == "overdue"
    )


def test_daily_reports_are_listed_in_their_week_but_never_carried_as_overdue() -> None:
    p = get_profile("liupu-2026")
    v = view(p, "school", "荔浦市第二初级中学", *week_bounds("2026-W11"), date(2026, 3, 12), {})
    daily = [x for x in v.in_window if x.occurrence.duty_id == "daily_report"]
    assert [x.occurrence.deadline.weekday() for x in daily] == [0, 1, 2, 3, 4]  # school days
    assert [x.status for x in daily] == ["past", "past", "past", "due", "upcoming"]
    assert not [x for x in v.overdue if x.occurrence.duty_id == "daily_report"]
    weekly = next(x for x in v.in_window if x.occurrence.duty_id == "weekly_report")
    assert weekly.occurrence.deadline == date(2026, 3, 13)


def test_a_holiday_is_no_daily_report() -> None:
    p = get_profile("liupu-2026")
    on = occurrences(
        p, "school", "某校", date(2026, 4, 6), date(2026, 4, 6), holidays=[date(2026, 4, 6)]
    )
    assert [o for o in on if o.duty_id == "daily_report"] == []


def test_biweekly_supervision_every_other_week() -> None:
    deadlines = _deadlines(
        "liupu-2026",
        "township_biweekly_check",
        "township",
        "修仁镇",
        date(2025, 9, 1),
        date(2025, 10, 31),
    )
    assert [b - a for a, b in itertools.pairwise(deadlines)] == [timedelta(days=14)] * (
        len(deadlines) - 1
    )
    assert deadlines[0] == date(2025, 9, 5)


def test_xiuyan_ledgers_sealed_by_the_end_of_september() -> None:
    p = get_profile("xiuyan-2024")
    sept = month_bounds("2025-09")
    last = view(p, "school", "岫岩县某校", *sept, date(2025, 9, 30), {})
    sealed = next(x for x in last.in_window if x.occurrence.duty_id == "ledgers_sealed")
    assert sealed.status == "due" and "加盖学校公章" in sealed.occurrence.what
    after = view(p, "school", "岫岩县某校", *month_bounds("2025-10"), date(2025, 10, 1), {})
    assert "ledgers_sealed" in {x.occurrence.duty_id for x in after.overdue}


def test_xixiangtang_campaign_phases_and_weekly_warnings() -> None:
    p = get_profile("xixiangtang-2020")
    school = occurrences(p, "school", "西乡塘区某校", date(2020, 1, 1), date(2020, 12, 31))
    ids = [o.duty_id for o in school]
    assert ids.count("monthly_progress") == 6  # January to June only
    phases = {
        o.duty_id: (o.start, o.deadline)
        for o in school
        if o.duty_id in ("winter_visits", "spring_return", "summer_zero")
    }
    assert phases["spring_return"] == (date(2020, 2, 1), date(2020, 3, 31))
    weekly = [
        o.deadline
        for o in occurrences(p, "bureau", "教育局", date(2020, 1, 1), date(2020, 12, 31))
        if o.duty_id == "weekly_report"
    ]
    assert weekly[0] >= date(2020, 4, 1) and weekly[-1] <= date(2020, 6, 30) and len(weekly) == 13


def _closed(profile_id: str, how: str, on: date) -> Case:
    case = new_case(profile_id, opened=on - timedelta(days=7))
    extra = {"approval": "荔教休〔2026〕1号"} if how == "suspended" else {}
    return shut(case, how, on, **extra)


def test_registration_restored_within_three_days_of_a_return() -> None:
    case = _closed("jiaotan-2025", "returned", date(2026, 3, 16))
    p = get_profile("jiaotan-2025")
    school = PEOPLE["jiaotan-2025"]["school"]["name"]
    found = [
        o
        for o in occurrences(p, "school", school, date(2026, 3, 1), date(2026, 3, 31), [case])
        if o.duty_id == "restore_registration"
    ]
    assert [(o.start, o.deadline, o.subject) for o in found] == [
        (date(2026, 3, 16), date(2026, 3, 19), case.student.name)
    ]
    on_19 = view(p, "school", school, *month_bounds("2026-03"), date(2026, 3, 19), {}, [case])
    assert (
        next(x for x in on_19.in_window if x.occurrence.duty_id == "restore_registration").status
        == "due"
    )
    on_20 = view(p, "school", school, *month_bounds("2026-03"), date(2026, 3, 20), {}, [case])
    assert (
        next(x for x in on_20.in_window if x.occurrence.duty_id == "restore_registration").status
        == "overdue"
    )


def test_persuasion_every_three_months_after_a_suspension() -> None:
    case = _closed("liupu-2026", "suspended", date(2025, 10, 15))
    p = get_profile("liupu-2026")
    school = PEOPLE["liupu-2026"]["school"]["name"]
    found = [
        o
        for o in occurrences(p, "school", school, date(2025, 9, 1), date(2026, 8, 31), [case])
        if o.duty_id == "suspension_followup"
    ]
    assert [o.deadline for o in found] == [date(2026, 1, 14), date(2026, 4, 14), date(2026, 7, 14)]
    assert found[1].start == date(2026, 1, 15)


def test_done_needs_its_document(tmp_path: Path) -> None:
    store = DutyStore(tmp_path / "duties")
    key = "jiaotan-2025:master_ledger:蛟潭镇:2026-03-25"
    with pytest.raises(DutyError, match="须附上"):
        store.mark(key, date(2026, 3, 20), "汪文道")
    doc = tmp_path / "总台账.xlsx"
    doc.write_bytes(b"ledger")
    mark = store.mark(key, date(2026, 3, 20), "汪文道", document=doc)
    assert (store.files_dir / str(mark.document)).read_bytes() == b"ledger"
    v = view(
        get_profile("jiaotan-2025"),
        "township",
        "蛟潭镇",
        *month_bounds("2026-03"),
        date(2026, 3, 30),
        store.marks(),
    )
    line = next(x for x in v.in_window if x.occurrence.key == key)
    assert line.status == "done" and "已办" in line.status_name
    assert key not in {x.occurrence.key for x in v.overdue}


def test_ics_feed_is_rfc5545() -> None:
    p = get_profile("jiaotan-2025")
    v = view(p, "township", "蛟潭镇", *month_bounds("2026-03"), date(2026, 3, 26), {})
    cal = Calendar.from_ical(ics(v.in_window, "蛟潭镇"))
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(v.in_window)
    master = next(e for e in events if "总台账" in str(e["summary"]))
    assert master.decoded("dtstart") == date(2026, 3, 25)
    assert str(master["summary"]).startswith("【逾期】")
    assert "004 § 四(一)2" in str(master["description"])
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_cli(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli import main

    base = [
        "duties",
        "--profile",
        "jiaotan-2025",
        "--store",
        str(tmp_path / "c"),
        "--duties-store",
        str(tmp_path / "d"),
    ]
    run = CliRunner().invoke(
        main,
        [
            *base,
            "--township",
            "蛟潭镇",
            "--week",
            "2026-W13",
            "--date",
            "2026-03-26",
            "--ics",
            str(tmp_path / "d.ics"),
        ],
    )
    assert run.exit_code == 0, run.output
    assert "【逾期】" in run.output and "jiaotan-2025:master_ledger:蛟潭镇:2026-03-25" in run.output
    assert (tmp_path / "d.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    key = "jiaotan-2025:master_ledger:蛟潭镇:2026-03-25"
    refused = CliRunner().invoke(
        main, ["duties", "done", key, "--by", "汪文道", "--duties-store", str(tmp_path / "d")]
    )
    assert refused.exit_code == 1 and "须附上" in refused.output
    done = CliRunner().invoke(
        main,
        [
            "duties",
            "done",
            key,
            "--by",
            "汪文道",
            "--number",
            "蛟民生〔2026〕3号",
            "--duties-store",
            str(tmp_path / "d"),
        ],
    )
    assert done.exit_code == 0, done.output
    again = CliRunner().invoke(
        main,
        [*base, "--township", "蛟潭镇", "--week", "2026-W13", "--date", "2026-03-26", "--json"],
    )
    import json

    data = json.loads(again.output)
    assert next(x for x in data["window"] if x["key"] == key)["status"] == "done"
    assert key not in {x["key"] for x in data["overdue"]}
    both = CliRunner().invoke(main, [*base, "--school", SCHOOL, "--township", "蛟潭镇"])
    assert both.exit_code == 2
    bad = CliRunner().invoke(main, [*base, "--school", SCHOOL, "--week", "2026-11"])
    assert bad.exit_code == 2 and "2026-W11" in bad.output
