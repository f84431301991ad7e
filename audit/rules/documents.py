"""Rules that ask whether documents exist: plans, lists, rosters, each student's file."""

from __future__ import annotations

from typing import Literal

from audit.facts import Provenance
from audit.rules.base import (
    Context,
    Issue,
    Outcome,
    Params,
    Subject,
    dedupe,
    name_key,
    rule,
    status_of,
)

GROUP_NAMES = {"suspension": "政策性休学", "home_teaching": "送教上门", "disabled": "残疾儿童"}


class Required(Params):
    label: str
    kinds: list[str]


class DocumentsParams(Params):
    required: list[Required]


@rule("documents", DocumentsParams)
def documents(ctx: Context, p: DocumentsParams) -> Outcome:
    evidence: list[Provenance] = []
    issues: list[Issue] = []
    parts: list[str] = []
    for req in p.required:
        found = ctx.present(req.kinds)
        evidence += found
        if found:
            files = "、".join(dict.fromkeys(x.file for x in found))
            parts.append(f"{req.label}：有（{files}）")
        else:
            parts.append(f"{req.label}：未见")
            issues.append(Issue(message=f"未见{req.label}", missing=True))
    met = len(p.required) - len(issues)
    return Outcome(
        ratio=met / len(p.required), detail="；".join(parts), evidence=evidence, issues=issues
    )


class RosterParams(Params):
    roster: Literal["suspension", "disabled", "home_teaching"]
    # what no roster and no materials mean when no document says the school has none
    absent_means: Literal["not_applicable", "not_reviewed", "fail"] = "not_applicable"


@rule("roster", RosterParams)
def roster(ctx: Context, p: RosterParams) -> Outcome:
    group = GROUP_NAMES[p.roster]
    listed = ctx.roster(p.roster)
    listed_keys = {name_key(s.name) for s in listed}
    members = ctx.group(p.roster)
    others = {k: m for k, m in members.items() if k not in listed_keys}
    if not listed:
        if not members:
            return _none_listed(ctx, p, group)
        names = "、".join(m.name for m in members.values())
        return Outcome(
            ratio=0.0,
            detail=f"包内有{len(members)}名{group}学生的材料（{names}），但未见名册",
            evidence=dedupe(x for m in members.values() for x in m.prov),
            issues=[Issue(message=f"未见{group}学生名册（材料中有：{names}）", missing=True)],
        )
    names = "、".join(dict.fromkeys(s.name for s in listed))
    detail = f"名册列有{len(listed_keys)}名学生：{names}"
    issues = [
        Issue(
            message=f"{m.name}有{group}材料，但不在{group}学生名册上",
            student=m.name,
            evidence=m.prov[:3],
        )
        for m in others.values()
    ]
    if others:
        detail += f"；名册外另有{len(others)}名学生有{group}材料：{'、'.join(m.name for m in others.values())}"
    total = len(listed_keys) + len(others)
    return Outcome(
        ratio=len(listed_keys) / total,
        detail=detail,
        evidence=dedupe(s.prov for s in listed),
        issues=issues,
    )


def _none_listed(ctx: Context, p: RosterParams, group: str) -> Outcome:
    """No roster and no materials: not applicable when a document says the school has none
    (“本学年我校无政策性休学学生”); otherwise as `absent_means` reads it."""
    stated = [s.prov for s in ctx.facts.none_stated if s.group == p.roster]
    if stated:
        return Outcome(
            status="not_applicable",
            detail=f"包内说明本校无{group}学生（{stated[0].file}），本项不适用",
            evidence=dedupe(stated),
            absent=True,
        )
    said = f"包内未见{group}学生名册，也未见{group}学生的材料"
    if p.absent_means == "not_applicable":
        return Outcome(
            status="not_applicable", detail=f"{said}，视为本校无{group}学生", absent=True
        )
    if p.absent_means == "not_reviewed":
        return Outcome(
            status="not_reviewed",
            detail=f"{said}，也未见本校无{group}学生的说明，需人工核实",
            issues=[
                Issue(
                    message=f"未见{group}学生名册，也未见本校无{group}学生的说明，请学校说明",
                    missing=True,
                    pending=True,
                )
            ],
            absent=True,
        )
    return Outcome(
        status="fail",
        ratio=0.0,
        detail=said,
        issues=[Issue(message=f"未见{group}学生名册", missing=True)],
        absent=True,
    )


class StudentDocumentsParams(Params):
    group: Literal["suspension", "home_teaching"]
    required: list[Required]


@rule("student_documents", StudentDocumentsParams)
def student_documents(ctx: Context, p: StudentDocumentsParams) -> Outcome:
    group = GROUP_NAMES[p.group]
    members = ctx.group(p.group)
    if not members:
        return Outcome(status="not_applicable", detail=f"无{group}学生", absent=True)
    sole = len(members) == 1
    subjects: list[Subject] = []
    issues: list[Issue] = []
    evidence: list[Provenance] = []
    shares: list[float] = []
    for member in members.values():
        missing: list[str] = []
        for req in p.required:
            found = ctx.present(req.kinds, student=member.name)
            if not found and sole:
                # A document naming no student can only be this student's.
                found = [d.prov for d in ctx.documents(req.kinds) if not d.student]
                found += [
                    ctx.file_prov(f)
                    for f in ctx.facts.files
                    if f.kind in req.kinds and f.status == "ok"
                ]
            if found:
                evidence += found
            else:
                missing.append(req.label)
        share = 1 - len(missing) / len(p.required)
        shares.append(share)
        detail = "材料齐全" if not missing else f"缺：{'、'.join(missing)}"
        subjects.append(Subject(student=member.name, status=status_of(share), detail=detail))
        if missing:
            issues.append(
                Issue(
                    message=f"{member.name}缺少：{'、'.join(missing)}",
                    student=member.name,
                    missing=True,
                )
            )
    complete = sum(1 for s in shares if s >= 1)
    detail = f"{len(members)}名{group}学生中{complete}名材料齐全"
    return Outcome(
        ratio=sum(shares) / len(shares),
        detail=detail,
        evidence=dedupe(evidence),
        subjects=subjects,
        issues=issues,
    )
