"""Audit pages: the report with automatic and final verdicts, observations, findings, exports."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.ops import ServiceError
from service.ops import reviews as ops_reviews
from service.ops.findings import add_evidence, finding_view
from service.scope import Scope
from service.tables import Audit, Finding, Package
from service.web.deps import DB_SESSION, ctx, get_scope
from service.web.files import send_blob
from service.web.render import page, redirect_with_flash

router = APIRouter(include_in_schema=False)


def _audit_page(
    request: Request,
    db: Session,
    scope: Scope,
    audit: Audit,
    error: str | None = None,
    status: int = 200,
) -> Response:
    from service.adapters.audit import EXPORTS

    school = scope.school(db, audit.school_id)
    package = db.get(Package, audit.package_id)
    findings = list(
        db.scalars(select(Finding).where(Finding.audit_id == audit.id).order_by(Finding.id))
    )
    return page(
        request,
        "audit.html",
        status_code=status,
        audit=audit,
        school=school,
        package=package,
        items=ops_reviews.item_views(db, audit),
        observations=ops_reviews.observations(db, audit),
        findings=findings,
        scope=scope,
        error=error,
        exports=EXPORTS,
        final_statuses=ops_reviews.FINAL_STATUSES,
        observation_kinds=ops_reviews.OBSERVATION_KINDS,
        summary=audit.report.get("summary") or {},
    )


@router.get("/audits/{audit_id}", response_class=HTMLResponse)
def audit_page(
    request: Request,
    audit_id: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    return _audit_page(request, db, scope, scope.get(db, Audit, audit_id, "核查报告"))


@router.post("/audits/{audit_id}/items/{item_id}", response_class=HTMLResponse)
def audit_review(
    request: Request,
    audit_id: int,
    item_id: str,
    status: str = Form(""),
    note: str = Form(""),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    audit = scope.get(db, Audit, audit_id, "核查报告")
    try:
        with db.begin_nested():
            ops_reviews.set_review(db, scope, audit, item_id, status, note)
    except ServiceError as exc:
        return _audit_page(request, db, scope, audit, f"第{item_id}项：{exc}", status=400)
    return redirect_with_flash(
        request, f"/audits/{audit.id}#item-{item_id}", f"已保存第{item_id}项的最终结论"
    )


@router.post("/audits/{audit_id}/observations", response_class=HTMLResponse)
def audit_observe(
    request: Request,
    audit_id: int,
    kind: str = Form(""),
    value: str = Form(""),
    note: str = Form(""),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    audit = scope.get(db, Audit, audit_id, "核查报告")
    try:
        with db.begin_nested():
            ops_reviews.add_observation(db, scope, audit, kind, value, note)
    except ServiceError as exc:
        return _audit_page(request, db, scope, audit, str(exc), status=400)
    return redirect_with_flash(request, f"/audits/{audit.id}#observations", "已添加现场记录")


@router.get("/audits/{audit_id}/export.{fmt}")
def audit_export(
    request: Request,
    audit_id: int,
    fmt: str,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    from service.adapters.audit import export_audit

    audit = scope.get(db, Audit, audit_id, "核查报告")
    school = scope.school(db, audit.school_id)
    sha, filename = export_audit(db, ctx(request).blobs, audit, school, fmt, scope.full_ids)
    return send_blob(ctx(request).blobs, sha, filename)


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
def finding_page(
    request: Request,
    finding_id: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    finding = scope.get(db, Finding, finding_id, "整改问题")
    return page(request, "finding.html", **finding_view(db, scope, finding), error=None)


@router.post("/findings/{finding_id}", response_class=HTMLResponse)
def finding_update(
    request: Request,
    finding_id: int,
    status: str = Form(""),
    note: str = Form(""),
    file: UploadFile | None = File(None),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    finding = scope.get(db, Finding, finding_id, "整改问题")
    try:
        with db.begin_nested():
            if file is not None and file.filename:
                add_evidence(db, ctx(request), scope, finding, file.filename, file.file, note)
            if status and status != finding.status:
                ops_reviews.set_finding_status(db, scope, finding, status, note)
    except ServiceError as exc:
        db.refresh(finding)
        return page(
            request,
            "finding.html",
            status_code=exc.status,
            **finding_view(db, scope, finding),
            error=str(exc),
        )
    return redirect_with_flash(request, f"/findings/{finding.id}", "已保存整改情况")


@router.get("/findings/{finding_id}/evidence/{evidence_id}")
def finding_evidence(
    request: Request,
    finding_id: int,
    evidence_id: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    from service.tables import FindingEvidence

    finding = scope.get(db, Finding, finding_id, "整改问题")
    row = scope.get(db, FindingEvidence, evidence_id, "整改材料")
    if row.finding_id != finding.id:
        from service.scope import NotFound

        raise NotFound("整改材料")
    return send_blob(ctx(request).blobs, row.blob_sha256, row.filename)
