"""A school's pages: students, documents (fill, preview, download), rosters, packages, jobs."""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.errors import RecordError
from service.ops import ServiceError
from service.ops import formfields as ff
from service.ops.batches import BatchSettings, Upload, start_batch
from service.ops.documents import (
    create_document,
    document_rendition,
    error_map,
    kind_for,
    page_count,
    page_png,
    prefill,
)
from service.ops.school_view import job_file_sha, school_view, withheld_files
from service.ops.uploads import start_audit, withdraw_package
from service.scope import Scope
from service.tables import Document, Job, Package, School
from service.web.deps import DB_SESSION, ctx, get_scope
from service.web.files import send_blob
from service.web.render import page, redirect_with_flash

router = APIRouter(include_in_schema=False)


@router.get("/schools/{school_id}", response_class=HTMLResponse)
def school_page(
    request: Request,
    school_id: int,
    message: str = "",
    q: str = "",
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    school = scope.school(db, school_id)
    return page(
        request,
        "school.html",
        v=school_view(db, scope, school, student_query=q[:50]),
        scope=scope,
        message=message,
        error=None,
    )


def _form_page(
    request: Request,
    db: Session,
    scope: Scope,
    school_id: int,
    form_id: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    school = scope.school(db, school_id)
    kind, profile = kind_for(school, form_id)
    form = ff.fields(kind.model, values=values)
    general = ff.attach_errors(form, errors)
    return page(
        request,
        "form.html",
        status_code=status,
        school=school,
        kind=kind,
        profile=profile,
        form=form,
        general_errors=general,
        error_count=len(errors),
    )


@router.get("/schools/{school_id}/forms/{form_id}", response_class=HTMLResponse)
def form_new(
    request: Request,
    school_id: int,
    form_id: str,
    student_id: int | None = None,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    scope.require("documents.create")
    school = scope.school(db, school_id)
    kind, _ = kind_for(school, form_id)
    return _form_page(
        request,
        db,
        scope,
        school_id,
        form_id,
        prefill(db, school, kind, student_id, scope.full_ids),
        {},
    )


@router.post("/schools/{school_id}/forms/{form_id}", response_class=HTMLResponse)
async def form_submit(
    request: Request,
    school_id: int,
    form_id: str,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    school = scope.school(db, school_id)
    kind, _ = kind_for(school, form_id)
    posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    shape = ff.fields(kind.model)
    for name in ff.checkbox_names(shape):
        if name in posted:
            posted[name] = "true"
    data = ff.nest(posted, ff.textarea_names(shape))
    try:
        with db.begin_nested():
            doc = create_document(db, ctx(request).blobs, scope, school, form_id, data)
    except RecordError as exc:
        return _form_page(
            request, db, scope, school_id, form_id, data, error_map(exc.errors), status=422
        )
    return RedirectResponse(f"/documents/{doc.id}?created=1", status_code=303)


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    doc_id: int,
    created: int = 0,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    doc = scope.get(db, Document, doc_id, "文书")
    blobs = ctx(request).blobs
    pages = page_count(blobs.read(document_rendition(db, blobs, scope, doc, "pdf")[0]))
    school = scope.school(db, doc.school_id)
    return page(
        request,
        "document.html",
        doc=doc,
        school=school,
        pages=pages,
        created=bool(created),
        show_full_id=scope.can("idcard.full"),
    )


@router.get("/documents/{doc_id}/download.{fmt}")
def document_download(
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


@router.get("/documents/{doc_id}/pages/{page_no}.png")
def document_page_png(
    request: Request,
    doc_id: int,
    page_no: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    doc = scope.get(db, Document, doc_id, "文书")
    blobs = ctx(request).blobs
    # The preview of what this role may download: the viewing copy without the right to
    # full ID numbers.
    png = page_png(blobs.read(document_rendition(db, blobs, scope, doc, "pdf")[0]), page_no)
    return Response(png, media_type="image/png", headers={"cache-control": "private, max-age=3600"})


def _school_refused(
    request: Request,
    db: Session,
    scope: Scope,
    school: School,
    exc: ServiceError,
    **forms: Any,
) -> Response:
    """The school page again after a refused upload: the message, each field's error
    beside it and what was typed (a file input cannot be kept: the page says so)."""
    return page(
        request,
        "school.html",
        status_code=exc.status,
        v=school_view(db, scope, school),
        scope=scope,
        message="",
        error=str(exc),
        **forms,
    )


@router.post("/schools/{school_id}/rosters", response_class=HTMLResponse)
def roster_upload(
    request: Request,
    school_id: int,
    file: UploadFile | None = File(None),
    defaults: UploadFile | None = File(None),
    form_id: str = Form("return_notice"),
    issue_date: str = Form(""),
    number_pattern: str = Form(""),
    start_number: str = Form(""),
    duplex: str = Form(""),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    school = scope.school(db, school_id)
    settings = BatchSettings(form_id, issue_date, number_pattern, start_number, duplex == "1")
    try:
        with db.begin_nested():
            job = start_batch(
                db,
                ctx(request),
                scope,
                school,
                Upload(file.filename or "", file.file) if file else Upload("", io.BytesIO()),
                settings,
                Upload(defaults.filename, defaults.file)
                if defaults and defaults.filename
                else None,
            )
    except ServiceError as exc:
        return _school_refused(
            request, db, scope, school, exc, batch=settings, batch_errors=exc.fields
        )
    db.commit()
    ctx(request).runner.submit(job.id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/schools/{school_id}/packages", response_class=HTMLResponse)
def package_upload(
    request: Request,
    school_id: int,
    file: UploadFile = File(...),
    period: str = Form(""),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    school = scope.school(db, school_id)
    try:
        with db.begin_nested():
            _, job = start_audit(
                db, ctx(request), scope, school, file.filename or "", file.file, {"period": period}
            )
    except ServiceError as exc:
        return _school_refused(request, db, scope, school, exc, period=period)
    db.commit()
    ctx(request).runner.submit(job.id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    request: Request,
    job_id: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    job = scope.get(db, Job, job_id, "任务")
    school = scope.school(db, job.school_id)
    package = db.scalar(select(Package).where(Package.job_id == job.id))
    from service.queue.status import queued_note

    return page(
        request,
        "job.html",
        job=job,
        note=queued_note(db, ctx(request).config, job.status),
        school=school,
        withheld=withheld_files(scope, job),
        withdrawn=package is not None and package.withdrawn_at is not None,
    )


@router.get("/jobs/{job_id}/files/{name}")
def job_file(
    request: Request,
    job_id: int,
    name: str,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    job = scope.get(db, Job, job_id, "任务")
    return send_blob(ctx(request).blobs, job_file_sha(scope, job, name), name)


@router.post("/packages/{package_id}/binder", response_class=HTMLResponse)
def package_binder(
    request: Request,
    package_id: int,
    verdicts: str = Form(""),
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    from service.ops.binders import start_binder

    package = scope.get(db, Package, package_id, "证据包")
    try:
        with db.begin_nested():
            job = start_binder(db, scope, package, verdicts=bool(verdicts))
    except ServiceError as exc:
        return redirect_with_flash(request, f"/schools/{package.school_id}#packages", str(exc))
    db.commit()
    ctx(request).runner.submit(job.id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/packages/{package_id}/withdraw", response_class=HTMLResponse)
def package_withdraw(
    request: Request,
    package_id: int,
    scope: Scope = Depends(get_scope),
    db: Session = DB_SESSION,
) -> Response:
    package = scope.get(db, Package, package_id, "证据包")
    done = withdraw_package(db, scope, package)
    findings = f"，{done.findings}个整改问题随之删除" if done.findings else ""
    return redirect_with_flash(
        request,
        f"/schools/{package.school_id}#packages",
        f"已撤回“{package.filename}”及其核查报告{findings}",
    )
