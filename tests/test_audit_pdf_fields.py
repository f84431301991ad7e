"""What a PDF viewer shows beyond the page's own content (issue 20 §3): a form's filled fields
and a typed-in comment box. A teacher fills the fillable 送教上门记录表 in a viewer; the labels
are the page's text, the values live in the form's fields. The audit read the labels only: every
visit lost, and a compliant student's 4.4–4.7 judged on nothing. Named after that misreading.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pypdf
import pytest
from fixtures.packages import school
from fixtures.packages.fillable import draw_fillable
from fixtures.packages.otherpdf import Visit
from pypdf.generic import NameObject, NumberObject

from audit.readers.pdf import read_pdf
from audit.rules import Period
from audit.run import read_facts, run_audit

PERIOD = Period(date(2025, 9, 1), date(2026, 7, 15))
STUDENTS = ("李小华", "莫小芳")
NOTE = "2026年7月3日送教上门，学生莫小芳，9:00-11:00，3课时。"


def _visits(student: str) -> list[Visit]:
    found = []
    for day, span, _periods, _per in school.sessions_for(*school.PERIOD, minutes=40):
        start, end = (datetime.strptime(t, "%H:%M").time() for t in span.split("-"))
        found.append(Visit(student, day, start, end, 3))
    return found


def _package(tmp_path: Path, appearance: str) -> Path:
    files = school.disabled_roster([(n, "女", "肢体残疾") for n in STUDENTS])
    files |= school.home_teaching_roster([(n, date(2025, 9, 1)) for n in STUDENTS])
    for student in STUDENTS:
        data = draw_fillable(_visits(student), appearance=appearance)  # type: ignore[arg-type]
        files[f"四、送教上门/{student}/送教上门记录表.pdf"] = data
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    return tmp_path


@pytest.mark.parametrize("appearance", ["own", "viewer"])
def test_filled_form_fields_are_the_visits_not_empty_labels(
    tmp_path: Path, appearance: str
) -> None:
    """Values in the form's fields — with their own appearance streams, or left for the viewer
    to draw (/NeedAppearances) — are read where the viewer shows them, beside their labels."""
    root = _package(tmp_path, appearance)
    facts = read_facts(root, PERIOD)
    for student in STUDENTS:
        want = sorted((v.day, v.start, v.end, v.periods) for v in _visits(student))
        got = sorted(
            (s.date, s.start, s.end, s.periods) for s in facts.sessions if s.student == student
        )
        assert got == want, student
    result = run_audit(root, "liupu-supervision-2024", period=PERIOD)
    for item in result.items:
        if item.id in ("4.4", "4.5", "4.6", "4.7"):
            assert {s.student: s.status for s in item.subjects} == dict.fromkeys(STUDENTS, "pass")


def _flags(data: bytes, flags: int) -> bytes:
    """The file with its comment boxes' annotation flags set to `flags`."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    for ref in writer.pages[0]["/Annots"]:
        annot = ref.get_object()
        if annot["/Subtype"] == "/FreeText":
            annot[NameObject("/F")] = NumberObject(flags)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _texts(data: bytes) -> list[str]:
    return [item.text for item in read_pdf(data).items if hasattr(item, "text")]


def test_a_typed_in_comment_box_is_read_and_a_hidden_one_is_not() -> None:
    """A FreeText annotation's words are drawn by the viewer from /Contents: read once, where a
    person sees them; hidden (flag 2) or not viewed (flag 32), it is not on the screen."""
    data = draw_fillable(_visits("莫小芳")[:1], appearance="viewer", note=NOTE)
    assert _texts(data).count(NOTE) == 1
    assert NOTE in _texts(_flags(data, 4))  # printed too
    assert NOTE not in _texts(_flags(data, 2))
    assert NOTE not in _texts(_flags(data, 32))


def test_a_landscape_register_drawn_turned_keeps_its_lines() -> None:
    """A landscape register drawn turned on a portrait page (/Rotate 90): each line's baseline
    runs up the page, which is no reason to split it — split, it came back a character a line."""
    from fixtures.packages.otherpdf import CID_FONT, _font
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    lines = ["送教上门记录", "序号 送教日期 学生姓名 课时", "1 2025年10月8日 李小华 3课时"]
    _font("cid", [])
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    c.setFont(CID_FONT, 12)
    c.translate(A4[0], 0)
    c.rotate(90)
    for k, line in enumerate(lines):
        c.drawString(60, A4[0] - 60 - 24 * k, line)
    c.showPage()
    c.save()
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(buffer.getvalue())))
    writer.pages[0][NameObject("/Rotate")] = NumberObject(90)
    out = io.BytesIO()
    writer.write(out)
    assert _texts(out.getvalue()) == lines
