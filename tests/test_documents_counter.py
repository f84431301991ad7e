"""Documents as the law and the counter need them (issue 23 § 5), each field read back from
the rendered PDF (pdfplumber) and DOCX (python-docx)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
import yaml
from docx import Document

from conftest import docx_text, pdf_text, squash
from forms.documents.meeting_common import SIBLING_FIELDS, Meeting
from forms.errors import RecordError
from forms.paths import SAMPLES_DIR
from forms.profiles import get_profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record

Sample = Callable[[str, str], dict[str, Any]]


def render(form_id: str, data: dict[str, Any], profile_id: str) -> dict[str, bytes]:
    kind = get_form(form_id)
    return render_record(
        kind, validate_record(kind, data), get_profile(profile_id), ("pdf", "docx")
    )


def both(files: dict[str, bytes]) -> tuple[str, str]:
    """(PDF text, DOCX text), whitespace removed; every assertion holds for both."""
    return squash(pdf_text(files["pdf"])), squash(docx_text(files["docx"]))


def pdf_pages(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [squash(page.extract_text() or "") for page in pdf.pages]


def pdf_lines(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [line["text"] for page in pdf.pages for line in page.extract_text_lines()]


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LAW_58_SCHOOL = "逾期不送的，依照《义务教育法》第五十八条予以批评教育、责令限期改正。"


# ---------------------------------------------------------------- return notice


@pytest.mark.parametrize(
    ("profile_id", "deadline", "name"),
    [("liupu-2026", "2026年3月20日", "韦堃"), ("xiuyan-2024", "2026年3月23日", "关䶮喆")],
)
def test_return_notice_cites_the_sanction_beside_the_duty(
    sample: Sample, profile_id: str, deadline: str, name: str
) -> None:
    files = render("return_notice", sample("return_notice", profile_id), profile_id)
    duty = (
        "依据《中华人民共和国义务教育法》第五条和《中华人民共和国未成年人保护法》第十六条，"
        f"现对你（们）进行批评教育，并责令于{deadline}前送{name}到校复学。"
    )
    for text in both(files):
        assert duty + LAW_58_SCHOOL in text  # the sanction follows the duty it backs
        assert f"□将于{deadline}前送{name}到校复学□不能按期复学，原因：" in text  # 回执 asks
    assert len(pdf_pages(files["pdf"])) == 1  # notice and tear-off 回执 on one sheet


def test_return_notice_prints_the_student_number_and_the_phone_as_written(
    sample: Sample,
) -> None:
    data = sample("return_notice", "liupu-2026")
    assert data["school"]["phone"] == "0773-7212345"
    for text in both(render("return_notice", data, "liupu-2026")):
        assert "学籍号G450331201203150013" in text
        assert "联系电话：0773-7212345" in text
    del data["student"]["student_number"]
    for text in both(render("return_notice", data, "liupu-2026")):
        assert "学籍号" not in text


def test_the_sanction_is_profile_wording_with_its_source() -> None:
    for profile_id, form_id in (
        ("liupu-2026", "return_notice"),
        ("xiuyan-2024", "return_notice"),
        ("jiaotan-2025", "deadline_notice"),
    ):
        sanction = get_profile(profile_id).document(form_id).sanction
        assert sanction is not None and "第五十八条" in sanction.value
        assert sanction.source == "《中华人民共和国义务教育法》第五十八条"
        assert sanction.reading and "责令限期改正" in sanction.reading  # the article's text


# ---------------------------------------------------------------- deadline notice


def test_deadline_notice_sanction_receipt_and_proof_of_service(sample: Sample) -> None:
    data = sample("deadline_notice", "jiaotan-2025")
    data["student"]["student_number"] = "G360222201205210231"
    data["guardian"]["address"] = "蛟潭镇某村5组"
    files = render("deadline_notice", data, "jiaotan-2025")
    for text in both(files):
        assert (
            "应当依法保证适龄子女按时入学接受并完成义务教育。你（们）无正当理由未送子女返校，"
            "依照该法第五十八条，现予批评教育，并责令于2026年3月12日前送汪志强"
        ) in text
        assert "学籍号G360222201205210231" in text
        assert "□将于2026年3月12日前送汪志强返校就读□不能按期返校，原因：" in text
        for field in (
            "送达回证",
            "送达机关蛟潭镇人民政府",
            "送达文书名称及文号《限期返校通知书》（蛟府限返〔2026〕第001号）",
            "受送达人汪德胜（学生汪志强的父亲）",
            "送达地点蛟潭镇某村5组",
            "送达人（签名）",
            "送达日期",
            "受送达人签收或手印",
            "签收日期",
            "拒收时见证人签名",
            "见证人（签名）",
        ):
            assert field in text, field
    first, second = pdf_pages(files["pdf"])
    assert "回执" in first and "送达回证" not in first  # the notice and its 回执: one sheet
    assert second.startswith("送达回证")  # the proof of service: a sheet of its own
    children = list(Document(io.BytesIO(files["docx"])).element.body)
    index = next(
        i
        for i, el in enumerate(children)
        if "".join(t.text or "" for t in el.iter(f"{W}t")) == "送达回证"
    )
    assert any(  # in the DOCX too the 送达回证 starts a new page
        br.get(f"{W}type") == "page"
        for el in children[index - 2 : index]
        for br in el.iter(f"{W}br")
    )


# ---------------------------------------------------------------- dropout report


def test_report_prints_whereabouts_household_and_every_participant(sample: Sample) -> None:
    data = sample("dropout_report", "jiaotan-2025")
    data["student"]["student_number"] = "G360222201205210231"
    files = render("dropout_report", data, "jiaotan-2025")
    for text in both(files):
        assert "户类别□脱贫户■低保户□残疾人家庭□一般户" in text
        assert "汪海（村（居）委会，村书记）、程小红（村（居）委会，网格员），入户核查原因" in text
        assert "法律依据《中华人民共和国义务教育法》第五、十三、五十八条" in text
        assert "学籍号G360222201205210231" in text
        assert "联系电话：0798-2612345" in text
        assert "至报告之日已5个上学日；原因：厌学，沉迷网络游戏；去向：在家。" in text
    assert len(pdf_pages(files["pdf"])) == 1


def test_report_names_the_recorder_beside_the_participants(sample: Sample) -> None:
    data = sample("dropout_report", "liupu-2026")
    data["attempts"][1]["who"] = "政教处黄主任"  # led by someone not among the participants
    for text in both(render("dropout_report", data, "liupu-2026")):
        assert (
            "政教处黄主任、莫丽（班主任）、黄志明（政教处主任）、韦忠（村（居）委会，村主任）"
            in text
        )


def test_report_household_blank_to_tick_and_refused_outside_the_list(sample: Sample) -> None:
    data = sample("dropout_report", "xiuyan-2024")
    del data["household"], data["whereabouts"]
    for text in both(render("dropout_report", data, "xiuyan-2024")):
        assert "户类别□建档立卡户□低保户□残疾人家庭□一般户" in text and "■" not in text
        assert "原因：随家长外出；去向：＿＿＿＿＿＿。" in text  # left to write by hand
    data["household"] = "贫困户"
    with pytest.raises(RecordError) as info:
        render("dropout_report", data, "xiuyan-2024")
    assert (
        "户类别：“贫困户”不是本辖区的户类别（可填：建档立卡户、低保户、残疾人家庭、一般户；003 § 二）"
        in str(info.value)
    )


def test_a_case_report_lists_everyone_who_went(tmp_path: Path) -> None:
    from cases_helpers import new_case, step

    from cases.documents import generate

    case = new_case("jiaotan-2025")
    case = step(case, "phone_call", date(2026, 3, 2), who="朱老师")
    case = step(
        case, "home_visit", date(2026, 3, 4), who="朱老师",
        participants=[{"name": "朱建华", "body": "学校", "role": "班主任"},
                      {"name": "程丽", "body": "学校", "role": "德育处"}],
    )  # fmt: skip
    case = step(
        case, "joint_visit", date(2026, 3, 5), who="汪海",
        participants=[{"name": "汪海", "body": "村委会", "role": "村书记"},
                      {"name": "程小红", "body": "网格员", "role": "网格员"},
                      {"name": "朱建华", "body": "学校", "role": "班主任"}],
    )  # fmt: skip
    case = step(case, "report_sent", date(2026, 3, 6), who="学校", number="蛟潭二中报〔2026〕第1号")
    case, doc = generate(case, 4, get_profile("jiaotan-2025"), tmp_path, date(2026, 3, 6))
    files = {Path(f).suffix.lstrip("."): Path(f).read_bytes() for f in doc.files}
    for text in both(files):
        assert "朱老师、朱建华（班主任）、程丽（德育处），入户家访（劝返）" in text
        assert (
            "汪海（村（居）委会，村书记）、程小红（村（居）委会，网格员）、朱建华（班主任）" in text
        )


# ---------------------------------------------------------------- meetings


def meeting() -> dict[str, Any]:
    data = yaml.safe_load((SAMPLES_DIR / "meeting.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_one_meeting_record_makes_notice_sign_in_sheet_and_minutes() -> None:
    record = meeting()
    notice = both(render("meeting_notice", record, "liupu-2026"))
    sheet = both(render("sign_in_sheet", record, "liupu-2026"))
    minutes = both(render("meeting_minutes", record, "liupu-2026"))
    for text in notice:
        assert "关于召开春季学期控辍保学工作会议的通知" in text
        assert "定于2026年3月5日15:00在学校会议室召开春季学期控辍保学工作会议" in text
        assert "联系人：黄老师联系电话：0773-7312345" in text
        assert "会议记录" not in text and "签名" not in text
    for text in sheet:
        assert "春季学期控辍保学工作会议签到表" in text
        assert "序号姓名单位及职务电话签名" in text
        assert "3莫丽九（1）班班主任138-0077-11114李强九（2）班班主任13800772222" in text
        assert "某镇初级中学应到5人实到4人缺席1人" in text
    for text in minutes:
        assert "春季学期控辍保学工作会议记录" in text and "会议会议" not in text
        assert "应到5人，实到4人，缺席1人" in text
        assert "出席人员黄志明、韦海燕、莫丽、李强" in text and "缺席人员陈平（外出培训）" in text


def test_the_sample_files_are_that_one_record() -> None:
    for name in ("meeting_notice", "sign_in_sheet", "meeting_minutes"):
        assert (SAMPLES_DIR / f"{name}.yaml").resolve() == (SAMPLES_DIR / "meeting.yaml").resolve()


def test_sibling_fields_are_exactly_the_documents_own() -> None:
    own: set[str] = set()
    for form_id in ("meeting_notice", "sign_in_sheet", "meeting_minutes"):
        own |= set(get_form(form_id).model.model_fields) - set(Meeting.model_fields)
    assert own == SIBLING_FIELDS


def test_a_key_no_meeting_document_knows_is_still_refused() -> None:
    record = {**meeting(), "attendess": "拼错的键"}
    for form_id in ("meeting_notice", "sign_in_sheet", "meeting_minutes"):
        with pytest.raises(RecordError, match="attendess：不认识的字段"):
            validate_record(get_form(form_id), record)


def test_sign_in_sheet_before_the_meeting_leaves_the_counts_to_fill() -> None:
    record = meeting()
    del record["present"], record["expected"]
    for text in both(render("sign_in_sheet", record, "liupu-2026")):
        assert "应到4人实到＿＿人缺席＿＿人" in text  # 应到 from the invitation list


def test_minutes_count_the_absent_from_the_invitation_list() -> None:
    record = meeting()
    del record["expected"], record["absent"]
    record["present"] = ["黄志明", "莫丽", "李强"]
    for text in both(render("meeting_minutes", record, "liupu-2026")):
        assert "应到4人，实到3人，缺席1人" in text and "缺席人员韦海燕" in text


def test_minutes_written_alone_still_name_who_came_as_attendees() -> None:
    record = {k: v for k, v in meeting().items() if k not in ("present", "attendees")}
    record["attendees"] = ["黄志明", "韦海燕"]
    minutes = validate_record(get_form("meeting_minutes"), record)
    assert minutes.present == ["黄志明", "韦海燕"]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- leave form


def test_leave_form_home_visit_date_on_one_line_with_the_year(sample: Sample) -> None:
    files = render("leave_approval", sample("leave_approval", "liupu-2026"), "liupu-2026")
    lines = [squash(line) for line in pdf_lines(files["pdf"])]
    # a line of its own, whole, with room to write the year (blank, not ＿: a scan reads it)
    assert "核实日期：年月日" in lines
    assert "核实教师（签字）：＿＿＿＿＿监护人（签字）：＿＿＿＿＿" in lines
    assert "核实日期：年月日" in both(files)[1]
    raw = next(line for line in pdf_lines(files["pdf"]) if "核实日期" in line)
    assert raw.replace(" ", "").replace("\u3000", "") == "核实日期：年月日"
