"""The HTML report (and, through the forms pipeline, the PDF): Jinja template in templates/audit/."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from audit.checklist import METHOD_NAMES, SEVERITY_NAMES, STATUS_NAMES
from audit.facts import EVIDENCE_KINDS
from audit.report.model import AuditResult, Finding, ItemResult, MonthCell
from forms.fonts import font_face_css
from forms.render.html import environment

TITLE = "控辍保学督导核查报告"
FILE_STATUS_NAMES = {"ok": "已读取", "scanned": "扫描件", "error": "无法读取", "skipped": "已跳过"}
CN_NUMBERS = "一二三四五六七八九十"


@dataclass
class Grid:
    months: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)


def _cell(m: MonthCell | None) -> dict[str, str]:
    if m is None:
        return {"text": "", "cls": "off"}
    minutes = f"{m.minutes:g}" if m.minutes is not None else "—"
    text = f"{m.visits}/{m.periods}/{minutes}" if m.visits else "0"
    if not m.applicable:
        return {"text": text if m.visits else "—", "cls": "off"}
    if m.status != "pass":
        return {"text": text, "cls": "bad"}
    return {"text": text, "cls": "half" if m.short_visits or m.short_periods else "ok"}


def month_grid(reqs: list[ItemResult]) -> Grid | None:
    """Students × months from the first requirement whose subjects carry a month grid."""
    source = next((q for q in reqs if any(s.months for s in q.subjects)), None)
    if source is None:
        return None
    months = sorted({m.month for s in source.subjects for m in s.months or []})
    grid = Grid(months=[f"{m[2:4]}.{m[5:]}" for m in months])
    for s in source.subjects:
        by_month = {m.month: m for m in s.months or []}
        grid.rows.append({"student": s.student, "cells": [_cell(by_month.get(m)) for m in months]})
    return grid


def sections(result: AuditResult) -> list[dict[str, Any]]:
    out = []
    for n, item in enumerate(it for it in result.items if it.level == "item"):
        reqs = [it for it in result.items if it.parent == item.id]
        out.append(
            {
                "number": CN_NUMBERS[n] if n < 10 else str(n + 1),
                "item": item,
                "reqs": reqs,
                "grid": month_grid(reqs),
            }
        )
    return out


def ordered_findings(result: AuditResult) -> list[Finding]:
    rank = {"critical": 0, "major": 1, "minor": 2}
    return sorted(result.findings(), key=lambda f: (f.waived, rank[f.severity]))


def report_html(result: AuditResult) -> str:
    template = environment().get_template("audit/report.html")
    return template.render(
        r=result,
        title=TITLE,
        generated=result.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        sections=sections(result),
        findings=ordered_findings(result),
        S=STATUS_NAMES,
        SEV=SEVERITY_NAMES,
        M=METHOD_NAMES,
        FS=FILE_STATUS_NAMES,
        KN=EVIDENCE_KINDS,
        font_css=font_face_css(),
    )


def report_pdf(result: AuditResult) -> bytes:
    from forms.render.pdf import html_to_pdf

    return html_to_pdf(report_html(result))
