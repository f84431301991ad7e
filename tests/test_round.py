"""The supervision round as a library: the plan from the cadences (002 § 三(一)) and the 挂点
table, 整改意见 and 回访 (002 § 四(二)), the bulletin (002 § 四(三)(四)) and the documents."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from fixtures.packages.build import PERIOD, build_package

from audit.checklist import Checklist
from audit.report.model import AuditResult
from audit.review import rescore
from audit.run import run_audit
from conftest import pdf_text
from supervision.bulletin import build_bulletin
from supervision.config import round_config
from supervision.model import Rectification, Round, VisitRecord
from supervision.plan import Assigned, PlanError, PlanSchool, plan_visits
from supervision.rectify import (
    RectificationError,
    accept,
    from_result,
    reject,
    revisit_due,
    status_name,
    submit,
)
from supervision.render import render_bulletin, render_report

CONFIG = round_config("liupu-supervision-2024")
SCHOOLS = [
    PlanSchool("荔浦市第二初级中学", "修仁镇"),
    PlanSchool("修仁镇中心小学", "修仁镇"),
    PlanSchool("东昌镇初级中学", "东昌镇"),
]
ASSIGNED = [
    Assigned("修仁镇", "钟星子", "leader"),
    Assigned("修仁镇", "唐承刚", "inspector"),
    Assigned("修仁镇", "黄宝连", "inspector"),
    Assigned("东昌镇", "蒙绪伟", "inspector"),
]


def test_cadences_are_data_with_their_sources() -> None:
    sources = {c.id: c.source for c in CONFIG.cadences}
    assert sources == {
        "office_term": "002 § 三(一)5",
        "leader_monthly": "002 § 三(一)3",
        "section_biweekly": "002 § 三(一)2",
        "township_biweekly": "002 § 三(一)4",
    }
    assert all(c.reading for c in CONFIG.cadences)


def test_the_plan_puts_each_cadence_on_the_calendar() -> None:
    start, end = date(2026, 3, 2), date(2026, 4, 30)  # Monday 2 March … 30 April
    plan = plan_visits(
        CONFIG, SCHOOLS, ASSIGNED, start, end, cadences=[c.id for c in CONFIG.cadences]
    )
    by: dict[tuple[str, str], list[date]] = {(v.cadence, v.school): [] for v in plan}
    for v in plan:
        by[(v.cadence, v.school)].append(v.due)
    # the office: once a term (spring from 3月1日) — one visit, due at the round's end
    assert by[("office_term", "东昌镇初级中学")] == [end]
    # the 挂点领导 monthly: March and April, by each month's last day
    assert by[("leader_monthly", "修仁镇中心小学")] == [date(2026, 3, 31), date(2026, 4, 30)]
    # every two weeks from the round's first week: Fridays 13 Mar, 27 Mar, 10 Apr, 24 Apr;
    # the round's last 4 days (27–30 April) are under the cadence's min_days (5): left out
    assert by[("section_biweekly", "荔浦市第二初级中学")] == [
        date(2026, 3, 13),
        date(2026, 3, 27),
        date(2026, 4, 10),
        date(2026, 4, 24),
    ]
    # a round starting on 30 November: no 挂点领导 visit for its one day of November
    late = plan_visits(
        CONFIG, SCHOOLS[:1], ASSIGNED, date(2026, 11, 30), date(2027, 1, 15), ["leader_monthly"]
    )
    assert [v.due for v in late] == [date(2026, 12, 31), date(2027, 1, 15)]
    office = {v.school: v for v in plan if v.cadence == "office_term"}
    # the inspector from the 挂点 table: 责任督学 of the township, shared out in turn (by name)
    assert office["修仁镇中心小学"].inspector == "唐承刚"
    assert office["荔浦市第二初级中学"].inspector == "黄宝连"
    assert office["东昌镇初级中学"].inspector == "蒙绪伟"
    leader = {v.school: v.inspector for v in plan if v.cadence == "leader_monthly"}
    assert leader["修仁镇中心小学"] == "钟星子" and leader["东昌镇初级中学"] is None
    township = [v for v in plan if v.cadence == "township_biweekly"]
    assert {v.actor for v in township} == {"修仁镇人民政府", "东昌镇人民政府"}
    # two schools a school day from the term's (round's) first day
    assert sorted(v.planned_on for v in office.values()) == [start, start, date(2026, 3, 3)]


def test_a_cadence_changed_in_the_data_changes_the_plan() -> None:
    weekly = CONFIG.cadence("section_biweekly").model_copy(update={"weeks": 1, "weekday": 3})
    one_a_day = CONFIG.cadence("office_term").model_copy(update={"per_day": 1})
    config = CONFIG.model_copy(update={"cadences": [weekly, one_a_day]})
    plan = plan_visits(
        config, SCHOOLS[:1], ASSIGNED, date(2026, 3, 2), date(2026, 3, 29), ["section_biweekly"]
    )
    assert [v.due for v in plan] == [date(2026, 3, d) for d in (4, 11, 18, 25)]  # Wednesdays
    plan = plan_visits(config, SCHOOLS, ASSIGNED, date(2026, 3, 2), date(2026, 3, 29))
    assert sorted(v.planned_on for v in plan) == [date(2026, 3, d) for d in (2, 3, 4)]
    with pytest.raises(PlanError):
        plan_visits(CONFIG, SCHOOLS, ASSIGNED, date(2026, 3, 2), date(2026, 3, 1))


@pytest.fixture(scope="module")
def audits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, AuditResult]:
    root = tmp_path_factory.mktemp("round")
    return {
        name: run_audit(build_package(name, root), "liupu-supervision-2024", period=PERIOD)
        for name in ("gaps", "compliant")
    }


VISITED = date(2026, 3, 10)


def test_rectifications_have_deadlines_by_severity(audits: dict[str, AuditResult]) -> None:
    result = audits["gaps"]
    rects = from_result(result, VISITED)
    failed = [
        it.id
        for it in result.items
        if it.level == "requirement" and it.status in ("fail", "partial")
    ]
    assert [r.item_id for r in rects] == failed and rects
    days = {"critical": 15, "major": 30, "minor": 60}  # the checklist's remediation_due_days
    for r in rects:
        assert (r.deadline - VISITED).days == days[r.severity]
        assert r.text and r.status == "open"
    assert from_result(audits["compliant"], VISITED) == []


def test_a_revisit_falls_due_after_the_deadline_and_closing_needs_evidence() -> None:
    rect = Rectification(item_id="1.2", text="制定工作方案", deadline=date(2026, 4, 9))
    assert revisit_due(rect, CONFIG) == date(2026, 4, 10)
    assert status_name(rect, date(2026, 4, 9), CONFIG) == "待整改"
    assert status_name(rect, date(2026, 4, 10), CONFIG) == "逾期未整改"
    with pytest.raises(RectificationError, match="还没有上传整改材料"):
        accept(rect, "唐承刚", date(2026, 4, 1), CONFIG)
    sent = submit(rect, "工作方案.docx")
    assert sent.status == "submitted" and status_name(sent, date(2026, 4, 1), CONFIG) == "待验收"
    assert reject(sent).status == "open"
    done = accept(sent, "唐承刚", date(2026, 4, 12), CONFIG)
    assert done.status == "closed" and done.accepted_by == "唐承刚"
    assert revisit_due(done, CONFIG) is None
    assert status_name(done, date(2026, 5, 1), CONFIG) == "已整改"


def _round(audits: dict[str, AuditResult]) -> Round:
    gaps = audits["gaps"]
    reviewed = rescore(audits["compliant"], {"1.2": "fail"}, "黄宝连", "工作方案未盖章")
    visits = [
        VisitRecord(
            school="荔浦市第二初级中学",
            township="修仁镇",
            inspector="唐承刚",
            visited_on=VISITED,
            result=gaps,
            notes={"2": "点名实到38人，学籍40人。"},
            observations=["学生韦堃（身份证号450331201203150013）当天未到校。"],
            rectifications=from_result(gaps, VISITED),
        ),
        VisitRecord(
            school="修仁镇中心小学",
            township="修仁镇",
            inspector="黄宝连",
            visited_on=date(2026, 4, 2),
            result=reviewed,
            rectifications=from_result(reviewed, date(2026, 4, 2)),
        ),
        VisitRecord(
            school="东昌镇初级中学",
            township="东昌镇",
            inspector="蒙绪伟",
            visited_on=date(2026, 3, 12),
            result=audits["compliant"],
        ),
    ]
    return Round(
        name="2026年春季学期控辍保学专项督导",
        checklist="liupu-supervision-2024",
        profile_id="liupu-2026",
        start=date(2026, 3, 2),
        end=date(2026, 6, 30),
        issued=date(2026, 4, 20),
        visits=visits,
    )


def test_the_bulletin_ranks_counts_and_names_the_gates(audits: dict[str, AuditResult]) -> None:
    rnd = _round(audits)
    b = build_bulletin(rnd, CONFIG, date(2026, 4, 20))
    assert [line.school for line in b.lines] == [
        "东昌镇初级中学",  # 100
        "修仁镇中心小学",  # compliant, 1.2 failed on review
        "荔浦市第二初级中学",  # gaps
    ]
    assert [line.rank for line in b.lines] == [1, 2, 3]
    assert b.lines[1].level == rnd.visits[1].result.verdict.final.level  # type: ignore[union-attr]
    assert b.lines[2].level == "不合格" and b.lines[2].gates
    # 1.2 failed at two schools: the most common problem, with both schools
    top = b.failed[0]
    assert top.item_id == "1.2" and top.schools == ["荔浦市第二初级中学", "修仁镇中心小学"]
    assert len(b.failed) <= CONFIG.bulletin.most_failed.value
    assert [s for s, _ in b.gates] == ["荔浦市第二初级中学"]
    severities = [r.severity for r in rnd.visits[0].rectifications]
    # on 20 April the gaps school's critical (15 days from 10 March: 25 March) and major (30
    # days: 9 April) ones are overdue; its minor ones (60 days: 9 May) and 修仁镇中心小学's
    # 1.2 (major, from 2 April: 2 May) are still open
    assert b.rect_counts["逾期未整改"] == sum(s != "minor" for s in severities) > 0
    assert b.rect_counts["待整改"] == severities.count("minor") + 1
    towns = {t.township: t for t in b.townships}  # 002 § 四(四): townships and schools
    assert towns["修仁镇"].schools == 2 and towns["东昌镇"].schools == 1
    assert towns["东昌镇"].average == 100.0 and towns["修仁镇"].gates == 1
    xiuren = [line.percent for line in b.lines if line.township == "修仁镇"]
    assert towns["修仁镇"].average == round(sum(p or 0 for p in xiuren) / 2, 1)
    march = build_bulletin(rnd, CONFIG, date(2026, 4, 20), month="2026-03")
    assert {line.school for line in march.lines} == {"荔浦市第二初级中学", "东昌镇初级中学"}
    assert march.title == "关于2026年3月控辍保学工作督导情况的通报"


def test_reports_and_bulletin_print_in_the_official_layout(
    audits: dict[str, AuditResult], tmp_path: Path
) -> None:
    rnd = _round(audits)
    visit = rnd.visits[0]
    checklist = Checklist.model_validate(visit.result.checklist.effective)  # type: ignore[union-attr]
    files = render_report(visit, checklist, CONFIG, date(2026, 4, 20))
    text = pdf_text(files["pdf"])
    assert "荔浦市第二初级中学" in text and "专项督导报告" in text
    assert "一票否决" in text and "整改意见" in text and "荔浦市控辍保学督导工作情况表" in text
    assert "点名实到38人" in text  # the inspector's record in the 督导工作情况表
    assert "450331201203150013" not in text and "450331********0013" in text
    doc = Document(io.BytesIO(files["docx"]))
    body = "\n".join(p.text for p in doc.paragraphs) + "".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )
    assert "专项督导报告" in body and "450331201203150013" not in body
    assert doc.sections[0].top_margin.mm == pytest.approx(37, abs=0.5)  # GB/T 9704
    b = build_bulletin(rnd, CONFIG, date(2026, 4, 20))
    out = render_bulletin(b, CONFIG, date(2026, 4, 20), "荔教保督〔2026〕1号")
    text = pdf_text(out["pdf"])
    for expected in (
        "通报",
        "排名",
        "东昌镇初级中学",
        "一票否决项",
        "整改情况",
        "荔教保督〔2026〕1号",
    ):
        assert expected in text, expected
    assert "专责小组" in text  # the issuer from the round's data
