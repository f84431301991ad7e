"""A reviewer's statuses applied to a stored result: the score and level recomputed, explained.

The inspector looks at scanned pages, unreadable files and anything she disagrees with and
gives requirements her own status. `rescore` recomputes every term, item, cap and the level
from the effective checklist stored in the result, keeps the automatic verdict as it was, and
fills the final verdict with the reviewed level — so a report shows both, as DESIGN.md asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from audit.checklist import STATUS_NAMES, Checklist, Status
from audit.evaluate import RequirementResult
from audit.report.model import AuditResult, FinalVerdict, ItemResult
from audit.result import item_status
from audit.scoring import score

# A reviewer who calls a requirement partial without a measured share gives half credit.
REVIEWED_PARTIAL_CREDIT = 0.5


def rescore(
    result: AuditResult,
    statuses: Mapping[str, Status],
    reviewer: str,
    note: str | None = None,
    time: dt.datetime | None = None,
) -> AuditResult:
    """The result with the reviewer's requirement statuses; automatic verdict unchanged."""
    cl = Checklist.model_validate(result.checklist.effective)
    reqs = {it.id: it for it in result.items if it.level == "requirement"}
    for rid, status in statuses.items():
        if rid not in reqs:
            is_item = any(it.id == rid for it in result.items)
            why = "项目的结果由其要求汇总，请复核要求（如 3.3）" if is_item else "没有这个要求"
            raise ValueError(f"无法复核“{rid}”：{why}")
        if status not in STATUS_NAMES:
            raise ValueError(f"“{status}”不是有效的结果（{'、'.join(STATUS_NAMES)}）")
    if not reviewer.strip():
        raise ValueError("复核人不能为空")
    results: dict[str, RequirementResult] = {}
    changes: list[str] = []
    for rid, it in reqs.items():
        status = statuses.get(rid, it.status)
        ratio = it.ratio
        if status == "partial" and not (ratio and 0 < ratio < 1):
            ratio = REVIEWED_PARTIAL_CREDIT
        if status != it.status:
            changes.append(f"{rid} {STATUS_NAMES[it.status]}→{STATUS_NAMES[status]}")
        open_ = status not in ("pass", "not_applicable")
        findings = [
            f.model_copy(update={"pending": status in ("not_reviewed", "error")})
            for f in it.findings
            if open_
        ]
        results[rid] = RequirementResult(
            req=cl.requirement(rid),
            status=status,
            ratio=ratio,
            detail=it.detail,
            findings=findings,
            waiver=it.waiver,
        )
    card = score(cl, list(results.values()))
    items: list[ItemResult] = []
    for it in result.items:
        if it.level == "requirement":
            term = card.terms[it.id]
            r = results[it.id]
            items.append(
                it.model_copy(
                    update={
                        "status": r.status,
                        "score": term.earned,
                        "max": term.max,
                        "ratio": r.ratio,
                    }
                )
            )
        else:
            own = [results[r.id] for r in next(i for i in cl.items if i.id == it.id).requirements]
            earned, top = card.items[it.id]
            items.append(
                it.model_copy(update={"status": item_status(own), "score": earned, "max": top})
            )
    explain = card.explain.model_copy(
        update={"notes": [f"复核改判：{'；'.join(changes) or '无'}", *card.explain.notes]}
    )
    final = FinalVerdict(
        level=card.summary.level,
        reviewer=reviewer.strip(),
        time=time or dt.datetime.now(dt.UTC).replace(microsecond=0),
        note=note,
    )
    verdict = result.verdict.model_copy(update={"final": final})
    return result.model_copy(
        update={"items": items, "summary": card.summary, "explain": explain, "verdict": verdict}
    )
