"""Facts read from the fixture packages: every layout gives the same facts, with provenance."""

from __future__ import annotations

from collections import Counter
from datetime import date, time
from functools import cache

import pytest
from fixtures.packages.build import PACKAGE_NAMES, PERIOD, package_path

from audit.facts import PackageFacts
from audit.ingest import read_package
from audit.package import PackageError

LAYOUTS = ["compliant", "prose", "pdf-tables", "gbk-zip"]


@cache
def facts(name: str) -> PackageFacts:
    return read_package(package_path(name), period=PERIOD)


def test_package_names_are_stable() -> None:
    assert {"compliant", "gaps", "edge-cases", "empty", "traversal", "bomb"} <= set(PACKAGE_NAMES)


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_layout_reads_the_same_school(name: str) -> None:
    f = facts(name)
    assert all(x.status in {"ok", "skipped"} for x in f.files), [
        (x.path, x.reason) for x in f.files if x.status not in {"ok", "skipped"}
    ]
    assert "unknown" not in {x.kind for x in f.files if x.status == "ok"}
    # 1.1 two meetings, each with every part, dated
    parts = Counter((m.date, m.part) for m in f.meetings)
    for held in (date(2025, 9, 5), date(2026, 3, 6)):
        assert {p for d, p in parts if d == held} == {"notice", "sign_in", "minutes", "photo"}
    # 1.2, 2.4, 2.5 plans
    kinds = {d.kind for d in f.documents}
    assert {"work_plan", "leave_system", "home_visit_plan", "persuasion_plan"} <= kinds
    # 2.1 headcounts agree
    counts = {h.source: h.count for h in f.headcounts}
    assert counts == {"xueji": 40, "roll_call": 40}
    # 2.2, 3.1, 4.1, 4.2 rosters
    rosters = Counter(s.roster for s in f.students)
    assert rosters["monitoring"] == 3 and rosters["suspension"] == 1
    assert rosters["disabled"] == 2 and rosters["home_teaching"] == 1
    suspended = next(s for s in f.students if s.roster == "suspension")
    assert (suspended.name, suspended.since) == ("黄小明", date(2025, 11, 20))
    # 2.3 ledger covers the year
    assert len(f.attendance) >= 40
    # 2.4 leave: days, approver, home visit, 销假
    leaves = {x.student: x for x in f.leaves}
    long = leaves["刘佳琪"]
    assert (long.start, long.end, long.days) == (date(2026, 3, 9), date(2026, 3, 18), 10)
    assert (
        long.approver == "校长" and long.home_visit is True and long.returned == date(2026, 3, 19)
    )
    assert leaves["陈雨轩"].approver == "政教处"
    # 3.2 per-student suspension documents
    suspension_docs = {d.kind for d in f.documents if d.student == "黄小明"}
    assert {
        "suspension_determination",
        "suspension_application",
        "school_statement",
        "individual_plan",
    } <= suspension_docs
    # 3.3 / 3.4 visits: 3 joint before, 5 after
    visits = sorted((v for v in f.visits if v.student == "黄小明"), key=lambda v: v.date)
    assert len(visits) == 8
    before = [v for v in visits if v.date < date(2025, 11, 20)]
    assert len(before) == 3 and all(v.joint for v in before)
    assert all(v.bodies == {"school", "township", "village"} for v in before)
    # 4.3 home-teaching documents, 4.4–4.7 sessions
    teaching_docs = {d.kind for d in f.documents if d.student == "李小华"}
    assert {
        "home_teaching_profile",
        "assessment_form",
        "individual_plan",
        "guardian_opinion",
        "lesson_plan",
        "photo",
    } <= teaching_docs
    sessions = [s for s in f.sessions if s.student == "李小华"]
    assert len(sessions) == 20
    assert sum(s.periods or 0 for s in sessions) == 60
    assert {s.minutes_per_period for s in sessions} == {40}
    months = Counter((s.date.year, s.date.month) for s in sessions)
    assert set(months.values()) == {2} and len(months) == 10


@pytest.mark.parametrize("name", ["compliant", "prose", "pdf-tables"])
def test_session_clock_times(name: str) -> None:
    first = min((s for s in facts(name).sessions), key=lambda s: s.date)
    assert (first.date, first.start, first.end) == (date(2025, 9, 8), time(9), time(11))
    assert first.teachers == ["李老师", "王老师"]


def test_provenance_points_at_file_page_row() -> None:
    f = facts("compliant")
    hashes = {x.path: x.sha256 for x in f.files}
    every = [
        *f.meetings,
        *f.headcounts,
        *f.students,
        *f.leaves,
        *f.visits,
        *f.sessions,
        *f.documents,
    ]
    for fact in every:
        assert hashes[fact.prov.file] == fact.prov.sha256
        assert len(fact.prov.snippet) <= 200
    session = min(f.sessions, key=lambda s: s.date)
    assert session.prov.sheet == "记录" and session.prov.row == 3
    assert "2025-09-08" in session.prov.snippet
    compiled = facts("pdf-tables")
    pages = sorted(s.prov.page or 0 for s in compiled.sessions)
    assert pages == list(range(1, 21))  # one session per page of the compiled PDF


def test_prose_visit_participants_and_bodies() -> None:
    visit = min((v for v in facts("prose").visits), key=lambda v: v.date)
    people = {(p.name, p.body) for p in visit.participants}
    assert people == {("王明", "township"), ("李强", "village"), ("黄丽", "school")}
    assert "东昌镇人民政府" in visit.prov.snippet


def test_gbk_zip_nested_zip_and_sections() -> None:
    f = facts("gbk-zip")
    paths = [x.path for x in f.files]
    assert "四、送教上门.zip/四、送教上门/李小华/送教登记.csv" in paths
    compiled = next(x for x in f.files if x.path.endswith("劝访记录汇编.docx"))
    assert len(compiled.sections) == 8 and {s.kind for s in compiled.sections} == {"visit_record"}


def test_gaps_package() -> None:
    f = facts("gaps")
    assert {m.part for m in f.meetings} == {"notice"}
    assert {d.kind for d in f.documents} == {"suspension_application"}
    counts = {h.source: h for h in f.headcounts}
    assert counts["xueji"].count == 40 and counts["roll_call"].count == 38
    assert set(counts["xueji"].names) - set(counts["roll_call"].names) == {"蒙小俊", "邓小欣"}
    assert not f.attendance
    leaves = {x.student: x for x in f.leaves}
    assert leaves["周子涵"].approver == "班主任" and leaves["周子涵"].days == 5
    assert leaves["刘佳琪"].home_visit is False and leaves["刘佳琪"].returned is None
    lone = next(v for v in f.visits if v.date == date(2025, 10, 20))
    assert lone.bodies == {"school"} and not lone.joint
    short = [s for s in f.sessions if s.date.month == 3]
    assert [s.minutes_per_period for s in short] == [25, 25]


def test_edge_cases_package() -> None:
    f = facts("edge-cases")
    status = {x.path: (x.status, x.reason or "") for x in f.files}
    assert status["五、其他/加密的台账.pdf"][0] == "error"
    assert "PDF 已加密" in status["五、其他/加密的台账.pdf"][1]
    assert status["五、其他/损坏的家访记录.docx"][0] == "error"
    scanned = next(x for x in f.files if x.path.endswith("签到表扫描件.pdf"))
    assert scanned.status == "scanned" and scanned.scanned_pages == [1, 2]
    assert scanned.kind == "sign_in_sheet"
    skipped = [x.path for x in f.files if x.status == "skipped"]
    assert len(skipped) == 3
    before = [v for v in f.visits if v.student == "覃小红" and v.date < date(2025, 11, 15)]
    assert [v.joint for v in sorted(before, key=lambda v: v.date)] == [True, False, True]
    march = [s for s in f.sessions if s.student == "莫小芳" and s.date.month == 3]
    assert [(s.periods, s.minutes_per_period) for s in march] == [(3, 25), (3, 25)]
    starter = next(s for s in f.students if s.roster == "home_teaching" and s.name == "莫小芳")
    assert starter.since == date(2026, 3, 1)


@pytest.mark.parametrize("name", ["empty", "empty-zip"])
def test_empty_packages(name: str) -> None:
    assert facts(name) == PackageFacts()


@pytest.mark.parametrize(("name", "message"), [("traversal", "非法路径"), ("bomb", "压缩炸弹")])
def test_hostile_packages_refused(name: str, message: str) -> None:
    with pytest.raises(PackageError, match=message):
        read_package(package_path(name))


def test_progress_reports_every_file() -> None:
    seen: list[tuple[int, str]] = []
    result = read_package(
        package_path("gaps"), period=PERIOD, progress=lambda n, p: seen.append((n, p))
    )
    assert [n for n, _ in seen] == list(range(1, len(result.files) + 1))


def test_baoxue_generated_leave_form_recognised_and_read(tmp_path, sample) -> None:  # type: ignore[no-untyped-def]
    from forms.profiles import get_profile
    from forms.registry import get_form
    from forms.render.document import render_record, validate_record

    kind = get_form("leave_approval")
    record = validate_record(kind, sample("leave_approval", "liupu-2026"))
    files = render_record(kind, record, get_profile("liupu-2026"), ("pdf", "docx"))
    for fmt, data in files.items():
        (tmp_path / f"学生请假审批单.{fmt}").write_bytes(data)
    f = read_package(tmp_path, period=PERIOD)
    assert {x.kind for x in f.files} == {"leave_record"}
    assert all("本系统生成" in x.kind_reason and x.baoxue for x in f.files)
    for leave in f.leaves:
        assert (leave.student, leave.start, leave.end, leave.days) == (
            "黄秋菊",
            date(2026, 4, 8),
            date(2026, 4, 15),
            8,
        )
        assert leave.approver is None  # the printed blanks are not signed yet
        assert leave.home_visit is None


def test_worker_processes_give_the_same_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    import audit.parallel

    monkeypatch.setattr(audit.parallel, "POOL_AFTER_BYTES", 0)  # start the pool at once
    alone = read_package(package_path("pdf-tables"), period=PERIOD, workers=1)
    pooled = read_package(package_path("pdf-tables"), period=PERIOD, workers=2)
    assert pooled == alone


GENERATED = [
    # form id, sample profile, expected kind, expected student
    ("home_visit_record", None, "visit_record", "汪志强"),
    ("home_teaching_record", None, "home_teaching_record", "覃小雨"),
    ("guardian_opinion", None, "guardian_opinion", "覃小雨"),
    ("suspension_application", "liupu-2026", "suspension_application", "莫小军"),
    ("school_statement", "liupu-2026", "school_statement", "莫小军"),
    ("suspension_determination", "liupu-2026", "suspension_determination", "莫小军"),
    ("home_teaching_tally", None, "home_teaching_record", None),
]


def test_baoxue_generated_documents_read_exactly(tmp_path, sample) -> None:  # type: ignore[no-untyped-def]
    from forms.profiles import get_profile
    from forms.registry import get_form
    from forms.render.document import render_record, validate_record

    for form_id, profile, _, _ in GENERATED:
        kind = get_form(form_id)
        record = validate_record(kind, sample(form_id, profile or "liupu-2026"))
        data = render_record(kind, record, get_profile("liupu-2026"), ("docx",))["docx"]
        (tmp_path / f"{form_id}.docx").write_bytes(data)
    f = read_package(tmp_path, period=PERIOD, workers=1)
    kinds = {x.path.removesuffix(".docx"): x for x in f.files}
    for form_id, _, expected, student in GENERATED:
        assert kinds[form_id].kind == expected, form_id
        assert form_id in kinds[form_id].kind_reason and not kinds[form_id].sections
        if student and expected not in {"visit_record", "home_teaching_record"}:
            doc = next(d for d in f.documents if d.prov.file == f"{form_id}.docx")
            assert doc.student == student, form_id
    visit = next(v for v in f.visits if v.prov.file == "home_visit_record.docx")
    assert visit.student == "汪志强" and visit.joint
    assert {p.body for p in visit.participants} == {"school", "township", "village", "justice"}
    session = next(s for s in f.sessions if s.prov.file == "home_teaching_record.docx")
    assert (session.student, session.periods, session.minutes_per_period) == ("覃小雨", 3, 30)
    # a yearly tally's rows are totals: it counts as a document, it is not read as sessions
    assert not [s for s in f.sessions if s.prov.file == "home_teaching_tally.docx"]
    statement = next(d for d in f.documents if d.prov.file == "school_statement.docx")
    assert statement.date == date(2026, 4, 22)  # the signing date, not the first date written
