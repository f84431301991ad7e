"""Signatures on scanned forms are judged present or absent, not read (issue 11).

baoxue's own 学生请假审批单 and 会议签到表 are printed, signed by hand (a scrawl no recogniser
reads: tests/fixtures/packages/handwriting.py), scanned (150 dpi, skew, noise, JPEG 60) and
audited with the real engine: the approver is the highest box signed, an unsigned form has
none, and a sign-in sheet counts the boxes signed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fixtures.packages.docs import scanned_copy
from fixtures.packages.handwriting import Place, sign, words

from audit.facts import PackageFacts
from audit.readers import ink
from audit.readers.ocr import Word
from audit.rules import Period
from audit.run import read_facts

PERIOD = Period(date(2025, 9, 1), date(2026, 7, 15))
BOXES = ("班主任", "政教处", "校长")  # the leave form's approver boxes, top to bottom


def _render(kind_name: str, sample: str) -> bytes:
    from fixtures.packages.docs import sample_pdf

    return sample_pdf(kind_name, sample)


@pytest.fixture(scope="module")
def leave_pdf() -> bytes:
    return _render("leave_approval", "leave_approval-liupu-2026")


@pytest.fixture(scope="module")
def sign_in_pdf() -> bytes:
    return _render("sign_in_sheet", "sign_in_sheet")


def _approver_boxes(pdf: bytes) -> dict[str, Place]:
    """Where each approver signs: after the 签字： of its 审核意见 / 审批意见 row."""
    found = words(pdf)
    labels = sorted(
        (w for w in found if w["text"] in {"审核意见", "审批意见"}), key=lambda w: float(w["top"])
    )
    places: dict[str, Place] = {}
    for tier, label in zip(BOXES, labels, strict=True):
        top = float(label["top"])
        box = next(
            w
            for w in found
            if str(w["text"]).startswith("签字") and top <= float(w["top"]) <= top + 40
        )
        places[tier] = Place(1, float(box["x0"]) + 34, float(box["bottom"]))
    return places


def _read(tmp_path: Path, name: str, data: bytes) -> PackageFacts:
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{name}.pdf").write_bytes(data)
    return read_facts(folder, PERIOD)


def _approver(tmp_path: Path, pdf: bytes, signed: tuple[str, ...], seed: int) -> Any:
    boxes = _approver_boxes(pdf)
    paper = sign(pdf, [boxes[t] for t in signed], seed=seed)
    facts = _read(tmp_path, f"请假审批单{seed}", scanned_copy(paper, seed=seed))
    (leave,) = facts.leaves
    # a scrawl the recogniser half-read (“签字：医欧” at 0.79) is the signature judged present,
    # not an illegible fact: the page does not wait for a person on its account
    assert [f.scanned_pages for f in facts.files] == [[]]
    return leave


@pytest.mark.parametrize(
    ("signed", "approver"),
    [((), None), (("班主任", "政教处"), "政教处"), (("班主任", "政教处", "校长"), "校长")],
)
def test_scanned_leave_form_approver_is_the_highest_box_signed(
    tmp_path: Path, leave_pdf: bytes, signed: tuple[str, ...], approver: str | None
) -> None:
    leave = _approver(tmp_path, leave_pdf, signed, seed=len(signed))
    assert (leave.student, leave.days, leave.approver) == ("黄秋菊", 8, approver)
    assert leave.prov.ocr_engine is not None


def test_born_digital_unsigned_leave_form_has_no_approver(tmp_path: Path, leave_pdf: bytes) -> None:
    (leave,) = _read(tmp_path, "请假审批单", leave_pdf).leaves
    assert leave.approver is None


def test_scanned_sign_in_sheet_counts_the_boxes_signed(tmp_path: Path, sign_in_pdf: bytes) -> None:
    found = words(sign_in_pdf)
    column = next(w for w in found if w["text"] == "签名")
    name_column = next(w for w in found if w["text"] == "姓名")
    rows = {
        str(w["text"]): float(w["bottom"])
        for w in found
        if str(w["text"]).isdigit() and float(w["x1"]) < float(name_column["x0"])
    }
    x = float(column["x0"]) - 12
    # four invitees printed, three sign; two more write their names in blank rows and sign
    places = [Place(1, x, rows[n]) for n in ("1", "2", "4", "5", "6")]
    places += [Place(1, float(name_column["x0"]) - 8, rows[n], width=40) for n in ("5", "6")]
    facts = _read(tmp_path, "会议签到表", scanned_copy(sign(sign_in_pdf, places), seed=3))
    (sheet,) = [m for m in facts.meetings if m.part == "sign_in"]
    assert sheet.attendees == 5
    (unsigned,) = [
        m for m in _read(tmp_path, "空白签到表", sign_in_pdf).meetings if m.part == "sign_in"
    ]
    assert unsigned.attendees is None  # printed names are an invitation, not a signature


def _cell(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(240, 12, (80, 300)) < 170  # the page's speckle after binarising


def test_speckle_and_a_printed_blank_are_no_signature() -> None:
    speckle = ink.unexplained(_cell(0), [])
    assert ink.mark_in(speckle, speckle, (0, 0, 300, 80), 30.0) is None
    blank = _cell(1)
    blank[60:63, 40:260] = True  # ＿＿＿＿＿＿ under a 签字：
    left = ink.unexplained(blank, [])
    assert ink.mark_in(left, left, (0, 0, 300, 80), 30.0) is None


def test_ink_a_recognised_character_explains_is_no_signature() -> None:
    dark = _cell(2)
    dark[20:50, 40:70] = True  # a printed character the engine read
    read = Word(40, 20, 70, 50, "同", 0.99, ((40, 20, 70, 50),))
    left = ink.unexplained(dark, [read])
    assert ink.mark_in(left, left, (0, 0, 300, 80), 30.0) is None
    dark[15:55, 150:260:6] = True  # and a scrawl beside it that nobody read
    left = ink.unexplained(dark, [read])
    mark = ink.mark_in(left, left, (0, 0, 300, 80), 30.0)
    assert mark is not None and mark.text == ink.MARK and 150 <= mark.x0 < 260


def test_scanned_leave_register_one_column_per_approver(tmp_path: Path) -> None:
    """A 请假登记表 with a column per approver (班主任 | 政教处 | 校长), each box signed by hand
    or left empty: each leave's approver is the highest column signed."""
    from fixtures.packages.docs import pdf

    leaves = [
        ("谢婷婷", "2025年12月8日", "2025年12月10日", "3", ("班主任", "政教处", "校长")),
        ("潘宇航", "2025年11月3日", "2025年11月4日", "2", ("班主任", "政教处")),
        ("陆文静", "2025年10月9日", "2025年10月9日", "1", ("班主任",)),
        ("韦小兰", "2025年10月20日", "2025年10月21日", "2", ()),
    ]
    rows = [["序号", "姓名", "开始日期", "结束日期", "天数", *BOXES]]
    rows += [[str(i + 1), n, a, b, d, "", "", ""] for i, (n, a, b, d, _) in enumerate(leaves)]
    sheet = pdf("学生请假登记表", [rows])
    found = words(sheet)
    columns = {t: float(next(w for w in found if w["text"] == t)["x0"]) for t in BOXES}
    lines = {
        str(w["text"]): float(w["bottom"]) for w in found if w["text"] in {x[0] for x in leaves}
    }
    places = [
        Place(1, columns[tier] - 6, lines[name] + 2, width=44, height=14)
        for name, *_, signed in leaves
        for tier in signed
    ]
    facts = _read(tmp_path, "学生请假登记表", scanned_copy(sign(sheet, places), seed=5))
    got = {lv.student: lv.approver for lv in facts.leaves}
    assert got == {"谢婷婷": "校长", "潘宇航": "政教处", "陆文静": "班主任", "韦小兰": None}


LEDGER_DAYS = ["2025年10月9日", "2025年10月23日", "2025年11月6日", "2025年11月20日"]


def _faint_ledger(tmp_path: Path, faint_cell: Any, keep: float, seed: int) -> PackageFacts:
    """A 送教 ledger printed with one cell too faint after its first `keep` points (the cell
    is the pdfplumber word `faint_cell` picks), scanned and read."""
    from fixtures.packages.docs import pdf

    rows = [["日期", "学生姓名", "送教时间", "课时数", "送教教师"]]
    rows += [[d, "李小华", "9:00-11:00", "3", "李春梅、王海"] for d in LEDGER_DAYS]
    ledger = pdf("送教上门记录表", [rows])
    cell = faint_cell(words(ledger))
    box = (
        1,
        float(cell["x0"]) + keep,
        float(cell["top"]) - 2,
        float(cell["x1"]) + 2,
        float(cell["bottom"]) + 2,
    )
    paper = sign(ledger, [], faded=[box])
    return _read(tmp_path, "李小华送教上门记录", scanned_copy(paper, seed=seed))


def _item(facts: PackageFacts, item_id: str, period: Period = PERIOD) -> Any:
    from audit.checklist import resolve
    from audit.evaluate import check_period
    from audit.run import judge

    checklist = resolve("liupu-supervision-2024")
    result = judge(facts, checklist, check_period(period.start, period.end), "faint")
    return next(i for i in result.items if i.id == item_id)


def test_a_time_box_too_faint_to_read_waits_for_a_person(tmp_path: Path) -> None:
    """A scanned 送教 ledger whose 送教时间 box on one row was printed too faint: OCR made out
    “9:00-” only. That visit is not one without times (4.6 failed): its 起止时间 are marked
    illegible and the rule leaves it to a person with its page."""
    facts = _faint_ledger(
        tmp_path, lambda found: [w for w in found if w["text"] == "9:00-11:00"][1], 24, seed=1
    )
    got = sorted((s.date.day, s.start is not None, s.illegible) for s in facts.sessions)
    assert got == [(6, True, []), (9, True, []), (20, True, []), (23, False, ["起止时间"])]
    (subject,) = [s for s in _item(facts, "4.6").subjects if s.student == "李小华"]
    assert subject.status == "not_reviewed" and "2025年10月23日（第1页）" in subject.detail


def test_a_date_too_faint_to_read_leaves_the_page_to_a_person(tmp_path: Path) -> None:
    """A ledger row whose date OCR could not make out was dropped, and 4.4 counted the month
    one visit short (a fail). The visit is written there: its page waits for a person."""
    facts = _faint_ledger(
        tmp_path,
        lambda found: next(w for w in found if str(w["text"]).startswith("2025年10月23")),
        30,
        seed=2,
    )
    assert sorted(s.date.day for s in facts.sessions) == [6, 9, 20]
    (entry,) = [f for f in facts.files if f.path.endswith(".pdf")]
    assert entry.scanned_pages == [1] and entry.page_notes == {1: "送教记录的日期识别不清"}
    item = _item(facts, "4.4", Period(date(2025, 10, 1), date(2025, 11, 30)))
    assert item.status == "not_reviewed"
    assert [(p.pages, p.reason) for p in item.to_review] == [
        ([1], "扫描页，送教记录的日期识别不清")
    ]


def test_scanned_form_with_printed_blanks_and_a_tick(tmp_path: Path) -> None:
    """A leave form “班主任签字 | √ | 政教处签字 | ＿＿＿＿” scanned (OCR sweep, compliant seed 32):
    the blank ＿＿＿＿ just above the row's rule was taken for the rule, the cells beside it lost
    theirs and two rows became one; and the tick, which the engine reads as nothing, was no mark.
    Now the longer of two close rules is the rule, and ink outside every text box is a mark."""
    from fixtures.packages.docs import pdf

    form = pdf(
        "学生请假审批单",
        [
            [
                ["学生姓名", "罗文博", "班级", "7年级1班"],
                ["请假事由", "感冒发烧", "请假天数", "1天"],
                ["请假时间", "2025年10月9日至2025年10月9日", "", ""],
                ["班主任签字", "√", "政教处签字", "＿＿＿＿"],
                ["校长签字", "＿＿＿＿", "销假时间", "2025年10月10日"],
            ]
        ],
    )
    facts = _read(tmp_path, "请假审批单", scanned_copy(form))
    (leave,) = facts.leaves
    assert (leave.student, leave.days, leave.approver) == ("罗文博", 1, "班主任")
    assert leave.returned == date(2025, 10, 10)
