"""Run every requirement's rule over the facts and state each result honestly.

A rule that found nothing cannot tell "the school lacks it" from "it is on a page we could not
read". So when a result rests only on missing evidence and evidence of that kind sits on
scanned pages, the requirement is `not_reviewed`, listing the pages; when it sits in a file
that could not be read, it is `error`. Neither is ever counted as a pass or a silent fail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from audit.bounds import bound
from audit.checklist import Checklist, Requirement, Status
from audit.facts import EVIDENCE_KINDS, PackageFacts, Provenance, UnreadPiece
from audit.report.model import (
    EvidenceRef,
    Finding,
    MonthCell,
    PageRef,
    SubjectResult,
    WaiverInfo,
    place,
)
from audit.rules import RULES, Context, Outcome, Period
from audit.rules.base import Issue, Subject
from forms.idcard import mask_in_text

log = logging.getLogger(__name__)


@dataclass
class RequirementResult:
    req: Requirement
    status: Status
    ratio: float | None
    detail: str
    evidence: list[EvidenceRef] = field(default_factory=list)
    subjects: list[SubjectResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    to_review: list[PageRef] = field(default_factory=list)
    waiver: WaiverInfo | None = None

    @property
    def waived(self) -> bool:
        return self.waiver is not None


mask_ids = mask_in_text  # reports show every 身份证号 masked, never whole


def evidence_ref(p: Provenance) -> EvidenceRef:
    return EvidenceRef(
        file=p.file,
        sha256=p.sha256,
        page=p.page,
        sheet=p.sheet,
        row=p.row,
        snippet=mask_ids(p.snippet),
        ocr_engine=p.ocr_engine,
        ocr_confidence=p.ocr_confidence,
    )


def _fill(template: str, student: str | None, params: dict[str, Any]) -> str:
    values = {k: v for k, v in params.items() if isinstance(v, str | int | float)}
    values = {k: (f"{v:g}" if isinstance(v, float) else v) for k, v in values.items()}
    try:
        return template.format(student=student or "相关学生", **values)
    except (KeyError, IndexError, ValueError):
        return template


def _subject(s: Subject) -> SubjectResult:
    months = [MonthCell.model_validate(m.model_dump()) for m in s.months] if s.months else None
    return SubjectResult(student=s.student, status=s.status, detail=s.detail, months=months)


def _absence_only(out: Outcome, status: Status, issues: list[Issue]) -> bool:
    if out.absent:
        return True
    return status in ("fail", "partial") and bool(issues) and all(i.missing for i in issues)


def _pages(pages: list[int]) -> str:
    return f"第{'、'.join(str(p) for p in pages)}页" if pages else "全部页面"


def _run(req: Requirement, ctx: Context) -> Outcome:
    spec = RULES[req.rule]
    params = spec.params.model_validate(req.param_values())
    try:
        return spec.fn(ctx, params)
    except Exception as exc:  # a rule's bug must show as error, never as a pass or fail
        log.exception("rule %s failed on requirement %s", req.rule, req.id)
        return Outcome(
            status="error",
            detail=f"规则执行出错（{type(exc).__name__}），本项未能判定，请人工核查",
            issues=[Issue(message="规则执行出错，本项未能自动判定")],
        )


def _scan_note(ctx: Context, path: str, pages: list[int]) -> str:
    """Why these scanned pages wait for a person: no text layer, or what OCR made of them."""
    notes = next((f.page_notes for f in ctx.facts.files if f.path == path), {})
    said = list(dict.fromkeys(notes[p] for p in pages if p in notes))
    return "扫描页，" + "；".join(said) if said else "扫描页，无文字层"


def evaluate_requirement(req: Requirement, ctx: Context) -> RequirementResult:
    out, unread = bound(req, ctx, _run(req, ctx), lambda c: _run(req, c))
    status = out.final_status()
    detail = out.detail
    scanned = ctx.scanned_pages(req.evidence)
    broken = ctx.unreadable(req.evidence)
    to_review = [PageRef(file=f, pages=p, reason=_scan_note(ctx, f, p)) for f, p in scanned]
    to_review += [PageRef(file=f.path, reason=f.reason or "无法读取") for f in broken]
    to_review += [_unread_ref(p) for p in unread]
    subjects = list(out.subjects)
    if status == "not_applicable" and out.absent and (broken or scanned):
        # Not applicable only when nothing unread could hold the item's evidence: an archive
        # or file that could not be read, or a scan, may be where it is.
        status = "error" if broken else "not_reviewed"
        detail += "；本项材料可能在未能读取的文件中，不能据此认定本项不适用"
    elif status != "pass" and status != "error" and _absence_only(out, status, out.issues):
        new: Status | None = "error" if broken else "not_reviewed" if scanned else None
        if new:
            status = new
            # Students whose only issues are missing evidence wait for the same person.
            missing_by = {i.student for i in out.issues if i.missing}
            breach_by = {i.student for i in out.issues if not i.missing}
            subjects = [
                s.model_copy(update={"status": new})
                if s.status in ("fail", "partial") and s.student in missing_by - breach_by
                else s
                for s in subjects
            ]
    if scanned:
        where = "；".join(f"{f} {_pages(p)}" for f, p in scanned)
        detail += f"；扫描页未能自动核查：{where}"
    if broken:
        where = "；".join(f"{f.path}（{f.reason or '无法读取'}）" for f in broken)
        detail += f"；无法读取：{where}"
    pending = status in ("not_reviewed", "error")
    waiver = None
    if req.waiver and (req.waiver.until is None or req.waiver.until >= ctx.period.end):
        waiver = WaiverInfo.model_validate(req.waiver.model_dump())
    values = req.param_values()
    findings = [
        Finding(
            id=f"{req.id}-{n}",
            requirement=req.id,
            severity=issue.severity or req.severity,
            message=issue.message,
            recommendation=_fill(req.recommendation, issue.student, values),
            student=issue.student,
            evidence=[evidence_ref(p) for p in issue.evidence],
            waived=waiver is not None,
            pending=pending or issue.pending,
        )
        for n, issue in enumerate(out.issues, start=1)
    ]
    if status == "not_reviewed" and not findings:
        findings.append(
            Finding(
                id=f"{req.id}-1",
                requirement=req.id,
                severity=req.severity,
                message=f"证据在扫描页上，需人工核查：{'；'.join(f'{p.file} {_pages(p.pages)}' for p in to_review)}",
                recommendation="请督导人员对照扫描页人工核查本项，并在复核结论中记录。",
                pending=True,
                waived=waiver is not None,
            )
        )
    return RequirementResult(
        req=req,
        status=status,
        ratio=out.ratio,
        detail=detail,
        evidence=[evidence_ref(p) for p in out.evidence],
        subjects=[_subject(s) for s in subjects],
        findings=findings,
        to_review=to_review
        if status in ("not_reviewed", "error") or scanned or broken or unread
        else [],
        waiver=waiver,
    )


def _unread_ref(p: UnreadPiece) -> PageRef:
    where = place(None, p.prov.sheet, p.prov.row)
    return PageRef(
        file=p.prov.file,
        pages=[p.prov.page] if p.prov.page else [],
        reason=f"未能识别的内容（{p.why}）：{where + ' ' if where else ''}{mask_ids(p.prov.snippet)}",
    )


def evaluate(checklist: Checklist, facts: PackageFacts, period: Period) -> list[RequirementResult]:
    ctx = Context(facts, period)
    return [evaluate_requirement(req, ctx) for req in checklist.requirements()]


def kind_name(kind: str) -> str:
    return EVIDENCE_KINDS.get(kind, kind)


def parse_period(text: str) -> Period:
    """“2025-09-01..2026-07-15” (any date form forms.dates reads on each side)."""
    from forms.dates import parse_date

    sep = ".." if ".." in text else "至" if "至" in text else None
    if sep is None:
        raise ValueError(f"统计期“{text}”应写成 开始..结束，如 2025-09-01..2026-07-15")
    left, right = (x.strip() for x in text.split(sep, 1))
    try:
        start, end = parse_date(left), parse_date(right)
    except ValueError as exc:
        raise ValueError(f"统计期“{text}”中的日期无法识别：{exc}") from None
    return check_period(start, end)


def check_period(start: date, end: date) -> Period:
    if end < start:
        raise ValueError(f"统计期结束日期{end.isoformat()}早于开始日期{start.isoformat()}")
    if (end - start).days > 3 * 366:
        raise ValueError("统计期不应超过三年")
    return Period(start, end)
