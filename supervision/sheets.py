"""The round's spreadsheets: the plan (督导计划) and the rates against the targets (主要指标)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from supervision.model import PlannedVisit
from supervision.rates import COUNTS, LEVEL_NAMES, UnitRates


def _sheet(wb: Any, title: str, header: list[str], widths: list[int]) -> Any:
    """The workbook's first sheet while it is still untitled, else a new one."""
    ws = wb.active if wb.active.title == "Sheet" else wb.create_sheet()
    ws.title = title
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    return ws


def write_plan(plan: list[PlannedVisit], path: Path) -> Path:
    wb = Workbook()
    header = ["计划日期", "完成期限", "学校", "乡镇", "督导方式", "执行单位", "督导人"]
    ws = _sheet(wb, "督导计划", header, [12, 12, 26, 10, 30, 24, 10])
    for v in plan:
        row = [v.planned_on, v.due, v.school, v.township or "", v.cadence_name, v.actor]
        ws.append([*row, v.inspector or "未指定"])
    wb.save(path)
    return path


def write_rates(units: list[UnitRates], path: Path) -> Path:
    wb = Workbook()
    names = [r.name for r in units[0].rates] if units else []
    ws = _sheet(wb, "主要指标", ["层级", "单位", *names], [14, 26, *[16] * len(names)])
    for u in units:
        shown = [r.shown + ("（未达标）" if r.met is False else "") for r in u.rates]
        ws.append([LEVEL_NAMES[u.level], u.name, *shown])
    notes = _sheet(wb, "计算口径", ["指标", "目标", "公式", "出处", "口径"], [16, 10, 40, 16, 80])
    for r in units[-1].rates if units else []:
        notes.append([r.name, r.target_shown, r.formula, r.source, r.reading])
    counts = _sheet(wb, "计数", ["单位", *COUNTS], [26, *[16] * len(COUNTS)])
    for u in units:
        counts.append([u.name, *(u.counts[k] for k in COUNTS)])
    wb.save(path)
    return path
