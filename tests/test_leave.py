"""Leave approval: days, approver tier and home visit derived from the dates (000 § 四(二)3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from conftest import pdf_text, squash
from forms.errors import RecordError
from forms.leave import decide, leave_days, tier_for
from forms.profiles import get_profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record

POLICY = get_profile("liupu-2026").leave_approval
assert POLICY is not None
KIND = get_form("leave_approval")
MONDAY = date(2026, 4, 6)


def span(days: float) -> tuple[date, date, bool]:
    """start, end and end_half for a leave of `days` calendar days starting on a Monday."""
    whole = int(days + 0.5)
    return MONDAY, MONDAY + timedelta(days=whole - 1), not float(days).is_integer()


@pytest.mark.parametrize(
    ("days", "approver", "home_visit"),
    [
        (0.5, "班主任", False),
        (1, "班主任", False),
        (1.5, "政教处（德育处）", False),
        (2, "政教处（德育处）", False),
        (2.5, "校长", False),
        (3, "校长", False),
        (7, "校长", False),
        (7.5, "校长", True),
        (8, "校长", True),
    ],
)
def test_approver_and_home_visit_at_the_boundaries(
    days: float, approver: str, home_visit: bool
) -> None:
    start, end, end_half = span(days)
    if days == 0.5:
        start, end, end_half = MONDAY, MONDAY, True
        decision = decide(start, end, True, False, POLICY)
    else:
        decision = decide(start, end, False, end_half, POLICY)
    assert decision.days == days
    assert decision.approver == approver
    assert decision.home_visit is home_visit
    assert decision.chain[-1] == approver


def test_half_day_reading_is_a_parameter() -> None:
    tiers = POLICY.tiers.value
    assert tier_for(1.5, tiers, "ceil").approver == "政教处（德育处）"
    assert tier_for(1.5, tiers, "floor").approver == "班主任"
    assert tier_for(2.5, tiers, "floor").approver == "政教处（德育处）"
    with pytest.raises(ValueError, match="不认识的半天处理方式"):
        tier_for(1, tiers, "round")


def test_day_count_calendar_or_weekdays() -> None:
    friday, monday = date(2026, 4, 10), date(2026, 4, 13)
    assert leave_days(friday, monday, count="calendar") == 4
    assert leave_days(friday, monday, count="weekdays") == 2
    assert leave_days(friday, monday, start_half=True, count="weekdays") == 1.5


def record(sample: Callable[[str, str], dict[str, Any]], **changes: Any) -> Any:
    data = sample("leave_approval", "liupu-2026")
    data.update(changes)
    return validate_record(KIND, data)


@pytest.mark.parametrize(
    ("start", "end", "changes", "expected", "visit"),
    [
        ("2026-04-08", "2026-04-08", {}, "请假1天，由班主任审批", False),
        (
            "2026-04-08",
            "2026-04-09",
            {"end_half": True},
            "请假1.5天，由政教处（德育处）审批",
            False,
        ),
        ("2026-04-08", "2026-04-09", {}, "请假2天，由政教处（德育处）审批", False),
        ("2026-04-08", "2026-04-10", {"start_half": True}, "请假2.5天，由校长审批", False),
        ("2026-04-08", "2026-04-10", {}, "请假3天，由校长审批", False),
        ("2026-04-08", "2026-04-14", {}, "请假7天，由校长审批", False),
        ("2026-04-08", "2026-04-15", {}, "请假8天，由校长审批；连续请假超过7天", True),
    ],
)
def test_the_printed_form_states_days_approver_and_visit_section(
    sample: Callable[[str, str], dict[str, Any]],
    start: str,
    end: str,
    changes: dict[str, Any],
    expected: str,
    visit: bool,
) -> None:
    rec = record(sample, start=start, end=end, **changes)
    text = squash(pdf_text(render_record(KIND, rec, get_profile("liupu-2026"), ("pdf",))["pdf"]))
    assert squash(expected) in text
    assert ("上门核实连续请假超过7天，教师上门核实情况" in text) is visit
    assert ("核实教师（签字）" in text) is visit
    assert "销假日期" in text


def test_half_days_show_in_the_period(sample: Callable[[str, str], dict[str, Any]]) -> None:
    rec = record(sample, start="2026-04-08", end="2026-04-09", start_half=True, end_half=True)
    text = squash(pdf_text(render_record(KIND, rec, get_profile("liupu-2026"), ("pdf",))["pdf"]))
    assert "自2026年4月8日下午至2026年4月9日上午，共1天" in text


@pytest.mark.parametrize(
    ("changes", "label", "message"),
    [
        (
            {"start": "2026-04-10", "end": "2026-04-08"},
            "",
            "请假结束日期2026年4月8日早于开始日期2026年4月10日",
        ),
        ({"start": "2026-04-31"}, "请假开始日期", "不是有效日期"),
        ({"kind": "旷课"}, "请假类别", "应为以下之一"),
        ({"reason": ""}, "请假事由", "不能为空"),
        ({"returned": "2026-04-01"}, "", "销假日期2026年4月1日早于请假开始日期"),
    ],
)
def test_invalid_records_name_the_field_in_chinese(
    sample: Callable[[str, str], dict[str, Any]], changes: dict[str, Any], label: str, message: str
) -> None:
    with pytest.raises(RecordError) as info:
        record(sample, **changes)
    text = str(info.value)
    assert message in text
    if label:
        assert f"{label}：" in text


def test_profiles_without_leave_tiers_refuse_the_form() -> None:
    from forms.profiles import ProfileError

    with pytest.raises(ProfileError, match="没有规定学生请假分级审批"):
        get_profile("jiaotan-2025").document("leave_approval")
