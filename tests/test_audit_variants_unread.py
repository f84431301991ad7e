"""Issue 20: one record made unreadable in any presentation — a blotted date, an unknown layout,
a name on no roster — never turns into a wrong verdict.

For each record kind (a 送教 session, a joint visit before a suspension, a persuasion visit after
it, a leave) and each mutation, a few seeds of the compliant school are written with that one
record mutated (tests/fixtures/variants/mutations.py). The student's verdict on every
requirement the record bears on (2.4, 3.3, 3.4, 4.4–4.7) must be the truth or `not_reviewed`
with the piece quoted as what to check; where the record decides the verdict, only
`not_reviewed`. Every other requirement keeps its verdict.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.variants.expected import expected_for
from fixtures.variants.generate import package
from fixtures.variants.mutations import ALL, Mutation
from fixtures.variants.truth import PERIOD, compliant_school

from audit.report.model import AuditResult
from audit.run import run_audit

SEEDS = (3, 11)


def _quoted(result: AuditResult, requirement: str, text: str) -> bool:
    item = next(i for i in result.items if i.id == requirement)
    said = [f.message for f in item.findings] + [r.reason for r in item.to_review]
    said += [s.detail for s in item.subjects]
    return any(text in line for line in said)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mutation", ALL, ids=lambda m: f"{m.how}-{m.record}")
def test_an_unreadable_record_is_left_to_a_person_never_misjudged(
    tmp_path: Path, mutation: Mutation, seed: int
) -> None:
    truth = compliant_school()
    student, _ = mutation.target(truth)
    result = run_audit(
        package(truth, seed, tmp_path, mutation=mutation),
        "liupu-supervision-2024",
        period=PERIOD,
    )
    want = expected_for("compliant")
    for item in result.items:
        if item.level != "requirement":
            continue
        if item.id not in mutation.requirements:
            assert item.status == want["statuses"][item.id], item.id
            continue
        status = (
            next((s.status for s in item.subjects if s.student == student), None)
            if item.subjects
            else item.status
        )
        truth_status = want["subjects"].get(item.id, {}).get(student, want["statuses"][item.id])
        if mutation.decisive(item.id):
            assert status == "not_reviewed", (item.id, status)
        else:
            assert status in (truth_status, "not_reviewed"), (item.id, status)
        if status == "not_reviewed":
            assert _quoted(result, item.id, mutation.snippet(truth)), item.id
