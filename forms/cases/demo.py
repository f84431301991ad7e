"""Sample cases (forms/samples/cases/<profile>.yaml) walked through their ladder to 销号:
what `make demo` writes under demo-out/cases/, and what the tests walk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from forms.cases.actions import close, open_case, record
from forms.cases.documents import generate
from forms.cases.ladder import due
from forms.cases.model import Case, Event
from forms.cases.report import LEDGERS_FROM_CASES, monthly_report, write_case_ledger, write_monthly
from forms.cases.store import CaseStore
from forms.dates import coerce_date
from forms.models import Guardian, School, Student
from forms.paths import SAMPLES_DIR
from forms.profiles import get_profile

CASE_SAMPLES = SAMPLES_DIR / "cases"


def sample_paths() -> list[Path]:
    return sorted(CASE_SAMPLES.glob("*.yaml"))


@dataclass
class Walk:
    case: Case
    documents: list[Path] = field(default_factory=list)
    due_lines: list[str] = field(default_factory=list)


def load_sample(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def walk_sample(data: dict[str, Any], store: CaseStore, who: str = "演示") -> Walk:
    """Open the sample's case, record each step (printing what was due that day), generate
    each step's document, and close it; every change goes through the store."""
    profile = get_profile(data["profile"])
    today = coerce_date(data["as_of"])
    spec = data["case"]
    opened = coerce_date(spec["opened"])
    case = open_case(
        store.new_id(opened),
        profile,
        Student.model_validate(spec["student"]),
        Guardian.model_validate(spec["guardian"]),
        School.model_validate(spec["school"]),
        opened,
        today,
        spec.get("reason"),
        store.all(),
    )
    store.save(case, "open", who, f"开案：{case.student.name}")
    walk = Walk(case)
    for raw in data["steps"]:
        event = Event.model_validate(raw)
        for item in due([case], event.date):
            walk.due_lines.append(
                f"{event.date.isoformat()} 第{item.step}步 {item.status_name}：{item.rule}（{item.source}）"
            )
        case = record(case, event, profile, today)
        store.save(case, "record", who, f"记录{event.name}（{event.date.isoformat()}）")
        step = case.events[-1].step
        if step is not None and any(s.step == step and s.document for s in profile.escalation):
            case, doc = generate(case, step, profile, store.documents_dir, today)
            store.save(case, "document", who, f"生成第{step}步文书 {doc.title}（{doc.number}）")
            walk.documents += [Path(f) for f in doc.files]
    shut = data["close"]
    case = close(
        case,
        shut["how"],
        coerce_date(shut["date"]),
        shut["who"],
        today,
        receiving_school=shut.get("receiving_school"),
        approval=shut.get("approval"),
        note=shut.get("note"),
    )
    store.save(case, "close", who, f"销号：{case.close_reason}")
    walk.case = case
    return walk


def demo_cases(out_dir: Path) -> list[Path]:
    """Every sample case walked to 销号 under out_dir/cases, with each school's March report
    (and April's, with no case: the "0" report), the ledgers and the due list."""
    root = out_dir / "cases"
    if root.exists():  # a rerun starts from an empty store
        import shutil

        shutil.rmtree(root)
    store = CaseStore(root)
    written: list[Path] = []
    lines: list[str] = []
    for path in sample_paths():
        data = load_sample(path)
        walk = walk_sample(data, store)
        written += walk.documents
        lines += [
            f"{walk.case.id} {walk.case.student.name}（{data['profile']}）",
            *walk.due_lines,
            "",
        ]
        profile = get_profile(data["profile"])
        as_of = coerce_date(data["as_of"])
        following = date(as_of.year + as_of.month // 12, as_of.month % 12 + 1, 1)
        for month in (f"{as_of:%Y-%m}", f"{following:%Y-%m}"):
            report = monthly_report(store.all(), walk.case.school, month, profile)
            written += write_monthly(report, profile, root / "reports")
        for ledger_id in LEDGERS_FROM_CASES:
            school_cases = [c for c in store.all() if c.school.name == walk.case.school.name]
            target = root / "ledgers" / f"{walk.case.school.name}-{ledger_id}.xlsx"
            write_case_ledger(
                ledger_id, school_cases, target, as_of, profile, walk.case.school.name
            )
            written.append(target)
    due_path = root / "due.txt"
    due_path.write_text("\n".join(lines), encoding="utf-8")
    return [*written, due_path, store.log_path]
