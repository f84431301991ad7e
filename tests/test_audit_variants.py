"""The same facts in any presentation give the same verdicts (issue 10).

Each seed writes the ground-truth schools of tests/fixtures/variants/truth.py as a different
evidence package — tables, forms and prose; DOCX, XLSX, XLS, PDF and CSV; one or many records a
file or page; sheet per class; heading, date and duration spellings; GBK zips, nested zips,
folder names and litter — and the audit must give the verdicts reviewed by hand in
expected.py: every requirement of the compliant school passes and every seeded breach is found.
A larger sweep: `python tests/fixtures/variants/sweep.py --seeds 0-199`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.packages.docs import scanned_pdf
from fixtures.variants.generate import SCHOOLS, files_for, package
from fixtures.variants.sweep import CHECKLIST, differences, verdicts
from fixtures.variants.truth import PERIOD, compliant_school

from audit.facts import PackageFacts
from audit.rules import Period
from audit.run import read_facts, run_audit

SEEDS = range(30)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: f"seed{s:02d}")
@pytest.mark.parametrize("school", ["compliant", "breaches"])
def test_verdicts_do_not_depend_on_presentation(school: str, seed: int, tmp_path: Path) -> None:
    path = package(SCHOOLS[school](), seed, tmp_path)
    assert differences(school, verdicts(path)) == []


def _facts(school: str, seed: int, dest: Path) -> PackageFacts:
    return read_facts(package(SCHOOLS[school](), seed, dest), Period(*PERIOD))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_every_fact_names_its_file_place_and_text(seed: int, tmp_path: Path) -> None:
    facts = _facts("breaches", seed, tmp_path)
    paths = {f.path: f for f in facts.files}
    whole_files = [*facts.meetings, *facts.documents]  # a document's presence: the file itself
    records = [
        *facts.headcounts,
        *facts.students,
        *facts.attendance,
        *facts.leaves,
        *facts.visits,
        *facts.sessions,
    ]
    assert len(records) > 100
    for fact in whole_files:
        assert fact.prov.file in paths and fact.prov.snippet, fact.prov
    for fact in records:
        prov = fact.prov
        assert prov.file in paths and prov.snippet, prov
        if prov.file.endswith(".pdf"):
            assert prov.page, prov
        if prov.file.endswith((".xlsx", ".xls")):
            assert prov.sheet and prov.row, prov
    # A student's record quotes the student.
    for fact in [*facts.leaves, *facts.visits, *facts.sessions]:
        assert fact.student in fact.prov.snippet or not fact.prov.snippet, fact.prov


def test_work_plan_only_on_scanned_pages_is_not_reviewed_never_passed(tmp_path: Path) -> None:
    """Class 10: a requirement resting on a scan alone waits for a person, with its pages."""
    files = files_for(compliant_school(), 0)
    plans = [name for name in files if "工作" in name and "方案" in name and "家访" not in name]
    plans = [name for name in plans if "劝返" not in name]
    assert plans
    for name in plans:
        del files[name]
    scan = "控辍保学工作方案（盖章扫描件）.pdf"
    files[scan] = scanned_pdf(3)
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    item = next(i for i in run_audit(tmp_path, CHECKLIST, period=PERIOD).items if i.id == "1.2")
    assert item.status == "not_reviewed"
    assert [(r.file, r.pages) for r in item.to_review] == [(scan, [1, 2, 3])]


def test_a_scanned_disability_certificate_is_the_document_itself(tmp_path: Path) -> None:
    """A 残疾证复印件 is a picture by nature (kinds.yaml image_kinds): its scan counts by name,
    as its photo does, and asks nobody to read it."""
    files = files_for(compliant_school(), 0)
    certificates = [name for name in files if "残疾证" in name and "李小华" in name]
    assert certificates
    for name in certificates:
        del files[name]
    files["四、送教上门/李小华/李小华残疾证复印件.pdf"] = scanned_pdf(1)
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    item = next(i for i in run_audit(tmp_path, CHECKLIST, period=PERIOD).items if i.id == "4.3")
    assert item.status == "pass" and not item.to_review
