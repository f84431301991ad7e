"""A Word record table split in two — an empty paragraph or a page break put between its rows,
a 续表 line — whose second part does not repeat the header row: its rows were read as no
records at all (unread: 4.4–4.7 left to a person for a compliant student)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_BREAK
from fixtures.packages import school
from test_audit_otherpdf import COMPLIANT, ITEMS, PERIOD, _visits

from audit.run import read_facts, run_audit

HEADER = ["序号", "送教日期", "起止时间", "课时", "送教教师", "送教内容"]


def _record_docx(between: str) -> bytes:
    """The compliant student's year of visits in one table, split after its 12th row by
    `between`: "blank" (an empty paragraph), "break" (a page break), "续表" (a line saying so)
    or "note" (a sentence: the second table is not the first's continuation)."""
    document = Document()
    document.add_paragraph("送教上门记录表")
    document.add_paragraph(f"学生姓名：{COMPLIANT}")
    rows = list(enumerate(_visits(COMPLIANT), start=1))

    def add_table(part: list[tuple[int, object]], header: bool) -> None:
        table = document.add_table(rows=0, cols=len(HEADER))
        if header:
            for cell, text in zip(table.add_row().cells, HEADER, strict=True):
                cell.text = text
        for number, visit in part:
            values = [
                str(number),
                f"{visit.day.year}年{visit.day.month}月{visit.day.day}日",  # type: ignore[attr-defined]
                f"{visit.start:%H:%M}-{visit.end:%H:%M}",  # type: ignore[attr-defined]
                str(visit.periods),  # type: ignore[attr-defined]
                "、".join(visit.teachers),  # type: ignore[attr-defined]
                visit.content,  # type: ignore[attr-defined]
            ]
            for cell, text in zip(table.add_row().cells, values, strict=True):
                cell.text = text

    add_table(rows[:12], header=True)
    paragraph = document.add_paragraph()
    if between == "break":
        paragraph.add_run().add_break(WD_BREAK.PAGE)
    elif between == "续表":
        paragraph.add_run("续表")
    elif between == "note":
        paragraph.add_run("下表为补录的送教记录，由教导处核对。")
    add_table(rows[12:], header=False)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _package(root: Path, between: str) -> Path:
    records = {f"四、送教上门/{COMPLIANT}/送教上门记录表.docx": _record_docx(between)}
    return school.home_teaching_package(root, [COMPLIANT], records)


def _verdicts(root: Path) -> dict[str, str]:
    result = run_audit(root, "liupu-supervision-2024", period=PERIOD)
    return {item.id: item.subjects[0].status for item in result.items if item.id in ITEMS}


@pytest.mark.parametrize("between", ["blank", "break", "续表"])
def test_the_second_part_of_a_split_table_is_read_under_the_first_parts_header(
    tmp_path: Path, between: str
) -> None:
    root = _package(tmp_path, between)
    facts = read_facts(root, PERIOD)
    sessions = [s for s in facts.sessions if s.student == COMPLIANT]
    assert len(sessions) == len(_visits(COMPLIANT))
    assert all(f.account.unread == 0 for f in facts.files if f.account is not None)
    assert _verdicts(root) == dict.fromkeys(ITEMS, "pass")


def test_a_headerless_table_after_a_sentence_is_not_taken_for_a_continuation(
    tmp_path: Path,
) -> None:
    """Text between the tables makes the second a table of its own: without a header its
    rows stay unread, so the verdicts wait for a person — neither pass nor fail."""
    root = _package(tmp_path, "note")
    facts = read_facts(root, PERIOD)
    assert len([s for s in facts.sessions if s.student == COMPLIANT]) == 12
    assert set(_verdicts(root).values()) == {"not_reviewed"}
