"""A person's review of an audit: final verdicts beside the automatic ones, on-site
observations, and the status of each finding (open → remediating → closed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.changelog import record_change
from service.ops import ServiceError
from service.scope import Scope
from service.tables import Audit, Finding, FindingEvidence, Observation, Review, User, utcnow

STATUSES = ("pass", "partial", "fail", "not_applicable", "not_reviewed", "error")
FINAL_STATUSES = ("pass", "partial", "fail", "not_applicable")  # what a reviewer may decide
FINDING_FLOW = {
    "open": {"remediating", "closed"},
    "remediating": {"closed", "open"},
    "closed": {"open"},
}
OBSERVATION_KINDS = {
    "roll_call_headcount": ("点名实到人数", "2.1"),
    "desks": ("课桌椅数", "2.1"),
    "absent_today": ("当天未到校人数", "2.2"),
    "note": ("现场记录", None),
}


def _natural(item_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", item_id)) or (999,)


@dataclass
class ItemView:
    id: str
    title: str
    level: int  # 1 item, 2 requirement
    auto: str
    final: str | None
    note: str
    reviewer: str | None
    reviewed_at: datetime | None
    score: float | None
    max: float | None
    evidence: list[dict[str, Any]]
    subjects: list[dict[str, Any]]
    findings: list[dict[str, Any]]

    @property
    def status(self) -> str:
        return self.final or self.auto


def report_items(report: dict[str, Any]) -> list[dict[str, Any]]:
    items = [i for i in report.get("items", []) if isinstance(i, dict) and "id" in i]
    return sorted(items, key=lambda i: _natural(str(i["id"])))


def item_views(db: Session, audit: Audit) -> list[ItemView]:
    reviews = {r.item_id: r for r in db.scalars(select(Review).where(Review.audit_id == audit.id))}
    names = {
        u.id: u.display_name
        for u in db.scalars(
            select(User).where(User.id.in_({r.reviewer_id for r in reviews.values()}))
        )
    }
    views = []
    for item in report_items(audit.report):
        item_id = str(item["id"])
        review = reviews.get(item_id)
        views.append(
            ItemView(
                id=item_id,
                title=str(item.get("title", "")),
                level=item_id.count(".") + 1,
                auto=str(item.get("status", "not_reviewed")),
                final=review.status if review else None,
                note=review.note if review else "",
                reviewer=names.get(review.reviewer_id) if review else None,
                reviewed_at=review.reviewed_at if review else None,
                score=item.get("score"),
                max=item.get("max"),
                evidence=list(item.get("evidence") or []),
                subjects=list(item.get("subjects") or []),
                findings=list(item.get("findings") or []),
            )
        )
    return views


def set_review(
    db: Session, scope: Scope, audit: Audit, item_id: str, status: str, note: str
) -> Review:
    scope.require("audit.review")
    if item_id not in {str(i["id"]) for i in report_items(audit.report)}:
        raise ServiceError(f"核查报告中没有第{item_id}项")
    if status not in FINAL_STATUSES:
        raise ServiceError("最终结论应为：符合、部分符合、不符合或不适用")
    note = note.strip()
    auto = next(str(i.get("status")) for i in report_items(audit.report) if str(i["id"]) == item_id)
    if status != auto and not note:
        raise ServiceError("最终结论与自动结论不同时，必须填写理由")
    review = db.scalar(select(Review).where(Review.audit_id == audit.id, Review.item_id == item_id))
    before = review.status if review else None
    if review is None:
        review = Review(
            audit_id=audit.id,
            school_id=audit.school_id,
            item_id=item_id,
            status=status,
            note=note,
            reviewer_id=scope.user.id,
        )
        db.add(review)
    else:
        review.status, review.note, review.reviewer_id, review.reviewed_at = (
            status,
            note,
            scope.user.id,
            utcnow(),
        )
    record_change(
        db,
        scope.user,
        "verdict.set",
        "audit",
        audit.id,
        audit.school_id,
        item=item_id,
        automatic=auto,
        before=before,
        after=status,
        note=note,
    )
    db.flush()
    return review


def add_observation(
    db: Session, scope: Scope, audit: Audit, kind: str, value: str, note: str
) -> Observation:
    scope.require("audit.observe")
    if kind not in OBSERVATION_KINDS:
        raise ServiceError("不认识的现场记录类型")
    value = value.strip()
    if not value:
        raise ServiceError("请填写记录内容")
    if kind in ("roll_call_headcount", "desks", "absent_today") and not value.isdigit():
        raise ServiceError(f"{OBSERVATION_KINDS[kind][0]}应为整数")
    obs = Observation(
        audit_id=audit.id,
        school_id=audit.school_id,
        kind=kind,
        item_id=OBSERVATION_KINDS[kind][1],
        value=value,
        note=note.strip(),
        recorded_by=scope.user.id,
    )
    db.add(obs)
    db.flush()
    record_change(
        db,
        scope.user,
        "observation.add",
        "audit",
        audit.id,
        audit.school_id,
        kind=kind,
        value=value,
    )
    return obs


def observations(db: Session, audit: Audit) -> list[Observation]:
    return list(
        db.scalars(
            select(Observation).where(Observation.audit_id == audit.id).order_by(Observation.id)
        )
    )


def sync_findings(db: Session, audit: Audit) -> int:
    """Create the finding rows of a new audit from its report (status open)."""
    count = 0
    for item in report_items(audit.report):
        for n, finding in enumerate(item.get("findings") or []):
            db.add(
                Finding(
                    audit_id=audit.id,
                    school_id=audit.school_id,
                    key=str(finding.get("id") or f"{item['id']}-{n + 1}"),
                    item_id=str(item["id"]),
                    severity=str(finding.get("severity") or "minor"),
                    message=str(finding.get("message") or ""),
                    recommendation=str(finding.get("recommendation") or ""),
                    student=finding.get("student"),
                )
            )
            count += 1
    return count


def set_finding_status(
    db: Session, scope: Scope, finding: Finding, status: str, note: str
) -> Finding:
    if status not in FINDING_FLOW:
        raise ServiceError("状态应为：待整改、整改中或已整改")
    if status == finding.status:
        return finding
    if status not in FINDING_FLOW[finding.status]:
        raise ServiceError("不能从当前状态改为该状态")
    scope.require("finding.close" if status in ("closed", "open") else "finding.remediate")
    if status == "remediating" and not note.strip() and not _has_evidence(db, finding):
        raise ServiceError("标记为“整改中”时请说明整改措施或上传整改材料")
    before = finding.status
    finding.status, finding.updated_at = status, utcnow()
    record_change(
        db,
        scope.user,
        "finding.status",
        "finding",
        finding.id,
        finding.school_id,
        before=before,
        after=status,
        note=note.strip(),
    )
    return finding


def _has_evidence(db: Session, finding: Finding) -> bool:
    return (
        db.scalar(
            select(FindingEvidence.id).where(FindingEvidence.finding_id == finding.id).limit(1)
        )
        is not None
    )
