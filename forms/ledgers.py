"""Ledgers (台账) as XLSX from a roster: 底数台账, 辍学风险台账, 辍学情况登记表, 总台账.

Column sets are data with their sources (checklists/tables/ledgers.yaml). Every roster row
is kept — a ledger that drops a child is worse than one with a wrong digit — and problems
found (bad 身份证号, unknown grade, outside the age range) are written into the row's
数据核对 cell, highlighted, and returned so the CLI can say how many rows need checking.

The sheet prints as an official ledger: Chinese title row, unit and date row, header row
repeated on every page (print titles), frozen header and name columns, A4 landscape fitted
to the page width, page numbers in the footer, signature line at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from forms.dates import cn_date
from forms.errors import translate
from forms.files import check_output, output_path
from forms.models import Guardian, Student
from forms.paths import CHECKLISTS_DIR
from forms.profiles import Profile
from forms.roster import CellError, Roster, cell_value, column_letter, read_roster
from forms.roster_columns import column_table
from forms.yamlload import load_yaml

LEDGERS_FILE = CHECKLISTS_DIR / "tables" / "ledgers.yaml"
HEADER_ROW = 3  # title, unit/date line, header
TEXT_KEYS = {"student.id_number", "student.student_number", "guardian.phone"}


class LedgerError(Exception):
    pass


class EmptyRoster(LedgerError):
    """A roster with a header but no student: no ledger is written."""


@dataclass(frozen=True)
class LedgerColumn:
    header: str
    key: str | None = None  # roster field
    value: str | None = None  # seq | age | check
    width: float = 10
    choices: tuple[str, ...] = ()
    source: str = ""
    reading: str = ""
    map: str | None = None  # value_maps: the roster's words → this column's choices


@dataclass(frozen=True)
class LedgerSpec:
    id: str
    title: str
    source: str
    kept_by: dict[str, str]
    cadence: dict[str, str]
    columns: tuple[LedgerColumn, ...]
    scope: dict[str, str] = field(default_factory=dict)
    about: dict[str, Any] = field(default_factory=dict)  # which roster rows it lists

    def wording(self, profile: Profile | None) -> tuple[dict[str, str], dict[str, str]]:
        """(kept_by, cadence) as this jurisdiction's own rules say: the profile's `ledgers`
        entry; else the table's, when it cites the profile's own seed; else none (a Liupu
        总台账 must not print Jiaotan's “每月25日前报县教育局”)."""
        if profile is None:
            return self.kept_by, self.cadence
        own = profile.ledgers.get(self.id)
        if own is not None:

            def plain(item: Any) -> dict[str, str]:
                if item is None:
                    return {}
                out = {"value": item.value, "source": item.source}
                return {**out, "reading": item.reading} if item.reading else out

            return plain(own.kept_by), plain(own.cadence)
        seed = profile.seed[:3]

        def same(item: dict[str, str]) -> dict[str, str]:
            return item if str(item.get("source", "")).startswith(seed) else {}

        return same(self.kept_by), same(self.cadence)


@dataclass
class LedgerProblem:
    line: int  # roster row
    name: str
    message: str


@dataclass
class LedgerResult:
    kind: str
    path: Path
    rows: int
    problems: list[LedgerProblem]
    notes: list[str]


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(LEDGERS_FILE.read_text(encoding="utf-8"))
    return data


def ledger_specs() -> dict[str, LedgerSpec]:
    out = {}
    for ledger_id, spec in _data()["ledgers"].items():
        columns = tuple(
            LedgerColumn(
                header=str(c["header"]),
                key=c.get("key"),
                value=c.get("value"),
                width=float(c.get("width", 10)),
                choices=tuple(str(x) for x in c.get("choices", ())),
                source=str(c.get("source", "")),
                reading=str(c.get("reading", "")),
                map=c.get("map"),
            )
            for c in spec["columns"]
        )
        out[ledger_id] = LedgerSpec(
            ledger_id,
            str(spec["title"]),
            str(spec["source"]),
            dict(spec.get("kept_by", {})),
            dict(spec.get("cadence", {})),
            columns,
            dict(spec.get("scope", {})),
            dict(spec.get("about", {})),
        )
    return out


def value_maps() -> dict[str, dict[str, str]]:
    return {
        name: {str(k): str(v) for k, v in item["value"].items()}
        for name, item in _data()["value_maps"].items()
    }


@lru_cache(maxsize=1)
def _key_maps() -> dict[str, str]:
    """Roster key → the value map its ledger columns use (status.risk → yes_no …)."""
    out: dict[str, str] = {}
    for spec in _data()["ledgers"].values():
        for c in spec["columns"]:
            if c.get("map") and c.get("key"):
                out.setdefault(str(c["key"]), str(c["map"]))
    return out


def mapped(key: str, value: Any) -> Any:
    """A roster value in the words of the ledgers' choices (辍学 → 已辍学, 有 → 是)."""
    name = _key_maps().get(key)
    if name is None or not isinstance(value, str):
        return value
    return value_maps()[name].get(value.strip(), value)


def is_about(spec: LedgerSpec, cells: dict[str, Any]) -> bool:
    """Whether a roster row is one the ledger is about (its `about`); every row without it."""
    if not spec.about:
        return True
    rule = spec.about["value"]
    if any(cells.get(k) not in (None, "") for k in rule.get("filled", ())):
        return True
    for key, wanted in rule.get("values", {}).items():
        value = cells.get(key)
        if isinstance(value, str) and mapped(key, value.strip()) in wanted:
            return True
    return False


def get_ledger(ledger_id: str) -> LedgerSpec:
    specs = ledger_specs()
    if ledger_id not in specs:
        raise LedgerError(f"没有名为“{ledger_id}”的台账（可用：{'、'.join(specs)}）")
    return specs[ledger_id]


# ---------------------------------------------------------------- one row


def _person(
    model: type[BaseModel], prefix: str, cells: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The person's fields, normalised by the model where they validate; problems listed."""
    table = column_table()
    raw: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in cells.items():
        if not key.startswith(prefix) or key.removeprefix(prefix) not in model.model_fields:
            continue
        info = table.fields.get(key)
        try:
            converted = cell_value(value, info.type if info else "text", info.kind if info else "")
        except CellError as exc:
            problems.append(f"{info.title if info else key}{exc}")
            continue
        if converted is not None:
            raw[key.removeprefix(prefix)] = converted
    if not raw:
        return {}, problems
    try:
        return model.model_validate(raw).model_dump(), problems
    except ValidationError as exc:
        errors = translate(exc, model)
        problems.extend(str(e) for e in errors)
        bad = {e.loc.split(".")[0] for e in errors}
        good = {k: v for k, v in raw.items() if k not in bad}
        try:  # keep what is right (gender, birth date from a valid ID) beside the bad cell
            clean = model.model_validate(good).model_dump()
        except ValidationError:
            clean = dict(good)
        clean.update({k: raw[k] for k in bad if k in raw})
        return clean, problems


def _shown(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return str(value)


def _row_values(
    spec: LedgerSpec, cells: dict[str, Any], seq: int, as_of: date, profile: Profile | None
) -> tuple[list[Any], list[str]]:
    student, problems = _person(Student, "student.", cells)
    guardian, more = (
        _person(Guardian, "guardian.", cells) if cells.get("guardian.name") else ({}, [])
    )
    problems.extend(f"监护人{p}" for p in more)
    age: int | None = None
    birth = student.get("birth_date")
    if isinstance(birth, date):
        age = as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))
        if profile is not None and spec.scope:
            low, high = profile.age_range.value[0], profile.age_range.value[1]
            if not low <= age <= high:
                problems.append(
                    f"统计日{age}周岁，不在适龄范围{low}-{high}周岁（{profile.age_range.source}）"
                )
    if not student and not problems:
        problems.append("没有学生信息（姓名、身份证号等列为空）")
    table = column_table()
    values: list[Any] = []
    for column in spec.columns:
        if column.value == "seq":
            values.append(seq)
        elif column.value == "age":
            values.append(age)
        elif column.value == "check":
            values.append("；".join(problems) or None)
        elif column.key and column.key.startswith("student.") and column.key[8:] in student:
            values.append(_shown(student.get(column.key[8:])))
        elif column.key and column.key.startswith("guardian.") and column.key[9:] in guardian:
            values.append(_shown(guardian.get(column.key[9:])))
        elif column.key:
            info = table.fields.get(column.key)
            try:
                shown = _shown(cell_value(cells.get(column.key), info.type if info else "text"))
            except CellError:
                shown = str(cells.get(column.key))
            values.append(mapped(column.key, shown) if column.map else shown)
        else:
            values.append(None)
    return values, problems


# ---------------------------------------------------------------- the workbook


def build_ledger(
    ledger_id: str,
    roster_path: Path,
    out: Path,
    profile: Profile | None = None,
    unit: str | None = None,
    as_of: date | None = None,
    sheet: str | None = None,
) -> LedgerResult:
    """Write the ledger XLSX for a roster; see the module doc."""
    spec = get_ledger(ledger_id)
    roster: Roster = read_roster(roster_path, sheet)
    if not roster.rows:
        raise EmptyRoster(f"花名册 {roster_path} 的表头下没有学生，未生成台账")
    notes = list(roster.notes)
    rows = [(row.line, row.cells) for row in roster.rows if is_about(spec, row.cells)]
    if spec.about:
        notes.append(
            f"{spec.title}只列所登记的学生（{spec.about['source']}）：花名册{len(roster.rows)}名学生中"
            f"{len(rows)}名"
        )
    return write_ledger(spec, rows, out, profile, unit, as_of, notes)


def write_ledger(
    spec: LedgerSpec,
    rows: list[tuple[int, dict[str, Any]]],
    out: Path,
    profile: Profile | None = None,
    unit: str | None = None,
    as_of: date | None = None,
    notes_out: list[str] | None = None,
) -> LedgerResult:
    """Write a ledger XLSX from rows of cells keyed like a roster's (`student.name`, …),
    each with the line it came from (a roster row, or a case's position)."""
    check_output(out, ("xlsx",), "台账文件")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    as_of = as_of or date.today()
    width = len(spec.columns)
    last = column_letter(width - 1)

    wb = Workbook()
    ws = wb.active
    ws.title = spec.title[:31]
    title = f"{unit or ''}{spec.title}"
    ws.append([title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(name="宋体", size=18, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    kept_by, cadence = spec.wording(profile)
    info = f"填报单位：{unit or kept_by.get('value', '')}　　统计日期：{cn_date(as_of)}"
    if cadence:
        info += f"　　更新要求：{cadence['value']}（{cadence['source']}）"
    ws.append([info])
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    ws.row_dimensions[2].height = 20

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([c.header for c in spec.columns])
    check_index = next((i for i, c in enumerate(spec.columns) if c.value == "check"), None)
    for i, column in enumerate(spec.columns):
        cell = ws.cell(HEADER_ROW, i + 1)
        cell.font = Font(name="黑体", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        ws.column_dimensions[column_letter(i)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = 30

    problems: list[LedgerProblem] = []
    warn = PatternFill("solid", fgColor="FFF2CC")
    seen: dict[str, int] = {}
    for seq, (line, cells) in enumerate(rows, start=1):
        values, found = _row_values(spec, cells, seq, as_of, profile)
        id_number = str(cells.get("student.id_number") or "").strip().upper()
        if id_number:  # one person, one line (一人一档)
            if id_number in seen:
                found.append(f"与第{seen[id_number]}行是同一人（身份证号相同），请合并")
                if check_index is not None:
                    values[check_index] = "；".join(found)
            else:
                seen[id_number] = line
        ws.append(values)
        r = ws.max_row
        for i, column in enumerate(spec.columns):
            cell = ws.cell(r, i + 1)
            cell.border = border
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            if column.key in TEXT_KEYS:
                cell.number_format = "@"  # 18 digits stay text when the clerk edits them
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
        if found:
            name = str(cells.get("student.name") or "").strip()
            problems.extend(LedgerProblem(line, name, message) for message in found)
            if check_index is not None:
                ws.cell(r, check_index + 1).fill = warn
    data_end = max(ws.max_row, HEADER_ROW + 1)

    for i, column in enumerate(spec.columns):
        if column.choices:
            letter = column_letter(i)
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=True,
                showErrorMessage=False,  # a value outside the list is allowed, only prompted
                promptTitle=column.header,
                prompt="可选：" + "、".join(column.choices),
                showInputMessage=True,
            )
            rule.add(f"{letter}{HEADER_ROW + 1}:{letter}{max(data_end, HEADER_ROW + 200)}")
            ws.add_data_validation(rule)

    signature = _data()["signature"]
    ws.append([])
    ws.append([signature["value"]])
    ws.merge_cells(f"A{ws.max_row}:{last}{ws.max_row}")

    ws.freeze_panes = f"C{HEADER_ROW + 1}"  # header rows and 序号/姓名 stay in view
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.print_area = f"A1:{last}{ws.max_row}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{data_end}"

    notes = wb.create_sheet("说明")
    notes.append(["项目", "内容", "出处", "本项目的理解"])
    notes.append(["台账", spec.title, spec.source, ""])
    for label, item in (
        ("填报单位", kept_by),
        ("更新要求", cadence),
        ("范围", spec.scope),
        ("所列学生", {**spec.about, "value": spec.about.get("reading", "")} if spec.about else {}),
    ):
        if item:
            notes.append(
                [label, item.get("value", ""), item.get("source", ""), item.get("reading", "")]
            )
    notes.append(
        ["签字盖章", signature["value"], signature["source"], signature.get("reading", "")]
    )
    for column in spec.columns:
        notes.append(
            [
                f"列：{column.header}",
                column.key or column.value or "",
                column.source,
                column.reading,
            ]
        )
    for letter, w in zip("ABCD", (14, 40, 18, 60), strict=True):
        notes.column_dimensions[letter].width = w

    with output_path(out) as tmp:
        wb.save(tmp)
    return LedgerResult(spec.id, out, len(rows), problems, notes_out or [])
