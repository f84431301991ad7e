"""Weighted score with partial credit, levels, gate items, and an explanation of every term.

score = Σ weight × credit over applicable, unwaived requirements; credit is 1 for a pass, the
share met for a partial (or a fixed fraction, per the checklist), 0 for a fail, and the
checklist's pending credit (0) for not_reviewed / error. Not-applicable and waived
requirements count in neither score nor maximum. The level comes from the percentage, then
gates (一票否决) and open critical findings cap it; the percentage is rounded down, so 100 is
shown only when every counted requirement passed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from audit.checklist import STATUS_NAMES, Checklist
from audit.evaluate import RequirementResult
from audit.report.model import (
    AutomaticVerdict,
    Cap,
    Explain,
    LevelBand,
    Summary,
    Term,
    Verdict,
)

STATUSES = ("pass", "partial", "fail", "not_applicable", "not_reviewed", "error")
FORMULA = (
    "得分 = Σ 权重 × 得分系数。符合计1；部分符合按符合比例计（见各项说明）；不符合计0；"
    "待人工核查和无法读取暂按清单规定计分（pending_credit），复核后以复核结论为准；"
    "不适用和已豁免的要求不计入满分。百分比 = 得分 ÷ 满分 × 100，向下取一位小数。"
)


@dataclass
class Scorecard:
    terms: dict[str, Term]
    items: dict[str, tuple[float, float]]  # item id → (earned, max)
    summary: Summary
    explain: Explain
    verdict: Verdict


def _term(r: RequirementResult, cl: Checklist) -> Term:
    req = r.req
    base = {"id": req.id, "title": req.title, "status": r.status, "weight": req.weight}
    if r.waived:
        assert r.waiver is not None
        until = f"，至{r.waiver.until.isoformat()}" if r.waiver.until else ""
        note = f"已豁免（{r.waiver.reason}；{r.waiver.granted_by}{until}），不计分"
        return Term(**base, credit=None, earned=0, max=0, note=note)
    if r.status == "not_applicable":
        return Term(**base, credit=None, earned=0, max=0, note="不适用，不计分")
    note = STATUS_NAMES[r.status]
    if r.status == "pass":
        credit = 1.0
    elif r.status == "fail":
        credit = 0.0
    elif r.status == "partial":
        rule = cl.scoring.partial_credit.value
        if rule == "proportional":
            credit = max(0.0, min(1.0, r.ratio or 0.0))
            note = f"部分符合，符合比例{credit:.0%}"
        else:
            credit = float(rule)
            note = f"部分符合，按固定系数{credit:g}计"
    else:
        credit = cl.scoring.pending_credit.value
        note = f"{STATUS_NAMES[r.status]}，暂计{credit:g}，待复核"
    return Term(
        **base,
        credit=round(credit, 4),
        earned=round(req.weight * credit, 2),
        max=req.weight,
        note=note,
    )


def percent_of(earned: float, top: float) -> float | None:
    if top <= 0:
        return None
    if earned >= top - 1e-9:
        return 100.0
    return min(99.9, math.floor(earned / top * 1000) / 10)


def level_for(percent: float | None, cl: Checklist) -> str:
    if percent is None:
        return "无法评定"
    for band in cl.scoring.levels.value:
        if percent >= band.min_percent:
            return band.name
    return cl.scoring.levels.value[-1].name


def score(
    cl: Checklist, results: list[RequirementResult], unused_errors: list[str] | None = None
) -> Scorecard:
    terms = {r.req.id: _term(r, cl) for r in results}
    items: dict[str, tuple[float, float]] = {}
    for item in cl.items:
        own = [terms[r.id] for r in item.requirements]
        items[item.id] = (round(sum(t.earned for t in own), 2), sum(t.max for t in own))
    earned = round(sum(t.earned for t in terms.values()), 2)
    top = sum(t.max for t in terms.values())
    percent = percent_of(earned, top)
    by_score = level_for(percent, cl)
    names = cl.level_names()
    caps: list[Cap] = []
    for r in results:
        gate = r.req.gate
        if gate and not r.waived and r.status in gate.when:
            reason = gate.reading or f"{r.req.id}为一票否决项"
            caps.append(
                Cap(
                    cap=gate.cap,
                    reason=f"{r.req.id} {STATUS_NAMES[r.status]}：{reason}",
                    requirement=r.req.id,
                )
            )
    critical = [
        f
        for r in results
        for f in r.findings
        if f.severity == "critical" and not f.waived and not f.pending
    ]
    cap_level = cl.scoring.critical_cap.value
    if critical and cap_level:
        ids = "、".join(dict.fromkeys(f.requirement for f in critical))
        caps.append(
            Cap(
                cap=cap_level,
                reason=f"有{len(critical)}条未整改的严重问题（{ids}），等次最高为{cap_level}",
            )
        )
    level = by_score
    if percent is not None:
        for cap in caps:
            if names.index(cap.cap) > names.index(level):
                level = cap.cap
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUSES}
    counts["waived"] = sum(1 for r in results if r.waived)
    pending = [r.req.id for r in results if r.status in ("not_reviewed", "error") and not r.waived]
    notes = []
    if pending:
        notes.append(f"{'、'.join(pending)}待人工核查（扫描件或无法读取的文件），自动结论为暂定")
    if unused_errors:
        notes.append(
            "无法读取且无法判断用途的文件未纳入核查（请学校提供可读文件）："
            + "；".join(unused_errors)
        )
    if cl.excluded:
        notes.append("叠加规定排除了：" + "；".join(f"{e.id}（{e.reason}）" for e in cl.excluded))
    summary = Summary(score=earned, max=top, percent=percent, level=level, counts=counts)
    explain = Explain(
        formula=FORMULA,
        terms=list(terms.values()),
        caps=caps,
        levels=[LevelBand(name=b.name, min_percent=b.min_percent) for b in cl.scoring.levels.value],
        level_by_score=by_score,
        notes=notes,
    )
    verdict = Verdict(
        automatic=AutomaticVerdict(
            level=level,
            score=earned,
            percent=percent,
            provisional=bool(pending),
            reasons=[c.reason for c in caps] + notes[:1],
        )
    )
    return Scorecard(terms, items, summary, explain, verdict)
