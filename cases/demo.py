"""Sample cases (forms/samples/cases/<profile>.yaml) walked through their ladder to 销号:
what `make demo` writes under demo-out/cases/, and what the tests walk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cases.ladder import due
from cases.model import Case, Event
from cases.report import write_school_month
from cases.store import CaseStore
from cases.workflow import close_case, document, open_from, record_event
from forms.dates import coerce_date
from forms.paths import SAMPLES_DIR
from forms.profiles import get_profile
from forms.yamlload import load_yaml

CASE_SAMPLES = SAMPLES_DIR / "cases"


def sample_paths() -> list[Path]:
    return sorted(CASE_SAMPLES.glob("*.yaml"))


@dataclass
class Walk:
    case: Case
    documents: list[Path] = field(default_factory=list)
    due_lines: list[str] = field(default_factory=list)


def load_sample(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(path.read_text(encoding="utf-8"))
    return data


def walk_sample(data: dict[str, Any], store: CaseStore, who: str = "演示") -> Walk:
    """Open the sample's case, record each step (noting what was due that day), generate
    each step's document, and close it; every change goes through the store."""
    profile = get_profile(data["profile"])
    today = coerce_date(data["as_of"])
    case = open_from(store, profile.id, data["case"], who, today)
    walk = Walk(case)
    documents = {s.step for s in profile.escalation if s.document}
    for raw in data["steps"]:
        event = Event.model_validate(raw)
        for item in due([case], event.date):
            walk.due_lines.append(
                f"{event.date.isoformat()} 第{item.step}步 {item.status_name}：{item.rule}（{item.source}）"
            )
        case = record_event(store, case.id, raw, who, today)
        step = case.events[-1].step
        if step in documents:
            assert step is not None
            walk.documents += [Path(f) for f in document(store, case.id, step, who, today).files]
    walk.case = close_case(store, case.id, data["close"], who, today)
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
        as_of = coerce_date(data["as_of"])
        following = date(as_of.year + as_of.month // 12, as_of.month % 12 + 1, 1)
        for month in (f"{as_of:%Y-%m}", f"{following:%Y-%m}"):  # April: no case, the "0" report
            written += write_school_month(
                store.all(), walk.case.school.name, month, root / "reports", data["profile"]
            )
    due_path = root / "due.txt"
    due_path.write_text("\n".join(lines), encoding="utf-8")
    return [*written, due_path, store.log_path]
