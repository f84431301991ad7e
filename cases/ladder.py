"""What a case's ladder says is due, and from when: the profile's `escalation` read as rules.

Timing of a step (see forms.profiles.EscalationStep): the clock starts at `from_step`'s
recorded date; without it, a step with `after_days` counts from the first day absent of
the current episode (that day is day 1: "无故3日未到校" is the 3rd day of absence), and a
step with neither starts when the previous step is recorded (the first step: when the case
opens). `after_days` makes the step due on that day and overdue from the next; `within_days`
makes it due from the start and overdue after the last day; a step with neither is due from
its start and never overdue (the seed gives no days).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from cases.calendar import add_days, nth_day
from cases.model import Case, CaseError
from forms.dates import cn_date
from forms.profiles import EscalationStep, Profile, get_profile


def ladder(profile: Profile) -> list[EscalationStep]:
    """The steps a case records (those with an `event`); a profile without any is refused."""
    steps = [s for s in profile.escalation if s.event]
    if not steps or profile.cases is None:
        raise CaseError(
            f"辖区规定“{profile.name}”没有逐生的劝返步骤（未规定每个学生的劝返怎样逐步办理），不能开辍学个案"
        )
    return steps


def first_kind(profile: Profile) -> str:
    """The kind a case opens as (疑似辍学)."""
    ladder(profile)
    assert profile.cases is not None
    return profile.cases.first_kind.value


def get_step(profile: Profile, number: int) -> EscalationStep:
    for step in ladder(profile):
        if step.step == number:
            return step
    raise CaseError(f"辖区规定“{profile.name}”没有第{number}步")


@dataclass(frozen=True)
class Timing:
    start: date | None  # None: the step it counts from is not recorded yet
    earliest: date | None
    deadline: date | None


def timing(
    case: Case, step: EscalationStep, steps: list[EscalationStep], holidays: frozenset[date]
) -> Timing:
    start: date | None
    from_absence = step.from_step is None and step.after_days is not None
    if step.from_step is not None:
        event = case.step_event(step.from_step)
        start = event.date if event else None
    elif from_absence:
        start = case.episode_start
    else:
        index = steps.index(step)
        if index == 0:
            start = case.episode_start
        else:
            event = case.step_event(steps[index - 1].step)
            start = event.date if event else None
    if start is None:
        return Timing(None, None, None)
    earliest, deadline = start, None
    if step.after_days is not None:
        if from_absence:
            earliest = nth_day(start, step.after_days, step.counts, holidays)
        else:
            earliest = add_days(start, step.after_days, step.counts, holidays)
        deadline = earliest
    if step.within_days is not None:
        deadline = add_days(start, step.within_days, step.counts, holidays)
    return Timing(start, earliest, deadline)


@dataclass(frozen=True)
class DueItem:
    case_id: str
    student: str
    school: str
    township: str
    step: int
    actor: str
    action: str
    trigger: str
    document: str | None
    source: str
    reading: str | None
    earliest: date
    deadline: date | None
    status: Literal["due", "overdue"]
    days_overdue: int

    @property
    def rule(self) -> str:
        return f"{self.trigger}：{self.actor}{self.action}"

    @property
    def status_name(self) -> str:
        if self.status == "overdue":
            return f"逾期{self.days_overdue}日"
        if self.deadline is None:
            return "应办（规定未定期限）"
        if self.deadline == self.earliest:
            return "今日应办"
        return f"应于{cn_date(self.deadline)}前办理"


def case_due(
    case: Case, on: date, holidays: frozenset[date] = frozenset(), profile: Profile | None = None
) -> list[DueItem]:
    if case.status != "open":
        return []
    profile = profile or get_profile(case.profile_id)
    steps = ladder(profile)
    out: list[DueItem] = []
    for step in steps:
        if case.step_event(step.step) is not None:
            continue
        t = timing(case, step, steps, holidays)
        if t.earliest is None or t.earliest > on:
            continue
        overdue = t.deadline is not None and on > t.deadline
        out.append(
            DueItem(
                case_id=case.id,
                student=case.student.name,
                school=case.school.name,
                township=case.school.township or "",
                step=step.step,
                actor=step.actor,
                action=step.action,
                trigger=step.trigger,
                document=step.document,
                source=step.source,
                reading=step.reading,
                earliest=t.earliest,
                deadline=t.deadline,
                status="overdue" if overdue else "due",
                days_overdue=(on - t.deadline).days if overdue and t.deadline else 0,
            )
        )
    return out


def of_place(
    cases: Iterable[Case], school: str | None = None, township: str | None = None
) -> list[Case]:
    """The cases of one school or township (None: any)."""
    return [
        c
        for c in cases
        if (school is None or c.school.name == school)
        and (township is None or c.school.township == township)
    ]


def due(
    cases: Iterable[Case],
    on: date,
    holidays: Iterable[date] = (),
    school: str | None = None,
    township: str | None = None,
    profiles: Callable[[str], Profile] = get_profile,
) -> list[DueItem]:
    """Steps due or overdue on `on` across cases (optionally one school or township),
    overdue first, then by deadline."""
    days = frozenset(holidays)
    out: list[DueItem] = []
    for case in of_place(cases, school, township):
        out += case_due(case, on, days, profiles(case.profile_id))
    return sorted(
        out, key=lambda d: (d.status != "overdue", d.deadline or d.earliest, d.case_id, d.step)
    )
