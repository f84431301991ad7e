"""Generating one document for a school: validate with the form's model, render with the
library (forms.render.document.render_record — the CLI's path, run in the web process's
renderer, service/rendering.py), store, remember the student."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from forms.errors import FieldError, RecordError
from forms.fonts import FontError
from forms.profiles import Profile, ProfileError, get_profile
from forms.registry import FORMS, FormKind, UnknownFormError, get_form
from forms.render.document import validate_record
from service.blobs import BlobStore
from service.ops import ServiceError
from service.ops.files import register_blob
from service.rendering import render_document
from service.scope import NotFound, Scope
from service.tables import Document, School, Student, User, utcnow


@dataclass(frozen=True)
class FormChoice:
    kind: FormKind
    available: bool
    reason: str  # why not, citing the profile


def form_choices(school: School) -> list[FormChoice]:
    profile = get_profile(school.profile_id)
    out = []
    for kind in FORMS.values():
        try:
            profile.document(kind.id)
            out.append(FormChoice(kind, True, ""))
        except ProfileError as exc:
            out.append(FormChoice(kind, False, str(exc)))
    return out


def kind_for(school: School, form_id: str) -> tuple[FormKind, Profile]:
    try:
        kind = get_form(form_id)
    except UnknownFormError:
        raise NotFound("文书种类") from None
    profile = get_profile(school.profile_id)
    try:
        profile.document(form_id)
    except ProfileError as exc:
        raise ServiceError(str(exc)) from None
    return kind, profile


def school_values(school: School) -> dict[str, Any]:
    """The school as a record's `school` (the issuer), empty values left out."""
    return {
        k: v
        for k, v in {
            "name": school.name,
            "township": school.township.name if school.township else None,
            "address": school.address,
            "phone": school.phone,
            "contact": school.contact,
        }.items()
        if v
    }


def prefill(
    db: Session, school: School, kind: FormKind, student_id: int | None, full_ids: bool = True
) -> dict[str, Any]:
    """Values a clerk should not type again: her school, and a known student (without his
    身份证号 and 学籍号 for a role that may not see them: it types them itself)."""
    values: dict[str, Any] = {}
    fields = kind.model.model_fields
    if "school" in fields:
        values["school"] = school_values(school)
    if student_id is not None and "student" in fields:
        student = db.get(Student, student_id)
        if student is None or student.school_id != school.id:
            raise NotFound("学生")
        values["student"] = {
            k: v
            for k, v in {
                "name": student.name,
                "id_number": student.id_number if full_ids else None,
                "student_number": student.student_number if full_ids else None,
                "grade": student.grade,
                "class_name": student.class_name,
            }.items()
            if v
        }
    return values


def error_map(errors: list[FieldError]) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in errors:
        out[e.loc] = f"{out[e.loc]}；{e.message}" if e.loc in out else e.message
    return out


def create_document(
    db: Session, blobs: BlobStore, scope: Scope, school: School, form_id: str, data: dict[str, Any]
) -> Document:
    """Raises RecordError (field errors in Chinese, as the CLI prints them) or ServiceError."""
    scope.require("documents.create")
    kind, profile = kind_for(school, form_id)
    record = validate_record(kind, data)
    try:
        files = render_document(kind, record, profile, ("pdf", "docx"))
    except FontError as exc:
        raise ServiceError(str(exc), status=500) from None
    pdf = register_blob(db, blobs, blobs.put_bytes(files["pdf"]))
    docx = register_blob(db, blobs, blobs.put_bytes(files["docx"]))
    student = getattr(record, "student", None)
    doc = Document(
        school_id=school.id,
        form_id=kind.id,
        profile_id=profile.id,
        title=str(
            profile.wording(kind.id, school.township.name if school.township else None).get(
                "title", kind.name
            )
        ),
        number=str(getattr(record, "number", "") or "") or None,
        student_name=getattr(student, "name", None),
        record=record.model_dump(mode="json"),
        pdf_sha256=pdf,
        docx_sha256=docx,
        created_by=scope.user.id,
    )
    db.add(doc)
    if student is not None:
        remember_student(db, school.id, student)
    db.flush()
    return doc


def remember_student(db: Session, school_id: int, student: Any) -> Student:
    """Upsert a school's student by 身份证号, else by name + class."""
    stmt = select(Student).where(Student.school_id == school_id)
    if getattr(student, "id_number", None):
        stmt = stmt.where(Student.id_number == student.id_number)
    else:
        stmt = stmt.where(
            Student.name == student.name, Student.class_name == getattr(student, "class_name", None)
        )
    row = db.scalar(stmt.limit(1))
    if row is None:
        row = Student(school_id=school_id, name=student.name)
        db.add(row)
    for key in (
        "name",
        "id_number",
        "student_number",
        "gender",
        "birth_date",
        "grade",
        "class_name",
    ):
        value = getattr(student, key, None)
        if value is not None:
            setattr(row, key, value)
    row.updated_at = utcnow()
    return row


def documents_of(db: Session, school_id: int, limit: int = 200) -> list[tuple[Document, str]]:
    rows = db.execute(
        select(Document, User.display_name)
        .options(defer(Document.record))  # the list shows titles, not the records
        .outerjoin(User, User.id == Document.created_by)
        .where(Document.school_id == school_id)
        .order_by(Document.id.desc())
        .limit(limit)
    )
    return [(d, name or "") for d, name in rows]


def viewing_files(db: Session, blobs: BlobStore, doc: Document) -> tuple[str, str]:
    """The document's viewing copy (PDF, DOCX): every full 身份证号 masked, marked
    “仅供查看（身份证号已隐去）”; rendered from the stored record when first asked for."""
    if doc.view_pdf_sha256 and doc.view_docx_sha256:
        return doc.view_pdf_sha256, doc.view_docx_sha256
    kind = get_form(doc.form_id)
    profile = get_profile(doc.profile_id)
    try:
        record = validate_record(kind, doc.record)
        files = render_document(kind, record, profile, ("pdf", "docx"), viewing_copy=True)
    except (RecordError, FontError) as exc:
        raise ServiceError(f"无法生成隐去身份证号的查看版：{exc}", status=500) from None
    doc.view_pdf_sha256 = register_blob(db, blobs, blobs.put_bytes(files["pdf"]))
    doc.view_docx_sha256 = register_blob(db, blobs, blobs.put_bytes(files["docx"]))
    db.flush()
    return doc.view_pdf_sha256, doc.view_docx_sha256


def document_rendition(
    db: Session, blobs: BlobStore, scope: Scope, doc: Document, fmt: str
) -> tuple[str, str]:
    """(sha256, download name) of the document as this role may receive it: the original
    for a role with the right to full ID numbers, else the viewing copy."""
    if fmt not in ("pdf", "docx"):
        raise NotFound("格式")
    label = f"{doc.title}-{doc.student_name or doc.id}"
    if scope.full_ids:
        return (doc.pdf_sha256 if fmt == "pdf" else doc.docx_sha256), f"{label}.{fmt}"
    pdf, docx = viewing_files(db, blobs, doc)
    return (pdf if fmt == "pdf" else docx), f"{label}（仅供查看）.{fmt}"


def page_png(pdf: bytes, page_no: int, scale: float = 1.4) -> bytes:
    """A preview image of one PDF page (pypdfium2, the fast PDF path)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        if not 1 <= page_no <= len(doc):
            raise NotFound("页面")
        image = doc[page_no - 1].render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        doc.close()


def page_count(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


__all__ = ["RecordError", "create_document", "error_map", "form_choices", "prefill"]
