"""Which evidence kind a file (or a section of it) is, and why — keyword rules from data.

The rules are `checklists/evidence/kinds.yaml`: per kind, keywords for the file name, the
content's title lines, table header rows and the folder path, tried in that order of strength.
Every answer carries a Chinese reason the report shows (“文件名含“签到””).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from audit.facts import EVIDENCE_KINDS
from audit.readers.model import Block, Item, ReadResult, Table
from forms.paths import CHECKLISTS_DIR
from forms.yamlload import load_yaml

KINDS_FILE = CHECKLISTS_DIR / "evidence" / "kinds.yaml"
TITLE_LINES = 4  # lines of content that count as the title area
HEADER_ROWS = 8  # rows of a table searched for the header row
MAX_TITLE_LEN = 40  # a longer line is body text, not a title


@dataclass(frozen=True)
class KindRule:
    kind: str
    names: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    headers: tuple[tuple[str, ...], ...] = ()
    folders: tuple[str, ...] = ()


@dataclass
class Classification:
    kind: str
    reason: str
    title: str = ""


@dataclass
class Section:
    """A run of a file's items holding one document (a visit record among many)."""

    kind: str
    reason: str
    title: str
    items: list[Item] = field(default_factory=list)

    @property
    def pages(self) -> list[int]:
        return sorted({i.page for i in self.items if i.page is not None})


_HALF_WIDTH = str.maketrans("（）：", "():")


def norm(text: str) -> str:
    """Text for keyword matching: no whitespace, full-width brackets as half-width."""
    return "".join(text.split()).translate(_HALF_WIDTH)


def _hit(keyword: str, text: str) -> bool:
    return all(part in text for part in keyword.split("+"))


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(KINDS_FILE.read_text(encoding="utf-8"))
    return data


def form_kinds() -> dict[str, str]:
    """baoxue form id → evidence kind."""
    found: dict[str, str] = _data().get("forms") or {}
    for form, kind in found.items():
        if kind not in EVIDENCE_KINDS:
            raise ValueError(f"{KINDS_FILE.name}：表单“{form}”对应未知的证据类型“{kind}”")
    return found


def presence_only(identity: dict[str, str] | None) -> bool:
    """A generated summary whose rows are totals: counted as present, content not read."""
    if not identity:
        return False
    return identity.get("form_id") in (_data().get("presence_only") or [])


def image_by_nature(kind: str) -> bool:
    """A kind that is a picture whatever its file (a 残疾证复印件 scanned to PDF, like its
    photo): a scan of it is the document, counted by what names it."""
    return kind in (_data().get("image_kinds") or [])


@lru_cache(maxsize=1)
def rules() -> tuple[KindRule, ...]:
    data = _data()
    loaded: list[KindRule] = []
    for entry in data["kinds"]:
        kind = entry["kind"]
        if kind not in EVIDENCE_KINDS:
            raise ValueError(f"{KINDS_FILE.name}：未知的证据类型“{kind}”")
        loaded.append(
            KindRule(
                kind=kind,
                names=tuple(entry.get("names", ())),
                titles=tuple(entry.get("titles", ())),
                headers=tuple(tuple(h) for h in entry.get("headers", ())),
                folders=tuple(entry.get("folders", ())),
            )
        )
    return tuple(loaded)


def by_name(stem: str) -> Classification | None:
    text = norm(stem)
    for rule in rules():
        for keyword in rule.names:
            if _hit(keyword, text):
                return Classification(rule.kind, f"文件名含“{keyword.replace('+', '…')}”")
    return None


def title_lines(items: list[Item], count: int = TITLE_LINES) -> list[str]:
    """The first short lines of a document: paragraphs, or a table's single-cell title row."""
    lines: list[str] = []
    for item in items:
        if isinstance(item, Block):
            if len(item.text) <= MAX_TITLE_LEN:
                lines.append(item.text)
            elif lines:
                break
        else:
            for row in item.rows[:2]:
                cells = [c for c in row if c]
                if len(set(cells)) == 1 and len(cells[0]) <= MAX_TITLE_LEN:
                    lines.append(cells[0])
            break
        if len(lines) >= count:
            break
    return lines


def by_title(lines: list[str]) -> Classification | None:
    """The kind the first title line naming one says; a title may wrap onto the next line
    (“关于召开春季学期控辍保学工作会议的 / 通知”), so each line is also read with the next."""
    lines = [line for line in lines if not is_sentence(line)]
    for index, line in enumerate(lines):
        for title in (line, "".join(lines[index : index + 2])):
            found = _title_keyword(norm(title))
            if found:
                kind, keyword = found
                reason = f"标题“{title[:30]}”含“{keyword.replace('+', '…')}”"
                return Classification(kind, reason, title)
    return None


_BRACKETED = re.compile(r"[（(][^）)]*[）)]")


def is_sentence(line: str) -> bool:
    """A line of running text (“3.请假超过7天的，班主任须……并填写家访记录。”) names no
    document, whatever words it holds: a title has no sentence punctuation outside brackets."""
    return bool(re.search(r"[。；;，,！？]", _BRACKETED.sub("", line)))


@lru_cache(maxsize=8192)
def _title_keyword(text: str) -> tuple[str, str] | None:
    """The kind and keyword a title line names. Cached: a compilation repeats its titles on
    every page (送教上门记录表 a thousand times), and each asks every rule."""
    for kind, keyword, first, rest in _title_keywords():
        if first in text and all(part in text for part in rest):
            return kind, keyword
    return None


@lru_cache(maxsize=1)
def _title_keywords() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(kind, keyword, its first part, its other parts) of every title keyword, in the rules'
    order: split once, not on each of the ~100 keywords for each new line (a page's first line
    differs on every page of a compilation: 学生姓名李小华送教日期2025年11月13日)."""
    found = []
    for rule in rules():
        for keyword in rule.titles:
            first, *rest = keyword.split("+")
            found.append((rule.kind, keyword, first, tuple(rest)))
    return tuple(found)


def by_headers(tables: list[Table]) -> Classification | None:
    for table in tables:
        for row in table.rows[:HEADER_ROWS]:
            cells = [norm(c) for c in row if c]
            for rule in rules():
                for wanted in rule.headers:
                    if all(any(w in c for c in cells) for w in wanted):
                        return Classification(rule.kind, f"表头含“{'、'.join(wanted)}”")
    return None


def by_folder(folder: str) -> Classification | None:
    parts = [p for p in folder.split("/") if p]
    for part in reversed(parts):  # the nearest folder says most
        text = norm(part)
        for rule in rules():
            for keyword in (*rule.names, *rule.folders):
                if _hit(keyword, text):
                    return Classification(
                        rule.kind, f"所在文件夹“{part}”含“{keyword.replace('+', '…')}”"
                    )
    return None


def classify(path: str, result: ReadResult) -> Classification:
    """The kind of one file from its name, content and folder."""
    pure = PurePosixPath(path)
    folder = str(pure.parent) if str(pure.parent) != "." else ""
    if result.is_image:
        return _classify_image(pure.stem, folder)
    if result.identity:
        form = result.identity.get("form_id", "")
        kind = form_kinds().get(form)
        if kind:
            number = result.identity.get("document_number") or "无编号"
            return Classification(
                kind, f"本系统生成的文书（表单 {form}，编号 {number}），按元数据识别"
            )
    found = by_name(pure.stem)
    if found:
        return found
    found = by_title(title_lines(result.items))
    if found:
        return found
    found = by_headers([i for i in result.items if isinstance(i, Table)])
    if found:
        return found
    found = by_folder(folder)
    if found:
        return found
    if result.status == "scanned":
        return Classification("unknown", "扫描件，无文字可识别，文件名和文件夹也未说明类型")
    return Classification("unknown", "文件名、标题、表头和文件夹均未含可识别的关键词")


# A photo named after an activity is a photo of it, not the activity's record.
_ACTIVITY_KINDS = frozenset({"visit_record", "home_teaching_record", "meeting_photo"})


# A meeting's folder is named after it: 会议, 会场, or the kind of meeting (推进会, 部署会 …).
_MEETING_WORDS = re.compile(r"会议|会场|(?:推进|部署|工作|动员|专题|座谈|培训|调度|例)会")


def _classify_image(stem: str, folder: str) -> Classification:
    # A photographed or scanned paper named for what it is (残疾证复印件.jpg) is that document.
    named = by_name(stem)
    if named and named.kind not in _ACTIVITY_KINDS:
        return Classification(named.kind, f"图片，{named.reason}")
    context = norm(f"{folder}/{stem}")
    if _MEETING_WORDS.search(context):
        where = "文件名" if _MEETING_WORDS.search(norm(stem)) else "所在文件夹"
        return Classification("meeting_photo", f"图片，{where}含“会议”")
    reason = f"图片（所在文件夹“{folder}”）" if folder else "图片"
    return Classification("photo", reason)


def split_sections(result: ReadResult) -> list[Section]:
    """Split a file holding several documents at each line (or title row) naming a new one.

    A PDF compiled from scans starts a document on a new page; a DOCX compilation starts one at
    a short title paragraph or a table whose first row is a title. Fewer than two → [].
    """
    sections: list[Section] = []
    current: Section | None = None
    last_page: int | None = None
    for index, item in enumerate(result.items):
        title = _section_title(item, index, last_page, result.items)
        if title is not None and not _same_document(current, title, item):
            current = Section(title.kind, title.reason, title.title)
            sections.append(current)
        if current is not None:
            current.items.append(item)
        elif not sections:
            current = Section("unknown", "", "")
            sections.append(current)
            current.items.append(item)
        last_page = item.page
    sections = [s for s in sections if s.kind != "unknown" or any(_substantial(i) for i in s.items)]
    return sections if len(sections) >= 2 else []


def _same_document(current: Section | None, title: Classification, item: Item) -> bool:
    """A PDF gives a table twice, as lines of text and as the table: its title row on the page
    where the same title was just read opens no new document."""
    return (
        current is not None
        and isinstance(item, Table)
        and item.page is not None
        and title.title == current.title
        and item.page in current.pages
    )


def _substantial(item: Item) -> bool:
    return isinstance(item, Table) or len(item.text) > MAX_TITLE_LEN


# A table of contents' entry: a title, then dot leaders or a gap, then its page number.
_TOC_ENTRY = re.compile(r"\D(?:\s*[.·…．]{2,}\s*|\s+)\d{1,3}\s*$")


def _looks_like_header_row(text: str) -> bool:
    """“送教时间 送教对象 课时 时长 …”: a PDF table's heading row read as a line, not a title."""
    words = text.split()
    return len(words) >= 4 and all(len(w) <= 8 for w in words)


def _section_title(
    item: Item, index: int, last_page: int | None, items: list[Item]
) -> Classification | None:
    if isinstance(item, Table):
        lines = title_lines([item], 1)
    else:
        if len(item.text) > MAX_TITLE_LEN or _looks_like_header_row(item.text):
            return None
        if _TOC_ENTRY.search(item.text):
            return None  # a 目录 line (（二）控辍保学工作方案 …… 8): the document comes later
        if item.page is not None:
            # In a PDF only the first lines of a page can open a document.
            starts = [j for j in range(max(0, index - 2), index + 1) if items[j].page == item.page]
            if item.page == last_page and len(starts) > 2:
                return None
        lines = [item.text]
    return by_title(lines)
