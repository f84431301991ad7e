"""From roster rows to records: batch defaults, document numbers, cell conversion, errors.

Every document of a batch shares some fields (the school, the issue date); those come from a
defaults file (YAML/JSON) or `--set key=value`, the rest from the roster row. A row value
overrides the default. Document numbers are `pattern.format(n=start + ordinal)` where the
ordinal is the row's position among the roster's data rows — a bad row keeps its number
(the gap is filled when the corrected row is printed again), so the same roster always
gives everyone the same number.
"""

from __future__ import annotations

import copy
import json
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from forms.errors import FieldError, RecordError, translate
from forms.files import FileProblem, read_text, syntax_error
from forms.idcard import normalize
from forms.models import Record
from forms.profiles import Profile
from forms.record_fields import Leaf, get_path, leaves, set_path, title_index
from forms.registry import FormKind
from forms.render.document import check_record_fonts
from forms.roster import CellError, Column, Roster, cell_value
from forms.roster_columns import ColumnTable, FieldInfo, column_table
from forms.yamlload import load_yaml

DEFAULT_PATTERN = "第{n:03d}号"
_RESERVED = {
    "number_pattern": "number_pattern",
    "编号格式": "number_pattern",
    "start_number": "start_number",
    "起始编号": "start_number",
}


class BatchSetupError(Exception):
    """The batch cannot start: the defaults file, numbering or column coverage is wrong."""


class EmptyRosterError(BatchSetupError):
    """The roster has a header and no row: nothing to print."""


@dataclass(frozen=True)
class RowError:
    line: int  # row number in Excel / line in the CSV
    column: str  # Excel column letter, "" when the problem is not one cell
    header: str  # column header as written, or where the value came from
    value: str
    reason: str
    field: str = ""  # Chinese field label
    name: str = ""  # the student's name, to find the row


@dataclass(frozen=True)
class Numbering:
    pattern: str
    start: int

    def number(self, ordinal: int) -> str:
        return self.pattern.format(n=self.start + ordinal)


def check_pattern(pattern: str) -> str:
    """A numbering pattern may use {n} with an integer format only (荔浦二中劝返〔2026〕第{n:03d}号)."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise BatchSetupError(f"编号格式“{pattern}”写法不对：{exc}") from None
    names = [name for _, name, _, _ in parts if name is not None]
    if names != ["n"] or any(
        conv or (spec and not re.fullmatch(r"0?\d{0,2}d?", spec))
        for _, name, spec, conv in parts
        if name is not None
    ):
        raise BatchSetupError(
            f"编号格式“{pattern}”中应有且只有一处 {{n}}（可写 {{n:03d}} 补足三位），如“劝返〔2026〕第{{n:03d}}号”"
        )
    return pattern


@dataclass
class BatchDefaults:
    values: dict[str, Any] = field(default_factory=dict)
    number_pattern: str | None = None
    start_number: int | None = None


def _flatten(
    data: dict[str, Any], prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Any]]:
    out: list[tuple[tuple[str, ...], Any]] = []
    for key, value in data.items():
        segs = (*prefix, str(key).strip())
        if isinstance(value, dict):
            out.extend(_flatten(value, segs))
        else:
            out.append((segs, value))
    return out


def resolve_field(segs: tuple[str, ...], index: dict[str, str]) -> str | None:
    for candidate in (".".join(segs), " › ".join(segs), "".join(segs), segs[-1]):
        if candidate in index:
            return index[candidate]
    return None


def load_defaults(
    kind: FormKind, path: Path | None, overrides: Sequence[tuple[str, str]] = ()
) -> BatchDefaults:
    """Read the defaults file and `--set` pairs into record fields (English paths)."""
    raw: dict[str, Any] = {}
    where = "--set"
    if path is not None:
        where = path.name
        try:
            text = read_text(path)
        except FileProblem as exc:
            raise BatchSetupError(f"默认值文件：{exc}") from None
        try:
            loaded = json.loads(text) if path.suffix.lower() == ".json" else load_yaml(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise BatchSetupError(f"默认值文件 {path} {syntax_error(exc)}") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise BatchSetupError(f"默认值文件 {path} 的内容应为一组字段（YAML 映射或 JSON 对象）")
        raw = loaded
    out = BatchDefaults()
    index = title_index(kind.model)
    items = _flatten(raw) + [((k,), v) for k, v in overrides]
    for segs, value in items:
        reserved = _RESERVED.get(segs[-1]) if len(segs) == 1 else None
        if reserved == "number_pattern":
            out.number_pattern = check_pattern(str(value))
            continue
        if reserved == "start_number":
            try:
                out.start_number = int(value)
            except (TypeError, ValueError):
                raise BatchSetupError(f"起始编号应为整数，实际为“{value}”") from None
            continue
        target = resolve_field(segs, index)
        if target is None:
            raise BatchSetupError(
                f"{where}：“{'.'.join(segs)}”不是《{kind.name}》的字段（可用 baoxue forms show {kind.id} 查看）"
            )
        set_path(out.values, target, value)
    return out


@dataclass
class Job:
    line: int
    ordinal: int
    n: int
    name: str
    data: dict[str, Any]


@dataclass
class Plan:
    kind: FormKind
    roster: Roster
    defaults: BatchDefaults
    numbering: Numbering | None
    key_paths: dict[str, str]  # roster key → record path
    leaves: dict[str, Leaf]
    notes: list[str] = field(default_factory=list)

    def column_for_path(self, path: str) -> Column | None:
        for key, target in self.key_paths.items():
            if target == path:
                return self.roster.column(key)
        return None


def model_columns(kind: FormKind, table: ColumnTable | None = None) -> ColumnTable:
    """The alias table plus the form's own Chinese field titles as column names."""
    table = table or column_table()
    titles: dict[str, tuple[str, FieldInfo]] = {}
    fields = leaves(kind.model)
    for label, path in title_index(kind.model).items():
        leaf = fields[path]
        if leaf.type == "list":
            continue  # a list (劝返经过) is not one cell; give it in the defaults file
        titles[label] = (path, FieldInfo(path, leaf.label, leaf.type))
    return table.with_titles(titles)


def make_plan(
    kind: FormKind,
    roster: Roster,
    defaults: BatchDefaults,
    start_number: int | None = None,
    number_pattern: str | None = None,
) -> Plan:
    fields = leaves(kind.model)
    key_paths = {key: key for key in roster.keys if key in fields}
    unused = sorted(
        c.header for c in roster.columns if c.key and c.key not in key_paths and c.header
    )
    notes = list(roster.notes)
    if unused:
        notes.append(f"《{kind.name}》用不到的列：" + "、".join(unused))
    numbering = None
    if "number" in fields:
        pattern = check_pattern(number_pattern) if number_pattern else defaults.number_pattern
        if pattern is None:
            pattern = DEFAULT_PATTERN
            if "number" not in key_paths:
                notes.append(
                    f"未给编号格式，按“{DEFAULT_PATTERN.format(n=1)}”编号（可在默认值文件中写 number_pattern）"
                )
        start = start_number if start_number is not None else defaults.start_number
        numbering = Numbering(pattern, 1 if start is None else start)
    covered = set(key_paths.values()) | {
        p for p in fields if get_path(defaults.values, p) not in (None, "")
    }
    if numbering is not None:
        covered.add("number")
    missing = [leaf for path, leaf in fields.items() if leaf.required and path not in covered]
    if missing:
        names = "、".join(f"{leaf.label}（{leaf.path}）" for leaf in missing)
        raise BatchSetupError(
            f"花名册中没有、默认值中也没有给出每份《{kind.name}》都需要的字段：{names}。"
            "请在花名册中加上这一列，或写在 --defaults 文件中（或用 --set 字段=值）"
        )
    return Plan(kind, roster, defaults, numbering, key_paths, fields, notes)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.15G}"
    return str(value).strip()


def _name(data: dict[str, Any]) -> str:
    for path in ("student.name", "guardian.name", "name"):
        value = get_path(data, path)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def row_errors(
    plan: Plan, line: int, data: dict[str, Any], raw: dict[str, Any], errors: list[FieldError]
) -> list[RowError]:
    """Field errors of one row as the clerk sees them: row, column, value, reason."""
    name = get_path(data, "student.name") if "student.name" in plan.leaves else _name(data)
    name = name.strip() if isinstance(name, str) else ""
    out: list[RowError] = []
    for error in errors:
        column = plan.column_for_path(error.loc)
        if column is not None and column.key:
            value = _shown(raw.get(column.key))
            out.append(
                RowError(
                    line, column.letter, column.header, value, error.message, error.label, name
                )
            )
        elif error.loc in plan.leaves:
            value = _shown(get_path(data, error.loc))
            out.append(
                RowError(
                    line, "", f"（默认值）{error.label}", value, error.message, error.label, name
                )
            )
        else:
            out.append(
                RowError(line, "", "", "", error.message, error.label or "（整条记录）", name)
            )
    return out


def validate(
    kind: FormKind, data: dict[str, Any], profile: Profile | None = None
) -> tuple[Record | None, list[FieldError]]:
    """Validate one record, its profile rules (deadlines, tiers) and that it can be printed."""
    try:
        record = kind.model.model_validate(data)
    except ValidationError as exc:
        return None, translate(exc, kind.model)
    try:
        check_record_fonts(record)
        if profile is not None:
            kind.context(record, profile)  # a form's profile rules raise RecordError
    except RecordError as exc:
        return None, exc.errors
    return record, []


def prepare(plan: Plan, table: ColumnTable | None = None) -> tuple[list[Job], list[RowError]]:
    """Rows → jobs for the renderer; cell problems and duplicate students become RowErrors.

    Record validation itself runs where the record is rendered (the worker processes).
    """
    table = table or column_table()
    jobs: list[Job] = []
    failed: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    numbers: dict[str, int] = {}
    for row in plan.roster.rows:
        data = copy.deepcopy(plan.defaults.values)
        cell_errors: list[FieldError] = []
        for key, raw in row.cells.items():
            path = plan.key_paths.get(key)
            if path is None:
                continue
            leaf = plan.leaves[path]
            info = table.fields.get(key)
            try:
                value = cell_value(raw, leaf.type, info.kind if info else "")
            except CellError as exc:
                cell_errors.append(FieldError(path, leaf.label, str(exc), raw))
                continue
            if value is not None:
                set_path(data, path, value)
        n = plan.numbering.start + row.ordinal if plan.numbering else row.ordinal + 1
        if plan.numbering is not None and get_path(data, "number") in (None, ""):
            set_path(data, "number", plan.numbering.number(row.ordinal))
        problems = [*cell_errors]
        problems.extend(_duplicates(plan, row.line, data, seen))
        number = get_path(data, "number")
        if isinstance(number, str) and number:
            if number in numbers:
                problems.append(
                    FieldError(
                        "number", "编号", f"编号“{number}”与第{numbers[number]}行重复", number
                    )
                )
            else:
                numbers[number] = row.line
        if problems:
            if cell_errors:  # report everything wrong with the row at once
                broken = {e.loc for e in cell_errors}
                _, more = validate(plan.kind, data)
                problems.extend(e for e in more if e.loc not in broken)
            failed.extend(row_errors(plan, row.line, data, row.cells, problems))
            continue
        jobs.append(Job(row.line, row.ordinal, n, _name(data), data))
    return jobs, failed


_ID_KEYS = (("student.id_number", "身份证号"), ("student.student_number", "全国学籍号"))


def _duplicates(
    plan: Plan, line: int, data: dict[str, Any], seen: dict[tuple[str, str], int]
) -> list[FieldError]:
    out: list[FieldError] = []
    for path, label in _ID_KEYS:
        value = get_path(data, path)
        if path not in plan.leaves or not isinstance(value, str) or not value.strip():
            continue
        key = (path, normalize(value).upper())
        if key in seen:
            out.append(
                FieldError(
                    path,
                    plan.leaves[path].label,
                    f"与第{seen[key]}行是同一名学生（{label}相同），重复的行不打印",
                    value,
                )
            )
        else:
            seen[key] = line
    return out
