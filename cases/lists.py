"""The lists a township compares (四查三对比): 户籍, 学籍, 在校, 脱贫户/监测户, 残联 — each
read like a roster (forms.roster: XLSX, XLS, CSV as the systems export them), row by row, into
small entries that carry only what matching and the report need.

Which lists there are, their names and sources: checklists/tables/reconcile.yaml."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from forms.dates import DateParseError, coerce_date
from forms.idcard import IdNumberError, normalize, parse_id_number
from forms.paths import CHECKLISTS_DIR
from forms.roster import RosterStream, stream_roster
from forms.yamlload import load_yaml

RULES_FILE = CHECKLISTS_DIR / "tables" / "reconcile.yaml"


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(RULES_FILE.read_text(encoding="utf-8"))
    return data


def list_kinds() -> dict[str, dict[str, Any]]:
    """List code → {title, long, source, reading}, in the order the report shows them."""
    kinds: dict[str, dict[str, Any]] = rules()["lists"]
    return kinds


class ListError(Exception):
    """A list that cannot be read (the reason in Chinese, naming the file)."""


@dataclass(slots=True)
class Entry:
    """One row of one list, reduced to what matching and the report use."""

    kind: str  # household | enrolment | attendance | poverty | disability
    line: int  # the row as the clerk sees it in Excel (or the CSV line)
    name: str
    id_number: str | None  # as written, normalised (spaces, full-width digits)
    id_valid: bool
    id_problem: str | None  # why the number is not valid (校验码错误 …)
    birth: date | None  # from a valid ID, else the birth-date column, else a mistyped ID
    birth_written: date | None  # the birth-date column as written
    gender: str | None
    school: str | None
    grade: str | None
    class_name: str | None
    village: str | None
    guardian: str | None
    phone: str | None


_SPACE = re.compile(r"[\s\u3000]+")


def clean_name(raw: Any) -> str:
    """A name as compared: NFKC, no spaces (罗 燕 is 罗燕), middle dots unified."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return _SPACE.sub("", text).replace("•", "·").replace("・", "·")


def _text(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = _SPACE.sub(" ", str(raw)).strip()
    return text or None


def _id_text(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, int | float):
        # a number Excel kept: below 10^15 it is exact; above, the last digits are gone
        return str(int(raw)) if float(raw).is_integer() and abs(raw) < 1e15 else None
    text = normalize(str(raw))
    return text or None


def _birth_cell(raw: Any) -> date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return coerce_date(raw)
    except (DateParseError, ValueError, TypeError, OverflowError):
        return None


def _birth_in_id(number: str) -> date | None:
    """The birth date a mistyped 18-digit number still shows, when it is a date."""
    if len(number) != 18 or not number[:17].isdigit():
        return None
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def entry(kind: str, line: int, cells: dict[str, Any]) -> Entry | None:
    """The entry of a row; None for a row without a name or an ID (nothing to match)."""
    name = clean_name(cells.get("student.name"))
    number = _id_text(cells.get("student.id_number"))
    if not name and not number:
        return None
    valid, problem, birth, gender = False, None, None, _text(cells.get("student.gender"))
    if number:
        try:
            info = parse_id_number(number)
            valid, birth, gender = True, info.birth_date, gender or info.gender
        except IdNumberError as exc:
            problem = str(exc)
    written = _birth_cell(cells.get("student.birth_date"))
    if birth is None:
        birth = written or (_birth_in_id(number) if number else None)
    return Entry(
        kind=kind,
        line=line,
        name=name,
        id_number=number,
        id_valid=valid,
        id_problem=problem,
        birth=birth,
        birth_written=written,
        gender=gender,
        school=_text(cells.get("school.name")),
        grade=_text(cells.get("student.grade")),
        class_name=_text(cells.get("student.class_name")),
        village=_text(cells.get("student.village")),
        guardian=_text(cells.get("guardian.name")),
        phone=_text(cells.get("guardian.phone")),
    )


@dataclass
class ListFile:
    kind: str
    path: Path
    sheet: str | None = None


@dataclass
class ListInfo:
    """What was read of one list: its rows, the rows skipped, the reader's notes."""

    kind: str
    path: Path
    rows: int = 0
    skipped: int = 0
    notes: tuple[str, ...] = ()


def read_entries(source: ListFile, info: ListInfo) -> Iterator[Entry]:
    """The list's entries, one row at a time (a 100,000-row 学籍 export stays out of memory);
    `info` counts them as they go."""
    from forms.roster import RosterError

    if source.kind not in list_kinds():
        raise ListError(f"没有名为“{source.kind}”的名单种类（可用：{'、'.join(list_kinds())}）")
    try:
        stream: RosterStream = stream_roster(source.path, source.sheet)
    except RosterError as exc:
        title = list_kinds()[source.kind]["title"]
        raise ListError(f"{title} {source.path.name}：{exc}") from None
    info.notes = tuple(stream.notes)
    for row in stream.rows:
        found = entry(source.kind, row.line, row.cells)
        if found is None:
            info.skipped += 1
            continue
        info.rows += 1
        yield found
