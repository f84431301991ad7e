"""A visit of a round, recorded: the audit of the school's package it rests on (uploaded by the
school or the inspector through the usual upload), the inspector's verdicts (the audit's
reviews), the 督导情况记录 by item, observations; its 整改意见 with deadlines, their evidence,
the inspector's acceptance, and the 回访 once a deadline has passed (002 § 四(二))."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.report.model import AuditResult
from forms.idcard import mask_in_text
from service.changelog import record_change
from service.context import ServiceContext
from service.ops import ServiceError
from service.ops.files import register_blob
from service.ops.rounds import rect_model
from service.scope import NotFound, Scope
from service.tables import Audit, Review, User, utcnow
from service.tables_round import (
    RectificationEvidence,
    RectificationRow,
    RoundVisit,
    SupervisionRound,
)
from supervision.config import round_config
from supervision.rectify import RectificationError, accept, from_result, reject, revisit_due

MAX_NOTE = 2000


def effective_result(db: Session, audit: Audit) -> AuditResult:
    """The audit as the inspector left it: her final verdicts and observations written in,
    the score and level recomputed from them (audit.review.rescore)."""
    from audit.review import rescore
    from service.adapters.audit import reviewed_result

    result = reviewed_result(db, audit)
    reviews = list(db.scalars(select(Review).where(Review.audit_id == audit.id)))
    statuses = {r.item_id: r.status for r in reviews if "." in r.item_id}
    if not statuses:
        return result
    latest = max(reviews, key=lambda r: r.reviewed_at)
    reviewer = db.get(User, latest.reviewer_id)
    return rescore(result, statuses, reviewer.display_name if reviewer else "督学")  # type: ignore[arg-type]


def school_audits(db: Session, school_id: int) -> list[Audit]:
    return list(
        db.scalars(select(Audit).where(Audit.school_id == school_id).order_by(Audit.id.desc()))
    )


def record_visit(
    db: Session,
    scope: Scope,
    visit: RoundVisit,
    visited_on: date,
    audit_id: int | None,
    notes: dict[str, str],
    observations: list[str],
    summary: str,
) -> RoundVisit:
    """The visit done: its date, the audit it rests on, the inspector's record. With an audit
    and no 整改意见 yet, one is made for each requirement judged 不符合 or 部分符合."""
    scope.require("round.visit")
    audit = None
    if audit_id is not None:
        audit = db.get(Audit, audit_id)
        if audit is None or audit.school_id != visit.school_id:
            raise ServiceError(
                "所选核查报告不是本校的", fields={"audit_id": "请选择本校的核查报告"}
            )
    before = visit.status
    visit.visited_on = visited_on
    visit.audit_id = audit.id if audit else None
    visit.notes = {k: v.strip()[:MAX_NOTE] for k, v in notes.items() if v.strip()}
    visit.observations = [o.strip()[:MAX_NOTE] for o in observations if o.strip()]
    visit.summary = summary.strip()[:MAX_NOTE]
    visit.status = "done"
    visit.done_by = scope.user.id
    visit.updated_at = utcnow()
    if visit.inspector_id is None and scope.role == "inspector":
        visit.inspector_id, visit.inspector_name = scope.user.id, scope.user.display_name
    made = 0
    has_rects = db.scalar(
        select(RectificationRow.id).where(RectificationRow.visit_id == visit.id).limit(1)
    )
    if audit is not None and has_rects is None and visit.kind == "visit":
        for rect in from_result(effective_result(db, audit), visited_on):
            _add_rect(db, visit, rect.item_id, rect.title, rect.text, rect.severity, rect.deadline)
            made += 1
    record_change(
        db,
        scope.user,
        "visit.record",
        "visit",
        visit.id,
        visit.school_id,
        before=before,
        visited_on=visited_on.isoformat(),
        audit=visit.audit_id,
        notes=sorted(visit.notes),
        observations=len(visit.observations),
        rectifications_made=made,
    )
    db.flush()
    return visit


def _add_rect(
    db: Session,
    visit: RoundVisit,
    item_id: str,
    title: str,
    text: str,
    severity: str,
    deadline: date,
) -> RectificationRow:
    row = RectificationRow(
        visit_id=visit.id,
        round_id=visit.round_id,
        school_id=visit.school_id,
        item_id=item_id,
        title=title[:300],
        text=text,
        severity=severity,
        deadline=deadline,
        status="open",
    )
    db.add(row)
    return row


def add_rectification(
    db: Session,
    scope: Scope,
    visit: RoundVisit,
    item_id: str,
    text: str,
    deadline: date | None,
) -> RectificationRow:
    """An 整改意见 the inspector writes herself; without a deadline, the checklist's days
    for a 一般 (major) problem from the visit's date."""
    scope.require("round.visit")
    fields = {}
    if not item_id.strip():
        fields["item_id"] = "请填写核查项（如 2.1）"
    if not text.strip():
        fields["text"] = "请填写整改意见"
    if fields:
        raise ServiceError("整改意见未保存：" + "；".join(fields.values()), fields=fields)
    if deadline is None:
        from audit.checklist import get_checklist
        from supervision.rectify import deadline_for

        rnd = db.get(SupervisionRound, visit.round_id)
        assert rnd is not None
        deadline = deadline_for(
            get_checklist(rnd.checklist_id), "major", visit.visited_on or date.today()
        )
    row = _add_rect(db, visit, item_id.strip(), "", text.strip(), "major", deadline)
    db.flush()
    record_change(
        db,
        scope.user,
        "rectification.add",
        "rectification",
        row.id,
        row.school_id,
        visit=visit.id,
        item=row.item_id,
        deadline=deadline.isoformat(),
    )
    return row


def evidence_of(db: Session, rect: RectificationRow) -> list[RectificationEvidence]:
    return list(
        db.scalars(
            select(RectificationEvidence)
            .where(RectificationEvidence.rectification_id == rect.id)
            .order_by(RectificationEvidence.id)
        )
    )


def _config(db: Session, rect: RectificationRow) -> Any:
    rnd = db.get(SupervisionRound, rect.round_id)
    assert rnd is not None
    return round_config(rnd.checklist_id)


def add_evidence(
    db: Session,
    context: ServiceContext,
    scope: Scope,
    rect: RectificationRow,
    filename: str,
    stream: BinaryIO,
    note: str,
) -> RectificationEvidence:
    """The school (or the inspector) uploads what shows the rectification done: it waits
    for the inspector's acceptance (待验收)."""
    scope.require("rect.submit")
    model = rect_model(rect, [e.filename for e in evidence_of(db, rect)])
    try:
        from supervision.rectify import submit

        submitted = submit(model, filename)
    except RectificationError as exc:
        raise ServiceError(str(exc)) from None
    stored = context.blobs.put_file(stream, context.config.max_upload_bytes)
    if stored.size == 0:
        raise ServiceError("没有选择文件，或文件是空的", fields={"file": "请选择整改材料"})
    sha = register_blob(db, context.blobs, stored)
    row = RectificationEvidence(
        rectification_id=rect.id,
        school_id=rect.school_id,
        filename=filename[:300],
        blob_sha256=sha,
        note=note.strip()[:MAX_NOTE],
        uploaded_by=scope.user.id,
    )
    db.add(row)
    before, rect.status = rect.status, submitted.status
    db.flush()
    record_change(
        db,
        scope.user,
        "rectification.evidence",
        "rectification",
        rect.id,
        rect.school_id,
        file=mask_in_text(filename),
        sha256=sha,
        before=before,
        after=rect.status,
    )
    return row


def decide(db: Session, scope: Scope, rect: RectificationRow, action: str, note: str) -> None:
    """The inspector accepts the evidence (the rectification closes) or sends it back."""
    scope.require("rect.accept")
    config = _config(db, rect)
    model = rect_model(rect, [e.filename for e in evidence_of(db, rect)])
    try:
        if action == "accept":
            changed = accept(model, scope.user.display_name, date.today(), config)
        elif action == "reject":
            changed = reject(model)
        else:
            raise ServiceError("不认识的操作（可用：accept 验收通过、reject 退回整改）")
    except RectificationError as exc:
        raise ServiceError(str(exc)) from None
    before, rect.status = rect.status, changed.status
    if action == "accept":
        rect.accepted_by, rect.accepted_at = scope.user.id, utcnow()
    record_change(
        db,
        scope.user,
        f"rectification.{action}",
        "rectification",
        rect.id,
        rect.school_id,
        before=before,
        after=rect.status,
        note=mask_in_text(note.strip()[:MAX_NOTE]),
    )
    db.flush()


def plan_revisit(db: Session, scope: Scope, rect: RectificationRow, today: date) -> RoundVisit:
    """A 回访 of a rectification whose deadline has passed (002 § 四(二))."""
    scope.require("round.visit")
    config = _config(db, rect)
    due = revisit_due(rect_model(rect), config)
    if due is None:
        raise ServiceError("该整改意见已验收通过，无需回访")
    if today < due:
        raise ServiceError(f"整改期限未到：{due.isoformat()}起才需回访")
    visit = db.get(RoundVisit, rect.visit_id)
    if visit is None:
        raise NotFound("督导")
    revisit = RoundVisit(
        round_id=rect.round_id,
        school_id=rect.school_id,
        cadence="revisit",
        cadence_name="整改回访",
        actor=visit.actor,
        inspector_id=visit.inspector_id,
        inspector_name=visit.inspector_name,
        planned_on=today,
        due=today + timedelta(days=config.rectification.revisit_within_days.value),
        kind="revisit",
        rectification_id=rect.id,
        notes={},
        observations=[],
    )
    db.add(revisit)
    db.flush()
    record_change(
        db,
        scope.user,
        "visit.revisit",
        "visit",
        revisit.id,
        rect.school_id,
        rectification=rect.id,
        deadline=rect.deadline.isoformat(),
    )
    return revisit


def visit_rects(db: Session, visit: RoundVisit) -> list[RectificationRow]:
    if visit.kind == "revisit" and visit.rectification_id:
        row = db.get(RectificationRow, visit.rectification_id)
        return [row] if row else []
    return list(
        db.scalars(
            select(RectificationRow)
            .where(RectificationRow.visit_id == visit.id)
            .order_by(RectificationRow.id)
        )
    )
