"""送教上门: monthly and yearly compliance at the boundaries, age range, plan and visit forms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from conftest import pdf_text, squash
from forms.errors import RecordError
from forms.home_teaching import Rules, Session, counted, qualifies, tally
from forms.profiles import get_profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record

Sample = Callable[[str, str], dict[str, Any]]
HT = get_profile("liupu-2026").home_teaching
assert HT is not None
RULES = Rules.from_profile(HT)


def full_year(periods: int = 3, minutes: float = 30, skip: tuple[int, ...] = ()) -> list[Session]:
    """Two visits in every teaching month of 2025–2026."""
    out = []
    for year, month in [(2025, m) for m in (9, 10, 11, 12)] + [
        (2026, m) for m in (1, 3, 4, 5, 6, 7)
    ]:
        if month in skip:
            continue
        out += [
            Session(date(year, month, 5), periods, minutes),
            Session(date(year, month, 19), periods, minutes),
        ]
    return out


def month(result: Any, m: int) -> Any:
    return next(x for x in result.months if x.month == m)


def test_thresholds_come_from_the_profile() -> None:
    assert (RULES.visits_per_month, RULES.sessions_per_visit, RULES.minutes_per_session) == (
        2,
        3,
        30,
    )
    assert RULES.sessions_per_year == 60
    assert RULES.teaching_months == (9, 10, 11, 12, 1, 3, 4, 5, 6, 7)


@pytest.mark.parametrize(("visits", "meets"), [(1, False), (2, True), (3, True)])
def test_visits_a_month(visits: int, meets: bool) -> None:
    sessions = [Session(date(2025, 10, 1 + 7 * i), 3, 30) for i in range(visits)]
    assert month(tally(sessions, 2025, RULES), 10).meets is meets


@pytest.mark.parametrize(("periods", "ok"), [(2, False), (3, True), (4, True)])
def test_periods_a_visit(periods: int, ok: bool) -> None:
    visit = Session(date(2025, 10, 8), periods, 30)
    assert qualifies(visit, RULES) is ok
    result = tally([Session(date(2025, 10, 1), 3, 30), visit], 2025, RULES)
    assert month(result, 10).meets is ok
    assert month(result, 10).periods == 3 + periods


@pytest.mark.parametrize(("minutes", "ok"), [(29, False), (30, True), (45, True)])
def test_minutes_a_period(minutes: int, ok: bool) -> None:
    visit = Session(date(2025, 10, 8), 3, minutes)
    assert qualifies(visit, RULES) is ok
    assert counted(visit, RULES) == (3 if ok else 0)  # a short 课时 is not a 课时


@pytest.mark.parametrize(("short_month", "total", "meets"), [(None, 60, True), (11, 59, False)])
def test_sixty_periods_a_year(short_month: int | None, total: int, meets: bool) -> None:
    sessions = full_year()
    if short_month:  # one 课时 fewer in November: 59 for the year and November fails
        sessions = [
            replace(s, periods=2) if s.day == date(2025, short_month, 19) else s for s in sessions
        ]
    result = tally(sessions, 2025, RULES)
    assert result.total == total and result.required == 60 and not result.prorated
    assert result.total_meets is meets
    assert result.meets is meets


def test_sixty_periods_with_a_weak_month_still_fails_the_month() -> None:
    # October: one visit of 6 课时 instead of two of 3 — the year still reaches 60
    sessions = [s for s in full_year() if s.day.month != 10] + [Session(date(2025, 10, 8), 6, 30)]
    result = tally(sessions, 2025, RULES)
    assert result.total == 60 and result.total_meets is True
    assert month(result, 10).meets is False
    assert result.meets is False


def test_a_student_who_began_in_march_is_prorated() -> None:
    sessions = [s for s in full_year() if s.day >= date(2026, 3, 1)]
    result = tally(sessions, 2025, RULES, start=date(2026, 3, 2))
    assert result.applicable_months == 5
    assert result.prorated and result.required == 30  # 5 months × 6 课时
    assert result.total == 30 and result.meets is True
    assert month(result, 10).applicable is False and month(result, 10).meets is None
    short = tally(sessions[:-1], 2025, RULES, start=date(2026, 3, 2))
    assert short.total == 27 and short.meets is False and month(short, 7).meets is False


def test_partial_month_reading_is_a_parameter() -> None:
    start = date(2026, 3, 20)
    counting = tally([], 2025, RULES, start=start)
    whole = tally([], 2025, replace(RULES, partial_month="whole"), start=start)
    assert month(counting, 3).applicable and counting.required == 30
    assert not month(whole, 3).applicable and whole.required == 24


def test_holidays_are_not_required_but_count() -> None:
    result = tally([*full_year(), Session(date(2026, 2, 10), 3, 30)], 2025, RULES)
    assert month(result, 2).applicable is False and month(result, 2).meets is None
    assert result.total == 63


def test_a_year_in_progress_is_not_yet_judged() -> None:
    sessions = [s for s in full_year() if s.day < date(2026, 1, 1)]
    result = tally(sessions, 2025, RULES, as_of=date(2026, 1, 10))
    assert month(result, 12).meets is True
    assert month(result, 1).meets is None and month(result, 1).started
    assert month(result, 4).meets is None and not month(result, 4).started
    assert result.total_meets is None and result.meets is None


def test_clock_hours_unit() -> None:
    hours = replace(RULES, unit="小时")
    result = tally(full_year(minutes=45), 2025, hours)
    assert result.total == 20 * 3 * 45 / 60  # 45 hours
    assert result.total_meets is False


# -- the forms -------------------------------------------------------------------------------
def text_of(form_id: str, data: dict[str, Any], pid: str) -> str:
    kind = get_form(form_id)
    record = validate_record(kind, data)
    return squash(pdf_text(render_record(kind, record, get_profile(pid), ("pdf",))["pdf"]))


def test_tally_form_prints_months_and_verdict(sample: Sample) -> None:
    text = text_of("home_teaching_tally", sample("home_teaching_tally", "liupu-2026"), "liupu-2026")
    assert "2025年11月215150≥2次未达标" in text  # one visit had only 2 课时
    assert "2025年9月226180≥2次达标" in text
    assert "2026年2月0000假期—" in text
    assert "2026年4月0000≥2次未到" in text
    assert "未达标：11月" in text and "已完成29课时；未达标。" in text
    assert "全学年10929885≥60课时进行中" in text  # the total is not judged before the year ends


def test_tally_form_began_in_march(sample: Sample) -> None:
    data = sample("home_teaching_tally", "liupu-2026")
    data["start"] = "2026-03-02"
    data["as_of"] = None
    data["visits"] = [
        {"date": f"2026-{m:02d}-{d:02d}", "periods": 3, "minutes": 30}
        for m in (3, 4, 5, 6, 7)
        for d in (4, 18)
    ]
    text = text_of("home_teaching_tally", data, "liupu-2026")
    assert (
        "全年要求30课时（送教不满一学年，按每个适用月6课时折算），已完成30课时；全学年达标。"
        in text
    )
    assert "2025年10月0000未送教—" in text


def test_tally_refuses_visits_outside_the_period(sample: Sample) -> None:
    data = sample("home_teaching_tally", "liupu-2026")
    data["visits"].append({"date": "2025-09-01", "periods": 3, "minutes": 30})
    with pytest.raises(RecordError) as info:
        text_of("home_teaching_tally", data, "liupu-2026")
    assert "送教记录 › 第11项 › 送教日期：2025年9月1日不在送教期间" in str(info.value)


@pytest.mark.parametrize(
    ("pid", "birth", "ok"),
    [
        ("liupu-2026", "2009-09-08", True),  # 16 on the start day: 6–16 in Liupu
        ("liupu-2026", "2008-09-08", False),  # 17
        ("xiuyan-2024", "2009-09-08", False),  # 16: Xiuyan is 6–15
        ("xiuyan-2024", "2010-09-08", True),  # 15
        ("jiaotan-2025", "2019-09-09", False),  # one day short of 6
        ("jiaotan-2025", "2019-09-08", True),  # 6 that day
    ],
)
def test_home_teaching_age_range(sample: Sample, pid: str, birth: str, ok: bool) -> None:
    data = sample("home_teaching_profile", pid)
    data["student"] = {"name": "覃小雨", "birth_date": birth, "gender": "女"}
    if ok:
        assert "送教上门儿童基本情况表" in text_of("home_teaching_profile", data, pid)
        return
    with pytest.raises(RecordError) as info:
        text_of("home_teaching_profile", data, pid)
    assert "学生 › 出生日期：2025年9月8日时" in str(info.value)
    assert "不在送教上门对象的" in str(info.value)


def test_profile_form_needs_a_birth_date(sample: Sample) -> None:
    data = sample("home_teaching_profile", "liupu-2026")
    data["student"] = {"name": "覃小雨"}
    with pytest.raises(
        RecordError, match="学生 › 出生日期：必须填写（用于核对送教上门对象年龄6至16周岁）"
    ):
        text_of("home_teaching_profile", data, "liupu-2026")


def test_plan_defaults_to_the_profile(sample: Sample) -> None:
    text = text_of(
        "individual_education_plan",
        sample("individual_education_plan", "xiuyan-2024"),
        "xiuyan-2024",
    )
    assert "送教上门服务计划和个别化教育方案" in text
    assert "每月送教2次，每次3课时，每课时30分钟；全年10个教学月共计划60课时。" in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("visits_per_month", 1, "每月送教次数：计划1次，少于规定的2次（000 § 四(三)3）"),
        ("periods_per_visit", 2, "每次课时数：计划2课时，少于规定的3课时"),
        ("minutes_per_period", 29, "每课时分钟数：计划29分钟，少于规定的30分钟"),
    ],
)
def test_plan_below_the_rule_is_refused(
    sample: Sample, field: str, value: int, message: str
) -> None:
    data = sample("individual_education_plan", "liupu-2026")
    data[field] = value
    with pytest.raises(RecordError) as info:
        text_of("individual_education_plan", data, "liupu-2026")
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("periods", "minutes", "mark"), [(3, 30, "达标"), (3, 29, "未达标"), (2, 40, "未达标")]
)
def test_visit_record_marks_itself(sample: Sample, periods: int, minutes: int, mark: str) -> None:
    data = sample("home_teaching_record", "jiaotan-2025")
    data.update(periods=periods, minutes=minutes)
    text = text_of("home_teaching_record", data, "jiaotan-2025")
    assert f"是否达标{mark}（每次不少于3课时，每课时不少于30分钟）" in text
    assert "起止时间09:00—11:00" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end_time": "10:00"}, "起止时间共60分钟，容不下3课时×30分钟"),
        ({"end_time": "08:00"}, "结束时间08:00不晚于开始时间09:00"),
        ({"start_time": "25:00"}, "开始时间：不是有效时间"),
        ({"teachers": []}, "送教教师：至少需要1项"),
        ({"periods": 0}, "课时数：应不小于1"),
    ],
)
def test_visit_record_errors(sample: Sample, change: dict[str, Any], message: str) -> None:
    data = sample("home_teaching_record", "liupu-2026")
    data.update(change)
    with pytest.raises(RecordError) as info:
        validate_record(get_form("home_teaching_record"), data)
    assert message in str(info.value)


def test_times_written_the_chinese_way(sample: Sample) -> None:
    data = sample("home_teaching_record", "liupu-2026")
    data.update(start_time="9点", end_time="10点45分", periods=3, minutes=35)
    record = validate_record(get_form("home_teaching_record"), data)
    assert record.span_minutes == 105


def test_guardian_opinion_ticks_the_choice(sample: Sample) -> None:
    text = text_of("guardian_opinion", sample("guardian_opinion", "liupu-2026"), "liupu-2026")
    assert "■满意□基本满意□不满意" in text
    assert "■同意继续接受送教上门服务□不同意" in text


def test_xixiangtang_has_no_home_teaching() -> None:
    from forms.profiles import ProfileError

    with pytest.raises(ProfileError, match="没有规定送教上门"):
        get_profile("xixiangtang-2020").document("home_teaching_tally")


def test_prorate_reading_requires_visits_in_proportion() -> None:
    rules = replace(RULES, partial_month="prorate")
    # Home teaching from 2026-03-01, the period ending 2026-07-15: July is 15/31 of a month.
    result = tally([], 2025, rules, start=date(2026, 3, 1), end=date(2026, 7, 15))
    assert month(result, 7).required_visits == 1 and month(result, 7).share == 15 / 31
    assert month(result, 3).required_visits == 2
    assert result.required == 27  # 6 × (4 + 15/31) = 26.9
    # Four days of January (4/31 × 2 = 0.26) require no visit.
    late = tally([], 2025, rules, start=date(2026, 1, 28))
    assert month(late, 1).applicable is False and month(late, 1).required_visits == 0


def test_last_teaching_day_ends_the_year_s_teaching() -> None:
    rules = replace(RULES, partial_month="prorate")
    last = date(2026, 7, 15)
    # From the school year's start to its last teaching day: the whole year, July in full.
    whole = tally([], 2025, rules, end=last, last_teaching_day=last)
    assert (month(whole, 7).required_visits, month(whole, 7).share) == (2, 1.0)
    assert month(whole, 7).teaching_until == last
    assert (whole.required, whole.prorated) == (60, False)
    # Ending before it: July by its teaching days (10 of 15), the year pro-rated.
    early = tally([], 2025, rules, end=date(2026, 7, 10), last_teaching_day=last)
    assert (month(early, 7).required_visits, month(early, 7).days) == (1, 10)
    assert (early.required, early.prorated) == (58, True)  # 6 × (9 + 10/15)
    # A teaching month wholly after the last teaching day is a holiday.
    june = tally([], 2025, rules, last_teaching_day=date(2026, 6, 30))
    assert month(june, 7).teaching is False and month(june, 7).required_visits == 0
    assert june.required == 60
    # Without it (the forms' default) July runs to the 31st.
    assert month(tally([], 2025, rules, end=last), 7).required_visits == 1


def test_short_periods_may_count_toward_the_year() -> None:
    visit = Session(date(2025, 10, 8), 3, 25)
    assert counted(visit, RULES) == 0
    assert counted(visit, replace(RULES, count_short_periods=True)) == 3
