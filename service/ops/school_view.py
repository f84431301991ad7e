"""What a school's page shows, gathered once for pages and API alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, load_only

from service.ops.documents import FormChoice, documents_of, form_choices
from service.scope import Forbidden, NotFound, Scope
from service.tables import Audit, Document, Finding, Job, Package, School, Student

# What one page shows at most: a school's page must stay quick after a 1,000-row batch
# and a year of self-audits; the rest is reached by search or from the API.
STUDENTS_SHOWN = 100
DOCUMENTS_SHOWN = 50
PACKAGES_SHOWN = 50
FINDINGS_SHOWN = 100


@dataclass(frozen=True)
class PackageJob:
    id: int
    status: str
    error: str | None


@dataclass
class SchoolView:
    school: School
    students: list[Student]
    student_count: int
    student_query: str
    documents: list[tuple[Document, str]]
    packages: list[tuple[Row[Any], PackageJob | None, int | None]]  # package, its job, audit id
    jobs: list[Job]
    findings: list[Any]  # rows: id, status, severity, item_id, message, student
    open_findings: int
    forms: list[FormChoice]
    show_full_id: bool


def school_view(db: Session, scope: Scope, school: School, student_query: str = "") -> SchoolView:
    of_school = [Student.school_id == school.id]
    query = student_query.strip()
    if query:  # by name, or by class (“八年级3班”)
        like = f"%{query}%"
        of_school.append(
            Student.name.like(like)
            | (func.coalesce(Student.grade, "") + func.coalesce(Student.class_name, "")).like(like)
        )
    student_count = db.scalar(select(func.count()).select_from(Student).where(*of_school)) or 0
    students = list(
        db.scalars(
            select(Student)
            .where(*of_school)
            .order_by(Student.grade, Student.class_name, Student.name)
            .limit(STUDENTS_SHOWN)
        )
    )
    # Plain rows, not ORM objects: the page only reads them, and building ~300 tracked
    # objects was most of its time under load. One query for packages, jobs and audits;
    # never the (large) JSON reports.
    packages = [
        (
            row,
            PackageJob(row.job_id, row.job_status, row.job_error) if row.job_id else None,
            row.audit_id,
        )
        for row in db.execute(
            select(
                Package.id,
                Package.filename,
                Package.created_at,
                Package.withdrawn_at,
                Package.job_id,
                Job.status.label("job_status"),
                Job.error.label("job_error"),
                select(func.max(Audit.id))
                .where(Audit.package_id == Package.id)
                .scalar_subquery()
                .label("audit_id"),
            )
            .outerjoin(Job, Job.id == Package.job_id)
            .where(Package.school_id == school.id)
            .order_by(Package.id.desc())
            .limit(PACKAGES_SHOWN)
        )
    ]
    jobs = list(
        db.scalars(
            select(Job)
            .options(load_only(Job.id, Job.kind, Job.status, Job.params, Job.created_at))
            .where(Job.school_id == school.id)
            .order_by(Job.id.desc())
            .limit(20)
        )
    )
    still_open = (Finding.school_id == school.id, Finding.status != "closed")
    open_findings = db.scalar(select(func.count()).select_from(Finding).where(*still_open)) or 0
    # The newest first, bounded: every self-audit adds its findings, and the page must not
    # grow slower with each upload.
    findings = list(
        db.execute(
            select(
                Finding.id,
                Finding.status,
                Finding.severity,
                Finding.item_id,
                Finding.message,
                Finding.student,
            )
            .where(*still_open)
            .order_by(Finding.id.desc())
            .limit(FINDINGS_SHOWN)
        )
    )
    return SchoolView(
        school,
        students,
        student_count,
        query,
        documents_of(db, school.id, limit=DOCUMENTS_SHOWN),
        packages,
        jobs,
        findings,
        open_findings,
        form_choices(school),
        scope.can("idcard.full"),
    )


def withheld_files(scope: Scope, job: Job) -> list[str]:
    """A batch's print files hold full 身份证号 unless the job printed viewing copies (its
    submitter had no right to them): a role without the right may not download those.
    errors.csv is text and reaches it masked. A 迎检资料 holds the package's files as they
    are: withheld from such a role whole."""
    files = (job.result or {}).get("files", {})
    if job.kind == "binder" and not scope.full_ids:
        return list(files)
    if scope.full_ids or job.kind != "batch" or job.params.get("viewing_copy"):
        return []
    return [name for name in files if not name.lower().endswith(".csv")]


def job_file_sha(scope: Scope, job: Job, name: str) -> str:
    """The stored file `name` of a job, as this role may receive it."""
    files: dict[str, str] = (job.result or {}).get("files", {})
    if name not in files:
        raise NotFound("文件")
    if name in withheld_files(scope, job):
        raise Forbidden(BINDER_WITHHELD if job.kind == "binder" else WITHHELD)
    return files[name]


WITHHELD = "这份批量打印文件含完整身份证号，您的角色不能下载；请由学校文员下载打印"
BINDER_WITHHELD = "迎检资料含材料包原件（可能有完整身份证号），您的角色不能下载；请由学校文员下载"


def job_json(job: Job, scope: Scope | None = None) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "school_id": job.school_id,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "error": job.error,
        "result": job.result,
        "attempts": job.attempts,
        "worker": job.worker,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "viewing_copy": bool(job.params.get("viewing_copy")),
        "withheld_files": withheld_files(scope, job) if scope is not None else [],
    }
