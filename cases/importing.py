"""Opening cases from a daily attendance sheet or the 未按时返校 daily ledger: every row
with a first day absent and no leave opens a case (checklists/tables/case-import.yaml says
which 是否请假 values mean leave). A row that is not a case (on leave, no first day absent,
another school's pupil) is skipped; a row whose case the rules or its fields refuse is
refused; each is listed with its line and the reason, and the others still open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from cases.model import Case, CaseError, OpenCaseExists
from cases.store import CaseStore
from cases.workflow import open_from
from forms.errors import RecordError
from forms.paths import CHECKLISTS_DIR
from forms.roster import read_roster
from forms.yamlload import load_yaml

IMPORT_FILE = CHECKLISTS_DIR / "tables" / "case-import.yaml"


@lru_cache(maxsize=1)
def leave_values() -> frozenset[str]:
    data = load_yaml(IMPORT_FILE.read_text(encoding="utf-8"))
    return frozenset(str(v) for v in data["leave_values"]["value"])


@dataclass
class ImportResult:
    opened: list[Case] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # line, name, why
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # rules or fields said no
    rows: int = 0


def _part(cells: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {
        k.removeprefix(prefix): (v.isoformat() if isinstance(v, date) else v)
        for k, v in cells.items()
        if k.startswith(prefix) and v not in (None, "") and "." not in k.removeprefix(prefix)
    }


def import_absences(
    store: CaseStore,
    path: Path,
    profile_id: str,
    school: dict[str, Any],
    who: str,
    today: date,
    sheet: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Open a case for each student absent without leave; `school` fills the rows' school."""
    roster = read_roster(path, sheet, date_key="absence_start")  # a sheet's date column
    result = ImportResult(rows=len(roster.rows))
    student_keys = {
        "name",
        "id_number",
        "gender",
        "birth_date",
        "student_number",
        "grade",
        "class_name",
    }
    guardian_keys = {"name", "relation", "phone", "address"}
    for i, row in enumerate(roster.rows, start=1):
        cells = row.cells
        name = str(cells.get("student.name") or "").strip()
        leave = str(cells.get("status.leave") or "").strip()
        opened = cells.get("absence_start")
        if progress is not None:
            progress(i, len(roster.rows))
        if leave in leave_values():
            result.skipped.append((row.line, name, f"已请假（{leave}），不开案"))
            continue
        if opened in (None, ""):
            result.skipped.append((row.line, name, "没有未到校起始日期，不开案"))
            continue
        student = {k: v for k, v in _part(cells, "student.").items() if k in student_keys}
        guardian = {k: v for k, v in _part(cells, "guardian.").items() if k in guardian_keys}
        row_school = {**school, **_part(cells, "school.")}
        if row_school.get("name") != school.get("name"):
            why = f"不是{school.get('name')}的学生（表中学校为{row_school.get('name')}），不开案"
            result.skipped.append((row.line, name, why))
            continue
        data = {
            "opened": opened.isoformat() if isinstance(opened, date) else str(opened),
            "student": student,
            "guardian": guardian or {"name": ""},
            "school": row_school,
            "reason": cells.get("status.reason"),
        }
        try:
            result.opened.append(open_from(store, profile_id, data, who, today))
        except OpenCaseExists as exc:  # a later day's sheet lists the same absence again
            result.skipped.append((row.line, name, str(exc)))
        except (CaseError, RecordError) as exc:
            result.refused.append((row.line, name, str(exc)))
    return result
