"""Tables by meaning: headings matched to fields through the alias table, two table shapes.

- A *record table* has a header row (possibly under title rows) and one record per row.
- A *form* is a table of label cells each followed by its value (学生姓名 | 张三 | 性别 | 男),
  the way approval forms and visit records are drawn. Labels with values also appear in prose
  (“学生姓名：张三”), read by `labelled_values`.
The aliases live in checklists/evidence/fields.yaml.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from audit.extract.names import looks_like_person, names_column
from audit.readers.model import Table
from forms.paths import CHECKLISTS_DIR
from forms.yamlload import load_yaml

FIELDS_FILE = CHECKLISTS_DIR / "evidence" / "fields.yaml"
HEADER_ROWS = 8  # a header row lies within the first rows (title rows above it)
MAX_LABEL_LEN = 14  # a form label is short


_LABEL_NOISE = re.compile(r"[\s:：()（）\[\]【】*＊/、.]")


def norm_label(text: str) -> str:
    return _LABEL_NOISE.sub("", text)


@lru_cache(maxsize=1)
def aliases() -> tuple[tuple[str, str], ...]:
    """(alias, field) pairs, longest alias first so the most specific heading wins."""
    data: dict[str, Any] = load_yaml(FIELDS_FILE.read_text(encoding="utf-8"))
    pairs = [
        (norm_label(alias), name)
        for name, spellings in data["fields"].items()
        for alias in spellings
    ]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


@lru_cache(maxsize=1)
def _not_student() -> re.Pattern[str]:
    """Headings over someone else's names (fields.yaml `not_student`)."""
    data: dict[str, Any] = load_yaml(FIELDS_FILE.read_text(encoding="utf-8"))
    return re.compile("|".join(re.escape(w) for w in data["not_student"]))


def someone_else(heading: str) -> bool:
    """Whether a heading names people other than the student (班主任, 监护人, 记录人 …)."""
    return bool(heading) and field_of(heading) != "name" and bool(_not_student().search(heading))


_STATEMENT = re.compile(r"[（(][^）)]*\d[^）)]*[）)]")


@lru_cache(maxsize=8192)
def field_of(heading: str, *, exact: bool = False) -> str | None:
    """The field a heading means, or None. `exact`: the heading must be just the alias.

    A bracket holding a number states something about the column (“课时（每课时40分钟）”) and
    does not name it: the heading is matched without it."""
    text = norm_label(_STATEMENT.sub("", heading))
    if not text or len(text) > 24:
        return None
    for alias, name in aliases():
        if text == alias:
            return name
    if exact:
        return None
    for alias, name in aliases():
        if len(alias) > 1 and alias in text:  # 月, 日: only a heading of its own
            return name
    return None


@dataclass
class Record:
    """One row of a record table (or one filled form): field → cell text."""

    values: dict[str, str]
    row: int | None  # 1-based row number in the sheet / table
    snippet: str
    extra: dict[str, str] = field(default_factory=dict)  # headings not in the alias table

    def get(self, name: str) -> str:
        return self.values.get(name, "")


@dataclass
class Header:
    index: int  # index of the header row in table.rows
    columns: dict[int, str]  # column → field
    above: int | None = None  # the upper row of a two-row header (请假时间 over 起 | 止)

    def headings(self, rows: list[list[str]]) -> list[str]:
        """Each column's heading as written: the lower row's, else the one above it."""
        row = rows[self.index]
        if self.above is None:
            return row
        up = rows[self.above]
        return [cell or (up[c] if c < len(up) else "") for c, cell in enumerate(row)]


def find_header(table: Table, required: tuple[str, ...] = ()) -> Header | None:
    """The row among the first ones with the most recognised headings (at least two).

    A heading no alias knows (序号 | 姓名 | 到校情况, 学生 | 去向) is read from its column's
    values: a column of names, of ID numbers or of dates says what it holds. That is only
    asked when the spellings alone do not make a header with the required fields.
    """
    best: Header | None = None
    for index, row in enumerate(table.rows[:HEADER_ROWS]):
        if len({c for c in row if c.strip()}) < 2:
            continue  # a title row (7年级1班点名册) spanning the table, not a header
        if any(_value_kind(c) in ("date", "id_number") for c in row):
            continue  # a record (2026年6月20日 | 李小华 | 三课时 …): a table running on headerless
        # a row of three headings or more is the header: the rows below it are records (a
        # roll call's 一年级（1）班 | 蒋丽娟 | 45 is no header, whatever it seems to name)
        last = sum(1 for c in row if c.strip() and field_of(c) and not _DIGIT.search(c)) >= 3
        columns: dict[int, str] = {}
        for col, cell in enumerate(row):
            name = field_of(cell)
            if name == "date" and "date" in columns.values() and _clocks_below(table, index, col):
                name = "time_range"  # 日期 | 送教时间 (9:00-11:00)
            if name and (name not in columns.values() or name in MULTI_COLUMN):
                columns[col] = name
        _drop_unnamed(table, index, columns)
        _drop_shared(row, columns)
        inferred: dict[int, str] = {}
        if columns and (len(columns) < 2 or not _has_all(columns, required)):
            inferred = infer_columns(table, index)
            for col, name in inferred.items():
                if name not in columns.values() and col not in columns and col < len(row):
                    columns[col] = name
        # one heading is enough when its column's values agree (姓名 over a column of names)
        agreed = required and all(inferred.get(c) == n for c, n in columns.items() if n in required)
        usable = _has_all(columns, required) and (len(columns) >= 2 or agreed)
        if usable and (best is None or len(columns) > len(best.columns)):
            best = Header(index, columns)
        if last:
            break
    if best is not None:
        _merge_subheader(table, best)
    return best


# Fields a row may name once only: several headings naming one (班主任审批 | 政教处审批 |
# 校长审批: an approver a column, each under its tier) are left unmapped, read with their
# headings (records.py `_approver_from_columns`), not as the first column alone.
ONE_COLUMN = frozenset({"approver"})


def _drop_shared(row: list[str], columns: dict[int, str]) -> None:
    for name in ONE_COLUMN:
        if sum(1 for cell in row if cell.strip() and field_of(cell) == name) >= 2:
            for col in [c for c, n in columns.items() if n == name]:
                del columns[col]


def _drop_unnamed(table: Table, index: int, columns: dict[int, str]) -> None:
    """A column whose heading says 学生 or 姓名 but whose cells hold no names (家长及学生态度:
    家长支持复学，学生犹豫) is not the student column: a column is one by its values."""
    for col, name in list(columns.items()):
        if name != "name":
            continue
        below = table.rows[index + 1 : index + 1 + SAMPLE_ROWS]
        if not names_column(r[col] for r in below if col < len(r)):
            del columns[col]


# Fields a table may spread over several columns, each heading naming its part: 学校参加人员 |
# 镇政府参加人员 | 村委参加人员 — the participants are all of them, each under its body.
MULTI_COLUMN = frozenset({"participants"})


def _first_row_is_a_record(table: Table, header: Header) -> bool:
    """The first row of a table running on from the page before holds a value where its
    previous page's header says what the column holds (梁宇航 under 姓名): a record — however
    much it looks like a header of its own (9年级1班 reads as 年级, its name column agrees)."""
    row = table.rows[0] if table.rows else []
    return any(
        col < len(row) and _value_kind(row[col]) == kind
        for col, kind in ((c, n) for c, n in header.columns.items())
        if kind in ("name", "date", "id_number")
    )


def _has_all(columns: dict[int, str], required: tuple[str, ...]) -> bool:
    """Whether the columns hold every required field; a date may be written as 月 | 日."""
    have = set(columns.values())
    if {"month", "day"} <= have:
        have.add("date")
    return all(r in have for r in required)


def _clocks_below(table: Table, index: int, col: int) -> bool:
    """Whether the first filled cell under a heading is a clock time."""
    for row in table.rows[index + 1 : index + 1 + SAMPLE_ROWS]:
        if col < len(row) and row[col].strip():
            return bool(_CLOCK_FIRST.match(row[col]))
    return False


_ID = re.compile(r"^\d{17}[\dXx]$")
_DATE = re.compile(
    r"^(?:\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?|\d{1,2}\s*月\s*\d{1,2}\s*日)"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_COUNT = re.compile(r"^\d{1,5}$")
SAMPLE_ROWS = 12
VALUE_SHARE = 0.8  # a column is of a kind when this share of its filled cells are


def _value_kind(cell: str) -> str | None:
    cell = cell.strip()
    if _ID.match(cell):
        return "id_number"
    if _DATE.match(cell):
        return "date"
    if looks_like_person(cell) and field_of(cell, exact=True) is None:
        return "name"
    if _COUNT.match(cell):
        return "count"
    return None


def infer_columns(table: Table, header_index: int) -> dict[int, str]:
    """Fields of the columns below a header row, read from their values (names, IDs, dates).

    A column counting 1, 2, 3 … is a serial number (序号), not a count.
    """
    sample = table.rows[header_index + 1 : header_index + 1 + SAMPLE_ROWS]
    width = max((len(r) for r in sample), default=0)
    found: dict[int, str] = {}
    for col in range(width):
        cells = [r[col].strip() for r in sample if col < len(r) and r[col].strip()]
        if len(cells) < min(2, len(sample)):  # one value says it when it is the only row
            continue
        kinds = [_value_kind(c) for c in cells]
        best = max(set(kinds), key=kinds.count)
        if best is None or kinds.count(best) < VALUE_SHARE * len(cells):
            continue
        heading = table.rows[header_index][col] if col < len(table.rows[header_index]) else ""
        if best == "name" and someone_else(heading):
            continue  # a roll call's 班主任 beside each class: names, not the students
        if best == "count" and [int(c) for c in cells if c.isdigit()][:3] == [1, 2, 3]:
            continue
        if best not in found.values():
            found[col] = best
    return found


def _merge_subheader(table: Table, header: Header) -> None:
    """A two-row header (请假时间 over 起 | 止): the second row names what the first left blank.

    A sub-heading no alias knows alone (起, 止) is read with the heading spanning it
    (请假时间起, 请假时间止)."""
    below = header.index + 1
    if below >= len(table.rows):
        return
    head, row = table.rows[header.index], table.rows[below]
    if any(_value_kind(c) in ("date", "id_number") for c in row):
        return  # the first record
    named: dict[int, str] = {}
    for col, cell in enumerate(row):
        if not cell:
            continue
        parent = _spanning(head, col)
        name = field_of(cell) or (field_of(parent + cell) if parent and parent != cell else None)
        if name:
            named[col] = name
    filled = [c for c in row if c]
    if (len(named) < 2 or len(named) < len(filled) - 1) and not heading_row(filled):
        return  # a data row, not a header
    for col, name in named.items():
        if (
            name not in header.columns.values()
            or header.columns.get(col) == name
            or name in MULTI_COLUMN  # 参加人员 over 学校 | 乡政府 | 村委会: a column a body
        ):
            header.columns[col] = name
    for name in ONE_COLUMN:  # 审批意见及签名 over 班主任 | 政教处 | 校长: a column a tier
        if sum(1 for n in named.values() if n == name) >= 2:
            for col in [c for c, n in header.columns.items() if n == name]:
                del header.columns[col]
    header.above, header.index = header.index, below


def _spanning(head: list[str], col: int) -> str:
    """The merged heading over a column (it keeps its text in its first column, blanks after
    it); "" when the heading above spans one column only (姓名 over 李小华 is a record)."""
    for at in range(min(col, len(head) - 1), -1, -1):
        if head[at].strip():
            spans = at + 1 < len(head) and not head[at + 1].strip()
            return head[at] if spans else ""
    return ""


_DIGIT = re.compile(r"\d")
HEADING_SHARE = 0.75  # a header row: this share of its cells (three at least) are headings


def heading_row(cells: list[str]) -> bool:
    """A row of headings (序号 | 日期 | 学生姓名 | 类型 | 参加人员 …), though a heading or two
    may be one no alias knows; a row holding a date or an ID number is a record's."""
    known = sum(1 for c in cells if field_of(c) and not _DIGIT.search(c))  # not 9年级1班
    if any(_value_kind(c) in ("date", "id_number") for c in cells):
        return False
    if len(cells) >= 3 and known >= 3 and known >= HEADING_SHARE * len(cells):
        return True
    # or headings no alias knows beside two it does (次数 | 日期 | 地点 | 参加人员 | 劝访情况):
    # short words all, none a value — no number, no sentence, nobody's name
    return len(cells) >= 4 and known >= 2 and all(_heading_like(c) for c in cells)


_SENTENCE_MARK = re.compile(r"[，,。；;、：:]")


@lru_cache(maxsize=16384)
def _heading_like(cell: str) -> bool:
    text = norm_label(cell)
    return (
        2 <= len(text) <= 10
        and not _DIGIT.search(text)
        and not _SENTENCE_MARK.search(cell)
        and not looks_like_person(text)
        and not _A_VALUE.search(text)
    )


# Words a form's box holds, not a heading: a grade (七年级), a school or a place (荔浦市东昌镇中学)
_A_VALUE = re.compile(r"^[一二三四五六七八九]+年级|^.{3,}(?:中学|小学|学校|[镇乡村县])$")


def looks_like_form(table: Table) -> bool:
    """Label cells followed by their values on two or more rows: a form, not a record table."""
    rows = 0
    for row in table.rows[:8]:
        cells = [c for c in row if c]
        if heading_row(cells):
            if rows:
                continue  # a sub-table inside a form (参加人员 | 姓名 | 单位 | 职务)
            return False  # a header row: every cell a heading
        pairs = sum(
            1
            for a, b in itertools.pairwise(cells)
            if field_of(a, exact=True)
            and not field_of(b, exact=True)
            and a != b
            and not _heading_like(b)  # 日期 | 星期: two headings, no label and its value
        )
        rows += pairs >= 1
    return rows >= 2


def records(table: Table, required: tuple[str, ...] = ("name",)) -> list[Record]:
    """The rows of a record table as records; [] when the table has no such header."""
    parts = side_by_side(table)
    if parts:
        return [r for part in parts for r in records(part, required)]
    if looks_like_form(table):
        return []
    header = find_header(table, required)
    if header is None:
        return []
    return _rows_under(table, header, header.headings(table.rows), header.index + 1)


def side_by_side(table: Table) -> list[Table]:
    """A list printed two (or more) up to save paper — 序号 | 姓名 | 性别 | 序号 | 姓名 | 性别 —
    as its column groups, one under the other; [] when its header does not repeat itself."""
    for index, row in enumerate(table.rows[:HEADER_ROWS]):
        cells = [c.strip() for c in row]
        width = len(cells)
        for size in range(2, width // 2 + 1):
            if width % size or not all(cells[:size]):
                continue
            groups = [cells[k : k + size] for k in range(0, width, size)]
            if (
                all(g == groups[0] for g in groups)
                and sum(1 for c in groups[0] if field_of(c)) >= 2
            ):
                head = table.rows[:index]
                return [
                    Table(
                        rows=[*head, *[r[k : k + size] for r in table.rows[index:]]],
                        page=table.page,
                        sheet=table.sheet,
                        row0=table.row0,
                        ocr=table.ocr,
                    )
                    for k in range(0, width, size)
                ]
    return []


def continued_records(
    table: Table, previous: Table, last_page: int | None, required: tuple[str, ...] = ("name",)
) -> list[Record]:
    """A table running on from the page before (`last_page`) — or straight after `previous`,
    a table split in two (`Table.follows`) — without repeating the header row of `previous`,
    the table it continues."""
    next_page = table.page is not None and last_page is not None and table.page == last_page + 1
    if not (next_page or table.follows):
        return []
    width = max((len(r) for r in table.rows), default=0)
    if width != max((len(r) for r in previous.rows), default=0) or looks_like_form(previous):
        return []
    header = find_header(previous, required)
    if header is None:
        return []
    if find_header(table) is not None and not _first_row_is_a_record(table, header):
        return []
    return _rows_under(table, header, header.headings(previous.rows), 0)


def note_line(text: str) -> bool:
    """A note under a table or in a sheet (注：…, 说明：…): it states, it records nothing."""
    return bool(_NOTE_ROW.match(text))


_NOTE_ROW = re.compile(r"^\s*(?:注|说明|备注|附注|填表说明)\s*\d?\s*[：:]")


def _rows_under(table: Table, header: Header, heading: list[str], first: int) -> list[Record]:
    found: list[Record] = []
    for offset, row in enumerate(table.rows[first:], start=first):
        if _NOTE_ROW.match(next((c for c in row if c.strip()), "")):
            continue  # 注：1月24日至2月24日寒假…: a note under the table, no record
        values: dict[str, str] = {}
        for col, name in header.columns.items():
            if col < len(row) and name in MULTI_COLUMN and row[col].strip():
                values[name] = _joined(values.get(name, ""), heading[col], row[col].strip())
            elif col < len(row):
                put_value(values, name, row[col].strip())
        if not any(values.values()):
            continue
        if not values.get("date") and values.get("month") and values.get("day"):
            # 月 | 日 columns under a title giving the term: the year comes from the period
            values["date"] = f"{values['month'].rstrip('月份')}月{values['day'].rstrip('日号')}日"
        if sum(1 for v in values.values() if field_of(v, exact=True)) >= 2:
            continue  # a repeated header row (printed on every page)
        extra = {
            heading[c]: row[c]
            for c in range(min(len(row), len(heading)))
            if c not in header.columns and heading[c] and row[c]
        }
        snippet = " | ".join(c for c in row if c)[:200]
        found.append(Record(values, table.row0 + offset, snippet, extra))
    return found


def _joined(before: str, heading: str, value: str) -> str:
    """One more column of a field spread over several: its value with what its heading adds
    to the field's name (镇政府参加人员 → “镇政府：干部张建军”), so the body is not lost."""
    qualifier = _qualifier(heading)
    part = f"{qualifier}：{value}" if qualifier and qualifier not in value else value
    return f"{before}；{part}" if before else part


def _qualifier(heading: str) -> str:
    """The words a heading puts before its field's alias: 镇政府 of 镇政府参加人员."""
    text = norm_label(heading)
    for alias, _ in aliases():
        if len(alias) > 1 and text.endswith(alias):
            return text[: -len(alias)]
    return text  # a sub-heading under 参加人员 (学校 | 乡政府 | 村委会) is the body itself


def _span_on(row: list[str], at: int, value: str) -> tuple[str, int]:
    """A box's value and, when the form goes on “至 | its end” in boxes of their own
    (请假时间 | 2025年11月10日 | 至 | 2025年11月20日), the span whole; and where it ended."""
    rest = [(k, c.strip()) for k, c in enumerate(row[at + 1 :], start=at + 1) if c.strip()]
    if len(rest) >= 2 and _RANGE_WORD.fullmatch(rest[0][1]) and not form_label(rest[1][1]):
        return f"{value}至{rest[1][1]}", rest[1][0]
    return value, at


_RANGE_WORD = re.compile(r"至|到|—|－|-|~|～|—+")


@lru_cache(maxsize=16384)
def form_label(cell: str) -> str | None:
    """The field a form's label cell names: the alias itself, or an alias of three characters
    or more that begins it (参加人员及单位, 参加人员签名, 送教日期及时段) — a value in a form's
    box (学生家中, 一年级（1）班) names no field, though it may hold an alias's words."""
    text = norm_label(cell)
    if not text or len(text) > MAX_LABEL_LEN:
        return None
    exact = field_of(cell, exact=True)
    if exact or len(text) > 10 or _DIGIT.search(text):
        return exact
    for alias, name in aliases():
        if len(alias) >= 3 and text.startswith(alias):
            rest = text[len(alias) :]
            # what follows names the label more (及单位, 签名), it is no value (学生姓名莫小芳)
            return name if len(rest) <= 4 and not looks_like_person(rest) else None
    return None


def form_values(table: Table) -> Record | None:
    """Label → value pairs of a form table; None when fewer than two labels are found."""
    values: dict[str, str] = {}
    first_row: int | None = None
    for r, row in enumerate(table.rows):
        col = 0
        while col < len(row):
            cell = row[col]
            name = form_label(cell)
            inline = _inline_label(cell) if name is None else None
            if inline:
                put_value(values, inline[0], inline[1])
                first_row = r if first_row is None else first_row
            elif name:
                for nxt in range(col + 1, len(row)):
                    value = row[nxt]
                    if not value or value == cell:
                        continue
                    if field_of(value, exact=True):
                        break  # the next label: this one was left empty
                    if unfilled(value):
                        break  # a printed blank (签字：＿＿＿＿) nobody filled in
                    value, nxt = _span_on(row, nxt, value)
                    put_value(values, name, value)
                    first_row = r if first_row is None else first_row
                    col = nxt
                    break
            col += 1
    if len(values) < 2:
        return None
    row_number = table.row0 + (first_row or 0)
    snippet = " ".join(f"{k}:{v}" for k, v in values.items())[:200]
    return Record(values, row_number, snippet)


_CLOCK_FIRST = re.compile(
    r"^\s*(?:每次|各|均为?)?\s*(?:上午|下午|晚上)?\s*\d{1,2}\s*(?:[:：]\s*\d{2}|[时点])"
)


def is_clock(value: str) -> bool:
    """A clock or a clock range (9:00-10:30, 上午8时): a time of day, not a date."""
    return bool(_CLOCK_FIRST.match(value))


_SERIAL_VALUE = re.compile(r"^[（(]?\d{1,4}[）).、]?$")


def put_value(values: dict[str, str], name: str, value: str) -> None:
    """One field's value, the first filled one winning. A clock under a date heading (送教日期 |
    送教时间 9:00-10:30) is the time range, so the date beside it is kept."""
    if name == "date" and is_clock(value):
        name = "time_range"
    if name == "serial" and not _SERIAL_VALUE.match(value):
        return  # a note or a 制表人 line merged across the table from its first column
    if not values.get(name):
        values[name] = value


_BLANK = re.compile(r"[＿_]{2,}|□")


def unfilled(value: str) -> bool:
    """A form's printed blank still waiting for a signature or a tick."""
    return bool(_BLANK.search(value))


_INLINE = re.compile(r"^\s*([^：:\s]{1,12})\s*[：:]\s*(\S.*)$")


def _inline_label(cell: str) -> tuple[str, str] | None:
    """“学生姓名：张三” inside one cell or one line of prose; or “学生姓名张三” where a PDF's
    table lost the rule between a label and its value (a label of four characters or more)."""
    match = _INLINE.match(cell)
    name = field_of(match[1], exact=True) if match else None
    if match and name:
        return name, match[2].strip()
    text = cell.strip()
    for alias, name in _run_on_labels().get(text[:MIN_RUN_ON_LABEL], ()):
        rest = text[len(alias) :].strip()
        if text.startswith(alias) and rest and not field_of(rest) and rest[0] not in "（(":
            return name, rest
    return None


MIN_RUN_ON_LABEL = 4


@lru_cache(maxsize=1)
def _run_on_labels() -> dict[str, tuple[tuple[str, str], ...]]:
    """Aliases long enough to split a run-on cell, by their first four characters (longest
    first within each): one dict lookup a cell instead of a scan of every alias."""
    found: dict[str, list[tuple[str, str]]] = {}
    for alias, name in aliases():
        if len(alias) >= MIN_RUN_ON_LABEL:
            found.setdefault(alias[:MIN_RUN_ON_LABEL], []).append((alias, name))
    return {k: tuple(v) for k, v in found.items()}


_PROSE_LABEL = re.compile(
    r"([^\s：:，,。；;]{1,12})\s*[：:]\s*([^：:]*?)(?=\s+[^\s：:，,。；;]{1,12}\s*[：:]|$)"
)


def labelled_values(lines: list[str]) -> dict[str, str]:
    """Label：value pairs in lines of prose, several per line allowed (姓名：张三  年级：七年级)."""
    values: dict[str, str] = {}
    for line in lines:
        for match in _PROSE_LABEL.finditer(line):
            name = field_of(match[1], exact=True)
            value = match[2].strip(" ，,。；;")
            if name and value:
                values.setdefault(name, value)
    return values
