"""Who is who across the lists: one person for the rows of all lists that are the same child.

In order (checklists/tables/reconcile.yaml `matching`): the same valid 身份证号; a mistyped
number one digit (or two swapped digits) away from a known valid one, with the same or a
similar name; the same name and birth date; a similar name (rapidfuzz) and the same birth
date. Two valid numbers that differ are never one person. Each row keeps how it was matched,
and a person whose rows disagree (birth date, 身份证号, school, name, twice in one list) is
reported with what disagrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import ratio

from cases.lists import Entry, list_kinds, rules

BY_ID = "身份证号"
BY_NEAR_ID = "身份证号相近"
BY_NAME_BIRTH = "姓名和出生日期"
BY_SIMILAR_NAME = "相近姓名和出生日期"
FIRST = "—"  # the row that made the person


@dataclass(slots=True)
class Person:
    entries: list[Entry] = field(default_factory=list)
    hows: list[str] = field(default_factory=list)  # how each entry was matched
    id_number: str | None = None  # the valid 身份证号, when any row has one

    @property
    def first(self) -> Entry:
        return self.entries[0]

    def kinds(self) -> set[str]:
        return {e.kind for e in self.entries}

    def of(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    @property
    def name(self) -> str:
        return next((e.name for e in self.entries if e.name), "")

    @property
    def birth(self) -> date | None:
        """The birth date from a valid 身份证号, else the first one written."""
        for e in self.entries:
            if e.id_valid and e.birth:
                return e.birth
        return next((e.birth for e in self.entries if e.birth), None)

    def best(self, attr: str, order: Iterable[str] = ()) -> str | None:
        """A field's first value, from the lists in `order` first."""
        ranked = sorted(
            self.entries, key=lambda e: list(order).index(e.kind) if e.kind in order else 99
        )
        return next((getattr(e, attr) for e in ranked if getattr(e, attr)), None)

    def match_note(self) -> str:
        """How the rows were found to be this one child (e.g. 学籍第12行：身份证号)."""
        titles = list_kinds()
        parts = [
            f"{titles[e.kind]['title']}第{e.line}行：{how}"
            for e, how in zip(self.entries, self.hows, strict=True)
            if how != FIRST
        ]
        return "；".join(parts)


def _near_ids(number: str) -> Iterable[str]:
    """Numbers one typed digit away: one digit changed, or two neighbours swapped."""
    if len(number) != 18:
        return
    for i, ch in enumerate(number):
        options = "0123456789X" if i == 17 else "0123456789"
        for d in options:
            if d != ch:
                yield number[:i] + d + number[i + 1 :]
    for i in range(17):
        if number[i] != number[i + 1]:
            yield number[:i] + number[i + 1] + number[i] + number[i + 2 :]


class Matcher:
    """Persons built row by row; memory grows with the children, not with the files."""

    def __init__(self) -> None:
        params = rules()["matching"]
        self.max_edits = int(params["fuzzy_max_edits"]["value"])
        self.min_ratio = float(params["fuzzy_min_ratio"]["value"])
        self.surname_up_to = int(params["fuzzy_same_surname_up_to"]["value"])
        self.people: list[Person] = []
        self.by_id: dict[str, int] = {}
        self.by_name_birth: dict[tuple[str, date | None], list[int]] = {}
        self.by_birth: dict[date, list[int]] = {}

    def similar(self, a: str, b: str) -> bool:
        if not a or not b or a == b:
            return a == b and bool(a)
        if Levenshtein.distance(a, b) > self.max_edits:
            return False
        if min(len(a), len(b)) <= self.surname_up_to and a[0] != b[0]:
            return False
        return ratio(a, b) >= self.min_ratio

    def _compatible(self, person: Person, e: Entry) -> bool:
        """Two valid and different 身份证号 are two children, whatever the names say."""
        return not (e.id_valid and person.id_number and person.id_number != e.id_number)

    def find(self, e: Entry) -> tuple[int | None, str]:
        if e.id_valid and e.id_number in self.by_id:
            return self.by_id[e.id_number], BY_ID
        if e.id_number and not e.id_valid:
            for near in _near_ids(e.id_number):
                pid = self.by_id.get(near)
                if pid is not None and self.similar(self.people[pid].name, e.name):
                    return pid, BY_NEAR_ID
        if e.name and e.birth is not None:
            for pid in self.by_name_birth.get((e.name, e.birth), ()):
                if self._compatible(self.people[pid], e):
                    return pid, BY_NAME_BIRTH
            best: tuple[float, int] | None = None
            for pid in self.by_birth.get(e.birth, ()):
                person = self.people[pid]
                if not self._compatible(person, e):
                    continue
                names = {x.name for x in person.entries}
                if any(self.similar(n, e.name) for n in names):
                    score = max(ratio(n, e.name) for n in names)
                    if best is None or score > best[0]:
                        best = (score, pid)
            if best is not None:
                return best[1], BY_SIMILAR_NAME
        return None, FIRST

    def add(self, e: Entry) -> int:
        pid, how = self.find(e)
        if pid is None:
            pid = len(self.people)
            self.people.append(Person())
        person = self.people[pid]
        person.entries.append(e)
        person.hows.append(how)
        if e.id_valid and e.id_number and person.id_number is None:
            person.id_number = e.id_number
            self.by_id[e.id_number] = pid
        if e.name and e.birth is not None:
            ids = self.by_name_birth.setdefault((e.name, e.birth), [])
            if pid not in ids:
                ids.append(pid)
            born = self.by_birth.setdefault(e.birth, [])
            if pid not in born:
                born.append(pid)
        return pid


def disagreements(person: Person) -> list[str]:
    """What a person's rows say differently, in Chinese, each with its lists and rows."""
    titles = {k: v["title"] for k, v in list_kinds().items()}

    def where(e: Entry) -> str:
        return f"{titles[e.kind]}第{e.line}行"

    out: list[str] = []
    entries = person.entries
    if len(entries) > 1:
        births = {e.birth for e in entries if e.birth}
        if len(births) > 1:
            shown = "，".join(f"{where(e)}{e.birth.isoformat()}" for e in entries if e.birth)
            out.append(f"出生日期不一致：{shown}")
        numbers = {e.id_number for e in entries if e.id_number}
        if len(numbers) > 1:
            shown = "，".join(f"{where(e)}{e.id_number}" for e in entries if e.id_number)
            out.append(f"身份证号不一致：{shown}")
        names = {e.name for e in entries if e.name}
        if len(names) > 1:
            shown = "，".join(f"{where(e)}{e.name}" for e in entries if e.name)
            out.append(f"姓名不一致：{shown}")
        school_rows = [e for e in entries if e.school and e.kind in ("enrolment", "attendance")]
        if len({e.school for e in school_rows}) > 1:
            shown = "，".join(f"{where(e)}{e.school}" for e in school_rows)
            out.append(f"学校不一致：{shown}")
        for kind in titles:
            rows = [e.line for e in entries if e.kind == kind]
            if len(rows) > 1:
                lines = "、".join(str(n) for n in rows)
                out.append(f"在{titles[kind]}中出现{len(rows)}次（第{lines}行）")
    for e in entries:
        if e.id_number and not e.id_valid:
            out.append(f"{where(e)}身份证号{e.id_number}有误：{e.id_problem}")
        if e.id_valid and e.birth_written and e.birth and e.birth_written != e.birth:
            out.append(
                f"{where(e)}出生日期{e.birth_written.isoformat()}与身份证号中的"
                f"{e.birth.isoformat()}不一致"
            )
    return out
