"""Changing a case: open, record a step, close (销号), reopen. Each function checks every
precondition first and returns a new case; a refusal raises CaseError with the reason in
Chinese and the case is left as it was."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from cases.ladder import first_kind, ladder, timing
from cases.model import (
    CLOSING,
    EVENT_NAMES,
    Case,
    CaseError,
    CaseOpening,
    Closing,
    Event,
    OpenCaseExists,
)
from forms.dates import cn_date
from forms.models import Student
from forms.profiles import EscalationStep, Profile


def _check_day(case: Case, day: date, today: date, what: str) -> None:
    if day < case.episode_start:
        raise CaseError(
            f"{what}日期{cn_date(day)}早于个案的未到校起始日期{cn_date(case.episode_start)}"
        )
    if day > today:
        raise CaseError(f"{what}日期{cn_date(day)}晚于今天（{cn_date(today)}），不能预先记录")


def _check_school(case: Case, school: str | None) -> None:
    if school is not None and school != case.school.name:
        raise CaseError(
            f"学生{case.student.name}是{case.school.name}的学生，不是{school}的学生，不能由本校记录"
        )


def _rules(profile: Profile) -> tuple[list[EscalationStep], int]:
    steps = ladder(profile)
    assert profile.cases is not None  # ladder() refuses a profile without case rules
    return steps, profile.cases.reopen_within_days.value


def open_case(
    case_id: str,
    profile: Profile,
    opening: CaseOpening,
    today: date,
    existing: Iterable[Case] = (),
) -> Case:
    """A new case (疑似辍学) from the first day absent. A student with an open case is refused;
    one whose case closed within the profile's window must be reopened instead."""
    _, window = _rules(profile)
    student, opened = opening.student, opening.opened
    if opened > today:
        raise CaseError(f"未到校起始日期{cn_date(opened)}晚于今天（{cn_date(today)}）")
    for other in existing:
        if not _same_student(other.student, student):
            continue
        if other.status == "open":
            raise OpenCaseExists(f"学生{student.name}已有未销号的个案{other.id}，请在该个案中记录")
        if other.closed_on is not None and opened - other.closed_on <= timedelta(days=window):
            raise CaseError(
                f"学生{student.name}的个案{other.id}于{cn_date(other.closed_on)}销号，"
                f"{window}日内再次未到校应重开该个案（baoxue cases reopen）"
            )
    return Case(
        id=case_id,
        profile_id=profile.id,
        student=student,
        guardian=opening.guardian,
        school=opening.school,
        opened=opened,
        kind=first_kind(profile),
        reason=opening.reason,
    )


def _same_student(a: Student, b: Student) -> bool:
    if a.id_number and b.id_number:
        return a.id_number == b.id_number
    return a.name == b.name and a.birth_date == b.birth_date


def _matching_step(case: Case, steps: list[EscalationStep], kind: str) -> EscalationStep | None:
    for step in steps:
        if step.event == kind and case.step_event(step.step) is None:
            return step
    return None


def record(
    case: Case,
    event: Event,
    profile: Profile,
    today: date,
    school: str | None = None,
    holidays: Iterable[date] = (),
) -> Case:
    """Record an event; one of the ladder's kinds is that step, checked against its order
    and its earliest day. Other events (a second visit, a phone call where the ladder has
    none) are kept as they are."""
    steps, _ = _rules(profile)
    _check_school(case, school)
    if case.status != "open":
        raise CaseError(
            f"个案{case.id}已于{cn_date(case.closed_on or case.opened)}销号；"
            "学生再次未到校请重开个案"
        )
    if event.kind in (*CLOSING, "closed", "reopened"):
        raise CaseError(f"“{EVENT_NAMES[event.kind]}”请用销号或重开个案办理")
    _check_day(case, event.date, today, EVENT_NAMES[event.kind])
    last = max((e.date for e in case.episode_events()), default=None)
    if last is not None and event.date < last:
        raise CaseError(
            f"{EVENT_NAMES[event.kind]}日期{cn_date(event.date)}早于个案已记录的最近一次日期{cn_date(last)}，"
            "请按时间顺序记录"
        )
    step = _matching_step(case, steps, event.kind)
    kind = case.kind
    if step is not None:
        for earlier in steps[: steps.index(step)]:
            if not earlier.optional and case.step_event(earlier.step) is None:
                raise CaseError(
                    f"第{earlier.step}步（{earlier.actor}{earlier.action}）尚未记录，"
                    f"不能先记录第{step.step}步（{step.action}）"
                )
        t = timing(case, step, steps, frozenset(holidays))
        if t.earliest is not None and event.date < t.earliest:
            raise CaseError(
                f"第{step.step}步（{step.action}）最早{cn_date(t.earliest)}才能办理："
                f"{step.trigger}（{step.source}）"
            )
        number = event.number
        if step.document and not number:
            number = f"{case.id}-{step.step}"
        event = event.model_copy(update={"step": step.step, "number": number})
        kind = step.becomes or kind
    event = event.model_copy(update={"recorded_on": today})
    return case.model_copy(update={"events": [*case.events, event], "kind": kind}, deep=True)


def close(case: Case, closing: Closing, today: date, school: str | None = None) -> Case:
    """销号: the student returned (on the return date), transferred (to the receiving school)
    or is on an approved suspension (its approval number)."""
    _check_school(case, school)
    how, on = closing.how, closing.date
    if case.status != "open":
        raise CaseError(f"个案{case.id}已于{cn_date(case.closed_on or case.opened)}销号")
    _check_day(case, on, today, EVENT_NAMES[how])
    last = max((e.date for e in case.episode_events()), default=None)
    if last is not None and on < last:
        raise CaseError(
            f"{EVENT_NAMES[how]}日期{cn_date(on)}早于个案已记录的最近一次日期{cn_date(last)}"
        )
    if how == "transferred" and not closing.receiving_school:
        raise CaseError("转学销号须写明转入学校")
    if how == "suspended" and not closing.approval:
        raise CaseError("休学销号须写明休学批准文号：只有经批准的休学才能销号")
    event = Event(
        kind=how,
        date=on,
        who=closing.who,
        note=closing.note,
        receiving_school=closing.receiving_school,
        approval=closing.approval,
        recorded_on=today,
    )
    return case.model_copy(
        update={
            "events": [*case.events, event],
            "status": "closed",
            "closed_on": on,
            "close_reason": EVENT_NAMES[how],
        },
        deep=True,
    )


def reopen(
    case: Case,
    profile: Profile,
    absent_from: date,
    who: str,
    today: date,
    school: str | None = None,
    note: str | None = None,
) -> Case:
    """The student stopped again within the profile's window after 销号: the case reopens
    as a new case would start (the ladder counts from `absent_from`), its history kept."""
    _, window = _rules(profile)
    _check_school(case, school)
    if case.status != "closed" or case.closed_on is None:
        raise CaseError(f"个案{case.id}尚未销号，不需要重开")
    if absent_from < case.closed_on:
        raise CaseError(
            f"再次未到校日期{cn_date(absent_from)}早于销号日期{cn_date(case.closed_on)}"
        )
    if absent_from > today:
        raise CaseError(f"再次未到校日期{cn_date(absent_from)}晚于今天（{cn_date(today)}）")
    if absent_from - case.closed_on > timedelta(days=window):
        assert profile.cases is not None
        raise CaseError(
            f"个案{case.id}于{cn_date(case.closed_on)}销号，至{cn_date(absent_from)}已超过{window}日，"
            f"应新开个案（{profile.cases.reopen_within_days.source}）"
        )
    assert profile.cases is not None
    event = Event(kind="reopened", date=absent_from, who=who, note=note, recorded_on=today)
    return case.model_copy(
        update={
            "events": [*case.events, event],
            "status": "open",
            "closed_on": None,
            "close_reason": None,
            "kind": profile.cases.first_kind.value,
        },
        deep=True,
    )
