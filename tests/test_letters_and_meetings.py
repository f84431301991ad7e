"""Responsibility letters (four pairings + bureau↔school), the 双线四包 table, the meeting pack."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pdfplumber
import pytest

from conftest import docx_text, pdf_text, squash
from forms.documents.sign_in_sheet import rows_per_page
from forms.errors import RecordError
from forms.profiles import get_profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record

Sample = Callable[[str, str], dict[str, Any]]


def render(
    form_id: str, data: dict[str, Any], pid: str, formats: tuple[str, ...] = ("pdf",)
) -> dict[str, bytes]:
    kind = get_form(form_id)
    return render_record(kind, validate_record(kind, data), get_profile(pid), formats)


def text_of(form_id: str, data: dict[str, Any], pid: str) -> str:
    return squash(pdf_text(render(form_id, data, pid)["pdf"]))


@pytest.mark.parametrize(
    ("pairing", "party_a", "party_b", "title", "a_side", "duty"),
    [
        (
            "town_village",
            None,
            "蛟潭镇某村村民委员会",
            "蛟潭镇控辍保学目标责任书",
            "甲方（镇政府）：蛟潭镇人民政府",
            "于9月20日前完成《蛟潭镇适龄儿童少年底数台账》",
        ),
        (
            "town_school",
            None,
            "浮梁县蛟潭第二中学",
            "蛟潭镇控辍保学目标责任书",
            "甲方（镇政府）：蛟潭镇人民政府",
            "开学后10日内完成《蛟潭镇在校生辍学风险台账》",
        ),
        (
            "school_teacher",
            "浮梁县蛟潭第二中学",
            "朱建华",
            "校内控辍保学责任书",
            "甲方（学校）：浮梁县蛟潭第二中学",
            "当日电话联系监护人",
        ),
        (
            "village_grid",
            "蛟潭镇某村村民委员会",
            "李平",
            "辖区控辍保学责任书",
            "甲方（村（场社区））：蛟潭镇某村村民委员会",
            "入户核查辍学原因",
        ),
    ],
)
def test_the_four_pairings_of_jiaotan(
    sample: Sample,
    pairing: str,
    party_a: str | None,
    party_b: str,
    title: str,
    a_side: str,
    duty: str,
) -> None:
    data = sample("responsibility_letter", "jiaotan-2025")
    data.update(pairing=pairing, party_b=party_b, party_a=party_a)
    files = render("responsibility_letter", data, "jiaotan-2025", ("pdf", "docx"))
    text = squash(pdf_text(files["pdf"]))
    assert text.startswith(f"编号：蛟控辍〔2025〕第05号{title}")
    assert a_side in text and f"：{party_b}" in text
    assert "一、工作目标辍学率为0；劝返率100%；义务教育巩固率达100%。" in text
    assert duty in text
    assert "004 §" not in text  # the seed citations stay in the profile
    assert "甲方（盖章）" in text and "负责人（签字）" in text
    assert squash(docx_text(files["docx"])) == text


def test_a_pairing_the_profile_lacks_is_refused(sample: Sample) -> None:
    data = sample("responsibility_letter", "jiaotan-2025")
    data["pairing"] = "bureau_school"
    with pytest.raises(RecordError) as info:
        text_of("responsibility_letter", data, "jiaotan-2025")
    assert "签订双方：本辖区没有“bureau_school”这种责任书" in str(info.value)


def test_school_teacher_letter_needs_the_school_named(sample: Sample) -> None:
    data = sample("responsibility_letter", "jiaotan-2025")
    data.update(pairing="school_teacher", party_b="朱建华")
    with pytest.raises(RecordError, match="甲方：必须填写"):
        text_of("responsibility_letter", data, "jiaotan-2025")


@pytest.mark.parametrize(
    ("pid", "party_a", "targets"),
    [
        ("liupu-2026", "荔浦市教育局", "辍学人数为0，失学辍学从动态清零向常态清零转变。"),
        (
            "xiuyan-2024",
            "岫岩满族自治县教育局",
            "适龄儿童入学率达到100%；残疾儿童少年入学率达到95%以上；九年义务教育巩固率达到98%以上。",
        ),
    ],
)
def test_bureau_school_letter_with_the_profile_targets(
    sample: Sample, pid: str, party_a: str, targets: str
) -> None:
    text = text_of("responsibility_letter", sample("responsibility_letter", pid), pid)
    assert f"甲方（教育局）：{party_a}" in text
    assert "一、工作目标" + targets in text


def test_xixiangtang_signs_no_letter() -> None:
    from forms.profiles import ProfileError

    with pytest.raises(ProfileError, match="没有规定签订目标责任书"):
        get_profile("xixiangtang-2020").document("responsibility_letter")


# -- 双线四包 ------------------------------------------------------------------------------------
def test_matrix_groups_rows_by_level(sample: Sample) -> None:
    data = sample("responsibility_matrix", "liupu-2026")
    data["rows"].reverse()  # order comes from the profile, not from the record
    text = text_of("responsibility_matrix", data, "liupu-2026")
    levels = ["教育局领导包学校", "校领导包年级", "班主任包班级", "科任教师包学生"]
    positions = [text.index(level) for level in levels]
    assert positions == sorted(positions)
    assert (
        "“双线四包”教育线责任——教育局领导包学校、校领导包年级、班主任包班级、科任教师包学生" in text
    )


def test_xiuyan_levels_read_its_own_words(sample: Sample) -> None:
    text = text_of(
        "responsibility_matrix", sample("responsibility_matrix", "xiuyan-2024"), "xiuyan-2024"
    )
    assert "局领导、科室包乡镇学校钟星子" in text and "科任教师包人" in text


def test_matrix_needs_every_level(sample: Sample) -> None:
    data = sample("responsibility_matrix", "liupu-2026")
    data["rows"] = [r for r in data["rows"] if r["level"] != "班主任"]
    with pytest.raises(RecordError) as info:
        text_of("responsibility_matrix", data, "liupu-2026")
    assert "包保责任：缺少“班主任”一级的包保人" in str(info.value) and "000 § 四(二)1" in str(
        info.value
    )


def test_matrix_unknown_level(sample: Sample) -> None:
    data = sample("responsibility_matrix", "liupu-2026")
    data["rows"][0]["level"] = "村干部"
    with pytest.raises(
        RecordError, match="包保责任 › 第1项 › 包保层级：“村干部”不是双线四包的层级"
    ):
        text_of("responsibility_matrix", data, "liupu-2026")


def test_matrix_accepts_aliases(sample: Sample) -> None:
    data = sample("responsibility_matrix", "liupu-2026")
    data["rows"][0]["level"] = "局领导"
    data["rows"][1]["level"] = "校长"
    assert "教育局领导包学校钟星子" in text_of("responsibility_matrix", data, "liupu-2026")


# -- meeting pack ----------------------------------------------------------------------------
def _sign_rows(pdf: bytes) -> int:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return sum(len(t.rows) - 1 for page in doc.pages for t in page.find_tables())


def test_sign_in_sheet_fills_the_page_with_blank_rows(sample: Sample) -> None:
    files = render(
        "sign_in_sheet", sample("sign_in_sheet", "liupu-2026"), "liupu-2026", ("pdf", "docx")
    )
    assert _sign_rows(files["pdf"]) == rows_per_page()
    with pdfplumber.open(io.BytesIO(files["pdf"])) as doc:
        assert len(doc.pages) == 1
    text = squash(pdf_text(files["pdf"]))
    assert "1黄志明校长2韦海燕副校长" in text and f"{rows_per_page()}" in text
    assert squash(docx_text(files["docx"])) == text


def test_a_long_invitation_list_runs_on(sample: Sample) -> None:
    data = sample("sign_in_sheet", "liupu-2026")
    data["invitees"] = [{"name": f"教师{chr(0x4E00 + i)}", "unit": "班主任"} for i in range(30)]
    files = render("sign_in_sheet", data, "liupu-2026")
    assert _sign_rows(files["pdf"]) == 33  # every invitee plus 3 blank rows, over two pages


def test_minutes_count_who_came(sample: Sample) -> None:
    text = text_of("meeting_minutes", sample("meeting_minutes", "jiaotan-2025"), "jiaotan-2025")
    assert "应到5人，实到4人" in text
    assert "春季学期控辍保学工作会议记录" in text
    assert "召开控辍保学调度会" in text  # the profile's basis for the meeting


@pytest.mark.parametrize(
    ("form_id", "change", "message"),
    [
        ("meeting_minutes", {"expected": 3}, "出席4人，多于应到人数3人"),
        ("meeting_minutes", {"end_time": "14:00"}, "结束时间14:00不晚于开始时间15:00"),
        (
            "meeting_notice",
            {"issue_date": "2026-03-06"},
            "发文日期2026年3月6日晚于会议日期2026年3月5日",
        ),
        ("meeting_notice", {"agenda": []}, "会议议程：至少需要1项"),
        ("sign_in_sheet", {"place": ""}, "会议地点：不能为空"),
    ],
)
def test_meeting_pack_errors(
    sample: Sample, form_id: str, change: dict[str, Any], message: str
) -> None:
    data = sample(form_id, "liupu-2026")
    data.update(change)
    with pytest.raises(RecordError) as info:
        validate_record(get_form(form_id), data)
    assert message in str(info.value)
