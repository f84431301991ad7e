"""The facts contract can be built and round-trips through JSON."""

from __future__ import annotations

from datetime import date, time

from audit.facts import (
    AttendanceDay,
    DocumentPresence,
    HomeTeachingSession,
    LeaveRecord,
    Meeting,
    PackageFacts,
    Participant,
    Provenance,
    Visit,
)


def test_facts_with_date_fields_build_and_round_trip() -> None:
    prov = Provenance(file="四、送教上门/张三/记录.docx", sha256="ab" * 32, page=2, snippet="…")
    facts = PackageFacts(
        documents=[DocumentPresence(prov=prov, kind="work_plan", date=date(2025, 9, 1))],
        meetings=[Meeting(prov=prov, part="notice", date=date(2025, 9, 3))],
        attendance=[AttendanceDay(prov=prov, date=date(2025, 9, 4), absent=1)],
        leaves=[
            LeaveRecord(
                prov=prov, student="张三", start=date(2025, 9, 1), end=date(2025, 9, 9), days=9
            )
        ],
        visits=[
            Visit(
                prov=prov,
                student="李四",
                date=date(2025, 10, 12),
                participants=[
                    Participant(name="王某", body="township"),
                    Participant(name="张某", body="school"),
                ],
            )
        ],
        sessions=[
            HomeTeachingSession(
                prov=prov, student="王五", date=date(2026, 3, 5), start=time(9), end=time(10, 30)
            )
        ],
    )
    again = PackageFacts.model_validate_json(facts.model_dump_json())
    assert again == facts
    assert again.visits[0].joint
    assert again.sessions[0].start == time(9)
