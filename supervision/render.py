"""The round's documents in the official layout (GB/T 9704, forms/ rendering): each school's
督导报告 with its filled 督导工作情况表, and the 督导通报 of the round or of a month."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date
from typing import Any

from audit.checklist import STATUS_NAMES, Checklist
from forms.idcard import mask_in_text
from forms.identity import qr_data_uri
from forms.render.html import DocumentHtml, document_files, environment, template_sha256
from supervision.bulletin import Bulletin
from supervision.config import RoundConfig, rates_config
from supervision.model import RECT_OVERDUE, VisitRecord
from supervision.rectify import status_name

VERSION = "1"
FORMATS = ("pdf", "docx")
REPORT_TEMPLATE = "supervision/inspection_report.html"
BULLETIN_TEMPLATE = "supervision/bulletin.html"


def _scrub(value: Any) -> Any:
    """Free text as printed: any 身份证号 in it masked (a finding may quote a record)."""
    if isinstance(value, str):
        return mask_in_text(value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


def _document(
    form_id: str, template: str, title: str, issuer: str, number: str, context: dict[str, Any]
) -> DocumentHtml:
    body = environment().get_template(template).render(**context)
    record = json.dumps(context.get("_record", {}), ensure_ascii=False, sort_keys=True, default=str)
    meta = {
        "form_id": form_id,
        "template_version": VERSION,
        "template_sha256": template_sha256(template),
        "record_sha256": hashlib.sha256(record.encode("utf-8")).hexdigest(),
        "document_number": number,
        "profile": str(context.get("_profile", "")),
    }
    return DocumentHtml(form_id, title, issuer, number, body, meta, qr_data_uri(meta))


def _sheet(v: VisitRecord, checklist: Checklist) -> list[dict[str, Any]]:
    """The 督导工作情况表 (002 附件1) filled: each row's requirements with their verdicts,
    then the inspector's record for the item."""
    items = {it.id: it for it in v.result.items} if v.result else {}
    rows: list[dict[str, Any]] = []
    for item in checklist.items:
        for n, row in enumerate(item.rows):
            record = []
            for rid in row.requirements:
                it = items.get(rid)
                if it is not None:
                    record.append(
                        f"{rid} {STATUS_NAMES[it.status]}" + (f"：{it.detail}" if it.detail else "")
                    )
            if n == len(item.rows) - 1 and v.notes.get(item.id):
                record.append(v.notes[item.id])
            rows.append(
                {
                    "first": n == 0,
                    "span": len(item.rows),
                    "item": f"{_cn_number(item.id)}、{item.title}",
                    "content": row.content,
                    "standard": row.standard,
                    "record": _scrub(record),
                }
            )
    return rows


_CN = "一二三四五六七八九十"


def _cn_number(item_id: str) -> str:
    return _CN[int(item_id) - 1] if item_id.isdigit() and 0 < int(item_id) <= 10 else item_id


def report_context(
    v: VisitRecord, checklist: Checklist, config: RoundConfig, today: date
) -> dict[str, Any]:
    counts = {"total": 0, "pass": 0, "partial": 0, "fail": 0, "pending": 0}
    problems = []
    gates: list[str] = []
    level, percent = "未核查", "—"
    if v.result is not None:
        level = v.result.verdict.final.level or v.result.summary.level
        p = v.result.summary.percent
        percent = "—" if p is None else f"{p:g}%"
        gates = [c.reason for c in v.result.explain.caps if c.requirement]
        for it in v.result.items:
            if it.level != "requirement":
                continue
            counts["total"] += 1
            if it.status in ("pass", "partial", "fail"):
                counts[it.status] += 1
            elif it.status in ("not_reviewed", "error"):
                counts["pending"] += 1
            if it.status in ("fail", "partial"):
                problems.append(
                    {
                        "id": it.id,
                        "title": it.title,
                        "status": STATUS_NAMES[it.status],
                        "detail": it.detail,
                    }
                )
    rects = [
        {
            "item_id": r.item_id,
            "text": r.text,
            "deadline": r.deadline,
            "status": status_name(r, today, config),
        }
        for r in v.rectifications
    ]
    shown = v.model_copy(
        update={"observations": _scrub(v.observations), "summary": mask_in_text(v.summary)}
    )
    context: dict[str, Any] = _scrub(
        {
            "checklist_title": checklist.title,
            "basis": config.basis.value,
            "level": level,
            "percent": percent,
            "counts": counts,
            "gates": gates,
            "problems": problems,
            "rects": rects,
            "sheet": _sheet(v, checklist),
            "number": "",
        }
    )
    context["v"] = shown
    return context


def render_report(
    v: VisitRecord,
    checklist: Checklist,
    config: RoundConfig,
    today: date,
    formats: tuple[str, ...] = FORMATS,
) -> dict[str, bytes]:
    """One school's 督导报告 (with the filled 督导工作情况表 as its 附件)."""
    context = report_context(v, checklist, config, today)
    context["_record"] = v.model_dump(mode="json", exclude={"result"})
    context["_profile"] = v.profile_id or ""
    title = f"{v.school}控辍保学工作专项督导报告"
    doc = _document("inspection_report", REPORT_TEMPLATE, title, v.inspector, "", context)
    return document_files(doc, formats)


def bulletin_context(b: Bulletin, config: RoundConfig, issued: date, number: str) -> dict[str, Any]:
    rc = rates_config()
    columns: list[tuple[str, str, str]] = []
    if b.rates:
        for r in b.rates[-1].rates:
            columns.append((r.key, r.name, r.target_shown))
    return {
        "b": b,
        "number": number,
        "issuer": config.issuer.value,
        "basis": config.basis.value,
        "addressees": config.addressees.value,
        "issued": issued,
        "level_counts": sorted(b.level_counts.items()),
        "gate_schools": len({s for s, _ in b.gates}),
        "open_rects": [
            replace(r, text=mask_in_text(r.text)) for r in b.rects if r.status != "已整改"
        ],
        "overdue": RECT_OVERDUE,
        "rate_columns": columns,
        "formulas": {k: rc.formula_text(k) for k in rc.rates},
        "sources": {k: s.source for k, s in rc.rates.items()},
        "rates_on": issued,
    }


def render_bulletin(
    b: Bulletin,
    config: RoundConfig,
    issued: date,
    number: str = "",
    profile_id: str = "",
    formats: tuple[str, ...] = FORMATS,
) -> dict[str, bytes]:
    """The 督导通报 of a round or of a month."""
    context = bulletin_context(b, config, issued, number)
    context["_record"] = {
        "title": b.title,
        "lines": [(line.school, line.level, line.percent) for line in b.lines],
        "rects": b.rect_counts,
    }
    context["_profile"] = profile_id
    doc = _document(
        "supervision_bulletin", BULLETIN_TEMPLATE, b.title, config.issuer.value, number, context
    )
    return document_files(doc, formats)
