"""Issue 20 §1–2: every record-like piece is read, explained or unread — and a verdict the unread
part could flip is left to a person, never failed or passed.

Each test writes a small package with one piece the readers cannot make a record of (a garbled
date, a second visit told in the same sentence, a name on no roster, a record in a file of no
known kind, an archive that cannot be opened) and checks both the account and the verdict; the
same package without the piece shows what the verdict would otherwise have been.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fixtures.packages.docs import docx, xlsx

from audit.report.model import AuditResult, ItemResult
from audit.run import run_audit

PERIOD = (date(2025, 9, 1), date(2026, 7, 15))
CHECKLIST = "liupu-supervision-2024"
BREACH = ("fail", "partial")  # a student's breach is graded by the share met
TEACHING_MONTHS = [(2025, m) for m in (9, 10, 11, 12)] + [(2026, m) for m in (1, 3, 4, 5, 6, 7)]


def _audit(tmp_path: Path, files: dict[str, bytes]) -> AuditResult:
    root = tmp_path / "pkg"
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return run_audit(root, CHECKLIST, period=PERIOD)


def _item(result: AuditResult, item: str) -> ItemResult:
    return next(i for i in result.items if i.id == item)


def _subject(result: AuditResult, item: str, student: str) -> str:
    return next(s.status for s in _item(result, item).subjects if s.student == student)


def _sessions(skip: date | None = None) -> list[list[object]]:
    """Two visits of 3 × 40 min in each teaching month (6th and 20th; July 2nd and 9th)."""
    rows: list[list[object]] = []
    for year, month in TEACHING_MONTHS:
        for day in (2, 9) if month == 7 else (6, 20):
            when = date(year, month, day)
            if when != skip:
                rows.append([when.isoformat(), "9:00-11:00", 3, 40, "李春梅", "生活语文"])
    return rows


HEAD = ["送教日期", "送教时间", "课时数", "每课时时长（分钟）", "送教教师", "送教内容"]
ROSTER = [["姓名", "性别", "残疾类别", "送教教师"], ["李小华", "女", "智力", "李春梅"]]


def _home_teaching(rows: list[list[object]]) -> dict[str, bytes]:
    return {
        "四、送教上门/送教上门学生花名册.xlsx": xlsx({"Sheet1": ROSTER}),
        "四、送教上门/残疾儿童花名册.xlsx": xlsx({"Sheet1": ROSTER}),
        "四、送教上门/李小华/送教记录.xlsx": xlsx({"送教记录": [HEAD, *rows]}),
    }


def test_garbled_date_leaves_the_student_to_a_person_never_a_fail(tmp_path: Path) -> None:
    short = date(2025, 10, 20)
    garbled = ["2025.1O.20", "9:00-11:00", 3, 40, "李春梅", "生活语文"]  # a letter O for a zero
    result = _audit(tmp_path, _home_teaching([*_sessions(skip=short), garbled]))
    for item in ("4.4", "4.5", "4.6", "4.7"):
        assert _subject(result, item, "李小华") == "not_reviewed", item
    grid = _item(result, "4.4")
    assert grid.status == "not_reviewed"
    (finding,) = [f for f in grid.findings if "未能识别" in f.message]
    assert finding.pending and "2025.1O.20" in finding.message
    assert any("2025.1O.20" in p.reason for p in grid.to_review)
    (record,) = [f for f in result.package.files if f.path.endswith("送教记录.xlsx")]
    assert record.account is not None
    assert (record.account.records, record.account.unread) == (19, 1)


def test_without_the_garbled_row_the_short_month_fails(tmp_path: Path) -> None:
    """The control: the same package without the unread row fails October — so the row is
    what made the verdict wait for a person."""
    result = _audit(tmp_path, _home_teaching(_sessions(skip=date(2025, 10, 20))))
    assert _subject(result, "4.4", "李小华") in BREACH
    assert _subject(result, "4.5", "李小华") == "pass"


def test_unread_piece_that_cannot_flip_the_verdict_leaves_it_standing(tmp_path: Path) -> None:
    """A dated unread piece in a month that has its two visits already cannot change 4.4."""
    stray = ["2025.1O.21", "", "", "", "李春梅", "补记"]
    result = _audit(tmp_path, _home_teaching([*_sessions(), stray]))
    assert _subject(result, "4.4", "李小华") == "pass"
    # … but a visit of unknown date might be a short one: 4.5 and 4.6 wait for a person
    assert _subject(result, "4.5", "李小华") == "not_reviewed"


SUSPENSION_ROSTER = [["姓名", "休学日期"], ["罗志豪", "2025-10-20"]]


def _visits(text: str) -> dict[str, bytes]:
    after = [
        ["劝返日期", "参加人员", "劝返情况"],
        *[
            [d, "班主任赵文斌、镇政府干部张建军", "家长表示暂不返校"]
            for d in ("2025-11-18", "2026-01-09", "2026-03-20", "2026-05-22", "2026-07-08")
        ],
    ]
    return {
        "三、政策性休学/政策性休学学生名册.xlsx": xlsx({"Sheet1": SUSPENSION_ROSTER}),
        "三、政策性休学/罗志豪/联合劝访记录.docx": docx(
            [
                "罗志豪联合劝访记录",
                "2025年9月10日，班主任赵文斌、镇政府干部张建军、村委会主任赵德明到罗志豪家中劝返。",
                text,
            ]
        ),
        "三、政策性休学/罗志豪/休学后劝返记录.xlsx": xlsx({"Sheet1": after}),
    }


def test_second_visit_told_in_the_same_sentence_is_unread_not_ignored(tmp_path: Path) -> None:
    """“10月11日……劝返，10月15日再次……” tells two visits; the second is not read as one, so
    the student's 3.3 (two joint visits read of three) waits for a person instead of failing."""
    text = (
        "2025年10月11日，班主任赵文斌、司法所所长卢志刚、村委会主任赵德明到罗志豪家中劝返，"
        "10月15日班主任与镇干部再次上门。"
    )
    result = _audit(tmp_path, _visits(text))
    assert _subject(result, "3.3", "罗志豪") == "not_reviewed"
    assert _subject(result, "3.4", "罗志豪") == "pass"  # nothing unread after the suspension


def test_without_the_second_date_too_few_joint_visits_fail(tmp_path: Path) -> None:
    text = "2025年10月11日，班主任赵文斌、司法所所长卢志刚、村委会主任赵德明到罗志豪家中劝返。"
    result = _audit(tmp_path, _visits(text))
    assert _subject(result, "3.3", "罗志豪") in BREACH


def test_a_date_the_sentence_explains_is_no_record(tmp_path: Path) -> None:
    """“家长承诺10月20日前送孩子返校”: a promise, not a visit — the verdict stands."""
    text = "2025年10月11日，班主任赵文斌、司法所所长卢志刚到罗志豪家中劝返，家长承诺10月25日前送孩子返校。"
    result = _audit(tmp_path, _visits(text))
    assert _subject(result, "3.3", "罗志豪") in BREACH
    (joint,) = [f for f in result.package.files if f.path.endswith("联合劝访记录.docx")]
    assert joint.account is not None and joint.account.unread == 0


def test_a_name_on_no_roster_is_any_listed_students_record(tmp_path: Path) -> None:
    """One shared table for two students; a row names 李小花 (the roster has 李小华): it is not
    a record of a child nobody listed, and 李小华's month waits for a person."""
    roster = [*ROSTER, ["莫小芳", "女", "肢体", "王海"]]
    rows = [[*r[:1], "李小华", *r[1:]] for r in _sessions(skip=date(2025, 10, 20))]
    rows += [[*r[:1], "莫小芳", *r[1:]] for r in _sessions()]
    rows.append(["2025-10-20", "李小花", "9:00-11:00", 3, 40, "李春梅", "生活语文"])
    head = [HEAD[0], "学生姓名", *HEAD[1:]]
    result = _audit(
        tmp_path,
        {
            "四、送教上门/送教上门学生花名册.xlsx": xlsx({"Sheet1": roster}),
            "四、送教上门/残疾儿童花名册.xlsx": xlsx({"Sheet1": roster}),
            "四、送教上门/送教记录汇总.xlsx": xlsx({"Sheet1": [head, *rows]}),
        },
    )
    subjects = {s.student: s.status for s in _item(result, "4.4").subjects}
    assert subjects == {"李小华": "not_reviewed", "莫小芳": "pass"}
    assert "李小花" not in {s.student for i in result.items for s in i.subjects}


def test_a_record_in_a_file_of_no_known_kind_is_accounted(tmp_path: Path) -> None:
    """A 工作日志 the audit cannot classify tells a 送教 visit: it is unread content, so the
    month it might fill waits for a person."""
    files = _home_teaching(_sessions(skip=date(2025, 10, 20)))
    files["工作日志.docx"] = docx(
        ["2025年10月20日，李春梅老师到李小华家中送教三课时，每课时40分钟。"]
    )
    result = _audit(tmp_path, files)
    assert _subject(result, "4.4", "李小华") == "not_reviewed"
    (log,) = [f for f in result.package.files if f.path == "工作日志.docx"]
    assert log.kind == "unknown" and log.account is not None and log.account.unread == 1


def test_garbled_leave_row_leaves_a_passing_leave_check_to_a_person(tmp_path: Path) -> None:
    head = ["序号", "姓名", "请假时间", "天数", "审批人"]
    rows = [[1, "王小明", "2025-10-09", 1, "班主任"], [2, "李思远", "2025-11-03", 2, "政教处"]]
    files = {
        "二、防辍学/学生请假制度.docx": docx(["学生请假制度", "一、学生请假须由家长申请。"]),
        "二、防辍学/请假登记表.xlsx": xlsx({"Sheet1": [head, *rows]}),
    }
    assert _item(_audit(tmp_path / "a", files), "2.4").status == "pass"
    rows.append([3, "张雨涵", "2025年十二月", 4, ""])
    files["二、防辍学/请假登记表.xlsx"] = xlsx({"Sheet1": [head, *rows]})
    assert _item(_audit(tmp_path / "b", files), "2.4").status == "not_reviewed"


def test_unreadable_archive_never_makes_an_item_not_applicable(tmp_path: Path) -> None:
    """A nested archive the reader cannot open may hold the suspension folder: item 3 is not
    “视为本校无政策性休学”."""
    files = _home_teaching(_sessions())
    files["政策性休学情况说明.docx"] = docx(
        ["情况说明", "本学年（2025-2026学年）我校无政策性休学学生。"]
    )
    assert _item(_audit(tmp_path / "a", files), "3.1").status == "not_applicable"
    files["三、政策性休学.rar"] = b"Rar!\x1a\x07\x00" + bytes(64)
    result = _audit(tmp_path / "b", files)
    assert _item(result, "3.1").status in ("error", "not_reviewed")
    assert _item(result, "3").status != "not_applicable"


def test_many_sessions_every_piece_accounted(tmp_path: Path) -> None:
    """On a package read in full, every record file says so: N records, nothing unread."""
    result = _audit(tmp_path, _home_teaching(_sessions()))
    (record,) = [f for f in result.package.files if f.path.endswith("送教记录.xlsx")]
    assert record.account is not None
    assert (record.account.records, record.account.unread) == (20, 0)
    assert _subject(result, "4.4", "李小华") == "pass"


def test_every_report_lists_the_unread_content_and_the_count(tmp_path: Path) -> None:
    """JSON, HTML, PDF, DOCX and XLSX show “识别 19 条记录，未识别 1 处” and the piece itself."""
    import io

    import openpyxl

    from audit.report import load_result, render_report
    from conftest import docx_text, pdf_text, squash

    garbled = ["2025.1O.20", "9:00-11:00", 3, 40, "李春梅", "生活语文"]
    result = _audit(tmp_path, _home_teaching([*_sessions(skip=date(2025, 10, 20)), garbled]))
    line = "识别19条记录，未识别1处"
    back = load_result(render_report(result, "json"))
    (record,) = [f for f in back.package.files if f.unread]
    assert (
        record.unread[0].snippet.startswith("2025.1O.20") and record.unread[0].row == 21
    )  # header, 19 visits, then it
    assert line in squash(render_report(result, "html").decode("utf-8"))
    document = squash(docx_text(render_report(result, "docx")))
    assert line in document and "2025.1O.20" in document
    printed = squash(pdf_text(render_report(result, "pdf")))  # table cells wrap: pieces of it
    assert "未能识别的内容" in printed and "2025.1O.20" in printed and "未识别1处" in printed
    book = openpyxl.load_workbook(io.BytesIO(render_report(result, "xlsx")))
    cells = [str(c) for row in book["未能识别的内容"].iter_rows(values_only=True) for c in row]
    assert any("2025.1O.20" in c for c in cells) and any(c.replace(" ", "") == line for c in cells)


def test_a_filled_form_without_its_date_is_unread_a_blank_one_is_nothing(tmp_path: Path) -> None:
    """送教日期 left empty on a form whose other boxes are filled: a record no fact came from.
    The printed blank form beside it (nothing filled) is no record at all."""
    from fixtures.packages.docs import Grid

    filled = Grid(
        [
            ["学生姓名", "李小华", "送教日期", ""],
            ["送教时间", "9:00-11:00", "课时数", "3"],
            ["送教教师", "李春梅", "送教内容", "生活语文"],
        ]
    )
    blank = Grid([["学生姓名", "", "送教日期", ""], ["送教时间", "", "课时数", ""]])
    files = _home_teaching(_sessions(skip=date(2025, 10, 20)))
    files["四、送教上门/李小华/补充送教记录.docx"] = docx(["送教上门记录表", filled])
    files["四、送教上门/李小华/空白送教记录表.docx"] = docx(["送教上门记录表", blank])
    result = _audit(tmp_path, files)
    accounts = {f.path.rsplit("/", 1)[-1]: f.account for f in result.package.files}
    assert accounts["补充送教记录.docx"] is not None
    assert accounts["补充送教记录.docx"].unread == 1
    assert accounts["空白送教记录表.docx"] is None or accounts["空白送教记录表.docx"].unread == 0
    assert _subject(result, "4.4", "李小华") == "not_reviewed"
