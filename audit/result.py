"""Assemble the `baoxue.audit/1` result: items and requirements, files and how each was used."""

from __future__ import annotations

import datetime as dt
from importlib.metadata import PackageNotFoundError, version

from audit.checklist import Checklist, Item, Status, checklist_json, checklist_sha256
from audit.evaluate import RequirementResult, evidence_ref, kind_name
from audit.facts import PackageFacts, UnreadPiece
from audit.report.model import (
    Account,
    AuditResult,
    ChecklistRef,
    EvidenceRef,
    FileResult,
    ItemResult,
    Package,
    Period,
    SubjectResult,
    UnreadRef,
)
from audit.rules import Period as RulePeriod
from audit.scoring import Scorecard

# Worst first: a student's status in an item is the worst of its requirements.
_WORST: tuple[Status, ...] = ("fail", "partial", "error", "not_reviewed", "pass", "not_applicable")


def _generator() -> str:
    try:
        return f"baoxue {version('baoxue')}"
    except PackageNotFoundError:
        return "baoxue"


def item_status(results: list[RequirementResult]) -> Status:
    counted = [r.status for r in results if not r.waived] or [r.status for r in results]
    applicable = [s for s in counted if s != "not_applicable"]
    if not applicable:
        return "not_applicable"
    if all(s == "pass" for s in applicable):
        return "pass"
    if all(s == "fail" for s in applicable):
        return "fail"
    open_ = [s for s in applicable if s != "pass"]
    if all(s in ("not_reviewed", "error") for s in open_):
        return "error" if "error" in open_ else "not_reviewed"
    return "partial"


def _item_subjects(results: list[RequirementResult]) -> list[SubjectResult]:
    by_student: dict[str, list[tuple[str, SubjectResult]]] = {}
    for r in results:
        for s in r.subjects:
            by_student.setdefault(s.student, []).append((r.req.id, s))
    out = []
    for student, entries in by_student.items():
        status = min((s.status for _, s in entries), key=_WORST.index)
        open_ = [
            f"{rid} {s.detail}" for rid, s in entries if s.status not in ("pass", "not_applicable")
        ]
        months = next((s.months for _, s in entries if s.months), None)
        detail = "；".join(open_) if open_ else "各项均符合"
        out.append(SubjectResult(student=student, status=status, detail=detail, months=months))
    return out


def _dedupe(refs: list[EvidenceRef], limit: int) -> list[EvidenceRef]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for e in refs:
        key = (e.file, e.page, e.sheet, e.row)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out[:limit]


def _item(item: Item, results: list[RequirementResult], card: Scorecard) -> ItemResult:
    earned, top = card.items[item.id]
    return ItemResult(
        id=item.id,
        title=item.title,
        status=item_status(results),
        score=earned,
        max=top,
        evidence=_dedupe([e for r in results for e in r.evidence], 50),
        subjects=_item_subjects(results),
        findings=[],
        level="item",
        weight=sum(r.req.weight for r in results),
        source=item.source,
        detail="；".join(f"{r.req.id} {r.detail}" for r in results),
    )


def _requirement(r: RequirementResult, parent: str, card: Scorecard) -> ItemResult:
    term = card.terms[r.req.id]
    return ItemResult(
        id=r.req.id,
        title=r.req.title,
        status=r.status,
        score=term.earned,
        max=term.max,
        evidence=_dedupe(r.evidence, 100),
        subjects=r.subjects,
        findings=r.findings,
        level="requirement",
        parent=parent,
        weight=r.req.weight,
        severity=r.req.severity,
        method=r.req.method,
        source=r.req.source,
        detail=r.detail,
        ratio=None if r.ratio is None else round(r.ratio, 4),
        to_review=r.to_review,
        waiver=r.waiver,
    )


def _files(facts: PackageFacts, items: list[ItemResult]) -> list[FileResult]:
    used: dict[str, list[str]] = {}
    for it in items:
        if it.level != "requirement":
            continue
        refs = [e.file for e in it.evidence] + [p.file for p in it.to_review]
        refs += [e.file for f in it.findings for e in f.evidence]
        for path in dict.fromkeys(refs):
            used.setdefault(path, []).append(it.id)
    return [
        FileResult(
            path=f.path,
            sha256=f.sha256,
            kind=f.kind,
            pages=f.pages,
            status=f.status,
            reason=f.reason,
            kind_name=kind_name(f.kind),
            kind_reason=f.kind_reason,
            size=f.size,
            scanned_pages=f.scanned_pages,
            used_by=used.get(f.path, []),
            account=Account.model_validate(f.account.model_dump()) if f.account else None,
            unread=[_unread_ref(u) for u in facts.unread if u.prov.file == f.path],
        )
        for f in facts.files
    ]


def build_result(
    cl: Checklist,
    facts: PackageFacts,
    period: RulePeriod,
    results: list[RequirementResult],
    card: Scorecard,
    package_name: str,
    now: dt.datetime | None = None,
) -> AuditResult:
    by_id = {r.req.id: r for r in results}
    items: list[ItemResult] = []
    for item in cl.items:
        own = [by_id[r.id] for r in item.requirements]
        items.append(_item(item, own, card))
        items += [_requirement(r, item.id, card) for r in own]
    return AuditResult(
        generated_at=now or dt.datetime.now(dt.UTC).replace(microsecond=0),
        generator=_generator(),
        checklist=ChecklistRef(
            id=cl.id,
            version=cl.version,
            sha256=checklist_sha256(cl),
            title=cl.title,
            overlays=cl.overlays,
            jurisdiction=cl.jurisdiction,
            effective=checklist_json(cl),
        ),
        profile=cl.profile,
        period=Period(start=period.start, end=period.end),
        package=Package(name=package_name, files=_files(facts, items)),
        items=items,
        summary=card.summary,
        explain=card.explain,
        verdict=card.verdict,
    )


def _unread_ref(piece: UnreadPiece) -> UnreadRef:
    ref = evidence_ref(piece.prov)
    return UnreadRef(
        **ref.model_dump(),
        kind=piece.kind,
        why=piece.why,
        date=piece.date,
        student=piece.student,
    )
