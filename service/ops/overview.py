"""The bureau's overview: every school × every checklist item, by effective status."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.ops.reviews import _natural, report_items
from service.scope import Scope
from service.tables import Audit, Finding, Job, Review, School

CRITICAL = ("critical",)


@dataclass
class SchoolRow:
    school: School
    audit: Audit | None
    statuses: dict[str, str] = field(default_factory=dict)  # item id → effective status
    counts: Counter[str] = field(default_factory=Counter)
    open_findings: int = 0
    open_critical: int = 0
    running_jobs: int = 0
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class Overview:
    columns: list[tuple[str, str]]  # (item id, title)
    rows: list[SchoolRow]
    totals: dict[str, Counter[str]]  # item id → status counts


def _latest_audits(db: Session, school_ids: list[int]) -> dict[int, Audit]:
    if not school_ids:
        return {}
    newest = (
        select(Audit.school_id, func.max(Audit.id).label("aid"))
        .where(Audit.school_id.in_(school_ids))
        .group_by(Audit.school_id)
        .subquery()
    )
    audits = db.scalars(select(Audit).join(newest, Audit.id == newest.c.aid))
    return {a.school_id: a for a in audits}


def school_summaries(db: Session, scope: Scope) -> list[SchoolRow]:
    schools = scope.schools(db)
    ids = [s.id for s in schools]
    latest = _latest_audits(db, ids)
    audit_ids = [a.id for a in latest.values()]
    reviews: dict[tuple[int, str], str] = {}
    if audit_ids:
        for r in db.scalars(select(Review).where(Review.audit_id.in_(audit_ids))):
            reviews[(r.audit_id, r.item_id)] = r.status
    open_by_school: Counter[int] = Counter()
    critical_by_school: Counter[int] = Counter()
    if ids:
        for school_id, severity, n in db.execute(
            select(Finding.school_id, Finding.severity, func.count())
            .where(Finding.school_id.in_(ids), Finding.status != "closed")
            .group_by(Finding.school_id, Finding.severity)
        ):
            open_by_school[school_id] += n
            if severity in CRITICAL:
                critical_by_school[school_id] += n
    running: Counter[int] = Counter()
    if ids:
        for school_id, n in db.execute(
            select(Job.school_id, func.count())
            .where(Job.school_id.in_(ids), Job.status.in_(("queued", "running")))
            .group_by(Job.school_id)
        ):
            running[school_id] = n
    rows = []
    for school in schools:
        audit = latest.get(school.id)
        row = SchoolRow(school, audit)
        if audit is not None:
            row.summary = dict(audit.report.get("summary") or {})
            for item in report_items(audit.report):
                item_id = str(item["id"])
                status = reviews.get((audit.id, item_id), str(item.get("status", "not_reviewed")))
                row.statuses[item_id] = status
                if "." in item_id:
                    row.counts[status] += 1
        row.open_findings = open_by_school[school.id]
        row.open_critical = critical_by_school[school.id]
        row.running_jobs = running[school.id]
        rows.append(row)
    rows.sort(key=lambda r: (-r.open_critical, -r.counts["fail"], -r.open_findings, r.school.name))
    return rows


def overview(db: Session, scope: Scope) -> Overview:
    rows = school_summaries(db, scope)
    titles: dict[str, str] = {}
    for row in rows:
        if row.audit is not None:
            for item in report_items(row.audit.report):
                item_id = str(item["id"])
                if "." in item_id:
                    titles.setdefault(item_id, str(item.get("title", "")))
    columns = sorted(titles.items(), key=lambda kv: _natural(kv[0]))
    totals: dict[str, Counter[str]] = {item_id: Counter() for item_id, _ in columns}
    for row in rows:
        for item_id, _ in columns:
            totals[item_id][row.statuses.get(item_id, "none")] += 1
    return Overview(columns, rows, totals)
