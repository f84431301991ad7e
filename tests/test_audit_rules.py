"""Rules at their boundaries, over hand-built facts (a compliant school, then one change each)."""

from __future__ import annotations

from datetime import date

import pytest
from factsbuilder import PERIOD, compliant, pfile, prov, session, teaching_days, visit

from audit.checklist import Checklist, resolve
from audit.facts import (
    DocumentPresence,
    Headcount,
    LeaveRecord,
    ListedStudent,
    NoneStated,
    PackageFacts,
    Provenance,
)
from audit.report.model import AuditResult
from audit.rules import Period
from audit.run import judge


@pytest.fixture(scope="module")
def checklist() -> Checklist:
    return resolve("liupu-supervision-2024")


def audit(facts: PackageFacts, checklist: Checklist, period: Period = PERIOD) -> AuditResult:
    return judge(facts, checklist, period, "test")


def test_compliant_school_passes_every_requirement(checklist: Checklist) -> None:
    result = audit(compliant(), checklist)
    assert {it.id: it.status for it in result.items if it.status != "pass"} == {}
    assert result.summary.percent == 100.0
    assert result.summary.level == "优秀"


def test_joint_visit_needs_two_bodies(checklist: Checklist) -> None:
    facts = compliant()
    # The last of the three visits before suspension had only school staff.
    facts.visits[2] = visit("陈七", date(2025, 10, 8), "school", kind="joint")
    result = audit(facts, checklist)
    item = result.item("3.3")
    assert item.status == "partial"  # 2 joint visits of 3 required
    [subject] = item.subjects
    assert "联合劝访2次" in subject.detail
    assert "仅学校" in subject.detail
    [finding] = item.findings
    assert finding.student == "陈七"
    assert "少于3次" in finding.message and "不算联合劝访" in finding.message
    assert "陈七" in finding.recommendation
    assert finding.evidence and finding.evidence[0].file == "劝返记录/劝返记录.docx"


def test_three_school_only_visits_fail_outright(checklist: Checklist) -> None:
    facts = compliant()
    for i in range(3):
        facts.visits[i] = visit("陈七", facts.visits[i].date, "school")
    assert audit(facts, checklist).item("3.3").status == "fail"


def test_visits_after_suspension_do_not_count_before_it(checklist: Checklist) -> None:
    facts = compliant()
    facts.visits[2] = visit("陈七", date(2025, 10, 20), "school", "township")
    item = audit(facts, checklist).item("3.3")
    assert item.status == "partial"  # 2 of 3: partial credit
    assert item.score == pytest.approx(6 * 2 / 3, abs=0.01)


def test_court_ruling_replaces_joint_visits(checklist: Checklist) -> None:
    facts = compliant()
    facts.visits = [v for v in facts.visits if v.date >= date(2025, 10, 15)]
    facts.documents.append(
        DocumentPresence(prov=prov("休学/陈七/判决书.pdf"), kind="court_ruling", student="陈七")
    )
    assert audit(facts, checklist).item("3.3").status == "pass"


def _persuaded(*days: date, since: date = date(2025, 10, 15)) -> PackageFacts:
    """The compliant school with 陈七 suspended on `since` and persuaded only on `days`."""
    facts = compliant()
    facts.students = [
        s.model_copy(update={"since": since}) if s.roster == "suspension" else s
        for s in facts.students
    ]
    facts.visits = [v for v in facts.visits if v.date < since]
    facts.visits += [visit("陈七", d, "school") for d in days]
    return facts


def _persuasion_detail(facts: PackageFacts, checklist: Checklist, period: Period = PERIOD) -> str:
    """陈七's 3.4 detail; “均达到要求” when every check (gaps, semesters, year) is met."""
    [subject] = audit(facts, checklist, period).item("3.4").subjects
    assert (subject.status == "pass") == subject.detail.endswith("均达到要求")
    return subject.detail


MET = "均达到要求"


def test_3_4_reads_every_3_months_as_max_gap_by_default(checklist: Checklist) -> None:
    assert checklist.requirement("3.4").param_values()["window_reading"] == "max_gap"
    reading = checklist.requirement("3.4").params["window_reading"].reading or ""
    assert reading.index("max_gap") < reading.index("windows")


@pytest.mark.parametrize(
    ("days", "longest"),
    [
        # 2025-11-20 → 2026-02-20 is exactly 3 calendar months: met.
        ((date(2025, 11, 20), date(2026, 2, 20), date(2026, 5, 20)), None),
        ((date(2025, 11, 20), date(2026, 2, 21), date(2026, 5, 20)), "2025年11月20日至2026年2月21日（相隔3个月1天）"),
        # Month ends: 3 months after 11-30 is 02-28.
        ((date(2025, 11, 30), date(2026, 2, 28), date(2026, 5, 28)), None),
        ((date(2025, 11, 30), date(2026, 3, 1), date(2026, 5, 28)), "2025年11月30日至2026年3月1日（相隔3个月1天）"),
    ],
)  # fmt: skip
def test_max_gap_at_the_3_month_boundary(
    checklist: Checklist, days: tuple[date, ...], longest: str | None
) -> None:
    detail = _persuasion_detail(_persuaded(*days), checklist)
    if longest is None:
        assert detail.endswith(MET)
    else:
        assert f"劝返间隔超过3个月：最长一段{longest}无劝返" in detail


def test_max_gap_names_the_longest_of_several_gaps(checklist: Checklist) -> None:
    facts = _persuaded(date(2025, 10, 20), date(2026, 1, 25), date(2026, 6, 1))
    item = audit(facts, checklist).item("3.4")
    assert item.status == "partial"
    [finding] = item.findings
    assert "最长一段2026年1月25日至2026年6月1日（相隔4个月7天）无劝返" in finding.message
    assert "另有2025年10月20日至2026年1月25日" in finding.message


def test_max_gap_trailing_stretch_is_judged_once_it_could_have_closed(
    checklist: Checklist,
) -> None:
    days = (date(2025, 11, 10), date(2026, 1, 10), date(2026, 3, 10), date(2026, 4, 14))
    # 2026-04-14 + 3 months = 07-14: by the period end (07-15) the stretch is overdue.
    detail = _persuasion_detail(_persuaded(*days), checklist)
    assert "最长一段2026年4月14日至2026年7月15日（统计期末）（相隔3个月1天）无劝返" in detail
    # Last visit 04-15: the stretch to 07-15 is exactly 3 months.
    on_time = (*days[:-1], date(2026, 4, 15))
    assert _persuasion_detail(_persuaded(*on_time), checklist).endswith(MET)
    # A period ending 07-14 cannot show the stretch from 04-14 overdue: not judged.
    early = Period(PERIOD.start, date(2026, 7, 14))
    assert _persuasion_detail(_persuaded(*days), checklist, early).endswith(MET)


def test_max_gap_counts_from_the_suspension_or_the_period_start(checklist: Checklist) -> None:
    later = (date(2026, 1, 25), date(2026, 3, 20), date(2026, 6, 10))
    # Suspended 2025-10-15, after the period start: the first visit is due by 2026-01-15.
    assert _persuasion_detail(_persuaded(date(2026, 1, 15), *later), checklist).endswith(MET)
    item = audit(_persuaded(date(2026, 1, 16), *later), checklist).item("3.4")
    assert item.status == "partial"
    assert (
        "最长一段2025年10月15日（休学）至2026年1月16日（相隔3个月1天）" in item.subjects[0].detail
    )
    # Suspended before the period: counted from the period start, 2025-09-01.
    before = date(2025, 6, 1)
    ok = _persuasion_detail(_persuaded(date(2025, 12, 1), *later, since=before), checklist)
    assert ok.endswith(MET)
    late = _persuasion_detail(_persuaded(date(2025, 12, 2), *later, since=before), checklist)
    assert "最长一段2025年9月1日（统计期始）至2025年12月2日（相隔3个月1天）" in late


def test_max_gap_has_nothing_to_judge_before_the_first_stretch_is_due(
    checklist: Checklist,
) -> None:
    # Suspended 2026-06-01 with no visit yet: the 3 months run past the period end (07-15);
    # the spring semester's and year's pro-rated counts round to 0, so nothing is judged.
    facts = _persuaded(since=date(2026, 6, 1))
    [subject] = audit(facts, checklist).item("3.4").subjects
    assert subject.status == "not_applicable"


def test_windows_from_the_suspension_date_remain_selectable(checklist: Checklist) -> None:
    params = dict(checklist.requirement("3.4").params)
    params["window_reading"] = params["window_reading"].model_copy(update={"value": "windows"})
    cl = _with_params(checklist, "3.4", params)
    facts = compliant()
    # Drop every visit between 2025-11-10 and 2026-03-01: the first window (10-15..01-14) is empty.
    facts.visits = [
        v for v in facts.visits if not (date(2025, 10, 15) <= v.date < date(2026, 3, 1))
    ]
    item = audit(facts, cl).item("3.4")
    assert item.status == "partial"
    [subject] = item.subjects
    assert "2025年10月15日至2026年1月14日劝返0次" in subject.detail
    assert "秋季学期" in subject.detail
    # The same visits under the default reading: one gap from the suspension to 2026-03-10.
    detail = audit(facts, checklist).item("3.4").subjects[0].detail
    assert "最长一段2025年10月15日（休学）至2026年3月10日（相隔4个月23天）无劝返" in detail


def _with_params(cl: Checklist, rid: str, params: dict) -> Checklist:  # type: ignore[type-arg]
    items = []
    for item in cl.items:
        reqs = [
            r.model_copy(update={"params": params}) if r.id == rid else r for r in item.requirements
        ]
        items.append(item.model_copy(update={"requirements": reqs}))
    return cl.model_copy(update={"items": items})


def test_month_of_25_minute_periods_fails_4_6_only(checklist: Checklist) -> None:
    facts = compliant()
    period = Period(date(2025, 10, 1), date(2025, 10, 31))
    facts.sessions = [
        session("赵六", date(2025, 10, 9), periods=3, minutes=25),
        session("赵六", date(2025, 10, 23), periods=3, minutes=25),
    ]
    result = audit(facts, checklist, period)
    assert result.item("4.4").status == "pass"
    assert result.item("4.5").status == "pass"
    assert result.item("4.6").status == "fail"
    [finding] = result.item("4.6").findings
    assert "每课时25分钟" in finding.message
    assert finding.evidence[0].file == "送教上门/送教记录.xlsx"
    month = result.item("4.4").subjects[0].months[0]  # type: ignore[index]
    assert (month.month, month.visits, month.periods, month.minutes) == ("2025-10", 2, 6, 25.0)


def test_minutes_per_period_from_start_and_end(checklist: Checklist) -> None:
    from datetime import time

    facts = compliant()
    period = Period(date(2025, 10, 1), date(2025, 10, 31))
    facts.sessions = [
        session(
            "赵六", date(2025, 10, 9), periods=3, minutes=None, start=time(9), end=time(10, 30)
        ),  # type: ignore[arg-type]
        session(
            "赵六", date(2025, 10, 23), periods=3, minutes=None, start=time(9), end=time(10, 15)
        ),  # type: ignore[arg-type]
    ]
    item = audit(facts, checklist, period).item("4.6")
    assert item.status == "partial"
    assert "每课时25分钟" in item.findings[0].message


def test_times_a_scan_could_not_make_out_wait_for_a_person_not_fail(
    checklist: Checklist,
) -> None:
    """A 送教 record scanned: “9：00—11：00” came back as “9: 00- 00” on two visits. They are
    not visits without times (a fail): 4.6 leaves them to a person, with their pages."""
    from datetime import time

    from audit.facts import ILLEGIBLE_TIME

    facts = compliant()
    period = Period(date(2025, 10, 1), date(2025, 10, 31))
    clock = {"start": time(9), "end": time(11), "minutes": None}
    facts.sessions = [
        session("赵六", date(2025, 10, 9), **clock),  # type: ignore[arg-type]
        session("赵六", date(2025, 10, 23), minutes=None, illegible=[ILLEGIBLE_TIME]),  # type: ignore[arg-type]
    ]
    facts.sessions[1].prov.page = 2
    item = audit(facts, checklist, period).item("4.6")
    (subject,) = [s for s in item.subjects if s.student == "赵六"]
    assert subject.status == "not_reviewed" and item.status == "not_reviewed"
    assert "1次起止时间扫描件识别不清，需人工核查：2025年10月23日（第2页）" in subject.detail
    (finding,) = item.findings
    assert finding.pending and finding.evidence[0].page == 2
    assert finding.message.startswith("赵六有1次起止时间扫描件识别不清")
    # one legible visit short of 30 minutes still fails, whatever the unread one says
    facts.sessions[0] = session("赵六", date(2025, 10, 9), minutes=25)
    assert audit(facts, checklist, period).item("4.6").status in {"fail", "partial"}


def test_one_visit_in_a_month_fails_that_month(checklist: Checklist) -> None:
    facts = compliant()
    facts.sessions = [s for s in facts.sessions if s.date != date(2025, 11, 15)]
    item = audit(facts, checklist).item("4.4")
    assert item.status == "partial"
    assert item.ratio == pytest.approx(0.9)
    months = {m.month: m for m in item.subjects[0].months or []}
    assert months["2025-11"].visits == 1 and months["2025-11"].status == "partial"
    assert months["2026-02"].applicable is False  # winter holiday
    assert "2025年11月1次" in item.findings[0].message
    assert [e.snippet for e in item.findings[0].evidence] == ["2025-11-05 赵六"]


def test_student_who_began_in_march_gets_a_prorated_year(checklist: Checklist) -> None:
    facts = compliant()
    facts.students.append(
        ListedStudent(
            prov=prov("送教上门/送教花名册.xlsx", None, 3),
            roster="home_teaching",
            name="孙八",
            since=date(2026, 3, 1),
        )
    )
    # Began after the school year's start: Mar–Jul, July whole up to its last teaching day
    # (07-15, the period end) = 5 teaching months × 6 = 30 课时 required.
    facts.sessions += [session("孙八", d) for d in teaching_days(date(2026, 3, 1), PERIOD.end)]
    item = audit(facts, checklist).item("4.7")
    sun = next(s for s in item.subjects if s.student == "孙八")
    assert sun.status == "pass"
    assert "送教30课时，应不少于30课时（覆盖5个教学月×6）" in sun.detail
    months = {m.month: m for m in sun.months or []}
    assert next(iter(months)) == "2026-03"
    assert (months["2026-07"].required, months["2026-07"].share) == (2, 1.0)
    # Three visits fewer: 21 of 30 → partial, and the finding names the student.
    dropped = {date(2026, 4, 5), date(2026, 5, 15), date(2026, 6, 15)}
    facts.sessions = [s for s in facts.sessions if not (s.student == "孙八" and s.date in dropped)]
    item = audit(facts, checklist).item("4.7")
    sun = next(s for s in item.subjects if s.student == "孙八")
    assert sun.status == "partial"
    assert any(f.student == "孙八" and "送教21课时" in f.message for f in item.findings)
    assert item.ratio is not None and 0.8 < item.ratio < 1
    # A period ending before the last teaching day: July is 10 of its 15 teaching days.
    early = Period(PERIOD.start, date(2026, 7, 10))
    item = audit(facts, checklist, early).item("4.4")
    sun = next(s for s in item.subjects if s.student == "孙八")
    july = {m.month: m for m in sun.months or []}["2026-07"]
    assert (july.required, july.share) == (1, round(10 / 15, 4))
    assert july.note == "只覆盖10天（教学至15日），要求1次"


def _with_last_teaching_day(cl: Checklist, value: dict) -> Checklist:  # type: ignore[type-arg]
    for rid in ("4.4", "4.5", "4.6", "4.7"):
        params = dict(cl.requirement(rid).params)
        params["last_teaching_day"] = params["last_teaching_day"].model_copy(
            update={"value": value}
        )
        cl = _with_params(cl, rid, params)
    return cl


def test_period_to_the_last_teaching_day_is_a_whole_school_year(checklist: Checklist) -> None:
    assert checklist.requirement("4.4").param_values()["last_teaching_day"] == {
        "default": "07-15",
        "per_school_year": {},
    }
    # 2025-09-01..2026-07-15 reaches the last teaching day: July needs both its visits.
    facts = compliant()
    facts.sessions = [s for s in facts.sessions if s.date != date(2026, 7, 15)]
    result = audit(facts, checklist)
    item = result.item("4.4")
    assert item.status == "partial"
    july = {m.month: m for m in item.subjects[0].months or []}["2026-07"]
    assert (july.required, july.visits, july.share, july.note) == (2, 1, 1.0, "")
    assert "2026年7月1次" in item.findings[0].message
    # … and the full 60 课时, not pro-rated: 57 fails.
    assert "送教57课时，应不少于60课时（全学年）" in result.item("4.7").subjects[0].detail
    # 59 课时 (one visit of 2 课时) fails 4.7 while every month has its 2 visits (4.4).
    facts = compliant()
    facts.sessions[3] = facts.sessions[3].model_copy(update={"periods": 2})
    result = audit(facts, checklist)
    assert result.item("4.4").status == "pass"
    assert result.item("4.7").status == "partial"
    assert "送教59课时，应不少于60课时（全学年）" in result.item("4.7").subjects[0].detail


def test_month_after_the_last_teaching_day_is_not_required(checklist: Checklist) -> None:
    whole = Period(PERIOD.start, date(2026, 8, 31))
    result = audit(compliant(whole), checklist, whole)
    assert result.item("4.4").status == "pass" and result.item("4.7").status == "pass"
    months = {m.month: m for m in result.item("4.4").subjects[0].months or []}
    assert (months["2026-07"].required, months["2026-08"].applicable) == (2, False)
    # A school year whose teaching ends 06-30 has no July: not required, still 60 课时.
    cl = _with_last_teaching_day(checklist, {"default": "06-30"})
    facts = compliant(whole)
    facts.sessions = [s for s in facts.sessions if s.date.month != 7]
    result = audit(facts, cl, whole)
    months = {m.month: m for m in result.item("4.4").subjects[0].months or []}
    assert months["2026-07"].applicable is False and months["2026-07"].note == "假期"
    assert result.item("4.4").status == "pass"
    assert "送教54课时，应不少于60课时（全学年）" in result.item("4.7").subjects[0].detail


def test_last_teaching_day_per_school_year(checklist: Checklist) -> None:
    period = Period(PERIOD.start, date(2026, 7, 10))
    facts = compliant()
    # July 5 is the only July visit before 07-10; one more visit in June keeps 60 课时.
    facts.sessions.append(session("赵六", date(2026, 6, 25)))
    cl = _with_last_teaching_day(
        checklist, {"default": "07-15", "per_school_year": {"2024": "07-01", "2025": "07-10"}}
    )
    result = audit(facts, cl, period)
    july = {m.month: m for m in result.item("4.4").subjects[0].months or []}["2026-07"]
    # 2025–2026 ends on 07-10: the period covers the whole year, July needs 2 visits.
    assert (july.required, july.visits, july.share) == (2, 1, 1.0)
    assert result.item("4.4").status == "partial"
    assert result.item("4.7").status == "pass"
    assert "送教60课时，应不少于60课时（全学年）" in result.item("4.7").subjects[0].detail
    # The default (07-15) for the same period: July 10/15 covered, 1 visit; 58 课时 pro-rated.
    result = audit(facts, checklist, period)
    july = {m.month: m for m in result.item("4.4").subjects[0].months or []}["2026-07"]
    assert (july.required, july.share) == (1, round(10 / 15, 4))
    assert result.item("4.4").status == "pass"
    assert "应不少于58课时（覆盖9.67个教学月×6）" in result.item("4.7").subjects[0].detail


def test_last_teaching_day_is_checked_as_month_and_day() -> None:
    from pydantic import ValidationError

    from audit.rules.home_teaching import LastTeachingDay

    assert LastTeachingDay(default="07-15").of(2025) == date(2026, 7, 15)
    assert LastTeachingDay(default="07-15", per_school_year={2025: "07-10"}).of(2025) == date(
        2026, 7, 10
    )
    for bad in ("7-15", "07-32", "2026-07-15"):
        with pytest.raises(ValidationError):
            LastTeachingDay(default=bad)


def test_half_covered_month_requires_half_the_visits(checklist: Checklist) -> None:
    facts = compliant()
    period = Period(date(2025, 9, 1), date(2025, 10, 16))
    facts.sessions = [
        session("赵六", date(2025, 9, 5)),
        session("赵六", date(2025, 9, 15)),
        session("赵六", date(2025, 10, 5)),
    ]
    item = audit(facts, checklist, period).item("4.4")
    assert item.status == "pass"
    october = (item.subjects[0].months or [])[1]
    assert (october.required, october.visits) == (1, 1)


def test_year_unit_can_be_clock_hours(checklist: Checklist) -> None:
    req = checklist.requirement("4.7")
    params = dict(req.params)
    params["unit"] = params["unit"].model_copy(update={"value": "小时"})
    cl = _with_params(checklist, "4.7", params)
    # 20 visits × 3 × 40 min = 40 hours < 60 hours.
    item = audit(compliant(), cl).item("4.7")
    assert item.status == "partial"
    assert "送教40小时" in item.subjects[0].detail


def test_leave_approved_at_wrong_tier(checklist: Checklist) -> None:
    facts = compliant()
    facts.leaves.append(
        LeaveRecord(
            prov=prov("请假/请假审批.xlsx", None, 5),
            student="李四",
            start=date(2025, 12, 1),
            end=date(2025, 12, 3),
            days=3,
            approver="班主任",
        )
    )
    item = audit(facts, checklist).item("2.4")
    assert item.status == "partial"
    [finding] = item.findings
    assert finding.student == "李四"
    assert "由班主任审批，应由校长审批" in finding.message
    assert finding.evidence[0].row == 5


def test_leave_half_day_tiers_and_higher_tier(checklist: Checklist) -> None:
    facts = compliant()
    facts.leaves = [
        LeaveRecord(
            prov=prov("请假/a.xlsx", None, 2),
            student="张三",
            start=date(2025, 9, 10),
            end=date(2025, 9, 11),
            days=1.5,
            approver="政教处主任",
        ),
        LeaveRecord(
            prov=prov("请假/a.xlsx", None, 3),
            student="李四",
            start=date(2025, 9, 10),
            end=date(2025, 9, 10),
            days=1,
            approver="校长",
        ),
    ]
    assert audit(facts, checklist).item("2.4").status == "pass"


def test_long_leave_without_home_visit(checklist: Checklist) -> None:
    facts = compliant()
    facts.leaves[2] = facts.leaves[2].model_copy(update={"home_visit": None})
    item = audit(facts, checklist).item("2.4")
    assert "未见教师上门核实记录" in item.findings[0].message
    # A visit record inside the leave counts as the verification.
    facts.visits.append(visit("张三", date(2025, 11, 5), "school", kind="home_visit"))
    assert audit(facts, checklist).item("2.4").status == "pass"


def test_headcount_mismatch_lists_who_differs(checklist: Checklist) -> None:
    facts = compliant()
    facts.headcounts[1] = Headcount(
        prov=prov("学籍/点名册.xlsx", None),
        source="roll_call",
        count=3,
        names=["张三", "李四", "周九"],
        date=date(2025, 10, 10),
    )
    result = audit(facts, checklist)
    item = result.item("2.1")
    assert item.status == "fail"
    [finding] = item.findings
    assert "学籍有而进班点名无：王五" in finding.message
    assert "进班点名有而学籍无：周九" in finding.message
    assert finding.severity == "critical"
    # 2.1 is a gate: the level is capped at 不合格 whatever the score.
    assert result.summary.percent and result.summary.percent >= 90
    assert result.summary.level == "不合格"


def test_headcount_student_on_leave_counts_as_present(checklist: Checklist) -> None:
    facts = compliant()
    facts.headcounts[1] = Headcount(
        prov=prov("学籍/点名册.xlsx", None),
        source="roll_call",
        count=2,
        names=["张三", "李四"],
        date=date(2025, 11, 5),
    )
    facts.leaves.append(
        LeaveRecord(
            prov=prov("请假/请假审批.xlsx", None, 6),
            student="王五",
            start=date(2025, 11, 5),
            end=date(2025, 11, 5),
            days=1,
            approver="班主任",
        )
    )
    item = audit(facts, checklist).item("2.1")
    assert item.status == "pass"
    assert "当天请假1人（王五）" in item.detail


def test_headcount_without_names_compares_counts(checklist: Checklist) -> None:
    facts = compliant()
    facts.headcounts = [
        Headcount(prov=prov("学籍/学籍导出.xlsx", None), source="xueji", count=512),
        Headcount(prov=prov("学籍/在校.xlsx", None), source="on_roll", count=510),
    ]
    item = audit(facts, checklist).item("2.1")
    assert item.status == "fail"
    assert "相差2人" in item.findings[0].message


def test_meeting_missing_photos_is_partial(checklist: Checklist) -> None:
    facts = compliant()
    facts.meetings = [m for m in facts.meetings if m.part != "photo"]
    facts.files = [f for f in facts.files if f.kind != "meeting_photo"]
    item = audit(facts, checklist).item("1.1")
    assert item.status == "partial"
    assert item.ratio == pytest.approx(0.75)
    assert "缺少会议图片" in item.findings[0].message


def test_notice_belongs_to_the_meeting_after_it(checklist: Checklist) -> None:
    facts = compliant()
    # A second meeting in March with sign-in and minutes only.
    facts.meetings += [
        facts.meetings[1].model_copy(update={"date": date(2026, 3, 3)}),
        facts.meetings[2].model_copy(update={"date": date(2026, 3, 3)}),
    ]
    item = audit(facts, checklist).item("1.1")
    assert "共2次" in item.detail
    assert "2026年3月3日控辍保学会议缺少会议通知、会议图片" in item.findings[0].message


def test_attendance_gap_months(checklist: Checklist) -> None:
    facts = compliant()
    facts.attendance = [a for a in facts.attendance if a.date.month not in (11, 12)]
    item = audit(facts, checklist).item("2.3")
    assert item.status == "partial"
    assert item.ratio is not None and 0.75 < item.ratio < 0.85
    assert item.findings[0].message.startswith("2025年11月有4个教学周没有日报记录（11月3日起、")


def test_weekly_ledger_passes_and_a_holiday_week_is_tolerated(checklist: Checklist) -> None:
    facts = compliant()
    # One record a week (Mondays), and none in the National Day week.
    facts.attendance = [
        a for a in facts.attendance if a.date.weekday() == 0 and a.date != date(2025, 10, 6)
    ]
    item = audit(facts, checklist).item("2.3")
    assert item.status == "pass"
    assert "缺1个教学周，在允许范围内" in item.detail


def test_daily_unit_is_a_param(checklist: Checklist) -> None:
    req = checklist.requirement("2.3")
    params = dict(req.params)
    params["unit"] = params["unit"].model_copy(update={"value": "day"})
    facts = compliant()
    facts.attendance = [a for a in facts.attendance if a.date.weekday() == 0]
    item = audit(facts, _with_params(checklist, "2.3", params)).item("2.3")
    assert item.status == "partial"
    assert item.ratio == pytest.approx(0.2, abs=0.02)


def _no_suspension() -> PackageFacts:
    facts = compliant()
    facts.students = [s for s in facts.students if s.roster != "suspension"]
    facts.documents = [d for d in facts.documents if d.student != "陈七"]
    facts.visits = []
    facts.files = [f for f in facts.files if f.kind != "suspension_roster"]
    return facts


def test_item_3_not_applicable_when_the_package_says_it_has_no_suspended_pupil(
    checklist: Checklist,
) -> None:
    facts = _no_suspension()
    said = Provenance(
        file="政策性休学情况说明.docx", sha256="x", snippet="本学年我校无政策性休学学生"
    )
    facts.none_stated = [NoneStated(prov=said, group="suspension")]
    result = audit(facts, checklist)
    assert result.item("3").status == "not_applicable"
    assert result.item("3").max == 0
    assert result.summary.max == 80
    assert result.item("3.1").evidence[0].file == "政策性休学情况说明.docx"


def test_no_suspension_evidence_and_no_word_of_it_is_left_to_a_person(
    checklist: Checklist,
) -> None:
    """Nothing about suspension and nothing saying there is none: not “视为本校无……”."""
    result = audit(_no_suspension(), checklist)
    assert result.item("3.1").status == "not_reviewed"
    assert result.item("3").status == "not_reviewed"
    assert "请学校说明" in result.item("3.1").findings[0].message


def test_suspension_materials_without_roster_fail_3_1(checklist: Checklist) -> None:
    facts = compliant()
    facts.students = [s for s in facts.students if s.roster != "suspension"]
    facts.files = [f for f in facts.files if f.kind != "suspension_roster"]
    item = audit(facts, checklist).item("3.1")
    assert item.status == "fail"
    assert "陈七" in item.findings[0].message


def test_student_documents_list_what_is_missing(checklist: Checklist) -> None:
    facts = compliant()
    facts.documents = [
        d
        for d in facts.documents
        if not (d.student == "赵六" and d.kind == "disability_certificate")
    ]
    item = audit(facts, checklist).item("4.3")
    assert item.status == "partial"
    assert item.subjects[0].detail == "缺：残疾证复印件"


def test_evidence_only_on_scanned_pages_is_not_reviewed(checklist: Checklist) -> None:
    facts = compliant()
    facts.sessions = []
    facts.files = [f for f in facts.files if f.kind != "home_teaching_record"]
    facts.files.append(
        pfile(
            "送教上门/送教记录扫描.pdf",
            "home_teaching_record",
            status="scanned",
            scanned_pages=[1, 2, 3],
        )
    )
    result = audit(facts, checklist)
    for rid in ("4.4", "4.5", "4.6", "4.7"):
        item = result.item(rid)
        assert item.status == "not_reviewed", rid
        assert item.to_review[0].file == "送教上门/送教记录扫描.pdf"
        assert item.to_review[0].pages == [1, 2, 3]
        assert all(f.pending for f in item.findings)
    assert "第1、2、3页" in result.item("4.4").detail
    assert result.verdict.automatic.provisional
    # Pending items earn nothing for now, so the score cannot be perfect.
    assert result.summary.percent is not None and result.summary.percent < 100


def test_breach_on_readable_pages_stays_a_fail_beside_scans(checklist: Checklist) -> None:
    facts = compliant()
    facts.sessions[0] = facts.sessions[0].model_copy(update={"minutes_per_period": 20})
    facts.files.append(
        pfile("送教上门/扫描.pdf", "home_teaching_record", status="scanned", scanned_pages=[1])
    )
    item = audit(facts, checklist).item("4.6")
    assert item.status == "partial"
    assert "扫描页未能自动核查" in item.detail


def test_unreadable_evidence_is_error(checklist: Checklist) -> None:
    facts = compliant()
    facts.documents = [d for d in facts.documents if d.kind != "work_plan"]
    facts.files = [f for f in facts.files if f.kind != "work_plan"]
    facts.files.append(
        pfile("制度/工作方案.docx", "work_plan", status="error", reason="文件已损坏")
    )
    item = audit(facts, checklist).item("1.2")
    assert item.status == "error"
    assert item.to_review[0].reason == "文件已损坏"
    assert item.score == 0 and item.max == 5


def test_missing_evidence_without_scans_fails(checklist: Checklist) -> None:
    facts = compliant()
    facts.documents = [d for d in facts.documents if d.kind != "work_plan"]
    facts.files = [f for f in facts.files if f.kind != "work_plan"]
    item = audit(facts, checklist).item("1.2")
    assert item.status == "fail"
    assert item.findings[0].message == "未见控辍保学工作方案"


def test_empty_package(checklist: Checklist) -> None:
    result = audit(PackageFacts(), checklist)
    statuses = {it.id: it.status for it in result.items}
    assert statuses["1"] == "fail" and statuses["2"] == "fail"
    assert statuses["3"] == "not_reviewed" and statuses["4"] == "not_reviewed"
    assert result.summary.score == 0
    assert result.summary.level == "不合格"
