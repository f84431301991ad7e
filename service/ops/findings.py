"""A finding's page: its history and the evidence the school uploaded for it."""

from __future__ import annotations

from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.changelog import record_change
from service.context import ServiceContext
from service.ops.files import register_blob
from service.ops.reviews import FINDING_FLOW
from service.scope import Scope
from service.tables import ChangeLog, Finding, FindingEvidence, User


def add_evidence(
    db: Session,
    context: ServiceContext,
    scope: Scope,
    finding: Finding,
    filename: str,
    stream: BinaryIO,
    note: str,
) -> FindingEvidence:
    scope.require("finding.remediate")
    stored = context.blobs.put_file(stream, context.config.max_upload_bytes)
    sha = register_blob(db, context.blobs, stored)
    row = FindingEvidence(
        finding_id=finding.id,
        school_id=finding.school_id,
        filename=filename[:300],
        blob_sha256=sha,
        note=note.strip(),
        uploaded_by=scope.user.id,
    )
    db.add(row)
    db.flush()
    record_change(
        db,
        scope.user,
        "finding.evidence",
        "finding",
        finding.id,
        finding.school_id,
        file=filename,
        sha256=sha,
    )
    return row


def finding_view(db: Session, scope: Scope, finding: Finding) -> dict[str, Any]:
    evidence = list(
        db.scalars(
            select(FindingEvidence)
            .where(FindingEvidence.finding_id == finding.id)
            .order_by(FindingEvidence.id)
        )
    )
    history = [
        (row, name or "系统")
        for row, name in db.execute(
            select(ChangeLog, User.display_name)
            .outerjoin(User, User.id == ChangeLog.user_id)
            .where(ChangeLog.object_type == "finding", ChangeLog.object_id == str(finding.id))
            .order_by(ChangeLog.id)
        )
    ]
    allowed = [
        s
        for s in FINDING_FLOW[finding.status]
        if scope.can("finding.close" if s in ("closed", "open") else "finding.remediate")
    ]
    return {
        "finding": finding,
        "evidence": evidence,
        "history": history,
        "allowed": sorted(allowed),
        "school": scope.school(db, finding.school_id),
        "scope": scope,
    }
