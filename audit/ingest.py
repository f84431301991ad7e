"""Read an evidence package into `PackageFacts`: inventory → read → classify → extract.

Files are read one at a time and their text dropped once their facts are taken, so memory
does not grow with the number of pages. The public entry point is `read_package`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from audit.classify import by_headers, classify, image_by_nature, presence_only, split_sections
from audit.extract import TABLE_KINDS, Source, extract
from audit.extract.account import (
    account,
    account_unseen,
    none_stated,
    record_kinds,
    resolve_unread,
)
from audit.extract.names import by_given_name, known_names, name_key, named_in
from audit.extract.source import name_from_path, title_student
from audit.extract.staff import staff_roles
from audit.extract.values import Period
from audit.facts import (
    DocumentPresence,
    FileAccount,
    FileSection,
    HomeTeachingSession,
    LeaveRecord,
    PackageFacts,
    PackageFile,
    Provenance,
    UnreadPiece,
    Visit,
)
from audit.package import Member, PackageError, PackageLimits, iter_package
from audit.parallel import Reader
from audit.readers.model import Item, ReadResult, Table
from audit.readers.ocr import OcrLimits

__all__ = ["PackageError", "PackageLimits", "Progress", "read_package"]

# progress(files_done, path_just_read)
Progress = Callable[[int, str], None]


def read_package(
    path: Path | str,
    *,
    period: Period | None = None,
    year_hint: int | None = None,
    limits: PackageLimits | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> PackageFacts:
    """All facts of a package (a directory or a .zip).

    `period` (start, end) gives the year of dates written without one (3月5日); `year_hint`
    does the same when no period is known. Raises `PackageError` (Chinese message) only when
    the package cannot be opened at all; an unreadable file becomes an `error` entry.
    `workers` > 1 reads large PDFs in that many worker processes; the default is 1 because on
    a shared 2-core machine the workers' start-up cost more than they won
    (benchmarks/audit_read.py).
    """
    limits = limits or PackageLimits()
    if period is None and year_hint is not None:
        period = (date(year_hint, 1, 1), date(year_hint, 12, 31))
    facts = PackageFacts()
    count = 1 if workers is None else max(1, workers)
    ocr = OcrLimits(
        pages=limits.max_ocr_pages,
        page_seconds=limits.ocr_page_seconds,
        start_seconds=limits.ocr_start_seconds,
    )
    with Reader(count, limits.max_pdf_pages, ocr=ocr) as reader:
        members = reader.results(iter_package(Path(path), limits))
        for done, (member, result) in enumerate(members, start=1):
            facts.files.append(read_member(member, facts, period, result))
            if progress is not None:
                progress(done, member.path)
    _attribute_students(facts)
    resolve_unread(facts)
    return facts


def read_member(
    member: Member, facts: PackageFacts, period: Period | None, result: ReadResult | None
) -> PackageFile:
    """Inventory one member (read already, or None if unread) and add its facts to `facts`."""
    data = member.data
    digest = hashlib.sha256(data).hexdigest() if data is not None else ""
    entry = PackageFile(
        path=member.path,
        sha256=digest,
        size=member.size,
        status=member.status,
        reason=member.reason,
    )
    if data is None or member.status != "ok" or result is None:
        return entry
    entry.status = result.status
    entry.reason = result.reason
    entry.pages = result.pages
    _pages_to_review(entry, result)
    entry.baoxue = result.identity
    entry.photo_date = result.photo_date
    if result.status in {"error", "skipped"}:
        return entry
    found = classify(member.path, result)
    entry.kind, entry.kind_reason = found.kind, found.reason
    if not result.is_image:
        none_stated(member.path, digest, result.text(6000), facts)
        staff_roles(member.path, digest, result.items, facts)
    if result.status == "scanned" and not image_by_nature(entry.kind):
        # Nothing has been read: its name says what it may hold, never that it holds it. Rules
        # resting on it alone are `not_reviewed` with its pages (evaluate.py).
        return entry
    if entry.kind in TABLE_KINDS:
        result.tables()  # a PDF's tables, read now that we know they matter
    if presence_only(result.identity):
        facts.documents.append(
            DocumentPresence(
                prov=Provenance(file=member.path, sha256=digest, snippet=result.text(200)),
                kind=entry.kind,
            )
        )
        return entry
    # A generated document is one document, whatever titles its tables carry; so is a roll
    # call kept one sheet per class with a 汇总 sheet: its sheets add up to one count.
    whole = result.identity or entry.kind in _ONE_DOCUMENT
    sections = [] if whole else split_sections(result)
    if sections and entry.kind == "unknown":
        first = next((s for s in sections if s.kind != "unknown"), sections[0])
        entry.kind, entry.kind_reason = first.kind, f"第一份文书{first.reason}"
    entry.sections = [
        FileSection(kind=s.kind, kind_reason=s.reason, title=s.title, pages=s.pages)
        for s in sections
    ]
    known = frozenset(s.name for s in facts.students)
    # A part no title names is the file's kind when the file holds documents of one kind (a
    # cover page, then its records); in a compilation of several kinds (a clerk's workbook
    # of 会议登记, 请假登记, 送教 sheets) it is none of them, and is read as unknown.
    named = {s.kind for s in sections if s.kind != "unknown"}
    untitled = entry.kind if len(named) <= 1 else "unknown"
    parts = (
        [
            (s.kind if s.kind != "unknown" else _untitled(s.items, untitled), s.title, s.items)
            for s in sections
        ]
        if sections
        else [(entry.kind, found.title, result.items)]
    )
    start = _counts(facts)  # the file's facts so far: an earlier section's are read
    heading: str | None = None  # the student the last part's title named, in a compilation
    for kind, title, items in parts:
        heading = title_student(title, known) or heading if sections else None
        counted = _extract(
            member.path, digest, kind, title, items, result, facts, period, known, start, heading
        )
        if counted is not None:
            entry.account = _add(entry.account, counted)
    hidden = account_unseen(member.path, digest, entry.kind, result.unseen, facts)
    if hidden:
        entry.account = _add(entry.account, FileAccount(unread=hidden))
    _pages_to_review(entry, result)  # again: extraction adds OCR'd pages it could not make out
    return entry


def _untitled(items: list[Item], otherwise: str) -> str:
    """The kind of a part no title names: its tables' headers say it (请假开始日期 | 请假天数:
    a leave register whose title the printer put on another page), else `otherwise`."""
    found = by_headers([i for i in items if isinstance(i, Table)])
    return found.kind if found else otherwise


def _add(total: FileAccount | None, more: FileAccount) -> FileAccount:
    if total is None:
        return more
    return FileAccount(
        records=total.records + more.records,
        explained=total.explained + more.explained,
        unread=total.unread + more.unread,
    )


def _pages_to_review(entry: PackageFile, result: ReadResult) -> None:
    """The file's pages waiting for a person, with why."""
    entry.scanned_pages = sorted(result.scanned_pages)
    entry.page_notes = {p: n for p, n in result.page_notes.items() if p in result.scanned_pages}


def _extract(
    path: str,
    digest: str,
    kind: str,
    title: str,
    items: list,  # type: ignore[type-arg]
    result: ReadResult,
    facts: PackageFacts,
    period: Period | None,
    known: frozenset[str],
    first: tuple[int, int, int] = (0, 0, 0),
    heading: str | None = None,
) -> FileAccount | None:
    """Facts of one file or section; for a record file (or one the audit could not classify)
    the account of its record-like pieces."""
    source = Source(
        path=path,
        sha256=digest,
        kind=kind,
        items=items,
        period=period,
        title=title,
        photo_date=result.photo_date,
        known_names=known,
        ocr_engine=result.ocr_engine,
        ocr_pages=result.ocr_pages,
        heading_student=heading,
    )
    before = _counts(facts)
    extract(source, facts)
    for page, why in source.unread_pages.items():
        if page not in result.scanned_pages:
            result.scanned_pages.append(page)
            result.page_notes[page] = why
    if kind not in record_kinds() and kind != "unknown":
        return None
    produced: list[Visit | HomeTeachingSession | LeaveRecord] = [
        *facts.visits[before[0] :],
        *facts.sessions[before[1] :],
        *facts.leaves[before[2] :],
    ]
    earlier: list[Visit | HomeTeachingSession | LeaveRecord] = [
        *facts.visits[first[0] : before[0]],
        *facts.sessions[first[1] : before[1]],
        *facts.leaves[first[2] : before[2]],
    ]
    counted = account(source, produced, facts, kind, earlier)
    return counted if kind != "unknown" or counted.unread else None


def _counts(facts: PackageFacts) -> tuple[int, int, int]:
    return len(facts.visits), len(facts.sessions), len(facts.leaves)


def _attribute_students(facts: PackageFacts) -> None:
    """Who each record and per-student document is about, once every roster is read.

    A record is about a student the package's rosters list (点名册, 学籍名单, 花名册 …): the
    name it holds when that is rostered; else a rostered name written in the record; else the
    one its per-student folder or file name gives. A record read before the rosters, or whose
    name cell held words that only look like a name (学生犹豫), is put right here. Without any
    roster the record keeps the name it holds, or takes its folder's."""
    known = known_names(facts)
    roster = frozenset(known.values())
    for doc in facts.documents:
        if doc.student is None and doc.kind in _PER_STUDENT:
            doc.student = name_from_path(doc.prov.file, roster)
        elif doc.student and known and name_key(doc.student) not in known:
            better = name_from_path(doc.prov.file, roster)
            if better and name_key(better) in known:
                doc.student = better
    records: list[Visit | HomeTeachingSession | LeaveRecord] = [
        *facts.visits,
        *facts.sessions,
        *facts.leaves,
    ]
    for record in records:
        if record.student and (not known or name_key(record.student) in known):
            continue
        rostered = named_in(record.prov.snippet, known) if known else None
        if rostered is None and record.student and known:
            rostered = by_given_name(record.student, known)  # 小明 for 覃小明
        if rostered is None:
            from_path = name_from_path(record.prov.file, roster)
            if from_path and (not known or name_key(from_path) in known or not record.student):
                rostered = from_path
        if rostered:
            record.student = known.get(name_key(rostered), rostered)
    _unrostered_to_unread(facts, known)


# record kind and the roster its students are on: a record about nobody such a roster (or any
# other) lists, and nobody any document of the package is about, cannot be told whose it is
_RECORD_ROSTERS = {
    "sessions": ("home_teaching_record", {"home_teaching", "disabled"}),
    "visits": ("visit_record", {"suspension"}),
}


def _unrostered_to_unread(facts: PackageFacts, known: dict[str, str]) -> None:
    """A 送教 session or a persuasion visit naming nobody the package lists (李小花 where the
    roster has 李小华, or no name at all) is not a record of a child nobody listed: it could be
    any listed student's, so it becomes unread content (audit/bounds.py) — not one visit
    short for a real student and one visit for a phantom."""
    if not known:
        return
    rosters = {s.roster for s in facts.students}
    evidenced = set(known) | {name_key(d.student) for d in facts.documents if d.student}
    files = {f.path: f for f in facts.files}
    for field, (kind, wanted) in _RECORD_ROSTERS.items():
        if not rosters & wanted:
            continue
        kept = []
        for record in getattr(facts, field):
            home_visit = isinstance(record, Visit) and record.kind == "home_visit"
            if home_visit or (record.student and name_key(record.student) in evidenced):
                kept.append(record)
                continue
            said = f"学生“{record.student}”不在包内名册中" if record.student else "未写学生姓名"
            facts.unread.append(
                UnreadPiece(prov=record.prov, kind=kind, date=record.date, why=said)
            )
            entry = files.get(record.prov.file)
            if entry is not None and entry.account is not None:
                entry.account.records -= 1
                entry.account.unread += 1
        setattr(facts, field, kept)


_ONE_DOCUMENT = {"xueji_headcount", "on_roll_list"}

_PER_STUDENT = {
    "court_ruling",
    "suspension_determination",
    "suspension_application",
    "school_statement",
    "individual_plan",
    "home_teaching_profile",
    "assessment_form",
    "disability_certificate",
    "guardian_opinion",
    "lesson_plan",
    "photo",
}
