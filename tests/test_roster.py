"""Reading rosters as schools make them: title rows, merged two-row headers, encodings."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fixtures import rosters
from openpyxl import Workbook

from forms.roster import CellError, RosterError, cell_value, column_letter, read_roster
from forms.roster_columns import column_table, normalize_label


@pytest.fixture(scope="module")
def bad_rows(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("rosters") / "花名册.xlsx"
    return path, rosters.bad_rows_xlsx(path)


def test_xlsx_title_rows_and_merged_two_row_header(bad_rows: tuple[Path, dict[str, Any]]) -> None:
    path, expected = bad_rows
    roster = read_roster(path)
    assert roster.sheet == "花名册"
    assert roster.header_lines == (3, 4)
    by_letter = {c.letter: c for c in roster.columns}
    # The merged group cell decides whose 姓名 a column is.
    assert by_letter["B"].key == "student.name" and by_letter["B"].header == "学生信息/姓名"
    assert by_letter["H"].key == "guardian.name" and by_letter["H"].header == "监护人信息/姓名"
    assert by_letter["J"].key == "guardian.phone"
    # 未到校日期 is merged over both header rows.
    assert by_letter["L"].key == "absence_start" and by_letter["L"].header == "未到校日期"
    assert by_letter["A"].key is None  # 序号
    # Data rows keep the Excel row numbers; the footer (制表人) is not a student.
    assert [r.line for r in roster.rows[:8]] == expected["good"]
    assert len(roster.rows) == 8 + len(expected["bad"])
    assert [r.cells["student.name"] for r in roster.rows[:8]] == expected["names"]


def test_excel_date_cells_and_text_dates(bad_rows: tuple[Path, dict[str, Any]]) -> None:
    roster = read_roster(bad_rows[0])
    first = roster.rows[0].cells["absence_start"]
    assert isinstance(first, datetime)
    assert cell_value(first, "date") == date(2026, 3, 2)
    assert roster.rows[-1].cells["absence_start"] == "2026年3月4日"


def test_id_typed_as_number_is_reported_not_guessed(bad_rows: tuple[Path, dict[str, Any]]) -> None:
    roster = read_roster(bad_rows[0])
    raw = roster.rows[-1].cells["student.id_number"]
    assert isinstance(raw, float)
    with pytest.raises(CellError, match=r"存成了数字.*文本"):
        cell_value(raw, "text", "long_number")
    with pytest.raises(CellError, match="科学计数法"):
        cell_value("4.50331E+17", "text", "long_number")


def test_gbk_csv(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    names = rosters.gbk_csv(path)
    roster = read_roster(path)
    assert roster.encoding == "GBK/GB18030"
    assert [r.cells["student.name"] for r in roster.rows] == names
    assert roster.column("guardian.phone") is not None  # 手机
    assert roster.column("guardian.address") is not None  # 住址
    assert [r.line for r in roster.rows] == [2, 3, 4, 5, 6]


def test_utf8_csv_with_and_without_bom(tmp_path: Path) -> None:
    with_bom = tmp_path / "bom.csv"
    names = rosters.utf8_bom_csv(with_bom)
    plain = tmp_path / "plain.csv"
    plain.write_text(rosters.csv_text(5), encoding="utf-8")
    for path, encoding in ((with_bom, "UTF-8（带BOM）"), (plain, "UTF-8")):
        roster = read_roster(path)
        assert roster.encoding == encoding
        # The BOM must not stick to the first header (“\ufeff学生姓名”).
        assert roster.columns[0].key == "student.name"
        assert [r.cells["student.name"] for r in roster.rows] == names


def test_csv_with_quoted_newline_keeps_line_numbers(tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["姓名", "身份证号", "家庭住址"])
    writer.writerow(["韦堃", "450331201203150013", "修仁镇\n某村12号"])
    writer.writerow(["莫丽", "450331201203150021", "修仁镇"])
    path = tmp_path / "multi.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    roster = read_roster(path)
    assert [r.line for r in roster.rows] == [2, 4]


def test_csv_two_row_header_without_merges(tmp_path: Path) -> None:
    """Excel saves a merged group label only in its first cell."""
    text = (
        "学生花名册\n"
        "学生信息,,,监护人信息,\n"
        "姓名,身份证号,年级,姓名,电话\n"
        "韦堃,450331201203150013,八年级,韦建国,13800771234\n"
    )
    path = tmp_path / "two-row.csv"
    path.write_bytes(text.encode("gbk"))
    roster = read_roster(path)
    assert roster.header_lines == (2, 3)
    assert [c.key for c in roster.columns] == [
        "student.name",
        "student.id_number",
        "student.grade",
        "guardian.name",
        "guardian.phone",
    ]


def test_xuejixitong_export_headers(tmp_path: Path) -> None:
    """Column names of the national 学籍系统 export, and a repeated 姓名 without groups."""
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "姓名",
            "性别",
            "身份证件类型",
            "身份证件号",
            "全国学籍号",
            "民族",
            "年级",
            "班级",
            "家庭成员或监护人1姓名",
            "家庭成员或监护人1关系",
            "家庭成员或监护人1联系电话",
            "现住址",
        ]
    )
    ws.append(
        [
            "韦堃",
            "男",
            "居民身份证",
            "450331201203150013",
            "G450331201203150013",
            "壮族",
            "八年级",
            "3班",
            "韦建国",
            "父亲",
            "13800771234",
            "修仁镇某村",
        ]
    )
    path = tmp_path / "xueji.xlsx"
    wb.save(path)
    roster = read_roster(path)
    keys = [c.key for c in roster.columns]
    assert keys == [
        "student.name", "student.gender", None, "student.id_number", "student.student_number",
        "student.ethnicity", "student.grade", "student.class_name", "guardian.name",
        "guardian.relation", "guardian.phone", "guardian.address",
    ]  # fmt: skip

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "身份证号", "姓名", "联系电话", "籍贯"])
    ws.append([1, "韦堃", "450331201203150013", "韦建国", 13800771234, "广西"])
    path = tmp_path / "twice.xlsx"
    wb.save(path)
    roster = read_roster(path)
    assert [c.key for c in roster.columns][1:5] == [
        "student.name",
        "student.id_number",
        "guardian.name",
        "guardian.phone",
    ]
    assert roster.notes == ["未使用的列：籍贯"]
    assert (
        cell_value(roster.rows[0].cells["guardian.phone"], "text", "long_number") == "13800771234"
    )


def test_vertically_merged_class_cells_fill_down(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["班级", "姓名", "身份证号"])
    ws.append(["八(3)班", "韦堃", "450331201203150013"])
    ws.append([None, "莫丽", "450331201203150021"])
    ws.merge_cells("A2:A3")
    path = tmp_path / "merged-class.xlsx"
    wb.save(path)
    roster = read_roster(path)
    assert [r.cells["student.class_name"] for r in roster.rows] == ["八(3)班", "八(3)班"]


@pytest.mark.parametrize(
    ("build", "actual"),
    [
        (rosters.legacy_xls, None),
        (rosters.html_xls, "网页表格"),
        (rosters.spreadsheetml_xls, "XML 表格"),
        (rosters.tsv_xls, "文本"),
    ],
    ids=["biff8", "html-export", "xml-2003", "tab-separated"],
)
def test_xls_rosters_are_read_by_their_content(
    tmp_path: Path, build: Any, actual: str | None
) -> None:
    """学籍系统-style "xls" exports: real BIFF8, an HTML table, XML 2003 or tab-separated text."""
    path = tmp_path / "学生名单.xls"
    names = build(path, 4)
    roster = read_roster(path)
    assert [r.cells["student.name"] for r in roster.rows] == names
    assert [r.cells["guardian.name"] for r in roster.rows] == [
        rosters.person(i)["guardian"] for i in range(4)
    ]
    ids = [cell_value(r.cells["student.id_number"], "text", "long_number") for r in roster.rows]
    assert ids == [rosters.person(i)["id"] for i in range(4)]
    births = [cell_value(r.cells["student.birth_date"], "date") for r in roster.rows]
    assert [str(b)[:10] for b in births] == [str(rosters.person(i)["birth"]) for i in range(4)]
    if actual is None:
        assert not any("实际" in note for note in roster.notes)
        assert roster.header_lines == (2, 3)  # the merged group row and the labels
    else:
        assert any(actual in note and "已按实际格式读取" in note for note in roster.notes)


def test_a_renamed_xlsx_is_read_as_xlsx(tmp_path: Path) -> None:
    source = tmp_path / "plain.xlsx"
    names = rosters.plain_xlsx(source, 3)
    renamed = tmp_path / "plain.xls"
    renamed.write_bytes(source.read_bytes())
    roster = read_roster(renamed)
    assert [r.cells["student.name"] for r in roster.rows] == names
    assert any("Excel 工作簿（.xlsx）" in note for note in roster.notes)


def test_a_title_row_is_not_taken_for_a_group_row(tmp_path: Path) -> None:
    """A title in A1 above a one-row header: columns are named by the header alone
    (errors.csv says “身份证号码”, not “荔浦市…学生名单/身份证号码”)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["荔浦市第二初级中学控辍保学学生名单"])
    ws.append(["序号", "学生姓名", "身份证号码", "家长姓名", "家长联系电话"])
    ws.append([1, "韦堃", "450331201203150013", "韦建国", "13800771234"])
    path = tmp_path / "title.xlsx"
    wb.save(path)
    roster = read_roster(path)
    assert roster.header_lines == (2,)
    assert [c.header for c in roster.columns] == [
        "序号",
        "学生姓名",
        "身份证号码",
        "家长姓名",
        "家长联系电话",
    ]
    assert roster.rows[0].cells["guardian.name"] == "韦建国"


def test_unreadable_rosters_say_why(tmp_path: Path) -> None:
    no_header = tmp_path / "no-header.csv"
    no_header.write_text("甲,乙\n1,2\n", encoding="utf-8")
    with pytest.raises(RosterError, match="找不到表头"):
        read_roster(no_header)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)  # damaged, or an encrypted workbook
    with pytest.raises(RosterError, match=r"已损坏或加密.*另存为 \.xlsx"):
        read_roster(old)
    empty_page = tmp_path / "page.xls"
    empty_page.write_text(
        "<html><body><p>会话已过期，请重新登录</p></body></html>", encoding="utf-8"
    )
    with pytest.raises(RosterError, match="没有表格"):
        read_roster(empty_page)
    picture = tmp_path / "photo.xls"
    picture.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    with pytest.raises(RosterError, match="无法识别"):
        read_roster(picture)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(RosterError, match="无法作为 Excel 工作簿打开"):
        read_roster(broken)
    with pytest.raises(RosterError, match="找不到文件"):
        read_roster(tmp_path / "missing.csv")


def test_cell_values() -> None:
    assert cell_value(20120315, "date") == "20120315"  # typed as a number
    assert cell_value(45000, "date") == 45000  # an Excel serial, parsed by the model
    assert cell_value(3.0) == "3"
    assert cell_value("  ") is None
    assert cell_value(datetime(2026, 3, 2), "text") == "2026年3月2日"


def test_labels_are_normalised() -> None:
    assert normalize_label(" 出生日期\n（格式：2012-01-01） ") == "出生日期"
    assert normalize_label("*姓名") == "姓名"
    assert column_table().resolve("", normalize_label("村（社区）"), set()) == "student.village"
    assert column_table().resolve("", "身份证件号", set()) == "student.id_number"
    assert column_letter(0) == "A" and column_letter(26) == "AA"


def _sheet(path: Path, rows: list[list[Any]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_columns_found_by_their_values_when_their_headings_say_nothing(tmp_path: Path) -> None:
    """名字 | 证件 (headings no alias knows): a column of names is the student's name, a column
    of valid 身份证号 the ID number — found by their values (issue 20 §4)."""
    ids = [rosters.make_id(date(2013, 3, d), d) for d in (1, 2, 3)]
    path = _sheet(
        tmp_path / "名单.xlsx",
        [["序号", "名字", "证件", "班级"], *[[i + 1, n, ids[i], "七年级1班"] for i, n in
                                            enumerate(["欧阳娜娜", "阿依古丽·买买提", "李华"])]],
    )  # fmt: skip
    roster = read_roster(path)
    keys = {c.header: c.key for c in roster.columns}
    assert keys["名字"] == "student.name" and keys["证件"] == "student.id_number"
    assert [r.cells["student.name"] for r in roster.rows] == ["欧阳娜娜", "阿依古丽·买买提", "李华"]


def test_a_column_headed_姓名_that_holds_no_names_is_not_the_student(tmp_path: Path) -> None:
    """A column's heading can be wrong: 姓名 over the pupils' school numbers, the names in a
    column headed 名字 — the name column is the one whose cells are names."""
    path = _sheet(
        tmp_path / "名单.xlsx",
        [
            ["序号", "姓名", "名字", "班级"],
            [1, "2025001", "黄小明", "七年级1班"],
            [2, "2025002", "覃小红", "七年级2班"],
        ],
    )
    roster = read_roster(path)
    assert [r.cells["student.name"] for r in roster.rows] == ["黄小明", "覃小红"]
