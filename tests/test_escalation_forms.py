"""Dropout report and deadline notice: the escalation rules of each profile at their edges."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import pdf_text, squash
from forms.errors import RecordError
from forms.profiles import get_profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record

Sample = Callable[[str, str], dict[str, Any]]
REPORT = get_form("dropout_report")
DEADLINE = get_form("deadline_notice")


def render_text(kind: Any, data: dict[str, Any], pid: str) -> str:
    record = validate_record(kind, data)
    return squash(pdf_text(render_record(kind, record, get_profile(pid), ("pdf",))["pdf"]))


# -- dropout report ------------------------------------------------------------------------
def test_liupu_report_goes_to_township_and_bureau(sample: Sample) -> None:
    text = render_text(REPORT, sample("dropout_report", "liupu-2026"), "liupu-2026")
    assert "学生辍学情况书面报告" in text
    assert "修仁镇人民政府、荔浦市教育局：" in text
    assert (
        "下达《劝返复学通知书》（编号：荔浦二中劝返〔2026〕第001号），责令于2026年3月20日前" in text
    )
    assert "请修仁镇人民政府和荔浦市教育局依法采取强制措施" in text
    for attempt in ("2026年3月2日", "班主任莫老师，电话联系监护人；结果：答应劝说。"):
        assert attempt in text


def test_xiuyan_and_jiaotan_titles_and_recipients(sample: Sample) -> None:
    xiuyan = render_text(REPORT, sample("dropout_report", "xiuyan-2024"), "xiuyan-2024")
    assert "义务教育辍学报告书" in xiuyan and "岫岩镇人民政府、岫岩满族自治县教育局：" in xiuyan
    jiaotan = render_text(REPORT, sample("dropout_report", "jiaotan-2025"), "jiaotan-2025")
    assert "义务教育阶段学生辍学情况报告单" in jiaotan
    assert "蛟潭镇人民政府：" in jiaotan and "教育局：" not in jiaotan
    assert "至报告之日已5个上学日" in jiaotan


@pytest.mark.parametrize(("report_date", "ok"), [("2026-03-19", False), ("2026-03-20", True)])
def test_liupu_report_only_after_the_notice_period(
    sample: Sample, report_date: str, ok: bool
) -> None:
    data = sample("dropout_report", "liupu-2026")  # notice issued 2026-03-13, 7 days
    data["issue_date"] = report_date
    if ok:
        assert "2026年3月20日" in render_text(REPORT, data, "liupu-2026")
        return
    with pytest.raises(RecordError) as info:
        render_text(REPORT, data, "liupu-2026")
    assert "报告日期：报告日期2026年3月19日早于通知书规定的复学期限2026年3月20日" in str(info.value)
    assert "000 § 四(一)3" in str(info.value)


def test_liupu_report_needs_the_notice(sample: Sample) -> None:
    data = sample("dropout_report", "liupu-2026")
    del data["notice"]
    with pytest.raises(RecordError, match="劝返复学通知书：必须填写"):
        render_text(REPORT, data, "liupu-2026")


def test_jiaotan_has_no_return_notice_to_cite(sample: Sample) -> None:
    data = sample("dropout_report", "jiaotan-2025")
    data["notice"] = {"number": "x", "date": "2026-03-03"}
    with pytest.raises(RecordError, match="本辖区没有劝返复学通知书"):
        render_text(REPORT, data, "jiaotan-2025")


@pytest.mark.parametrize(
    ("report_date", "school_days", "ok"),
    [("2026-03-05", 4, False), ("2026-03-06", 5, True), ("2026-03-09", 6, True)],
)
def test_jiaotan_report_after_five_school_days(
    sample: Sample, report_date: str, school_days: int, ok: bool
) -> None:
    data = sample("dropout_report", "jiaotan-2025")  # absent from Monday 2026-03-02
    data["issue_date"] = report_date
    data["attempts"] = [a for a in data["attempts"] if str(a["date"]) <= report_date]
    if ok:
        assert f"至报告之日已{school_days}个上学日" in render_text(REPORT, data, "jiaotan-2025")
        return
    with pytest.raises(RecordError) as info:
        render_text(REPORT, data, "jiaotan-2025")
    message = str(info.value)
    assert "未到校起始日期：" in message and "只有4个上学日" in message
    assert "004 § 四(二)3" in message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attempts": []}, "劝返经过：至少需要1项"),
        ({"guardian_response": ""}, "监护人态度：不能为空"),
        ({"absence_start": "2026-03-30"}, "未到校起始日期2026年3月30日晚于报告日期"),
    ],
)
def test_invalid_reports_say_which_field(
    sample: Sample, change: dict[str, Any], message: str
) -> None:
    data = sample("dropout_report", "liupu-2026")
    data.update(change)
    with pytest.raises(RecordError) as info:
        validate_record(REPORT, data)
    assert message in str(info.value)


def test_an_attempt_after_the_report_is_refused(sample: Sample) -> None:
    data = sample("dropout_report", "liupu-2026")
    data["attempts"][0]["date"] = "2026-04-01"
    with pytest.raises(RecordError, match="劝返经过第1项的日期2026年4月1日晚于报告日期"):
        validate_record(REPORT, data)


# -- deadline notice -------------------------------------------------------------------------
def test_deadline_notice_is_issued_by_the_town_with_three_days(sample: Sample) -> None:
    text = render_text(DEADLINE, sample("deadline_notice", "jiaotan-2025"), "jiaotan-2025")
    assert "限期返校通知书" in text
    assert "于2026年3月12日前送汪志强到浮梁县蛟潭第二中学返校就读" in text  # 3月9日 + 3
    assert "蛟潭镇人民政府（盖章）" in text
    assert "由蛟潭镇司法所协助开展义务教育法宣传教育" in text
    assert "回执" in text


@pytest.mark.parametrize(("issue_date", "ok"), [("2026-03-09", True), ("2026-03-10", False)])
def test_deadline_notice_within_three_days_of_the_report(
    sample: Sample, issue_date: str, ok: bool
) -> None:
    data = sample("deadline_notice", "jiaotan-2025")  # report received 2026-03-06
    data["issue_date"] = issue_date
    if ok:
        render_text(DEADLINE, data, "jiaotan-2025")
        return
    with pytest.raises(RecordError) as info:
        render_text(DEADLINE, data, "jiaotan-2025")
    assert "发文日期：发文日期2026年3月10日超过收到报告单后3日（应不晚于2026年3月9日" in str(
        info.value
    )


def test_deadline_notice_before_the_report_is_refused(sample: Sample) -> None:
    data = sample("deadline_notice", "jiaotan-2025")
    data["issue_date"] = "2026-03-05"
    with pytest.raises(RecordError, match="收到报告单日期2026年3月6日晚于发文日期2026年3月5日"):
        validate_record(DEADLINE, data)


@pytest.mark.parametrize("pid", ["liupu-2026", "xiuyan-2024", "xixiangtang-2020"])
def test_other_profiles_have_no_deadline_notice(pid: str) -> None:
    from forms.profiles import ProfileError

    with pytest.raises(ProfileError, match="限期返校通知书"):
        get_profile(pid).document("deadline_notice")


def test_cli_exit_1_names_the_field_for_a_profile_rule(
    cli: Callable[..., Any], sample: Sample, tmp_path: Any
) -> None:
    import yaml

    data = sample("deadline_notice", "jiaotan-2025")
    data["issue_date"] = "2026-03-10"
    record = tmp_path / "r.yaml"
    record.write_text(
        yaml.safe_dump(data, allow_unicode=True, default_flow_style=False), encoding="utf-8"
    )
    out = tmp_path / "n.pdf"
    result = cli("render", "deadline_notice", record, "--profile", "jiaotan-2025", "-o", out)
    assert result.exit_code == 1
    assert "发文日期：发文日期2026年3月10日超过收到报告单后3日" in result.output
    assert not out.exists()
