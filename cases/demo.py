"""Sample cases (forms/samples/cases/<profile>.yaml) walked through their ladder to 销号:
what `make demo` writes under demo-out/cases/, and what the tests walk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
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


def demo_reconcile(out_dir: Path) -> list[Path]:
    """四查三对比 of the sample township (every category planted) under out_dir/reconcile:
    the lists as the systems export them, the XLSX and PDF, and the 疑似失学 cases opened in a
    store of their own (run twice: nothing opened twice)."""
    from cases.lists import ListFile
    from cases.reconcile import open_cases, reconcile
    from cases.reconcile_output import write_outputs
    from cases.sample_lists import SCHOOL_A, write_township
    from forms.profiles import get_profile

    root = out_dir / "reconcile"
    if root.exists():
        import shutil

        shutil.rmtree(root)
    on = date(2026, 3, 9)
    lists = write_township(root / "名单")
    profile = get_profile("jiaotan-2025")
    result = reconcile([ListFile(k, p) for k, p in lists.items()], profile, on, unit="蛟潭镇")
    store = CaseStore(root / "cases")
    open_cases(result, store, {"name": SCHOOL_A, "township": "蛟潭镇"}, "演示", on)
    return [*lists.values(), *write_outputs(result, root), store.log_path]


def demo_duties(out_dir: Path) -> list[Path]:
    """The calendar of duties of the sample school (蛟潭二中, the school year 2025—2026) as
    duties.ics, with the sample cases' per-student duties, and duties.txt: what was due and
    overdue in the week of 2026-03-09 for the school, its township and each profile's bureau."""
    from cases.duties import ics, school_year_start, view, week_bounds
    from forms.profiles import all_profiles, get_profile

    cases = CaseStore(out_dir / "cases").all()
    on = date(2026, 3, 11)
    profile = get_profile("jiaotan-2025")
    start = school_year_start(on, profile)
    end = start.replace(year=start.year + 1) - timedelta(days=1)
    school = "浮梁县蛟潭第二中学"
    year = view(profile, "school", school, start, end, on, {}, cases)
    ics_path = out_dir / "duties.ics"
    ics_path.write_bytes(ics(year.in_window, f"{school}控辍保学工作"))
    lines: list[str] = []
    week = week_bounds("2026-W11")
    places = [("school", school, profile), ("township", "蛟潭镇", profile)]
    places += [("bureau", "教育局", p) for p in all_profiles()]
    for level, place, p in places:
        seen = view(p, level, place, *week, on, {}, cases)
        lines.append(f"{place}（{p.name}）　2026-W11　今天 {on.isoformat()}")
        for name, rows in (("逾期", seen.overdue), ("本周", seen.in_window)):
            lines.append(f"【{name}】{len(rows)}项")
            lines += [
                f"  {x.status_name}\t{x.occurrence.rule}（{x.occurrence.source}）" for x in rows
            ]
        lines.append("")
    txt = out_dir / "duties.txt"
    txt.write_text("\n".join(lines), encoding="utf-8")
    return [ics_path, txt]
