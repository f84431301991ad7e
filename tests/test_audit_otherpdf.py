"""PDFs drawn by another program than baoxue's renderer (issue 20 §7, §5): read right and
without pdfplumber, whatever draws the boxes and wherever the values lie.

Each test audits a small package end to end — the two rosters and one 送教 record file a
student, drawn by reportlab (tests/fixtures/packages/otherpdf.py) — and asserts the sessions
read and the verdicts of 4.4–4.7: 李小华's year is compliant (pass), 莫小芳's breaks all four
once (a month with one visit, a visit of 2 课时, a month of 25-minute 课时, 56 课时 in the
year: partial). The tests are named after the misreadings they pin.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time
from pathlib import Path

import pytest
from fixtures.packages import school
from fixtures.packages.otherpdf import (
    FRAMES,
    TEXTS,
    Visit,
    draw,
    form_style,
    truetype_font,
)
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from audit.readers import pdf as pdf_reader
from audit.readers.model import Table
from audit.readers.pdf import read_pdf
from audit.rules import Period
from audit.run import read_facts, run_audit

PERIOD = Period(date(2025, 9, 1), date(2026, 7, 15))
ITEMS = ("4.4", "4.5", "4.6", "4.7")
COMPLIANT, BREACHING = "李小华", "莫小芳"


def _visits(student: str) -> list[Visit]:
    """Two visits a month of 3 课时 × 40 min — or, for the breaching student, a November with
    one visit, a 2-课时 visit in October and a December of 25-minute 课时."""
    breach = student == BREACHING
    found = []
    for day, span, periods, _per in school.sessions_for(
        *school.PERIOD, minutes=40, short_month=(2025, 12) if breach else None
    ):
        if breach and day == date(2025, 11, 22):
            continue
        start, end = (datetime.strptime(t, "%H:%M").time() for t in span.split("-"))
        if breach and day == date(2025, 10, 8):
            periods = 2
        found.append(Visit(student, day, start, end, periods))
    return found


def _package(
    tmp_path: Path, layout: str, *, seed: int = 0, font: str = "cid", continued: bool = False
) -> Path:
    files = school.disabled_roster([(n, "女", "肢体残疾") for n in (COMPLIANT, BREACHING)])
    files |= school.home_teaching_roster([(n, date(2025, 9, 1)) for n in (COMPLIANT, BREACHING)])
    for student in (COMPLIANT, BREACHING):
        drawn = draw(layout, _visits(student), seed=seed, font=font, continued=continued)
        files[f"四、送教上门/{student}/送教上门记录表.pdf"] = drawn.data
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    return tmp_path


def _read_right(root: Path) -> None:
    """Every visit drawn is a session read with its date, times, 课时 and minutes."""
    facts = read_facts(root, PERIOD)
    for student in (COMPLIANT, BREACHING):
        want = sorted((v.day, v.start, v.end, v.periods, v.minutes) for v in _visits(student))
        got = sorted(
            (s.date, s.start, s.end, s.periods, s.minutes_per_period)
            for s in facts.sessions
            if s.student == student
        )
        assert got == want, student
    files = [f for f in facts.files if f.path.endswith("送教上门记录表.pdf")]
    assert all(f.account and f.account.unread == 0 for f in files), [f.account for f in files]


def _verdicts(root: Path) -> dict[str, dict[str, str]]:
    result = run_audit(root, "liupu-supervision-2024", period=PERIOD)
    return {
        item.id: {s.student: s.status for s in item.subjects}
        for item in result.items
        if item.id in ITEMS
    }


def _assert_verdicts(root: Path) -> None:
    verdicts = _verdicts(root)
    for rid in ITEMS:
        # one short month, visit or 课时 in ten: partly met (audit/rules/home_teaching.py)
        assert verdicts[rid] == {COMPLIANT: "pass", BREACHING: "partial"}, (rid, verdicts[rid])


def _no_pdfplumber(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> list[Table]:
        raise AssertionError("pdfplumber parsed a page drawn by reportlab")

    monkeypatch.setattr(pdf_reader, "pdf_tables", refuse)


def _seed(frame: str, text: str) -> int:
    """The first seed drawing forms in this frame and text style."""
    return next(
        seed
        for seed in range(500)
        if (form_style(seed).frame, form_style(seed).text) == (frame, text)
    )


# ---------------------------------------------------------------------------------- forms


def test_two_forms_a_page_in_one_frame_each_are_two_visits_not_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two 送教 forms a page, each a rectangle around free-text “标签：值” lines: the page was read
    as prose, one record a page (the second form's visit lost — one visit a month, 4.4 and 4.7
    failed for a compliant student) and its times dropped; and the page's lone rectangles sent
    it to pdfplumber."""
    _no_pdfplumber(monkeypatch)
    root = _package(tmp_path, "rect-forms", seed=_seed("outer", "joined"))
    _read_right(root)
    _assert_verdicts(root)


def test_label_and_value_drawn_apart_without_colon_are_a_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """“课时数” and “3课时” drawn as two strings, no colon, in one row's box: read as one cell
    “课时数3课时送教教师…” whose 课时 was lost (4.5/4.6 could not hold)."""
    _no_pdfplumber(monkeypatch)
    root = _package(tmp_path, "rect-forms", seed=_seed("rows", "bare"))
    _read_right(root)
    _assert_verdicts(root)


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("layout", ["rect-forms", "line-forms"])
def test_every_box_and_text_style_reads_every_visit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, frame: str, text: str
) -> None:
    """Boxes around the form, each row or each field; drawn as rectangles or single lines;
    label and value one string, apart, or apart without a colon: all read alike."""
    _no_pdfplumber(monkeypatch)
    root = _package(tmp_path, layout, seed=_seed(frame, text))
    _read_right(root)


def test_forms_in_an_embedded_truetype_font(tmp_path: Path) -> None:
    """The same forms with the font embedded as a TrueType subset (reportlab's own encoding,
    text through its ToUnicode map)."""
    if truetype_font() is None:
        pytest.skip("no CJK font to convert to TrueType (fonts-noto-cjk)")
    root = _package(tmp_path, "rect-forms", seed=_seed("outer", "apart"), font="ttf")
    _read_right(root)
    _assert_verdicts(root)


# --------------------------------------------------------------------------------- tables


def test_table_without_rules_is_read_by_its_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record table drawn without any rule was read as prose, one visit a line: the 课时
    column (a bare “3”) and so the minutes a 课时 were lost, 4.5 and 4.6 unprovable."""
    _no_pdfplumber(monkeypatch)
    root = _package(tmp_path, "plain-table")
    _read_right(root)
    _assert_verdicts(root)


def test_table_with_rules_drawn_as_single_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_pdfplumber(monkeypatch)
    root = _package(tmp_path, "ruled-table", seed=1)
    _read_right(root)
    _assert_verdicts(root)


@pytest.mark.parametrize("layout", ["plain-table", "ruled-table"])
def test_table_running_on_to_the_next_page_without_its_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    """A record table whose header row is not repeated (a Word table exported to PDF): on the
    second page of the rule-less table the first row was taken for a header and the empty
    家长签字 column for no column at all, so its rows were not joined to the table above —
    two visits unread, 4.4–4.7 left to a person for a compliant student."""
    _no_pdfplumber(monkeypatch)
    root = _package(tmp_path, layout, continued=True)
    _read_right(root)
    _assert_verdicts(root)


def test_wrapped_cell_of_a_table_without_rules_joins_its_row() -> None:
    """The second line of a wrapped 送教内容 is the same row's cell, not a row of its own."""
    visits = _visits(COMPLIANT)[:3]
    result = read_pdf(draw("plain-table", visits).data)
    (table,) = [t for t in result.items if isinstance(t, Table)]
    assert table.rows[0] == [
        "序号",
        "送教日期",
        "起止时间",
        "课时",
        "送教教师",
        "送教内容",
        "家长签字",
    ]
    assert len(table.rows) == 1 + len(visits)
    assert table.rows[1][5] == visits[0].content
    assert [r[3] for r in table.rows[1:]] == ["3", "3", "3"]


# ------------------------------------------------------------------------ how text is drawn


def _page(draw_on: object) -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    from fixtures.packages.otherpdf import _font

    font = _font("cid", [])
    draw_on(c, font)  # type: ignore[operator]
    c.showPage()
    c.save()
    return buffer.getvalue()


def test_text_drawn_a_character_at_a_time_is_one_piece() -> None:
    """Some systems place every character on its own: the characters of a cell are joined
    into one value, the columns still apart."""

    def each_char(c: canvas.Canvas, font: str) -> None:
        c.setFont(font, 10)
        rows = [["序号", "送教日期", "课时", "送教教师"]]
        rows += [[str(i), f"2025-10-{8 + i:02d}", "3", "李春梅"] for i in (1, 2, 3)]
        for r, row in enumerate(rows):
            for x, cell in zip((60, 120, 240, 320), row, strict=True):
                at = float(x)
                for char in cell:
                    c.drawString(at, 700 - 20 * r, char)
                    at += c.stringWidth(char, font, 10) + 0.3

    result = read_pdf(_page(each_char))
    (table,) = [t for t in result.items if isinstance(t, Table)]
    assert table.rows == [
        ["序号", "送教日期", "课时", "送教教师"],
        ["1", "2025-10-09", "3", "李春梅"],
        ["2", "2025-10-10", "3", "李春梅"],
        ["3", "2025-10-11", "3", "李春梅"],
    ]


def test_prose_in_a_box_stays_prose() -> None:
    """A box around running text (a note, a page border) is not a form: no table is made of
    it, and a short box with one line of text is not one either."""

    def note(c: canvas.Canvas, font: str) -> None:
        c.setFont(font, 10.5)
        c.rect(50, 600, 495, 60)
        c.drawString(60, 640, "说明：本表由送教教师每次送教后填写，家长签字确认。")
        c.rect(50, 500, 200, 30)
        c.drawString(60, 510, "家长签字：")

    result = read_pdf(_page(note))
    tables = [t for t in result.items if isinstance(t, Table)]
    assert tables == []
    assert not result.load_tables  # not handed to pdfplumber either


def test_every_style_the_generator_draws_is_tested() -> None:
    """The generator's styles are its frames times its texts, each covered above: a style
    added to it without a test here fails this."""
    styles = {(form_style(s).frame, form_style(s).text) for s in range(200)}
    assert styles == {(f, t) for f in FRAMES for t in TEXTS}


def test_time_of_a_visit_read_from_a_form_is_the_drawn_one() -> None:
    """A form's 送教时间 “9:00-11:00” beside its date: start and end, not a second date."""
    visit = Visit(COMPLIANT, date(2025, 10, 8), time(9, 0), time(11, 0))
    result = read_pdf(draw("line-forms", [visit, visit], seed=_seed("fields", "apart")).data)
    tables = [t for t in result.items if isinstance(t, Table)]
    assert len(tables) == 2
    assert any("9:00-11:00" in cell for t in tables for row in t.rows for cell in row)


def test_grid_drawn_as_one_path_is_read_without_pdfplumber(monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole grid drawn as one path (every rule a segment of it): its bounds alone gave one
    box, and the page went to pdfplumber; its straight segments are its rules."""
    _no_pdfplumber(monkeypatch)
    rows = [["序号", "送教日期", "课时", "送教教师"]]
    rows += [[str(i), f"2025-10-{8 + i:02d}", "3", "李春梅"] for i in (1, 2, 3)]
    xs, ys = (60, 110, 200, 250, 330), (700, 680, 660, 640, 620)

    def grid(c: canvas.Canvas, font: str) -> None:
        path = c.beginPath()
        for y in ys:
            path.moveTo(xs[0], y)
            path.lineTo(xs[-1], y)
        for x in xs:
            path.moveTo(x, ys[0])
            path.lineTo(x, ys[-1])
        c.drawPath(path, stroke=1, fill=0)
        c.setFont(font, 10)
        for r, row in enumerate(rows):
            for k, cell in enumerate(row):
                c.drawString(xs[k] + 3, ys[r] - 14, cell)

    result = read_pdf(_page(grid))
    (table,) = [t for t in result.items if isinstance(t, Table)]
    assert table.rows == rows


def test_form_in_a_rounded_box_is_read_as_a_form(monkeypatch: pytest.MonkeyPatch) -> None:
    """A form framed by a rounded rectangle (curves at its corners) is a form like a square
    one: read from its box, not left to pdfplumber."""
    _no_pdfplumber(monkeypatch)

    def rounded(c: canvas.Canvas, font: str) -> None:
        c.roundRect(60, 560, 470, 120, 8, stroke=1, fill=0)
        c.setFont(font, 10.5)
        for i, (label, value) in enumerate(
            [("学生姓名：", "李小华"), ("送教日期：", "2025年10月9日"), ("课时数：", "3")]
        ):
            c.drawString(70, 655 - 26 * i, label)
            c.drawString(150, 655 - 26 * i, value)

    result = read_pdf(_page(rounded))
    (table,) = [t for t in result.items if isinstance(t, Table)]
    assert table.rows == [
        ["学生姓名：", "李小华"],
        ["送教日期：", "2025年10月9日"],
        ["课时数：", "3"],
    ]


def test_every_benchmark_layout_is_documented() -> None:
    """Each `benchmarks/audit.py --layout` is described in benchmarks/README.md and the layouts
    drawn by another program are in docs/audit.md's Speed section."""
    root = Path(__file__).resolve().parent.parent
    source = (root / "benchmarks" / "audit.py").read_text(encoding="utf-8")
    other = re.findall(r'^    "([a-z-]+)": \("[a-z-]+", "(?:cid|ttf)"\),$', source, re.M)
    assert len(other) == 5
    bench = (root / "benchmarks" / "README.md").read_text(encoding="utf-8")
    readme = (root / "docs" / "audit.md").read_text(encoding="utf-8")
    for layout in ("records", "two-forms", *other):
        assert f"`{layout}`" in bench, layout
    for layout in other:
        assert f"| {layout} |" in readme and f"| {layout} |" in bench, layout
