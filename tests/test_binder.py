"""The school's 迎检资料 (audit/binder), read back from the files it writes.

The PDF is read with pypdf (bookmarks, pages) and pypdfium2 (text); the zip with zipfile and
its 目录.xlsx with openpyxl; the package itself again with audit.package. Nothing here reads
the binder's own plan to decide what is right, except to name the package's files.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import re
import shutil
import stat
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import psutil
import pypdfium2 as pdfium
import pytest
from fixtures.packages.build import PERIOD, build_package
from pypdf import PdfReader, PdfWriter

from audit.binder import BinderError, make_binder
from audit.binder import office as office_module
from audit.binder.office import OfficeJob, convert_office
from audit.package import iter_package, litter_reason

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus" / "packages"
CHECKLIST = "liupu-supervision-2024"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_office = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is installed by make test")
PAGES = re.compile(r"^(\d+)(?:–(\d+))?$")


# -- reading a binder back --------------------------------------------------------------------
@dataclass
class Mark:
    depth: int
    title: str
    page: int  # printed page number (1-based page index)


@dataclass
class TocRow:
    number: str
    title: str
    pages: str
    kind: str
    in_zip: str
    original: str
    note: str


@dataclass
class Binder:
    pdf: Path
    zip: Path
    marks: list[Mark]
    texts: list[str]  # every page's text
    toc: list[TocRow]  # 目录.xlsx in the zip
    entries: dict[str, bytes]  # zip name → bytes

    def page_of(self, title: str) -> int:
        return next(m.page for m in self.marks if m.title == title)


def _marks(reader: PdfReader) -> list[Mark]:
    out: list[Mark] = []

    def walk(items: list[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                page = reader.get_destination_page_number(item)  # type: ignore[arg-type]
                out.append(Mark(depth, item.title, page + 1))  # type: ignore[attr-defined]

    walk(reader.outline, 0)
    return out


def read_binder(pdf: Path, zip_path: Path) -> Binder:
    reader = PdfReader(pdf, strict=True)
    document = pdfium.PdfDocument(pdf)
    texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    document.close()
    assert len(texts) == len(reader.pages)
    with zipfile.ZipFile(zip_path) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    book = openpyxl.load_workbook(io.BytesIO(entries["目录.xlsx"]), read_only=True)
    sheet = book["目录"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    toc = [TocRow(*(str(v) if v is not None else "" for v in r[:7])) for r in rows]
    return Binder(pdf, zip_path, _marks(reader), texts, toc, entries)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def package_files(package: Path) -> dict[str, bytes]:
    """The package's files as read by the audit, litter left out (path → bytes)."""
    return {
        m.path: m.data
        for m in iter_package(package)
        if m.data is not None and litter_reason(m.path) is None
    }


def build(package: Path, out: Path, **options: object) -> Binder:
    pdf, zip_path = out / "迎检资料.pdf", out / "迎检资料.zip"
    make_binder(package, CHECKLIST, PERIOD, [pdf, zip_path], **options)  # type: ignore[arg-type]
    return read_binder(pdf, zip_path)


# -- the invariants every binder keeps ------------------------------------------------------------
def check_bookmarks_equal_toc(b: Binder) -> None:
    """The bookmarks (minus 目录) are the 目录's rows with pages, in order, and each points at
    the first page of its row's range; the PDF's own 目录 pages list the same rows."""
    marks = [m for m in b.marks if m.title != "目录"]
    rows = [r for r in b.toc if not r.title.startswith(("缺：", "另见：", "未收入："))]
    assert [m.title for m in marks] == [
        r.title + ("（未能转换）" if r.pages == "—" else "") for r in rows
    ]
    for mark, row in zip(marks, rows, strict=True):
        if row.pages != "—":
            match = PAGES.match(row.pages)
            assert match, row
            assert mark.page == int(match.group(1)), (mark, row)
    # the PDF's 目录: each row's title in order, and its pages right after it (and its note)
    toc_pages = [i for i, t in enumerate(b.texts) if "目\u3000录" in t or "目录" in t[:10]]
    assert toc_pages and toc_pages[0] == 1
    text = _flat("".join(b.texts[toc_pages[0] : b.marks[1].page - 1]))
    text = re.sub(r"—\d+—", "", text)  # page numbers of the 目录's own pages
    cursor = 0
    spots = []
    for row in b.toc:
        title = _flat(row.title)
        if row.title.startswith("未收入："):
            title = title.split("，")[0]
        found = text.find(title, cursor)
        assert found >= 0, f"目录中缺少“{row.title}”"
        spots.append((found, found + len(title), row))
        cursor = found + len(title)
    for i, (_, end, row) in enumerate(spots):
        nxt = spots[i + 1][0] if i + 1 < len(spots) else len(text)
        assert text[end:nxt].endswith(_flat(row.pages)), (row, text[end:nxt])


def check_page_ranges(b: Binder, package: Path) -> None:
    """Ranges partition the pages after the 目录; every page but the cover carries its number;
    a document's first page shows that document (a PDF: its own first page's text)."""
    for i, text in enumerate(b.texts):
        stamp = f"— {i + 1} —"
        assert (stamp in text) == (i > 0), (i + 1, text[-40:])
    ends = [PAGES.match(r.pages) for r in b.toc if r.pages not in ("", "—")]
    assert max(int(m.group(2) or m.group(1)) for m in ends if m) == len(b.texts)
    # the sections (1.1 … 4.7, 附：其他材料) follow each other and end with the binder
    sections = [
        PAGES.match(r.pages)
        for r in b.toc
        if not r.original
        and not r.title.startswith(("缺：", "另见：", "未收入："))
        and (r.title.startswith(f"{r.number} ") or r.title == "附：其他材料")
    ]
    bounds = [(int(m.group(1)), int(m.group(2) or m.group(1))) for m in sections if m]
    assert len(bounds) == len(sections) == 19
    for (_, last), (first, _) in itertools.pairwise(bounds):
        assert first == last + 1
    assert bounds[-1][1] == len(b.texts)
    leaves = [r for r in b.toc if r.original and r.pages != "—"]
    spans = []
    for row in leaves:
        m = PAGES.match(row.pages)
        assert m
        spans.append((int(m.group(1)), int(m.group(2) or m.group(1)), row))
    originals = package_files(package)
    for first, last, row in spans:
        assert first <= last <= len(b.texts)
        data = originals[row.original]
        name = row.original.rsplit("/", 1)[-1]
        if data.startswith(b"%PDF"):
            source = PdfReader(io.BytesIO(data))
            assert last - first + 1 == len(source.pages), row
            own = pdfium.PdfDocument(data)
            want = _flat(own[0].get_textpage().get_text_range())
            own.close()
            assert _flat(b.texts[first - 1]).startswith(want[:30]), row
        elif name.lower().endswith((".jpg", ".jpeg", ".png")):
            assert name in b.texts[first - 1] and "拍摄时间" in b.texts[first - 1], row
        elif name.lower().endswith(".docx"):
            words = _docx_words(data)
            assert any(w in _flat(b.texts[first - 1]) for w in words), (row, words[:3])
    # the pages of one section's documents follow each other without gap or overlap
    by_section: dict[str, list[tuple[int, int]]] = {}
    for first, last, row in spans:
        by_section.setdefault(row.in_zip.rsplit("/", 1)[0], []).append((first, last))
    for pairs in by_section.values():
        for (_, last), (first, _) in itertools.pairwise(pairs):
            assert first == last + 1


def _docx_words(data: bytes) -> list[str]:
    from docx import Document

    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs if len(p.text.strip()) >= 4]
    lines += [c.text for t in doc.tables for row in t.rows for c in row.cells if len(c.text) >= 4]
    return [_flat(line)[:12] for line in lines[:5]]


def check_every_file_once(b: Binder, package: Path) -> None:
    """Every file of the package (litter aside) is one row of the 目录 and one entry of the zip,
    byte for byte; the zip holds nothing else but the 目录 itself."""
    originals = package_files(package)
    listed = [r.original for r in b.toc if r.original]
    assert sorted(listed) == sorted(originals)  # each exactly once
    docs = {n: d for n, d in b.entries.items() if n not in ("目录.docx", "目录.xlsx")}
    assert len(docs) == len(originals)
    for row in b.toc:
        if row.original:
            assert row.in_zip in docs, row
            got = hashlib.sha256(docs[row.in_zip]).hexdigest()
            assert got == hashlib.sha256(originals[row.original]).hexdigest(), row
            folder, _, leaf = row.in_zip.rpartition("/")
            assert re.fullmatch(r"\d{2,}-.+", leaf) and leaf.endswith(row.original.split("/")[-1])
            number = row.number
            if number:
                assert f"/{number} " in f"/{folder.split('/')[-1]}", row
    # in the PDF: one bookmark per file
    assert sum(1 for m in b.marks if re.match(r"\d+\. ", m.title)) == len(originals)


def check_all(b: Binder, package: Path) -> None:
    check_bookmarks_equal_toc(b)
    check_page_ranges(b, package)
    check_every_file_once(b, package)


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> tuple[Binder, Path]:
    root = tmp_path_factory.mktemp("binder-edge")
    package = build_package("edge-cases", root / "packages")
    return build(package, root / "out"), package


@pytest.fixture(scope="module")
def gaps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Binder, Path]:
    root = tmp_path_factory.mktemp("binder-gaps")
    package = build_package("gaps", root / "packages")
    return build(package, root / "out", verdicts=True), package


pytestmark = [pytest.mark.slow]


# -- LibreOffice-backed binders ------------------------------------------------------------------
@needs_office
def test_edge_cases_binder_reads_back(edge: tuple[Binder, Path]) -> None:
    binder, package = edge
    check_all(binder, package)
    # litter is left out and said so
    assert any(r.title.startswith("未收入：系统生成的文件 3 个") for r in binder.toc)
    assert not any("Thumbs.db" in n for n in binder.entries)


@needs_office
def test_items_in_checklist_order_then_other(edge: tuple[Binder, Path]) -> None:
    binder, _ = edge
    top = [m.title for m in binder.marks if m.depth == 0]
    assert top[0] == "目录" and top[1].startswith("一、") and top[4].startswith("四、")
    assert top[-1] == "附：其他材料"
    sections = [m.title.split()[0] for m in binder.marks if re.match(r"\d+\.\d+ ", m.title)]
    assert all(m.depth == 1 for m in binder.marks if re.match(r"\d+\.\d+ ", m.title))
    assert sections == [
        "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5", "3.1", "3.2", "3.3", "3.4",
        "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7",
    ]  # fmt: skip
    # two files of one name in a section show the folder that tells them apart
    for number in ("1.1", "4.3"):
        titles = [
            r.title.split(". ", 1)[1] for r in binder.toc if r.number == number and r.original
        ]
        assert len(titles) == len(set(titles)), titles
    assert "李小华/一生一案表.docx" in [
        r.title.split(". ", 1)[1] for r in binder.toc if r.number == "4.3" and r.original
    ]
    # the zip's folders: 一、组织部署/1.1 控辍保学会议材料/01-…
    folders = {n.rsplit("/", 1)[0] for n in binder.entries if "/" in n}
    assert "一、组织部署/1.1 控辍保学会议材料" in folders
    assert "四、残疾儿童少年送教上门/4.3 送教学生材料" in folders


@needs_office
def test_placement_follows_the_audit(edge: tuple[Binder, Path]) -> None:
    """A file goes under the first requirement that used it and reads its kind; used by others
    too, it is named there (另见), never copied."""
    binder, _ = edge
    rows = {r.original: r for r in binder.toc if r.original}
    assert rows["一、部署/荔浦市东昌镇中学2025-2026学年控辍保学工作方案.pdf"].number == "1.2"
    assert rows["二、防辍学/学生请假审批登记表.xlsx"].number == "2.4"
    record = rows["四、送教上门/莫小芳/送教上门记录表.xlsx"]
    assert record.number == "4.4"  # used by 4.1 too, but 4.1 does not read records
    see = [r for r in binder.toc if r.number == "4.5" and r.title.startswith("另见：4.4")]
    assert len(see) == 2
    # the corrupt 家访记录 the rules asked about (3.3) is under 3.3; an unknown file under 其他
    assert rows["五、其他/损坏的家访记录.docx"].number == "3.3"
    assert rows["五、其他/加密的台账.pdf"].number == ""
    assert rows["五、其他/加密的台账.pdf"].in_zip.startswith("附：其他材料/")


@needs_office
def test_unconvertible_file_listed_with_reason_and_kept(edge: tuple[Binder, Path]) -> None:
    binder, package = edge
    originals = package_files(package)
    for path, reason in (
        ("五、其他/损坏的家访记录.docx", "文件已损坏"),
        ("五、其他/加密的台账.pdf", "PDF 已加密"),
    ):
        row = next(r for r in binder.toc if r.original == path)
        assert row.pages == "—" and reason in row.note and "原件见压缩包" in row.note
        assert binder.entries[row.in_zip] == originals[path]
        toc_text = _flat("".join(binder.texts[1 : binder.marks[1].page - 1]))
        assert _flat(reason) in toc_text
        mark = next(m for m in binder.marks if m.title == f"{row.title}（未能转换）")
        # its bookmark opens its section's divider, which lists it with the reason
        assert _flat(reason) in _flat(binder.texts[mark.page - 1])


@needs_office
def test_scan_as_it_is_and_photos_captioned(edge: tuple[Binder, Path]) -> None:
    binder, package = edge
    row = next(r for r in binder.toc if r.original.endswith("签到表扫描件.pdf"))
    assert row.pages == f"{PAGES.match(row.pages).group(1)}–{int(row.pages.split('–')[0]) + 1}"  # type: ignore[union-attr]
    assert "扫描件" in row.note
    first = int(row.pages.split("–")[0])
    scan = PdfReader(io.BytesIO(package_files(package)[row.original]))
    page = PdfReader(binder.pdf).pages[first - 1]
    assert page.images and len(page.images) == len(scan.pages[0].images)
    photo = next(r for r in binder.toc if r.original.endswith("IMG_0001.jpg"))
    text = binder.texts[int(photo.pages) - 1]
    assert "IMG_0001.jpg" in text and "拍摄时间：2025年9月5日" in text


@needs_office
def test_missing_items_get_a_que_page_with_the_finding(gaps: tuple[Binder, Path]) -> None:
    binder, package = gaps
    check_all(binder, package)
    missing = [r for r in binder.toc if r.title.startswith("缺：")]
    assert {r.number for r in missing} >= {"1.2", "2.2", "2.3", "2.5", "4.1"}
    page = binder.page_of("1.2 学校控辍保学工作方案")
    text = _flat(binder.texts[page - 1])
    assert "缺：学校控辍保学工作方案" in text
    assert "应有材料：控辍保学工作方案" in text and "核查发现：" in text
    # an item with evidence has no 缺 page
    assert "缺：" not in _flat(
        binder.texts[binder.page_of("2.1 学籍系统人数与在校（点名）人数相符") - 1]
    )


@needs_office
def test_verdicts_switch_adds_results_to_dividers(
    gaps: tuple[Binder, Path], edge: tuple[Binder, Path]
) -> None:
    with_verdicts, _ = gaps
    page = with_verdicts.page_of("2.1 学籍系统人数与在校（点名）人数相符")
    text = _flat(with_verdicts.texts[page - 1])
    assert "核查结果：不符合" in text and "整改意见" in text and "蒙小俊" in text
    assert "自动评定" in with_verdicts.texts[0]
    without, _ = edge
    assert all("核查结果：" not in t for t in without.texts)
    assert "自动评定" not in without.texts[0]


@needs_office
@pytest.mark.parametrize("name", ["p1-exemplary-gbk", "p2-gaps"])
def test_independent_corpus_binder(name: str, tmp_path: Path) -> None:
    package = CORPUS / f"{name}.zip"
    binder = build(package, tmp_path)
    check_all(binder, package)


@needs_office
def test_nested_zip_files_are_placed(tmp_path: Path) -> None:
    package = build_package("gbk-zip", tmp_path / "packages")
    binder = build(package, tmp_path / "out")
    check_every_file_once(binder, package)
    row = next(r for r in binder.toc if r.original.endswith("送教登记.csv"))
    assert row.original.startswith("四、送教上门.zip/") and row.number == "4.4"
    assert row.pages != "—"  # a CSV prints as a table


# -- without LibreOffice, and the per-file time limit ------------------------------------------
def test_without_libreoffice_nothing_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(office_module, "soffice", lambda: None)
    package = build_package("compliant", tmp_path / "packages")
    binder = build(package, tmp_path / "out")
    check_every_file_once(binder, package)
    check_bookmarks_equal_toc(binder)
    office = [r for r in binder.toc if r.original.endswith((".docx", ".xlsx"))]
    assert office and all("未安装 LibreOffice" in r.note and r.pages == "—" for r in office)
    pdfs = [r for r in binder.toc if r.original.endswith((".pdf", ".jpg"))]
    assert pdfs and all(r.pages != "—" for r in pdfs)


def test_uncited_files_go_by_kind_unless_about_roster_pupils(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A weekly 考勤表 no rule cited is still an attendance ledger (2.3); an ordinary pupil's
    家访记录 is no joint visit of a suspended pupil and proves nothing for 3.3 (其他材料)."""
    from fixtures.packages.docs import Grid, docx, xlsx

    monkeypatch.setattr(office_module, "soffice", lambda: None)
    package = build_package("compliant", tmp_path / "packages")
    extra = {
        "二、防辍学/考勤/第05周学生考勤表.xlsx": xlsx(
            {
                "考勤": [
                    ["第5周学生考勤表"],
                    ["班级", "姓名", "周一", "周二"],
                    ["7年级1班", "韦小宝", "√", "√"],
                ]
            }
        ),
        "二、防辍学/家访/家访记录-韦小宝.docx": docx(
            ["家访记录", Grid([["学生姓名", "韦小宝", "家访时间", "2025年10月9日"]])]
        ),
    }
    for path, data in extra.items():
        (package / path).parent.mkdir(parents=True, exist_ok=True)
        (package / path).write_bytes(data)
    binder = build(package, tmp_path / "out")
    rows = {r.original: r for r in binder.toc if r.original}
    assert rows["二、防辍学/考勤/第05周学生考勤表.xlsx"].number == "2.3"
    visit = rows["二、防辍学/家访/家访记录-韦小宝.docx"]
    assert visit.kind == "家访/劝返/联合劝访记录"  # read as a visit record, yet cited by none
    assert visit.number == "" and visit.in_zip.startswith("附：其他材料/")
    check_every_file_once(binder, package)


def test_a_page_that_cannot_be_copied_keeps_the_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PDF damaged beyond pypdf's repair: each page becomes the page saying so, and every
    number of the 目录 still holds."""
    from types import SimpleNamespace

    from audit.binder import assemble

    monkeypatch.setattr(office_module, "soffice", lambda: None)
    broken: list[Path] = []

    class Damaged(assemble._Source):
        def __init__(self, path: Path) -> None:
            super().__init__(path)
            if path.parent.name == "src" and (not broken or broken[0] == path):
                broken.append(path)  # the first package PDF met: none of its pages copy
                count = len(self.reader.pages)

                class Pages:
                    def __getitem__(self, i: int) -> object:
                        raise ValueError("damaged")

                    def __len__(self) -> int:
                        return count

                self.reader = SimpleNamespace(pages=Pages(), resolved_objects={})  # type: ignore[assignment]

    monkeypatch.setattr(assemble, "_Source", Damaged)
    package = build_package("compliant", tmp_path / "packages")
    pdf, zip_path = tmp_path / "out" / "迎检资料.pdf", tmp_path / "out" / "迎检资料.zip"
    made = make_binder(package, CHECKLIST, PERIOD, [pdf, zip_path])
    assert made.damaged and all(page >= 1 for _, page in made.damaged)
    binder = read_binder(pdf, zip_path)
    check_bookmarks_equal_toc(binder)
    path = made.damaged[0][0]
    row = next(r for r in binder.toc if r.original == path)
    first = int(row.pages.split("–")[0])
    assert "本页无法读取" in binder.texts[first - 1]
    assert f"— {first} —" in binder.texts[first - 1]


def test_a_piece_that_cannot_be_laid_out_is_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audit.binder import convert

    monkeypatch.setattr(office_module, "soffice", lambda: None)
    real = convert.render_parts

    def flaky(html: str, target: Path | None) -> dict[str, tuple[int, int]]:
        if "坏的说明.txt" in html:
            raise ValueError("layout")
        return real(html, target)

    monkeypatch.setattr(convert, "render_parts", flaky)
    package = build_package("compliant", tmp_path / "packages")
    (package / "坏的说明.txt").write_text("说明", encoding="utf-8")
    (package / "好的说明.txt").write_text("另一份说明", encoding="utf-8")
    binder = build(package, tmp_path / "out")
    rows = {r.original: r for r in binder.toc if r.original}
    assert rows["坏的说明.txt"].pages == "—" and "无法排版" in rows["坏的说明.txt"].note
    assert rows["好的说明.txt"].pages != "—"
    good = int(rows["好的说明.txt"].pages)
    assert "另一份说明" in binder.texts[good - 1]
    check_every_file_once(binder, package)


FAKE_SOFFICE = """#!{python}
import os, sys, time
args = sys.argv[1:]
out = args[args.index("--outdir") + 1]
files = args[args.index("--outdir") + 2:]
template = open(os.environ["BX_FAKE_PDF"], "rb").read()
for f in files:
    data = open(f, "rb").read()
    if b"HANG" in data:
        time.sleep(600)
    if b"BAD" in data:
        print("Error: source file could not be loaded", file=sys.stderr, flush=True)
        continue
    stem = os.path.splitext(os.path.basename(f))[0]
    open(os.path.join(out, stem + ".pdf"), "wb").write(template)
    print(f"convert {{f}} -> {{out}}/{{stem}}.pdf using filter : writer_pdf_Export", flush=True)
"""


def test_per_file_time_limit_kills_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file LibreOffice hangs on is stopped at the limit and listed as timed out; the files
    after it in its batch are converted by a new batch; a file it cannot load is said so."""
    blank = PdfWriter()
    blank.add_blank_page(595, 842)
    template = tmp_path / "blank.pdf"
    with template.open("wb") as fh:
        blank.write(fh)
    fake = tmp_path / "soffice"
    fake.write_text(FAKE_SOFFICE.format(python=sys.executable))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(office_module, "soffice", lambda: str(fake))
    monkeypatch.setattr(office_module, "STARTUP_SECONDS", 0.0)
    monkeypatch.setenv("BX_FAKE_PDF", str(template))
    inputs = tmp_path / "in"
    inputs.mkdir()
    jobs = []
    for i, content in enumerate([b"ok", b"HANG", b"ok", b"BAD", b"ok"]):
        source = inputs / f"f{i}.docx"
        source.write_bytes(content)
        jobs.append(OfficeJob(source, tmp_path / f"f{i}.pdf"))
    seen: list[str] = []
    start = time.monotonic()
    convert_office(
        jobs, tmp_path / "work", workers=1, seconds=3, done=lambda j: seen.append(j.source.name)
    )
    assert time.monotonic() - start < 30
    assert jobs[0].failure is None and jobs[0].target.is_file()
    assert jobs[1].failure is not None and "转换超时（超过 3 秒）" in jobs[1].failure
    assert jobs[2].failure is None and jobs[2].target.is_file()
    assert jobs[3].failure is not None and "无法打开" in jobs[3].failure
    assert jobs[4].failure is None and jobs[4].target.is_file()
    assert sorted(seen) == [f"f{i}.docx" for i in range(5)]
    # nothing it started is left running
    me = psutil.Process(os.getpid())
    assert not [p for p in me.children(recursive=True) if "soffice" in " ".join(p.cmdline())]


def test_refusals(tmp_path: Path) -> None:
    package = build_package("compliant", tmp_path / "packages")
    with pytest.raises(BinderError, match=r"只写一个 \.pdf 和一个 \.zip"):
        make_binder(package, CHECKLIST, PERIOD, [tmp_path / "x.docx"])
    with pytest.raises(BinderError, match="请用 -o"):
        make_binder(package, CHECKLIST, PERIOD, [])
    with pytest.raises(BinderError, match="没有名为“nope”的督导清单"):
        make_binder(package, "nope", PERIOD, [tmp_path / "x.pdf"])
    with pytest.raises(BinderError, match="找不到材料包"):
        make_binder(tmp_path / "none.zip", CHECKLIST, PERIOD, [tmp_path / "x.pdf"])
    facts = tmp_path / "a.facts.json"
    facts.write_text("{}")
    with pytest.raises(BinderError, match="材料包本身"):
        make_binder(facts, CHECKLIST, PERIOD, [tmp_path / "x.pdf"])


# -- the command line ---------------------------------------------------------------------------
def test_cli_binder_writes_both_and_says_what_is_missing(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(office_module, "soffice", lambda: None)  # fast: no LibreOffice here
    package = build_package("gaps", tmp_path / "packages")
    pdf, zip_path = tmp_path / "out" / "迎检资料.pdf", tmp_path / "out" / "迎检资料.zip"
    period = f"{PERIOD[0]}..{PERIOD[1]}"
    result = cli(
        "binder", package, "--checklist", CHECKLIST, "--period", period, "-o", pdf, "-o", zip_path
    )
    assert result.exit_code == 0, result.output
    assert str(pdf) in result.output and str(zip_path) in result.output
    assert "缺材料的项目：1.2、2.2、2.3、2.5" in result.output
    assert "未能转换为 PDF" in result.output and "未安装 LibreOffice" in result.output
    check_every_file_once(read_binder(pdf, zip_path), package)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "{tmp}/x.docx"], "不支持的输出格式“.docx”（可用 .pdf .zip）"),
        (["-o", "{tmp}/x.pdf", "--checklist", "nope"], "没有名为“nope”的督导清单"),
        (["-o", "{tmp}/x.pdf", "--period", "2025-13-01..2026-07-15"], "2025年13月1日不存在"),
        (["-o", "{tmp}/x.pdf", "--package", "{tmp}/none"], "找不到材料包"),
    ],
)
def test_cli_binder_refusals_exit_2(
    cli: Callable[..., Any], tmp_path: Path, args: list[str], message: str
) -> None:
    options = {"--checklist": CHECKLIST, "--period": f"{PERIOD[0]}..{PERIOD[1]}"}
    package = str(tmp_path / "pkg")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.txt").write_text("材料")
    rest: list[str] = []
    it = iter(args)
    for arg in it:
        value = next(it).replace("{tmp}", str(tmp_path))
        if arg == "--package":
            package = value
        elif arg in options:
            options[arg] = value
        else:
            rest += [arg, value]
    flat = [x for pair in options.items() for x in pair]
    result = cli("binder", package, *flat, *rest)
    assert result.exit_code == 2
    assert message in result.output
