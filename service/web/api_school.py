"""JSON API for what a school's pages do (clerks, inspectors; admins too)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.errors import RecordError
from forms.registry import FORMS, UnknownFormError, get_form
from service.auth import Auth
from service.ops import reviews as ops_reviews
from service.ops.batches import BatchSettings, Upload, start_batch
from service.ops.documents import create_document, document_rendition, documents_of
from service.ops.findings import add_evidence, finding_view
from service.ops.overview import school_summaries
from service.ops.school_view import job_file_sha, job_json
from service.ops.uploads import start_audit, withdraw_package
from service.privacy import mask_number, mask_record
from service.scope import ROLES, NotFound, Scope
from service.tables import Audit, Document, Finding, Job, Package, School, Student
from service.web.deps import DB_SESSION, ctx, get_scope, require_auth
from service.web.files import send_blob

router = APIRouter(prefix="/api", tags=["学校"])


def school_json(school: School) -> dict[str, Any]:
    return {
        "id": school.id,
        "name": school.name,
        "township": school.township.name if school.township else None,
        "profile_id": school.profile_id,
        "address": school.address,
        "phone": school.phone,
        "contact": school.contact,
    }


def document_json(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "school_id": doc.school_id,
        "form_id": doc.form_id,
        "profile_id": doc.profile_id,
        "title": doc.title,
        "number": doc.number,
        "student_name": doc.student_name,
        "created_at": doc.created_at.isoformat(),
        "pdf": f"/api/documents/{doc.id}/pdf",
        "docx": f"/api/documents/{doc.id}/docx",
    }


def student_json(s: Student, full_id: bool) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "id_number": s.id_number if full_id else mask_number(s.id_number),
        "student_number": s.student_number if full_id else mask_number(s.student_number),
        "gender": s.gender,
        "birth_date": s.birth_date.isoformat() if s.birth_date else None,
        "grade": s.grade,
        "class_name": s.class_name,
    }


@router.get("/me", summary="当前用户")
def me(auth: Auth = Depends(require_auth), scope: Scope = Depends(get_scope)) -> dict[str, Any]:
    u = auth.user
    return {
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "role_name": ROLES[u.role],
        "school_id": u.school_id,
        "school_ids": sorted(scope.school_ids) if scope.school_ids is not None else None,
        "csrf_token": auth.csrf_token or None,  # browser sessions echo it in X-CSRF-Token
    }


@router.get("/schools", summary="可见的学校及其最近核查概况")
def schools(scope: Scope = Depends(get_scope), db: Session = DB_SESSION) -> list[dict[str, Any]]:
    return [
        {
            **school_json(row.school),
            "latest_audit_id": row.audit.id if row.audit else None,
            "statuses": row.statuses,
            "open_findings": row.open_findings,
            "open_critical": row.open_critical,
        }
        for row in school_summaries(db, scope)
    ]


@router.get("/schools/{school_id}", summary="一所学校")
def school(
    school_id: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    return school_json(scope.school(db, school_id))


@router.get("/schools/{school_id}/students", summary="学校的学生（身份证号按角色脱敏）")
def students(
    school_id: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> list[dict[str, Any]]:
    scope.school(db, school_id)
    rows = db.scalars(select(Student).where(Student.school_id == school_id).order_by(Student.name))
    return [student_json(s, scope.can("idcard.full")) for s in rows]


@router.get("/forms", summary="文书种类")
def forms() -> list[dict[str, str]]:
    return [{"id": k.id, "name": k.name} for k in FORMS.values()]


@router.get("/forms/{form_id}/schema", summary="文书记录的 JSON Schema")
def form_schema(form_id: str) -> dict[str, Any]:
    try:
        kind = get_form(form_id)
    except UnknownFormError:
        raise NotFound("文书种类") from None
    schema = kind.model.model_json_schema()
    schema["title"] = kind.name
    return schema


class DocumentIn(BaseModel):
    form_id: str = Field(description="文书种类，如 return_notice")
    record: dict[str, Any] = Field(
        description="记录，字段见 /api/forms/{form_id}/schema；学校可省略，取本校信息"
    )


@router.post(
    "/schools/{school_id}/documents", status_code=201, summary="生成一份文书（校验、排版、保存）"
)
def document_create(
    request: Request,
    school_id: int,
    body: DocumentIn,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    from service.ops.documents import kind_for, prefill

    school_row = scope.school(db, school_id)
    kind, _ = kind_for(school_row, body.form_id)
    record = dict(body.record)
    if "school" in kind.model.model_fields and "school" not in record:
        record["school"] = prefill(db, school_row, kind, None)["school"]
    try:
        with db.begin_nested():
            doc = create_document(db, ctx(request).blobs, scope, school_row, body.form_id, record)
    except RecordError as exc:
        errors = [{"loc": e.loc, "label": e.label, "message": e.message} for e in exc.errors]
        return JSONResponse(
            {
                "detail": f"记录有{len(errors)}处不符合要求",
                "errors": errors,
                "messages": [str(e) for e in exc.errors],
            },
            status_code=422,
        )
    return JSONResponse(document_json(doc), status_code=201)


@router.get("/schools/{school_id}/documents", summary="学校已生成的文书")
def documents(
    school_id: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> list[dict[str, Any]]:
    scope.school(db, school_id)
    return [document_json(d) for d, _ in documents_of(db, school_id)]


@router.get("/documents/{doc_id}", summary="一份文书及其记录")
def document(
    doc_id: int, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    doc = scope.get(db, Document, doc_id, "文书")
    record = doc.record if scope.can("idcard.full") else mask_record(doc.record)
    return {**document_json(doc), "record": record}


@router.get(
    "/documents/{doc_id}/{fmt}",
    summary="下载文书（pdf 或 docx；无权查看完整身份证号的角色得到隐去身份证号的查看版）",
)
def document_file(
    request: Request,
    doc_id: int,
    fmt: str,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    doc = scope.get(db, Document, doc_id, "文书")
    blobs = ctx(request).blobs
    sha, filename = document_rendition(db, blobs, scope, doc, fmt)
    return send_blob(blobs, sha, filename)


@router.post(
    "/schools/{school_id}/rosters", status_code=202, summary="上传花名册，开始批量打印任务"
)
def roster_create(
    request: Request,
    school_id: int,
    file: UploadFile = File(..., description="花名册：.xlsx、.xls 或 .csv"),
    defaults: UploadFile | None = File(
        None, description="默认值文件（YAML/JSON），同 baoxue batch --defaults"
    ),
    form_id: str = Form("return_notice"),
    issue_date: str = Form("", description="发文日期；空则取默认值文件中的，再空则今天"),
    number_pattern: str = Form("", description="编号格式，如 荔浦二中劝返〔2026〕第{n:03d}号"),
    start_number: str = Form("", description="起始编号；空则接着本校本年度已打印的编号"),
    duplex: bool = Form(False),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    school_row = scope.school(db, school_id)
    job = start_batch(
        db,
        ctx(request),
        scope,
        school_row,
        Upload(file.filename or "", file.file),
        BatchSettings(form_id, issue_date, number_pattern, start_number, duplex),
        Upload(defaults.filename, defaults.file) if defaults and defaults.filename else None,
    )
    db.commit()
    ctx(request).runner.submit(job.id)
    return job_json(job, scope)


@router.post(
    "/schools/{school_id}/packages", status_code=202, summary="上传证据包（zip），开始自查核查任务"
)
def package_create(
    request: Request,
    school_id: int,
    file: UploadFile = File(...),
    period: str = Form(""),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    school_row = scope.school(db, school_id)
    package, job = start_audit(
        db, ctx(request), scope, school_row, file.filename or "", file.file, {"period": period}
    )
    db.commit()
    ctx(request).runner.submit(job.id)
    return {"package_id": package.id, "job": job_json(job, scope)}


@router.post(
    "/packages/{package_id}/binder",
    status_code=202,
    summary="生成迎检资料（按督导清单整理的 PDF 和 zip），开始任务",
)
def package_binder(
    request: Request,
    package_id: int,
    verdicts: bool = Form(False, description="各项分隔页写明核查结果和发现的问题"),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    from service.ops.binders import start_binder

    package = scope.get(db, Package, package_id, "证据包")
    job = start_binder(db, scope, package, verdicts=verdicts)
    db.commit()
    ctx(request).runner.submit(job.id)
    return {"package_id": package.id, "job": job_json(job, scope)}


@router.get("/jobs/{job_id}", summary="任务进度与结果")
def job(
    request: Request, job_id: int, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    from service.queue.status import queued_note

    data = job_json(scope.get(db, Job, job_id, "任务"), scope)
    data["message"] = queued_note(db, ctx(request).config, data["status"]) or data["message"]
    return data


@router.get("/jobs/{job_id}/files/{name}", summary="下载任务生成的文件")
def job_file(
    request: Request,
    job_id: int,
    name: str,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    row = scope.get(db, Job, job_id, "任务")
    return send_blob(ctx(request).blobs, job_file_sha(scope, row, name), name)


def _audit_json(db: Session, audit: Audit) -> dict[str, Any]:
    items = ops_reviews.item_views(db, audit)
    findings = db.scalars(select(Finding).where(Finding.audit_id == audit.id).order_by(Finding.id))
    return {
        "id": audit.id,
        "school_id": audit.school_id,
        "package_id": audit.package_id,
        "checklist_id": audit.checklist_id,
        "created_at": audit.created_at.isoformat(),
        "summary": audit.report.get("summary"),
        "items": [
            {
                "id": i.id,
                "title": i.title,
                "automatic": i.auto,
                "final": i.final,
                "status": i.status,
                "note": i.note,
                "reviewer": i.reviewer,
                "reviewed_at": i.reviewed_at.isoformat() if i.reviewed_at else None,
                "score": i.score,
                "max": i.max,
            }
            for i in items
        ],
        "observations": [
            {
                "id": o.id,
                "kind": o.kind,
                "item_id": o.item_id,
                "value": o.value,
                "note": o.note,
                "recorded_at": o.recorded_at.isoformat(),
            }
            for o in ops_reviews.observations(db, audit)
        ],
        "findings": [finding_json(f) for f in findings],
        "report": audit.report,
    }


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "audit_id": f.audit_id,
        "school_id": f.school_id,
        "item_id": f.item_id,
        "key": f.key,
        "severity": f.severity,
        "message": f.message,
        "recommendation": f.recommendation,
        "student": f.student,
        "status": f.status,
        "updated_at": f.updated_at.isoformat(),
    }


@router.get("/audits/{audit_id}", summary="核查报告：自动结论、最终结论、现场记录、整改问题")
def audit(
    audit_id: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    return _audit_json(db, scope.get(db, Audit, audit_id, "核查报告"))


class ReviewIn(BaseModel):
    status: str = Field(description="pass | partial | fail | not_applicable")
    note: str = Field("", description="复核意见；与自动结论不同时必填")


@router.put("/audits/{audit_id}/items/{item_id}", summary="设定一项的最终结论")
def review(
    audit_id: int,
    item_id: str,
    body: ReviewIn,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    row = scope.get(db, Audit, audit_id, "核查报告")
    saved = ops_reviews.set_review(db, scope, row, item_id, body.status, body.note)
    return {"item_id": saved.item_id, "status": saved.status, "note": saved.note}


class ObservationIn(BaseModel):
    kind: str = Field(description="roll_call_headcount | desks | absent_today | note")
    value: str
    note: str = ""


@router.post(
    "/audits/{audit_id}/observations", status_code=201, summary="添加现场记录（如点名实到人数）"
)
def observe(
    audit_id: int,
    body: ObservationIn,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    row = scope.get(db, Audit, audit_id, "核查报告")
    obs = ops_reviews.add_observation(db, scope, row, body.kind, body.value, body.note)
    return {"id": obs.id, "kind": obs.kind, "value": obs.value}


@router.get(
    "/audits/{audit_id}/export/{fmt}", summary="导出：docx 督导工作情况表，pdf 报告，xlsx 整改清单"
)
def export(
    request: Request,
    audit_id: int,
    fmt: str,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    from service.adapters.audit import export_audit

    row = scope.get(db, Audit, audit_id, "核查报告")
    school = scope.school(db, row.school_id)
    sha, filename = export_audit(db, ctx(request).blobs, row, school, fmt, scope.full_ids)
    return send_blob(ctx(request).blobs, sha, filename)


@router.get("/findings/{finding_id}", summary="一个整改问题及其材料、记录")
def finding(
    finding_id: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    view = finding_view(db, scope, scope.get(db, Finding, finding_id, "整改问题"))
    return {
        **finding_json(view["finding"]),
        "allowed": view["allowed"],
        "evidence": [
            {
                "id": e.id,
                "filename": e.filename,
                "note": e.note,
                "uploaded_at": e.uploaded_at.isoformat(),
            }
            for e in view["evidence"]
        ],
    }


class FindingIn(BaseModel):
    status: str = Field(description="open | remediating | closed")
    note: str = ""


@router.patch("/findings/{finding_id}", summary="更新整改状态")
def finding_update(
    finding_id: int,
    body: FindingIn,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    row = scope.get(db, Finding, finding_id, "整改问题")
    ops_reviews.set_finding_status(db, scope, row, body.status, body.note)
    return finding_json(row)


@router.post("/findings/{finding_id}/evidence", status_code=201, summary="上传整改材料")
def finding_evidence(
    request: Request,
    finding_id: int,
    file: UploadFile = File(...),
    note: str = Form(""),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> dict[str, Any]:
    row = scope.get(db, Finding, finding_id, "整改问题")
    ev = add_evidence(db, ctx(request), scope, row, file.filename or "材料", file.file, note)
    return {"id": ev.id, "filename": ev.filename, "sha256": ev.blob_sha256}


@router.post(
    "/packages/{package_id}/withdraw",
    summary="撤回上传的证据包：其核查报告和整改问题一并删除（学校文员、教育局）",
)
def package_withdraw(
    package_id: int, scope: Scope = Depends(get_scope), db: Session = DB_SESSION
) -> dict[str, Any]:
    done = withdraw_package(db, scope, scope.get(db, Package, package_id, "证据包"))
    return {
        "package_id": done.package.id,
        "filename": done.package.filename,
        "withdrawn_at": done.package.withdrawn_at.isoformat()
        if done.package.withdrawn_at
        else None,
        "audits": done.audits,
        "findings": done.findings,
    }
