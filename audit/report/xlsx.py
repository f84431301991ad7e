"""The findings as a remediation list (整改清单) in XLSX, and every item's result on a second sheet.

Owner defaults to the item's owner in the checklist, the due date to the report date plus the
checklist's days for the severity; the school fills in the rest (a drop-down for the status).
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from audit.checklist import SEVERITY_NAMES, STATUS_NAMES
from audit.facts import EVIDENCE_KINDS
from audit.report.html import ordered_findings
from audit.report.model import AuditResult, Finding, place

COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("督导项目", 24),
    ("要求编号", 9),
    ("要求", 30),
    ("学生", 10),
    ("问题", 48),
    ("严重程度", 9),
    ("整改意见", 48),
    ("责任人", 14),
    ("整改期限", 12),
    ("整改状态", 10),
    ("证据", 40),
)
REMEDIATION_STATES = ("待整改", "整改中", "已整改", "待核查", "已豁免")
_HEAD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDDDDD")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _state(f: Finding) -> str:
    return "已豁免" if f.waived else "待核查" if f.pending else "待整改"


def _header(ws: Any, columns: tuple[tuple[str, int], ...]) -> None:
    ws.append([name for name, _ in columns])
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill, cell.alignment = _HEAD, _FILL, _WRAP
    ws.freeze_panes = "A2"


def report_xlsx(result: AuditResult) -> bytes:
    eff = result.checklist.effective
    owners = {item["id"]: item.get("owner", "") for item in eff.get("items", [])}
    item_titles = {it.id: it.title for it in result.items if it.level == "item"}
    req_titles = {it.id: it.title for it in result.items if it.level == "requirement"}
    parent = {it.id: it.parent or it.id for it in result.items}
    due_days: dict[str, int] = (
        eff.get("scoring", {}).get("remediation_due_days", {}).get("value", {})
    )
    day = result.generated_at.date()

    wb = Workbook()
    ws = wb.active
    ws.title = "整改清单"
    _header(ws, COLUMNS)
    for n, f in enumerate(ordered_findings(result), start=1):
        top = parent.get(f.requirement, f.requirement)
        due = day + timedelta(days=due_days[f.severity]) if f.severity in due_days else None
        evidence = "；".join(
            e.where() + (f"：“{e.snippet[:60]}”" if e.snippet else "") for e in f.evidence[:5]
        )
        ws.append(
            [
                n,
                f"{top}. {item_titles.get(top, '')}",
                f.requirement,
                req_titles.get(f.requirement, ""),
                f.student or "",
                f.message,
                SEVERITY_NAMES[f.severity],
                f.recommendation,
                owners.get(top, ""),
                due,
                _state(f),
                evidence,
            ]
        )
        ws.cell(row=n + 1, column=10).number_format = "yyyy-mm-dd"
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP
    last = max(ws.max_row, 2)
    states = DataValidation(type="list", formula1='"' + ",".join(REMEDIATION_STATES) + '"')
    states.error = "请从列表中选择整改状态"
    ws.add_data_validation(states)
    states.add(f"K2:K{last + 200}")
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"

    items = wb.create_sheet("逐项结果")
    cols = (
        ("编号", 8),
        ("项目 / 要求", 50),
        ("结果", 12),
        ("得分", 8),
        ("满分", 8),
        ("督导情况记录", 90),
    )
    _header(items, cols)
    for it in result.items:
        items.append([it.id, it.title, STATUS_NAMES[it.status], it.score, it.max, it.detail])
        if it.level == "item":
            for cell in items[items.max_row]:
                cell.font = _HEAD
    for row in items.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP
    s = result.summary
    items.append([])
    items.append(["合计", f"等次：{s.level}", "", s.score, s.max, f"百分制：{s.percent}"])
    _unread_sheet(wb, result)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _unread_sheet(wb: Any, result: AuditResult) -> None:
    """未能识别的内容: per record file its account, then each unread piece with its place."""
    ws = wb.create_sheet("未能识别的内容")
    cols = (
        ("文件", 50),
        ("位置", 16),
        ("识别情况", 26),
        ("可能是", 16),
        ("学生", 12),
        ("原因", 16),
        ("内容", 80),
    )
    _header(ws, cols)
    for f in result.package.files:
        if f.account is None:
            continue
        if not f.unread:
            ws.append([f.path, "", f.account.line(), "", "", "", ""])
        for u in f.unread:
            kind = EVIDENCE_KINDS.get(u.kind, u.kind)
            ws.append(
                [
                    f.path,
                    place(u.page, u.sheet, u.row),
                    f.account.line(),
                    kind,
                    u.student or "未能确定",
                    u.why,
                    u.snippet,
                ]
            )
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP
