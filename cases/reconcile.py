"""四查三对比: the lists a township has, compared child by child (003 § 四(二)2; 001 § 三(二);
000 § 四(二)2).

Every row of every list becomes an entry (cases/lists.py), entries become persons
(cases/matching.py), and each person falls into the categories of
checklists/tables/reconcile.yaml by the lists that hold him and his age at 9月1日 of the school
year against the profile's compulsory ages. On request the rows of a category that opens
cases (有户籍无学籍（疑似失学）) open dropout cases; a child whose case is open is not opened
twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cases.lists import ListFile, ListInfo, list_kinds, read_entries, rules
from cases.matching import Matcher, Person, disagreements
from forms.profiles import Profile

# the order fields are taken from when lists disagree: the school's own lists first
SCHOOL_ORDER = ("enrolment", "attendance", "household", "poverty", "disability")
HOME_ORDER = ("household", "poverty", "disability", "enrolment", "attendance")


class ReconcileError(Exception):
    """Lists that cannot be compared (the reason in Chinese)."""


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    within: tuple[str, ...]
    not_in: tuple[str, ...]
    needs: tuple[str, ...]
    of_age: bool
    opens_case: bool
    source: str
    action: str
    reading: str


def categories() -> list[Category]:
    return [
        Category(
            id=key,
            title=str(c["title"]),
            within=tuple(c["in"]),
            not_in=tuple(c.get("not_in", ())),
            needs=tuple(c.get("needs", ())),
            of_age=bool(c.get("of_age", False)),
            opens_case=bool(c.get("opens_case", False)),
            source=str(c["source"]),
            action=str(c["action"]),
            reading=str(c.get("reading", "")),
        )
        for key, c in rules()["categories"].items()
    ]


def school_year_of(day: date) -> int:
    """The school year a day belongs to, by the year it starts (age_day: 9月1日)."""
    month, dom = (int(x) for x in str(rules()["age_day"]["value"]).split("-"))
    return day.year if (day.month, day.day) >= (month, dom) else day.year - 1


def age_day(year: int) -> date:
    month, dom = (int(x) for x in str(rules()["age_day"]["value"]).split("-"))
    return date(year, month, dom)


def age_on(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass
class Child:
    """A person as the report shows him: what he is, where, and what to do."""

    person: Person
    age: int | None
    of_age: bool | None  # None: no birth date
    categories: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    case_id: str | None = None
    case_note: str | None = None

    def fields(self) -> dict[str, Any]:
        p = self.person
        titles = list_kinds()
        grade = p.best("grade", SCHOOL_ORDER) or ""
        klass = p.best("class_name", SCHOOL_ORDER) or ""
        return {
            "name": p.name,
            "gender": p.best("gender", SCHOOL_ORDER),
            "birth": p.birth,
            "age": self.age,
            "id_number": p.id_number or p.best("id_number", SCHOOL_ORDER),
            "lists": "、".join(titles[k]["title"] for k in titles if k in p.kinds()),
            "school": p.best("school", SCHOOL_ORDER),
            "grade_class": f"{grade}{klass}" or None,
            "village": p.best("village", HOME_ORDER),
            "guardian": p.best("guardian", HOME_ORDER),
            "phone": p.best("phone", HOME_ORDER),
            "match": p.match_note() or "只在一份名单中",
            "problems": "；".join(self.problems) or None,
            "case": self.case_id or self.case_note,
        }


@dataclass
class Reconciliation:
    on: date  # the day the comparison was made
    year: int  # the school year, by the year it starts
    age_day: date
    age_range: tuple[int, int]
    age_source: str
    profile: Profile
    unit: str | None
    lists: list[ListInfo]
    people: int
    children: dict[str, list[Child]]  # category id → its children
    mismatched: list[Child]
    not_compared: dict[str, str]  # category id → why it was not compared

    @property
    def given(self) -> set[str]:
        return {info.kind for info in self.lists}

    def flagged(self) -> list[Child]:
        """Every child in at least one category, once."""
        seen: dict[int, Child] = {}
        for rows in self.children.values():
            for child in rows:
                seen.setdefault(id(child), child)
        return list(seen.values())


def reconcile(
    sources: Iterable[ListFile],
    profile: Profile,
    on: date,
    year: int | None = None,
    unit: str | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> Reconciliation:
    """Compare the lists (see the module doc); `year` is the school year by the year it starts
    (default: the one `on` is in)."""
    sources = list(sources)
    if not sources:
        raise ReconcileError("没有名单：至少要给出户籍、学籍、在校等名单中的两份")
    kinds = [s.kind for s in sources]
    if len(set(kinds)) < 2:
        raise ReconcileError("四查三对比至少要两种名单（如户籍名单和学籍名单）")
    matcher = Matcher()
    infos: list[ListInfo] = []
    order = list(list_kinds())
    for source in sorted(sources, key=lambda s: order.index(s.kind) if s.kind in order else 99):
        info = ListInfo(source.kind, source.path)
        for n, found in enumerate(read_entries(source, info), start=1):
            matcher.add(found)
            if progress is not None and n % 5000 == 0:
                progress(source.kind, n)
        infos.append(info)
    given = {i.kind for i in infos}
    school_year = year if year is not None else school_year_of(on)
    day = age_day(school_year)
    low, high = (int(x) for x in profile.age_range.value[:2])
    cats = categories()
    titles = list_kinds()
    not_compared = {
        c.id: "未提供" + "、".join(titles[k]["title"] for k in c.needs if k not in given)
        for c in cats
        if not set(c.needs) <= given
    }
    children: dict[str, list[Child]] = {c.id: [] for c in cats if c.id not in not_compared}
    mismatched: list[Child] = []
    for person in matcher.people:
        held = person.kinds()
        age = age_on(person.birth, day)
        child = Child(person, age, None if age is None else low <= age <= high)
        child.problems = disagreements(person)
        for c in cats:
            if c.id in not_compared or not set(c.within) <= held or set(c.not_in) & held:
                continue
            if c.of_age and child.of_age is False:
                continue
            child.categories.append(c.id)
            children[c.id].append(child)
        if child.problems:
            mismatched.append(child)
    return Reconciliation(
        on=on,
        year=school_year,
        age_day=day,
        age_range=(low, high),
        age_source=profile.age_range.source,
        profile=profile,
        unit=unit,
        lists=infos,
        people=len(matcher.people),
        children=children,
        mismatched=mismatched,
        not_compared=not_compared,
    )


# ---------------------------------------------------------------- opening cases


@dataclass
class CaseOutcome:
    opened: list[tuple[str, str]] = field(default_factory=list)  # name, case id
    existing: list[tuple[str, str]] = field(default_factory=list)  # name, why not again
    refused: list[tuple[str, str]] = field(default_factory=list)  # name, the reason


def opening_of(
    child: Child, category: Category, on: date, school: dict[str, Any]
) -> dict[str, Any]:
    """The case-opening record of a child the comparison found (cases.model.CaseOpening)."""
    p = child.person
    student: dict[str, Any] = {"name": p.name}
    if p.id_number:
        student["id_number"] = p.id_number
    elif p.birth:
        student["birth_date"] = p.birth.isoformat()
    gender = p.best("gender", HOME_ORDER)
    if gender:
        student["gender"] = gender
    guardian: dict[str, Any] = {"name": p.best("guardian", HOME_ORDER) or ""}
    phone = p.best("phone", HOME_ORDER)
    if phone:
        guardian["phone"] = phone
    own = p.best("school", SCHOOL_ORDER)
    return {
        "opened": on.isoformat(),
        "student": student,
        "guardian": guardian,
        "school": {**school, "name": own} if own else school,
        "reason": f"四查三对比：{category.title}（{category.source}）",
    }


def open_cases(
    result: Reconciliation,
    store: Any,
    school: dict[str, Any],
    who: str,
    today: date,
) -> CaseOutcome:
    """Open a case for each child of a category that opens cases (疑似失学), on the day of
    the comparison; `school` is the school that takes the case when no list names one.
    A child with an open case (or one closed within the profile's window) is not opened
    again, so running the comparison twice opens nothing twice."""
    from cases.model import CaseError, OpenCaseExists
    from cases.workflow import open_from
    from forms.errors import RecordError

    outcome = CaseOutcome()
    for category in categories():
        if not category.opens_case:
            continue
        for child in result.children.get(category.id, []):
            if child.case_id:
                continue
            data = opening_of(child, category, result.on, school)
            name = child.person.name
            if not data["school"].get("name"):
                why = "名单中没有学校，未指定负责开案的学校（--school），未开案"
                child.case_note = why
                outcome.refused.append((name, why))
                continue
            try:
                case = open_from(store, result.profile.id, data, who, today)
            except OpenCaseExists as exc:
                child.case_note = str(exc)
                outcome.existing.append((name, str(exc)))
                continue
            except (CaseError, RecordError) as exc:
                child.case_note = f"未开案：{exc}"
                outcome.refused.append((name, str(exc)))
                continue
            child.case_id = case.id
            outcome.opened.append((name, case.id))
    return outcome
