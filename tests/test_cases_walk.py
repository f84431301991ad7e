"""One case per profile walked through its whole ladder to 销号 from the shipped samples,
each step's document generated from the case and read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from cases.demo import load_sample, sample_paths, walk_sample
from cases.store import CaseStore
from conftest import pdf_text, squash
from forms.identity import read_identity

SAMPLES = {p.stem: p for p in sample_paths()}


def _walk(profile_id: str, tmp_path: Path) -> tuple[CaseStore, object]:
    store = CaseStore(tmp_path / "store")
    return store, walk_sample(load_sample(SAMPLES[profile_id]), store)


def _pdf(case: object, step: int) -> str:
    doc = next(d for d in case.documents if d.step == step)  # type: ignore[attr-defined]
    return squash(pdf_text(Path(next(f for f in doc.files if f.endswith(".pdf"))).read_bytes()))


def test_a_sample_for_each_profile_with_a_ladder() -> None:
    assert set(SAMPLES) == {"jiaotan-2025", "liupu-2026", "xiuyan-2024", "xixiangtang-2020"}


def test_jiaotan_walk_to_return(tmp_path: Path) -> None:
    store, walk = _walk("jiaotan-2025", tmp_path)
    case = walk.case  # type: ignore[attr-defined]
    assert case.status == "closed" and case.close_reason == "复学"
    assert case.closed_on.isoformat() == "2026-03-12"
    assert [e.step for e in case.events] == [1, 2, 3, 4, 5, None]
    assert case.kind == "辍学"
    assert sorted(d.step for d in case.documents) == [2, 3, 4, 5]
    visit = _pdf(case, 2)
    assert "汪志强" in visit and "2026年3月4日" in visit and "程丽" in visit
    joint = _pdf(case, 3)
    assert "联合劝返记录" in joint and "村（居）委会" in joint
    report = _pdf(case, 4)
    assert "义务教育阶段学生辍学情况报告单" in report and "蛟潭镇人民政府" in report
    assert "2026年3月2日" in report and "5个上学日" in report
    # the visits so far, in the report's 劝返经过
    assert "2026年3月4日" in report and "2026年3月5日" in report and "入户家访（劝返）" in report
    notice = _pdf(case, 5)
    # the deadline notice cites the report's number and date; return by issue + 3 days
    assert "蛟府限返〔2026〕第001号" in notice and "蛟潭二中报〔2026〕第001号" in notice
    assert "2026年3月6日" in notice and "2026年3月12日前" in notice
    # documents carry their identity and both formats exist
    files = next(d for d in case.documents if d.step == 5).files
    assert {Path(f).suffix for f in files} == {".pdf", ".docx"}
    ident = read_identity(Path(files[0]).read_bytes())
    assert ident is not None and ident["form_id"] == "deadline_notice"
    docx = Document(next(f for f in files if f.endswith(".docx")))
    assert any("汪志强" in p.text for p in docx.paragraphs)
    # every change is in the log, in order
    actions = [e.action for e in store.log(case.id)]
    assert actions[0] == "open" and actions[-1] == "close" and actions.count("document") == 4


def test_liupu_walk_the_report_cites_the_notice(tmp_path: Path) -> None:
    _, walk = _walk("liupu-2026", tmp_path)
    case = walk.case  # type: ignore[attr-defined]
    assert case.status == "closed" and case.kind == "辍学"
    assert sorted(d.step for d in case.documents) == [1, 2, 3]
    notice = _pdf(case, 2)
    assert "劝返复学通知书" in notice and "韦堃" in notice and "2026年3月20日前" in notice
    report = _pdf(case, 3)
    assert "荔浦二中劝返〔2026〕第001号" in report  # the notice number the report cites
    assert "2026年3月13日" in report and "修仁镇人民政府" in report and "荔浦市教育局" in report
    assert "2026年3月6日" in report  # the home visit, in 劝返经过


def test_xiuyan_walk(tmp_path: Path) -> None:
    _, walk = _walk("xiuyan-2024", tmp_path)
    case = walk.case  # type: ignore[attr-defined]
    assert case.status == "closed" and case.closed_on.isoformat() == "2026-03-16"
    notice = _pdf(case, 1)
    assert "义务教育劝学通知书" in notice and "关小雪" in notice and "2026年3月11日前" in notice
    report = _pdf(case, 2)
    assert "义务教育辍学报告书" in report and "岫岩某中劝学〔2026〕第001号" in report
    assert "2026年3月11日" in report


@pytest.mark.parametrize("profile_id", sorted(SAMPLES))
def test_the_due_list_along_the_walk_names_each_step_on_its_day(
    profile_id: str, tmp_path: Path
) -> None:
    _, walk = _walk(profile_id, tmp_path)
    lines = walk.due_lines  # type: ignore[attr-defined]
    # whatever was recorded was on the due list that day, and nothing was overdue
    assert lines and not any("逾期" in line for line in lines)


def test_xixiangtang_walk_reports_to_the_district_and_the_town(tmp_path: Path) -> None:
    """001 § 三(二): a student not back is reported to 城区教育局 and the town, then the working
    group persuades; the case walks to 销号 with that seed's own steps."""
    _store, walk = _walk("xixiangtang-2020", tmp_path)
    case = walk.case  # type: ignore[attr-defined]
    assert case.status == "closed" and case.close_reason == "复学"
    steps = {e.step: e.kind for e in case.events if e.step}
    assert steps == {1: "report_sent", 2: "home_visit", 3: "joint_visit"}
    assert case.kind == "疑似辍学"  # the seed does not call a pupil reported a dropout
    assert "报告城区教育局和各镇政府" in "".join(walk.due_lines)  # type: ignore[attr-defined]


def test_xixiangtang_monthly_report_never_says_zero_while_a_case_is_open(tmp_path: Path) -> None:
    from datetime import date

    from cases.report import monthly_report, write_monthly
    from forms.profiles import get_profile

    _store, walk = _walk("xixiangtang-2020", tmp_path)
    profile = get_profile("xixiangtang-2020")
    zero = str(profile.document("monthly_report").extra["zero_wording"].value)
    assert "清零" in zero
    case = walk.case  # type: ignore[attr-defined]
    still_open = case.model_copy(
        update={
            "status": "open",
            "closed_on": None,
            "close_reason": None,
            "events": case.events[:-1],
        }
    )
    for cases, month in (([still_open], "2020-03"), ([still_open], "2020-04")):
        report = monthly_report(cases, case.school, month, profile, issue_date=date(2020, 4, 30))
        assert report.open_suspected == 1 and report.rows
        written = write_monthly(report, profile, tmp_path / month)
        pdf = next(p for p in written if p.suffix == ".pdf")
        text = squash(pdf_text(pdf.read_bytes()))
        assert "清零" not in text and "黄晓峰" in text
    closed = monthly_report([case], case.school, "2020-04", profile, issue_date=date(2020, 4, 30))
    assert not closed.rows  # the month after 销号 prints the zero wording
    pdf = next(p for p in write_monthly(closed, profile, tmp_path / "closed") if p.suffix == ".pdf")
    assert "清零" in squash(pdf_text(pdf.read_bytes()))
