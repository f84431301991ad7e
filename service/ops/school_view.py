"""What a school's page shows, gathered once for pages and API alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.ops.documents import FormChoice, documents_of, form_choices
from service.scope import Scope
from service.tables import Audit, Document, Finding, Job, Package, School, Student


@dataclass
class SchoolView:
    school: School
    students: list[Student]
    documents: list[tuple[Document, str]]
    packages: list[tuple[Package, Job | None, Audit | None]]
    jobs: list[Job]
    findings: list[Finding]
    forms: list[FormChoice]
    show_full_id: bool


def school_view(db: Session, scope: Scope, school: School) -> SchoolView:
    students = list(
        db.scalars(
            select(Student)
            .where(Student.school_id == school.id)
            .order_by(Student.grade, Student.class_name, Student.name)
        )
    )
    packages = []
    audits = {
        a.package_id: a for a in db.scalars(select(Audit).where(Audit.school_id == school.id))
    }
    for package in db.scalars(
        select(Package).where(Package.school_id == school.id).order_by(Package.id.desc()).limit(50)
    ):
        job = db.get(Job, package.job_id) if package.job_id else None
        packages.append((package, job, audits.get(package.id)))
    jobs = list(
        db.scalars(select(Job).where(Job.school_id == school.id).order_by(Job.id.desc()).limit(20))
    )
    findings = list(
        db.scalars(
            select(Finding)
            .where(Finding.school_id == school.id, Finding.status != "closed")
            .order_by(Finding.id)
        )
    )
    return SchoolView(
        school,
        students,
        documents_of(db, school.id),
        packages,
        jobs,
        findings,
        form_choices(school),
        scope.can("idcard.full"),
    )


def job_json(job: Job) -> dict[str, Any]:
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
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
