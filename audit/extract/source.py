"""What an extractor sees: one file (or section) with its kind, place and helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath

from audit.classify import norm, rules
from audit.extract.names import PERSON_NAME, looks_like_person
from audit.extract.tables import Record, continued_records, form_values, labelled_values, records
from audit.extract.values import Period, document_period, year_for
from audit.facts import Provenance
from audit.readers.model import Block, Item, Table
from forms.dates import find_dates

_HAN_NAME = PERSON_NAME
# Folder and file-name words that are not a student's name.
_NOT_NAME = re.compile(
    r"[一二三四五六七八九十]、|学校|学期|学年|材料|资料|台账|记录|方案|照片|图片|名单|名册|花名册|"
    r"送教|休学|家访|劝返|会议|部署|制度|计划|汇总|附件|其他|其它|扫描|档案|证明|表格|文件|新建"
)


_NAME_WITH_PARTICULARS = re.compile(
    r"(?:学生|姓名[:：]?|^|[，。、：:\s是系])([\u4e00-\u9fff·]{2,4}?)[（(]\s*[男女][，,）)]"
)


FULL_LINE = 0.85  # of the widest line on the page: a line this wide runs on into the next
_PARAGRAPH_END = ("。", "！", "？", "；", "：", ":", ";", "!", "?")


_WIDE = re.compile(r"[^\x00-\u2e7f]")


def _width(text: str) -> int:
    """Columns a line takes: a Chinese (wide) character two, others one — and nothing for the
    gap Word and LibreOffice set between Chinese and Western characters, which pdfium gives
    as a space (“10 月 14 日” is as wide as “10月14日”)."""
    text = _CJK_GAP.sub("", text)
    return len(text) + len(_WIDE.findall(text))


_CJK_GAP = re.compile(
    r"(?<=[\u4e00-\u9fff，。、；：）（]) (?=[0-9A-Za-z])|(?<=[0-9A-Za-z]) (?=[\u4e00-\u9fff])"
)


@dataclass
class Source:
    path: str
    sha256: str
    kind: str
    items: list[Item]
    period: Period | None = None
    title: str = ""
    photo_date: date | None = None
    known_names: frozenset[str] = frozenset()
    ocr_engine: str | None = None  # pages read by OCR: page → weakest confidence used
    ocr_pages: dict[int, float] = field(default_factory=dict)
    # OCR'd pages where a record was written but could not be made out (page → why): they
    # wait for a person as a scanned page does (ingest.py adds them to the file's pages)
    unread_pages: dict[int, str] = field(default_factory=dict)
    # in a compilation, the student the last heading naming one names (（三）黄雨涵送教上门材料
    # over 送教上门教案 and its table): the part's own student unless it names another
    heading_student: str | None = None
    _pick: Callable[[int], int] | None = field(default=None, init=False, repr=False)
    _forms: dict[int, tuple[Table, Record | None]] = field(
        default_factory=dict, init=False, repr=False
    )
    _paragraphs: list[Block] | None = field(default=None, init=False, repr=False)

    def prov(
        self,
        snippet: str = "",
        *,
        page: int | None = None,
        sheet: str | None = None,
        row: int | None = None,
        ocr: float | None = None,
    ) -> Provenance:
        if ocr is None and page is not None:
            ocr = self.ocr_pages.get(page)
        return Provenance(
            file=self.path,
            sha256=self.sha256,
            page=page,
            sheet=sheet,
            row=row,
            snippet=" ".join(snippet.split())[:200],
            ocr_engine=self.ocr_engine if ocr is not None else None,
            ocr_confidence=ocr,
        )

    def item_prov(self, item: Item, snippet: str, row: int | None = None) -> Provenance:
        if isinstance(item, Table):
            return self.prov(snippet, page=item.page, sheet=item.sheet, row=row, ocr=item.ocr)
        return self.prov(snippet, page=item.page, ocr=item.ocr)

    def form(self, table: Table) -> Record | None:
        """`form_values` of a table, read once per source: the student's name, the document's
        date and the records all ask for the same forms (2,000 forms in the benchmark)."""
        key = id(table)
        hit = self._forms.get(key)
        if hit is None or hit[0] is not table:  # kept with its table: an id is not reused
            hit = self._forms[key] = (table, form_values(table))
        return hit[1]

    @property
    def blocks(self) -> list[Block]:
        return [i for i in self.items if isinstance(i, Block)]

    def paragraphs(self) -> list[Block]:
        """Running text as paragraphs. A PDF's text comes a line at a time, so a paragraph
        wraps mid-sentence (“……到李小华家中送 / 教三课时”, “2025年 / 9月20日”): a line as wide
        as the page's widest that does not end a sentence runs on into the next line of its
        page."""
        if self._paragraphs is not None:  # the extractor and the account both ask
            return self._paragraphs
        blocks = self.blocks
        if not self.path.lower().endswith(".pdf"):
            return blocks
        widths = [_width(b.text.rstrip()) for b in blocks]
        widest: dict[int | None, int] = {}
        for b, width in zip(blocks, widths, strict=True):
            widest[b.page] = max(widest.get(b.page, 0), width)
        out: list[Block] = []
        run_on = False
        for b, width in zip(blocks, widths, strict=True):
            text = _CJK_GAP.sub("", b.text.strip())  # the typeset gap is no space a clerk typed
            if run_on and out and out[-1].page == b.page:
                out[-1] = Block(out[-1].text + text, b.page)
            else:
                out.append(Block(text, b.page))
            run_on = width >= FULL_LINE * widest[b.page] and not b.text.rstrip().endswith(
                _PARAGRAPH_END
            )
        self._paragraphs = out
        return out

    @property
    def tables(self) -> list[Table]:
        return [i for i in self.items if isinstance(i, Table)]

    def text(self, limit: int = 20000) -> str:
        parts: list[str] = []
        size = 0
        for item in self.items:
            line = (
                item.text
                if isinstance(item, Block)
                else "\n".join(" ".join(c for c in r if c) for r in item.rows)
            )
            parts.append(line)
            size += len(line)
            if size > limit:
                break
        return "\n".join(parts)[:limit]

    @property
    def pick(self) -> Callable[[int], int] | None:
        """The year of a date written as 3月5日: from the period, the document, or its dates."""
        if self._pick is None:
            if self.period is not None:  # the audit's period: the document's own is not read
                self._pick = year_for(self.period)
                return self._pick
            text = self.text(4000)
            own = document_period(text)
            if own is not None:
                self._pick = year_for(own)
            else:
                full = find_dates(text)
                self._pick = year_for(None, full[0].year if full else None)
        return self._pick

    def dates(self, text: str) -> list[date]:
        return find_dates(text, year_for=self.pick)

    def first_date(self) -> date | None:
        """The document's own date: a labelled one, else the first in the text or file name."""
        labelled = labelled_values([b.text for b in self.blocks[:40]]).get("date")
        if labelled:
            found = self.dates(labelled)
            if found:
                return found[0]
        for table in self.tables[:3]:
            form = self.form(table)
            if form and form.get("date"):
                found = self.dates(form.get("date"))
                if found:
                    return found[0]
        found = self.dates(self.text(4000))
        if found:
            return found[0]
        found = self.dates(PurePosixPath(self.path).stem)
        return found[0] if found else self.photo_date

    def signed_date(self) -> date | None:
        """The date standing alone on a line near the end: when the document was signed."""
        for block in reversed(self.blocks[-12:]):
            text = block.text.strip()
            if len(text) <= 16:
                found = self.dates(text)
                if (
                    found
                    and len(re.sub(r"[\d年月日./\-〇零一二三四五六七八九十\s]", "", text)) == 0
                ):
                    return found[0]
        return None

    def last_date(self) -> date | None:
        """The 成文日期 of a plan or system: the last date written (signature block)."""
        found = self.dates(self.text(50000))
        return found[-1] if found else self.first_date()

    def student_hint(self) -> str | None:
        """The student a per-student document is about: a labelled name, the file name, a folder."""
        for table in self.tables[:3]:
            form = self.form(table)
            if form and _clean_name(form.get("name")):
                return _clean_name(form.get("name"))
        labelled = _clean_name(labelled_values([b.text for b in self.blocks[:30]]).get("name", ""))
        if labelled:
            return labelled
        for block in self.blocks[:30]:
            # “学生莫小军（男，身份证号……）”: a name with its particulars in brackets
            match = _NAME_WITH_PARTICULARS.search(block.text)
            if match and _clean_name(match[1]):
                return match[1]
        # a compilation's part under its heading (一、覃小明（三年级）送教记录)
        return (
            title_student(self.title, self.known_names)
            or self.heading_student
            or name_from_path(self.path, self.known_names)
        )

    def table_records(self, required: tuple[str, ...]) -> list[tuple[Table, Record]]:
        found: list[tuple[Table, Record]] = []
        anchor: Table | None = None  # the last table with a header: it rules continuations
        last_page: int | None = None
        for table in self.tables:
            # a table running on from the page before is read under that page's header first
            rows = continued_records(table, anchor, last_page, required) if anchor else []
            if not rows:
                rows = records(table, required)
                anchor = table if rows else None
            found += [(table, r) for r in rows]
            last_page = table.page
        return found


# Sheet names that are not a student's: months, terms, classes, kinds of sheet (劝访, 家访 …).
_NOT_SHEET_NAME = re.compile(
    r"月|周|季|年|期|班|级|表|册|账|统计|总|明细|数据|劝|访|教|课|记|录|核|查|假|前|后|Sheet",
    re.IGNORECASE,
)


def sheet_student(table: Table, known: frozenset[str]) -> str | None:
    """The student a workbook's sheet is named after (one sheet per student: 李小华 | 莫小芳):
    a name the package's rosters list, or, with no roster, a sheet name that reads as one."""
    sheet = (table.sheet or "").strip()
    if not sheet:
        return None
    if known:
        return sheet if sheet in known else None
    return None if _NOT_SHEET_NAME.search(sheet) else _clean_name(sheet)


def _clean_name(text: str | None) -> str | None:
    if not text:
        return None
    text = re.sub(r"[（(].*?[）)]", "", text).strip()
    text = re.split(r"[\s,，、]", text)[0]
    return text if _HAN_NAME.match(text) and not _NOT_NAME.search(text) else None


def _kind_words() -> list[str]:
    words = {w for rule in rules() for w in (*rule.names, *rule.titles) if "+" not in w}
    return sorted(words, key=len, reverse=True)


def name_from_path(path: str, known: frozenset[str] = frozenset()) -> str | None:
    """A student's name in a file path: a known roster name, a name folder, or a name prefix."""
    for name in sorted(known, key=len, reverse=True):
        if name and name in path:
            return name
    pure = PurePosixPath(path)
    for part in reversed(pure.parent.parts):
        part = re.sub(r"^[\d一二三四五六七八九十]+[、.．]\s*", "", part)
        if _HAN_NAME.match(part) and not _NOT_NAME.search(part):
            return part
    stem = norm(pure.stem)
    bracket = re.search(r"[(（【\[]([\u4e00-\u9fff·]{2,4})[)）】\]]", stem)
    if bracket and not _NOT_NAME.search(bracket[1]):
        return bracket[1]
    for word in _kind_words():
        index = stem.find(word)
        if index > 0:
            prefix = re.sub(r"[\d年月日._\-—第学期秋春季度]+", "", stem[:index])
            prefix = re.sub(r".*(?:学生|同学)", "", prefix).strip("-_的")
            if _HAN_NAME.match(prefix) and not _NOT_NAME.search(prefix):
                return prefix
            break
    return None


def title_student(title: str, known: frozenset[str] = frozenset()) -> str | None:
    """The student a document's title names: a rostered name in it, or the name before the
    kind of document (2025年9月覃小明送教记录, 一、覃小明（三年级）送教记录)."""
    if not title:
        return None
    for name in sorted(known, key=len, reverse=True):
        if name and name in title:
            return name
    text = re.sub(r"^[\d一二三四五六七八九十]+[、.．]\s*", "", norm(title))
    text = re.sub(r"[（(【\[][^）)】\]]*[）)】\]]", "", text)
    owner = re.match(r"^([^：:]{2,12})[：:]", text)  # 黄雨涵：7.送教上门记录
    if owner:
        name = owner[1].strip()
        return name if looks_like_person(name) and not _NOT_NAME.search(name) else None
    for word in _kind_words():
        index = text.find(word)
        if index > 0:
            prefix = _TITLE_DATE.sub("", text[:index])
            prefix = re.sub(r".*(?:学生|同学)", "", prefix).strip("-_的")
            if looks_like_person(prefix) and not _NOT_NAME.search(prefix):
                return None if _A_PLACE.search(prefix) else prefix  # (控辍保学, 政策性: none)
            return None
    return None


_TITLE_DATE = re.compile(
    r"^(?:\d{4}\s*[-—～~]\s*\d{4}\s*学年|\d{4}\s*年度?)?(?:\d{1,2}\s*月份?)?"
    r"(?:第[\d一二三四五六七八九十]+次)?"  # 第一次联合劝访: an ordinal, no name
)
_A_PLACE = re.compile(r"小学|中学|学校|幼儿园|[镇村乡县区局]$")


def split_names(text: str) -> list[str]:
    return [n for n in re.split(r"[\s、，,;；/]+", text) if _HAN_NAME.match(n)]


def yes_no(text: str) -> bool | None:
    text = norm(text)
    if not text:
        return None
    if re.search(r"^(否|无|没有|未|×|x|X|—|-|/)", text):
        return False
    if re.search(r"^(是|有|已|√|✓|✔|Y|y)", text) or re.search(r"家访|上门|核实", text):
        return True  # a box telling the check (2026.03.19班主任…上门核实，属实)
    return None
