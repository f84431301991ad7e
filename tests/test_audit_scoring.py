"""Scoring: partial credit, levels, gates, the critical cap, waivers, and the explain block."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from factsbuilder import PERIOD, compliant, pfile

from audit.checklist import Checklist, resolve
from audit.facts import PackageFacts
from audit.report.model import AuditResult
from audit.run import judge
from audit.scoring import percent_of
from forms.paths import CHECKLISTS_DIR


@pytest.fixture(scope="module")
def checklist() -> Checklist:
    return resolve("liupu-supervision-2024")


def audit(facts: PackageFacts, cl: Checklist) -> AuditResult:
    return judge(facts, cl, PERIOD, "test")


def test_explain_lists_every_term_and_adds_up(checklist: Checklist) -> None:
    facts = compliant()
    facts.meetings = [m for m in facts.meetings if m.part != "photo"]
    facts.files = [f for f in facts.files if f.kind != "meeting_photo"]
    result = audit(facts, checklist)
    terms = {t.id: t for t in result.explain.terms}
    assert list(terms) == [r.id for r in checklist.requirements()]
    assert terms["1.1"].credit == 0.75 and terms["1.1"].earned == 7.5
    assert "符合比例75%" in terms["1.1"].note
    assert result.summary.score == pytest.approx(sum(t.earned for t in terms.values()))
    assert result.summary.max == sum(t.max for t in terms.values()) == 100
    assert result.summary.percent == 97.5
    assert result.summary.level == "优秀"
    assert result.item("1").score == 12.5 and result.item("1").max == 15


def test_percent_is_never_rounded_up_to_perfect() -> None:
    assert percent_of(99.96, 100) == 99.9
    assert percent_of(100, 100) == 100.0
    assert percent_of(0, 0) is None


def test_open_critical_finding_caps_level_and_score(checklist: Checklist) -> None:
    facts = compliant()
    facts.sessions = [s for s in facts.sessions if s.date != date(2025, 11, 15)]
    result = audit(facts, checklist)
    assert result.item("4.4").severity == "critical"
    assert result.summary.percent is not None and result.summary.percent >= 90
    assert result.explain.level_by_score == "优秀"
    assert result.summary.level == "合格"
    assert any("严重问题" in c.reason for c in result.explain.caps)
    assert result.summary.percent < 100


def test_gate_caps_at_fail_level(checklist: Checklist) -> None:
    facts = compliant()
    facts.headcounts[1] = facts.headcounts[1].model_copy(
        update={"count": 2, "names": ["张三", "李四"]}
    )
    result = audit(facts, checklist)
    gate = next(c for c in result.explain.caps if c.requirement == "2.1")
    assert gate.cap == "不合格" and "一票否决" in gate.reason
    assert result.summary.level == "不合格"
    assert result.verdict.automatic.level == "不合格"
    assert gate.reason in result.verdict.automatic.reasons


def test_no_perfect_score_with_open_critical_even_when_pending(checklist: Checklist) -> None:
    facts = compliant()
    facts.sessions = []
    facts.files.append(
        pfile("送教上门/扫描.pdf", "home_teaching_record", status="scanned", scanned_pages=[1])
    )
    result = audit(facts, checklist)
    assert result.item("4.4").status == "not_reviewed"
    assert result.summary.percent is not None and result.summary.percent < 100
    assert result.verdict.automatic.provisional
    assert result.verdict.final.level is None and result.verdict.final.reviewer is None


def _waiving(tmp_path: Path, until: str) -> Path:
    tree = tmp_path / "checklists"
    shutil.copytree(CHECKLISTS_DIR, tree)
    overlay = {
        "id": "w",
        "name": "豁免",
        "extends": "liupu-supervision-2024",
        "waivers": [
            {"id": "2.1", "reason": "学籍系统迁移", "granted_by": "市督导室", "until": until}
        ],
    }
    (tree / "overlays" / "w.yaml").write_text(
        yaml.safe_dump(overlay, allow_unicode=True), encoding="utf-8"
    )
    return tree


def test_waiver_removes_the_requirement_from_score_and_gate(tmp_path: Path) -> None:
    cl = resolve("liupu-supervision-2024", "w", directory=_waiving(tmp_path, "2026-12-31"))
    facts = compliant()
    facts.headcounts[1] = facts.headcounts[1].model_copy(
        update={"count": 2, "names": ["张三", "李四"]}
    )
    result = audit(facts, cl)
    item = result.item("2.1")
    assert item.status == "fail"  # a waiver is an overlay, not a status
    assert item.waiver is not None and item.waiver.granted_by == "市督导室"
    assert item.max == 0 and item.score == 0
    assert all(f.waived for f in item.findings)
    assert result.summary.max == 90 and result.summary.level == "优秀"
    assert result.summary.counts["waived"] == 1


def test_expired_waiver_does_not_apply(tmp_path: Path) -> None:
    cl = resolve("liupu-supervision-2024", "w", directory=_waiving(tmp_path, "2026-01-31"))
    facts = compliant()
    facts.headcounts[1] = facts.headcounts[1].model_copy(
        update={"count": 2, "names": ["张三", "李四"]}
    )
    result = audit(facts, cl)
    assert result.item("2.1").waiver is None
    assert result.summary.level == "不合格"


def test_partial_credit_can_be_a_fixed_fraction(checklist: Checklist) -> None:
    scoring = checklist.scoring.model_copy(
        update={
            "partial_credit": checklist.scoring.partial_credit.model_copy(update={"value": 0.5})
        }
    )
    cl = checklist.model_copy(update={"scoring": scoring})
    facts = compliant()
    facts.meetings = [m for m in facts.meetings if m.part != "photo"]
    facts.files = [f for f in facts.files if f.kind != "meeting_photo"]
    term = next(t for t in audit(facts, cl).explain.terms if t.id == "1.1")
    assert term.earned == 5 and "固定系数0.5" in term.note


def test_counts_cover_every_status(checklist: Checklist) -> None:
    facts = compliant()
    facts.files.append(pfile("制度/方案.docx", "work_plan", status="error", reason="加密"))
    facts.documents = [d for d in facts.documents if d.kind != "work_plan"]
    facts.files = [f for f in facts.files if f.path != "制度/控辍保学工作方案.docx"]
    counts = audit(facts, checklist).summary.counts
    assert set(counts) == {
        "pass",
        "partial",
        "fail",
        "not_applicable",
        "not_reviewed",
        "error",
        "waived",
    }
    assert counts["error"] == 1
    assert sum(v for k, v in counts.items() if k != "waived") == 18


def test_rule_crash_is_an_error_not_a_verdict(
    checklist: Checklist, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audit.rules import RULES

    spec = RULES["headcount"]

    def boom(ctx: object, params: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setitem(RULES, "headcount", spec.__class__(spec.name, boom, spec.params))  # type: ignore[arg-type]
    result = audit(compliant(), checklist)
    item = result.item("2.1")
    assert item.status == "error"
    assert "规则执行出错" in item.detail


def test_reviewer_statuses_rescore_and_keep_the_automatic_verdict(checklist: Checklist) -> None:
    from audit.review import rescore

    facts = compliant()
    facts.sessions = []
    facts.files.append(
        pfile("送教上门/扫描.pdf", "home_teaching_record", status="scanned", scanned_pages=[1, 2])
    )
    result = audit(facts, checklist)
    assert result.item("4.4").status == "not_reviewed"
    # The inspector read the scans: visits are all there but one month fell short.
    reviewed = rescore(
        result,
        {"4.4": "partial", "4.5": "pass", "4.6": "pass", "4.7": "pass"},
        "张督学",
        "扫描页已人工核对",
    )
    assert reviewed.verdict.automatic == result.verdict.automatic
    assert reviewed.item("4.4").status == "partial" and reviewed.item("4.4").score == 2.5
    assert reviewed.item("4.5").score == 4 and reviewed.item("4").status == "partial"
    assert reviewed.summary.score == result.summary.score + 2.5 + 4 + 4 + 5
    # 4.4 is critical and still open after review: the level is capped at 合格.
    assert reviewed.verdict.final.level == "合格" == reviewed.summary.level
    assert reviewed.verdict.final.reviewer == "张督学"
    assert "复核改判：4.4 待人工核查→部分符合" in reviewed.explain.notes[0]
    full = rescore(result, {r: "pass" for r in ("4.4", "4.5", "4.6", "4.7")}, "张督学")
    assert full.summary.percent == 100 and full.verdict.final.level == "优秀"
    with pytest.raises(ValueError, match="请复核要求"):
        rescore(result, {"4": "pass"}, "张督学")
