"""Facts from one classified file or section: dispatch by evidence kind."""

from __future__ import annotations

from collections.abc import Callable

from audit.extract import lists, records
from audit.extract.source import Source
from audit.facts import PackageFacts

Extractor = Callable[[Source, PackageFacts], None]

EXTRACTORS: dict[str, Extractor] = {
    **{kind: lists.meeting for kind in lists.MEETING_PARTS},
    **{kind: lists.presence for kind in lists.PLAN_KINDS | lists.STUDENT_DOCUMENT_KINDS},
    **{kind: lists.roster for kind in lists.ROSTERS},
    "xueji_headcount": lists.headcount,
    "on_roll_list": lists.headcount,
    "attendance_ledger": lists.attendance,
    "leave_record": records.leaves,
    "visit_record": records.visits,
    "home_teaching_record": records.sessions,
}

# Kinds read from tables: a PDF of these kinds has its tables extracted (pdfplumber, slow).
TABLE_KINDS = {
    "sign_in_sheet",
    "xueji_headcount",
    "on_roll_list",
    "attendance_ledger",
    "leave_record",
    "visit_record",
    "home_teaching_record",
    *lists.ROSTERS,
}


def extract(source: Source, facts: PackageFacts) -> None:
    extractor = EXTRACTORS.get(source.kind)
    if extractor is not None:
        extractor(source, facts)


__all__ = ["EXTRACTORS", "TABLE_KINDS", "Source", "extract"]
