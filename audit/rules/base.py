"""What a rule sees (Context over PackageFacts) and what it returns (Outcome).

A rule is a pure function `(Context, Params) -> Outcome`. It states what it found — the share
of the requirement met, per-student results, issues with the evidence behind them — and
whether an issue is about evidence that is *missing* (the package does not show it) or about
evidence that shows a breach. The engine (audit/evaluate.py) turns missing-evidence results
into `not_reviewed` or `error` when the evidence might sit on scanned pages or in unreadable
files, adds severity and 整改意见, and scores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from audit.checklist import Severity, Status
from audit.classify import image_by_nature
from audit.extract.names import name_key as name_key  # the rules match names by it
from audit.facts import (
    DocumentPresence,
    HomeTeachingSession,
    ListedStudent,
    PackageFacts,
    PackageFile,
    Provenance,
)

# Which roster a ListedStudent belongs to, as an evidence kind.
ROSTER_KINDS: dict[str, str] = {
    "monitoring": "monitoring_list",
    "suspension": "suspension_roster",
    "disabled": "disabled_roster",
    "home_teaching": "home_teaching_roster",
    "xueji": "xueji_headcount",
    "on_roll": "on_roll_list",
}
# an archive the reader could not open: what it holds is unknown
ARCHIVES = (".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".cab", ".arj")
MEETING_KINDS: dict[str, str] = {
    "notice": "meeting_notice",
    "sign_in": "sign_in_sheet",
    "minutes": "meeting_minutes",
    "photo": "meeting_photo",
}


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def label(self) -> str:
        return f"{self.start.isoformat()}至{self.end.isoformat()}"


class Issue(BaseModel):
    """A finding before the engine adds its id, severity and 整改意见."""

    model_config = ConfigDict(extra="forbid")

    message: str
    student: str | None = None
    evidence: list[Provenance] = Field(default_factory=list)
    missing: bool = False  # the package does not show the evidence (vs. evidence of a breach)
    pending: bool = False  # unread content could change it: for a person to confirm
    severity: Severity | None = None  # only when the rule knows better than the requirement


class MonthRow(BaseModel):
    """One month of a home-taught student's grid."""

    model_config = ConfigDict(extra="forbid")

    month: str  # "2025-09"
    applicable: bool
    share: float = 1.0  # part of the month inside the period and the student's home teaching
    required: int = 0  # visits required this month (pro-rated for a partly covered month)
    visits: int = 0
    periods: int = 0  # 课时 recorded
    minutes: float | None = None  # shortest 课时 of the month, in minutes
    short_visits: int = 0  # visits under the 课时 threshold
    short_periods: int = 0  # visits whose 课时 are under the minutes threshold
    status: Status | None = None  # of the month's visit count (4.4)
    note: str = ""


class Subject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student: str
    status: Status
    detail: str = ""
    months: list[MonthRow] | None = None
    share: float | None = None  # of the requirement met, as `combine` counted it


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status | None = None  # None: derived from ratio
    ratio: float | None = None  # share of the requirement met, 0..1 (partial credit)
    detail: str = ""  # the one-line 督导情况记录
    evidence: list[Provenance] = Field(default_factory=list)
    subjects: list[Subject] = Field(default_factory=list)
    issues: list[Issue] = Field(default_factory=list)
    absent: bool = False  # the status rests only on nothing having been found

    def final_status(self) -> Status:
        if self.status is not None:
            return self.status
        ratio = self.ratio or 0.0
        if ratio >= 1:
            return "pass"
        return "partial" if ratio > 0 else "fail"


def status_of(ratio: float) -> Status:
    return "pass" if ratio >= 1 else "partial" if ratio > 0 else "fail"


@dataclass
class Member:
    """A student of a group (suspended, home-taught …) with what identifies the membership."""

    name: str
    since: date | None = None
    prov: list[Provenance] = field(default_factory=list)


class Context:
    """The facts of one package and the audit period, with lookups the rules share."""

    def __init__(self, facts: PackageFacts, period: Period) -> None:
        self.facts = facts
        self.period = period
        self._files = {f.path: f for f in facts.files}
        self._sessions: dict[str, list[HomeTeachingSession]] | None = None
        # what several rules work out alike (4.4–4.7 the same month grids), by what it is
        self.shared: dict[tuple[str, str], Any] = {}

    def file(self, path: str) -> PackageFile | None:
        return self._files.get(path)

    def file_prov(self, f: PackageFile) -> Provenance:
        return Provenance(file=f.path, sha256=f.sha256, snippet=f.kind_reason[:200])

    def present(self, kinds: Iterable[str], student: str | None = None) -> list[Provenance]:
        """Where documents of these kinds are found (for one student when given)."""
        wanted = set(kinds)
        key = name_key(student) if student else None
        out: list[Provenance] = []
        for d in self.facts.documents:
            if d.kind in wanted and (key is None or (d.student and name_key(d.student) == key)):
                out.append(d.prov)
        if key is not None and not out:
            # a student's records read from a file of several students' (a 汇编 of 送教记录)
            # are that student's records as much as a file in their own folder (only asked
            # when no document says it: the binder places a record file by its records)
            if "home_teaching_record" in wanted:
                out += [r.prov for r in self.facts.sessions if name_key(r.student) == key][:1]
            if "visit_record" in wanted:
                out += [r.prov for r in self.facts.visits if name_key(r.student) == key][:1]
        if key is None:
            for s in self.facts.students:
                if ROSTER_KINDS.get(s.roster) in wanted:
                    out.append(s.prov)
            for m in self.facts.meetings:
                if MEETING_KINDS[m.part] in wanted:
                    out.append(m.prov)
            for f in self.facts.files:
                if f.status != "ok":
                    continue
                if f.kind in wanted:
                    out.append(self.file_prov(f))
                for sec in f.sections:
                    if sec.kind in wanted:
                        page = sec.pages[0] if sec.pages else None
                        out.append(
                            Provenance(file=f.path, sha256=f.sha256, page=page, snippet=sec.title)
                        )
        return dedupe(out)

    def documents(self, kinds: Iterable[str]) -> list[DocumentPresence]:
        wanted = set(kinds)
        return [d for d in self.facts.documents if d.kind in wanted]

    def roster(self, roster: str) -> list[ListedStudent]:
        return [s for s in self.facts.students if s.roster == roster]

    def sessions_of(self, name: str) -> list[HomeTeachingSession]:
        """One student's home-teaching sessions by date (indexed once: four rules ask)."""
        if self._sessions is None:
            self._sessions = {}
            for s in sorted(self.facts.sessions, key=lambda s: s.date):
                self._sessions.setdefault(name_key(s.student), []).append(s)
        return self._sessions.get(name_key(name), [])

    def group(self, group: str) -> dict[str, Member]:
        """Members of a group by name key: suspension, home_teaching or disabled."""
        members: dict[str, Member] = {}

        def add(name: str, since: date | None, prov: Provenance) -> None:
            m = members.setdefault(name_key(name), Member(name=name))
            m.since = m.since or since
            m.prov.append(prov)

        for s in self.roster(group):
            add(s.name, s.since, s.prov)
        marker = {"suspension": "休学", "home_teaching": "送教", "disabled": "残疾"}[group]
        for s in self.facts.students:
            if s.roster in ("xueji", "on_roll") and s.note and marker in s.note:
                add(s.name, s.since, s.prov)
        if group == "suspension":
            for d in self.documents(["suspension_determination", "suspension_application"]):
                if d.student:
                    add(d.student, None, d.prov)
            # The date of the determination stands in for a missing suspension date.
            for d in self.documents(["suspension_determination"]):
                m = members.get(name_key(d.student or ""))
                if m and m.since is None and d.date:
                    m.since = d.date
        if group in ("home_teaching", "disabled"):
            for sess in self.facts.sessions:
                add(sess.student, None, sess.prov)
            for d in self.documents(["home_teaching_profile", "guardian_opinion"]):
                if d.student:
                    add(d.student, None, d.prov)
        if group == "disabled":
            for s in self.roster("home_teaching"):
                add(s.name, None, s.prov)
        return members

    def scanned_pages(self, kinds: Iterable[str]) -> list[tuple[str, list[int]]]:
        """Scanned pages that may hold evidence of these kinds, by file."""
        wanted = set(kinds)
        out: list[tuple[str, list[int]]] = []
        for f in self.facts.files:
            if not (f.status == "scanned" or f.scanned_pages):
                continue
            if f.sections and not any(s.kind == "unknown" for s in f.sections):
                # A compilation: only the scanned pages of sections of a wanted kind.
                pages = {p for s in f.sections if s.kind in wanted for p in s.pages}
                hit = sorted(pages & set(f.scanned_pages))
                if hit:
                    out.append((f.path, hit))
            elif self.kind_of(f) in wanted and not image_by_nature(self.kind_of(f)):
                out.append((f.path, list(f.scanned_pages)))
        return out

    def unreadable(self, kinds: Iterable[str]) -> list[PackageFile]:
        """Files that could not be read and, by name or folder, may hold these kinds; an
        archive that could not be opened may hold any kind its name does not rule out."""
        wanted = set(kinds)
        return [
            f
            for f in self.facts.files
            if f.status == "error"
            and (
                self.kind_of(f) in wanted
                or (self.kind_of(f) == "unknown" and f.path.lower().endswith(ARCHIVES))
            )
        ]

    def kind_of(self, f: PackageFile) -> str:
        """A file's kind; for a file never read, the kind its name or folder suggests."""
        if f.kind != "unknown" or f.status == "ok":
            return f.kind
        return guess_kind(f.path)


def guess_kind(path: str) -> str:
    """The evidence kind a path's file name or folder suggests (unread files only)."""
    from pathlib import PurePosixPath

    from audit.classify import by_folder, by_name

    pure = PurePosixPath(path)
    found = by_name(pure.stem) or by_folder(str(pure.parent) if str(pure.parent) != "." else "")
    return found.kind if found else "unknown"


def dedupe(provs: Iterable[Provenance]) -> list[Provenance]:
    seen: set[tuple[Any, ...]] = set()
    out: list[Provenance] = []
    for p in provs:
        key = (p.file, p.page, p.sheet, p.row)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def months_between(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) of every calendar month that start..end touches."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, nxt - timedelta(days=1)


def month_day(text: str, year: int) -> date:
    """“09-01” in a given year; a day past the month's end is its last day (“02-29” in 2026)."""
    mm, dd = (int(x) for x in text.split("-"))
    return date(year, mm, min(dd, month_bounds(year, mm)[1].day))


def school_year_of(day: date, start: str) -> int:
    """The calendar year in which the school year containing `day` began."""
    return day.year if day >= month_day(start, day.year) else day.year - 1


# -- registry ------------------------------------------------------------------------

P = TypeVar("P", bound=BaseModel)
RuleFn = Callable[[Context, Any], Outcome]


@dataclass(frozen=True)
class RuleSpec:
    name: str
    fn: RuleFn
    params: type[BaseModel]
    required_from_profile: frozenset[str] = frozenset()


RULES: dict[str, RuleSpec] = {}


def rule(
    name: str, params: type[P], required_from_profile: Iterable[str] = ()
) -> Callable[[Callable[[Context, P], Outcome]], Callable[[Context, P], Outcome]]:
    def register(fn: Callable[[Context, P], Outcome]) -> Callable[[Context, P], Outcome]:
        RULES[name] = RuleSpec(name, fn, params, frozenset(required_from_profile))
        return fn

    return register


class Params(BaseModel):
    """Base of each rule's params: unknown names are a checklist error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def combine(subjects: list[Subject], shares: list[float]) -> tuple[Status, float]:
    """A requirement's status and share from its students' (status, share); each subject
    keeps its share, so a status changed later (audit/bounds.py) can be combined again."""
    for s, share in zip(subjects, shares, strict=True):
        s.share = share
    judged = [
        share
        for s, share in zip(subjects, shares, strict=True)
        if s.status not in ("not_reviewed", "not_applicable", "error")
    ]
    pending = any(s.status in ("not_reviewed", "error") for s in subjects)
    if not judged:
        if pending:
            worst: Status = (
                "error" if any(s.status == "error" for s in subjects) else "not_reviewed"
            )
            return worst, 0.0
        return "not_applicable", 0.0
    ratio = sum(judged) / len(judged)
    status = status_of(ratio)
    if status == "pass" and pending:
        status = "not_reviewed"
    return status, ratio


def round_half_up(x: float) -> int:
    return int(x + 0.5)
