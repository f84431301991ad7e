"""Home visits (joint when ≥2 bodies), special-circumstance application, policy suspension."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from conftest import pdf_text, squash
from forms.errors import RecordError
from forms.profiles import get_profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record
from forms.suspension import Cadence, default_schedule, followup_problems, joint_count, semesters

Sample = Callable[[str, str], dict[str, Any]]


def text_of(form_id: str, data: dict[str, Any], pid: str) -> str:
    kind = get_form(form_id)
    record = validate_record(kind, data)
    return squash(pdf_text(render_record(kind, record, get_profile(pid), ("pdf",))["pdf"]))


# -- home visit record -------------------------------------------------------------------
SCHOOL_ONLY = [
    {"name": "朱建华", "body": "学校", "role": "班主任"},
    {"name": "程丽", "body": "学校", "role": "德育处主任"},
]


@pytest.mark.parametrize(
    ("participants", "kind", "title", "joint"),
    [
        (SCHOOL_ONLY, "家访", "家访记录", False),
        (SCHOOL_ONLY, "劝返", "劝返记录", False),
        (
            [*SCHOOL_ONLY, {"name": "汪明", "body": "村委会", "role": "村书记"}],
            "劝返",
            "联合劝访记录",
            True,
        ),
        ([SCHOOL_ONLY[0], {"name": "李平", "body": "司法所"}], "家访", "联合劝访记录", True),
    ],
)
def test_a_visit_is_joint_from_two_bodies(
    sample: Sample, participants: list[dict[str, str]], kind: str, title: str, joint: bool
) -> None:
    data = sample("home_visit_record", "liupu-2026")
    data.update(participants=participants, purpose_kind=kind)
    text = text_of("home_visit_record", data, "liupu-2026")
    assert text.split("学生姓名")[0].endswith(title)
    assert ("属联合劝访" in text) is joint
    bodies = len({p["body"] for p in participants})
    assert f"共{bodies}类单位" in text


def test_jiaotan_titles_its_joint_visit_its_own_way(sample: Sample) -> None:
    text = text_of("home_visit_record", sample("home_visit_record", "jiaotan-2025"), "jiaotan-2025")
    assert "联合劝返记录" in text
    assert "学校、乡镇人民政府、村（居）委会、司法所，共4类单位，属联合劝访" in text
    assert "某镇人民政府（乡镇人民政府）" in text


def test_unknown_body_is_refused_in_chinese(sample: Sample) -> None:
    data = sample("home_visit_record", "liupu-2026")
    data["participants"][0]["body"] = "居委"
    with pytest.raises(RecordError) as info:
        validate_record(get_form("home_visit_record"), data)
    assert "参加人员 › 第1项 › 单位类别：“居委”不是可识别的单位类别" in str(info.value)


# -- special-circumstance application ------------------------------------------------------
@pytest.mark.parametrize(
    ("pid", "recipient", "filing"),
    [
        ("liupu-2026", "某镇人民政府：", "已报荔浦市教育局基教股备案。"),
        ("xiuyan-2024", "某镇人民政府：", "已报岫岩满族自治县教育局普教科备案。"),
    ],
)
def test_application_to_the_township_filed_with_the_bureau(
    sample: Sample, pid: str, recipient: str, filing: str
) -> None:
    text = text_of(
        "special_circumstance_application", sample("special_circumstance_application", pid), pid
    )
    assert recipient in text and filing in text
    assert "因疾病：患急性淋巴细胞白血病" in text
    assert "现申请休学，期限自2026年3月2日至2027年2月28日" in text
    assert "证明材料1．某市人民医院诊断证明书；2．住院病历复印件" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attachments": []}, "证明材料：至少需要1项"),
        ({"request": "退学"}, "申请事项：应为以下之一"),
        ({"period_end": "2026-03-01"}, "截止日期2026年3月1日应晚于起始日期2026年3月2日"),
    ],
)
def test_application_errors(sample: Sample, change: dict[str, Any], message: str) -> None:
    data = sample("special_circumstance_application", "liupu-2026")
    data.update(change)
    with pytest.raises(RecordError) as info:
        validate_record(get_form("special_circumstance_application"), data)
    assert message in str(info.value)


# -- policy suspension -----------------------------------------------------------------------
def test_joint_count_needs_two_distinct_bodies() -> None:
    assert joint_count([["school", "school"], ["school", "village"], ["justice"]], 2) == 1


@pytest.mark.parametrize(("keep", "ok"), [(2, False), (3, True)])
def test_determination_needs_three_joint_visits(sample: Sample, keep: int, ok: bool) -> None:
    data = sample("suspension_determination", "liupu-2026")
    data["visits"] = data["visits"][:keep]
    if ok:
        assert "联合劝访3次（须3次以上" in text_of("suspension_determination", data, "liupu-2026")
        return
    with pytest.raises(RecordError) as info:
        text_of("suspension_determination", data, "liupu-2026")
    assert "联合劝访情况：联合劝访只有2次" in str(info.value)
    assert "002 附件1 三" in str(info.value)


def test_a_one_body_visit_is_not_joint(sample: Sample) -> None:
    data = sample("suspension_determination", "liupu-2026")
    data["visits"][2]["units"] = ["学校"]
    with pytest.raises(RecordError, match="联合劝访只有2次"):
        text_of("suspension_determination", data, "liupu-2026")


def test_a_court_ruling_stands_in_for_the_visits(sample: Sample) -> None:
    data = sample("suspension_determination", "liupu-2026")
    data["visits"] = []
    data["court_ruling"] = "（2026）桂0331民初123号"
    text = text_of("suspension_determination", data, "liupu-2026")
    assert "联合劝访0次" in text and "司法部门判决裁定：（2026）桂0331民初123号" in text
    assert "市级乡村工作领导小组" in text


def test_plan_is_drawn_up_to_meet_the_cadence(sample: Sample) -> None:
    text = text_of("individual_plan", sample("individual_plan", "liupu-2026"), "liupu-2026")
    assert (
        "2026年6月6日、2026年8月6日、2026年10月6日、2026年12月6日、2027年2月6日、2027年4月6日，共6次（按休学期间自动排定）"
        in text
    )
    assert "每3个月至少1次，每学期至少2次，每年至少4次" in text


def test_a_plan_with_a_gap_is_refused(sample: Sample) -> None:
    data = sample("individual_plan", "liupu-2026")
    data["planned"] = ["2026-06-01", "2026-08-01", "2026-12-01", "2027-02-01", "2027-04-01"]
    with pytest.raises(RecordError) as info:
        text_of("individual_plan", data, "liupu-2026")
    message = str(info.value)
    assert "劝返计划日期：劝返计划不满足要求：2026年8月6日至2026年11月5日没有劝返" in message


def test_a_plan_date_outside_the_period_is_refused(sample: Sample) -> None:
    data = sample("individual_plan", "liupu-2026")
    data["planned"] = ["2026-04-01"]
    with pytest.raises(RecordError, match="2026年4月1日不在休学期间内"):
        text_of("individual_plan", data, "liupu-2026")


CADENCE = Cadence(3, 2, 4)


def test_semesters_are_whole_ones() -> None:
    assert [s[0] for s in semesters(date(2026, 3, 1), date(2027, 8, 31))] == [
        "2026年春季学期",
        "2026年秋季学期",
        "2027年春季学期",
    ]
    assert semesters(date(2026, 3, 2), date(2026, 8, 31)) == []


@pytest.mark.parametrize(("visits", "ok"), [(3, False), (4, True)])
def test_four_a_year(visits: int, ok: bool) -> None:
    start, end = date(2026, 9, 1), date(2027, 8, 31)
    # one visit in each quarter, plus one more for the fourth; semesters need two each
    days = [date(2026, 10, 1), date(2027, 1, 10), date(2027, 4, 1), date(2027, 7, 1)][:visits]
    problems = followup_problems(days, start, end, CADENCE)
    assert any("每年至少4次" in p for p in problems) is not ok


def test_two_a_semester() -> None:
    start, end = date(2026, 9, 1), date(2027, 2, 28)
    assert any(
        "每学期至少2次" in p
        for p in followup_problems([date(2026, 10, 1), date(2027, 1, 1)][:1], start, end, CADENCE)
    )
    assert not followup_problems([date(2026, 10, 1), date(2027, 1, 1)], start, end, CADENCE)


def test_default_schedule_always_meets_the_cadence() -> None:
    for start in (date(2026, 1, 31), date(2026, 3, 2), date(2026, 9, 1)):
        end = date(start.year + 1, start.month, 1)
        plan = default_schedule(start, end, CADENCE)
        assert plan and not followup_problems(plan, start, end, CADENCE)
