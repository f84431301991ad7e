"""Classification: kind and a Chinese reason from name, title, table header, folder; sections."""

from __future__ import annotations

import pytest
from fixtures.packages.docs import Grid, docx, jpeg, pdf

from audit.classify import by_title, classify, split_sections
from audit.readers import read_bytes


@pytest.mark.parametrize(
    ("path", "kind", "reason"),
    [
        ("一、部署/2025年秋季学期控辍保学工作会议签到表.docx", "sign_in_sheet", "文件名含“签到”"),
        ("一、部署/关于召开控辍保学工作会议的通知.docx", "meeting_notice", "文件名含“召开…通知”"),
        ("家访工作方案.docx", "home_visit_plan", "文件名含“家访工作方案”"),
        ("XX中学控辍保学工作方案.docx", "work_plan", "文件名含“控辍保学工作方案”"),
        ("送教上门学生花名册.docx", "home_teaching_roster", "文件名含“送教上门学生花名册”"),
        ("花名册.docx", "on_roll_list", "文件名含“花名册”"),
        ("三、政策性休学/张三/张三一生一案表.docx", "individual_plan", "文件名含“一生一案”"),
    ],
)
def test_by_file_name(path: str, kind: str, reason: str) -> None:
    found = classify(path, read_bytes(path, docx(["内容"])))
    assert (found.kind, found.reason) == (kind, reason)


def test_by_title_when_the_name_says_nothing() -> None:
    data = docx(["送教上门记录表", "2026年3月5日"])
    found = classify("四、送教上门/张三/张三.docx", read_bytes("张三.docx", data))
    assert found.kind == "home_teaching_record"
    assert found.reason == "标题“送教上门记录表”含“送教上门记录”"


def test_by_table_header() -> None:
    data = docx([Grid([["序号", "姓名", "请假天数", "审批人"], ["1", "张三", "2", "德育处"]])])
    found = classify("新建文档.docx", read_bytes("新建文档.docx", data))
    assert found.kind == "leave_record" and found.reason == "表头含“请假、天数”"


def test_by_folder_last_and_unknown_with_reason() -> None:
    found = classify("四、送教上门/李四/扫描1.docx", read_bytes("x.docx", docx(["第一页"])))
    assert found.kind == "home_teaching_record" and "所在文件夹“四、送教上门”" in found.reason
    nothing = classify("其他/新建文档.docx", read_bytes("x.docx", docx(["你好"])))
    assert nothing.kind == "unknown" and "未含可识别的关键词" in nothing.reason


def test_photos_by_context() -> None:
    photo = read_bytes("IMG_1.jpg", jpeg("2025:09:05 10:00:00"))
    meeting = classify("一、部署/工作会议/IMG_1.jpg", photo)
    assert meeting.kind == "meeting_photo" and "会议" in meeting.reason
    other = classify("四、送教上门/张三/IMG_1.jpg", photo)
    assert other.kind == "photo" and "四、送教上门/张三" in other.reason


def test_compiled_pdf_split_into_sections_per_page() -> None:
    parts: list[object] = []
    for day in ("2025年10月8日", "2025年11月5日", "2025年12月18日"):
        if parts:
            parts.append("<分页>")
        parts += ["联合劝访记录表", [["学生姓名", "张三"], ["劝访时间", day]]]
    result = read_bytes("汇编.pdf", pdf("", parts))  # type: ignore[arg-type]
    sections = split_sections(result)
    assert [s.kind for s in sections] == ["visit_record"] * 3
    assert [s.pages for s in sections] == [[1], [2], [3]]


def test_compiled_docx_with_different_documents() -> None:
    data = docx(
        [
            "政策性休学认定表",
            Grid([["学生姓名", "张三"], ["认定意见", "同意"]]),
            "学校情况说明",
            "张三同学因病不能正常在校学习，学校联合镇村多次劝访，现申请办理政策性休学。",
        ]
    )
    sections = split_sections(read_bytes("张三休学材料.docx", data))
    assert [s.kind for s in sections] == ["suspension_determination", "school_statement"]
    assert sections[1].reason == "标题“学校情况说明”含“情况说明”"


def test_a_title_wrapped_over_two_lines_names_the_document() -> None:
    """“关于召开春季学期控辍保学工作会议的 / 通知” (a PDF wraps its title) was classified by its
    folder “……（通知、签到、记录、照片）” as a sign-in sheet."""
    found = by_title(["石门乡中学 关于召开春季学期控辍保学工作会议的", "通知", "各处室："])
    assert found is not None and found.kind == "meeting_notice"


def test_a_sentence_is_not_a_title() -> None:
    assert (
        by_title(["3.请假超过7天的，班主任须在请假期间到学生家中家访核实，并填写家访记录。"])
        is None
    )
