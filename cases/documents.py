"""Each step's document from the case: the record prefilled (student, guardian, school,
dates, the notice number the report cites, the visits so far), validated by its form (which
keeps its own refusals) and rendered through the shared renderer (PDF and DOCX)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from cases.ladder import get_step, ladder
from cases.model import Case, CaseDocument, CaseError, Event
from forms.files import write_output
from forms.profiles import EscalationStep, Profile
from forms.registry import get_form
from forms.render.document import render_record, validate_record

# The events that are persuasion attempts a report lists (劝返经过).
ATTEMPTS = ("phone_call", "home_visit", "joint_visit", "notice_served", "measure")


def _people(case: Case) -> dict[str, Any]:
    return {
        "student": case.student.model_dump(mode="json", exclude_none=True),
        "guardian": case.guardian.model_dump(mode="json", exclude_none=True),
        "school": case.school.model_dump(mode="json", exclude_none=True),
    }


def _visit(case: Case, step: EscalationStep, event: Event, profile: Profile) -> dict[str, Any]:
    participants = [p.model_dump(mode="json", exclude_none=True) for p in event.participants]
    if not participants:
        names = [n for n in re.split(r"[、，,;；\s]+", event.who) if n]
        participants = [{"name": n, "body": "school", "unit": case.school.name} for n in names]
    steps = ladder(profile)
    following = steps[steps.index(step) + 1 :]
    return {
        "number": event.number,
        "purpose_kind": "劝返",
        "date": event.date.isoformat(),
        "place": event.place or case.guardian.address or "学生家中",
        "participants": participants,
        "purpose": step.action,
        "process": event.note or step.action,
        "outcome": event.outcome or "学生仍未返校",
        "next_steps": following[0].actor + following[0].action if following else None,
    }


def _notice(case: Case, step: EscalationStep, event: Event, profile: Profile) -> dict[str, Any]:
    return {
        "number": event.number,
        "issue_date": event.date.isoformat(),
        "absence_start": case.episode_start.isoformat(),
    }


def _attempts(case: Case, event: Event) -> list[dict[str, Any]]:
    out = []
    for e in case.episode_events():
        if e is event or e.date > event.date:
            break
        if e.kind in ATTEMPTS:
            method = e.name + (f"（{e.number}）" if e.kind == "notice_served" and e.number else "")
            out.append(
                {
                    "date": e.date.isoformat(),
                    "who": e.who,
                    "method": method,
                    "result": e.outcome or "学生仍未返校",
                    # everyone who went, not only who recorded it (issue 23)
                    "participants": [
                        p.model_dump(mode="json", exclude_none=True) for p in e.participants
                    ],
                }
            )
    return out


def _by_kind(case: Case, kind: str) -> Event | None:
    return next((e for e in case.episode_events() if e.kind == kind and e.step), None)


def _report(case: Case, step: EscalationStep, event: Event, profile: Profile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": event.number,
        "issue_date": event.date.isoformat(),
        "absence_start": case.episode_start.isoformat(),
        "reason": case.reason,
        "attempts": _attempts(case, event),
        "guardian_response": event.outcome or "经劝返仍未送学生返校",
    }
    notice = _by_kind(case, "notice_served")
    if notice is not None:
        data["notice"] = {"number": notice.number, "date": notice.date.isoformat()}
    return data


def _deadline(case: Case, step: EscalationStep, event: Event, profile: Profile) -> dict[str, Any]:
    report = _by_kind(case, "report_sent")
    if report is None:
        raise CaseError("个案中没有书面报告，不能生成限期返校通知书")
    return {
        "number": event.number,
        "issue_date": event.date.isoformat(),
        "report_date": report.date.isoformat(),
        "report_number": report.number,
        "absence_start": case.episode_start.isoformat(),
    }


Builder = Callable[[Case, EscalationStep, Event, Profile], dict[str, Any]]
BUILDERS: dict[str, Builder] = {
    "home_visit_record": _visit,
    "return_notice": _notice,
    "dropout_report": _report,
    "deadline_notice": _deadline,
}


def step_record(case: Case, step_no: int, profile: Profile) -> tuple[str, dict[str, Any]]:
    """(form id, record data) for a recorded step's document."""
    step = get_step(profile, step_no)
    if not step.document:
        raise CaseError(f"第{step.step}步（{step.action}）没有文书")
    event = case.step_event(step.step)
    if event is None:
        raise CaseError(f"第{step.step}步（{step.action}）尚未记录，先记录再生成文书")
    builder = BUILDERS.get(step.document)
    if builder is None:
        raise CaseError(f"个案还不能生成《{get_form(step.document).name}》")
    return step.document, {**builder(case, step, event, profile), **_people(case)}


def generate(
    case: Case,
    step_no: int,
    profile: Profile,
    out_dir: Path,
    today: date,
    formats: tuple[str, ...] = ("pdf", "docx"),
) -> tuple[Case, CaseDocument]:
    """Render a step's document into out_dir and link it to the case (a later render of
    the same step replaces the link). A record the form refuses raises RecordError."""
    form_id, data = step_record(case, step_no, profile)
    kind = get_form(form_id)
    record = validate_record(kind, data, f"个案{case.id}第{step_no}步")
    rendered = render_record(kind, record, profile, formats)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for fmt, content in rendered.items():
        target = out_dir / f"{case.id}-{step_no:02d}-{form_id}.{fmt}"
        write_output(target, content)
        files.append(str(target))
    title = str(profile.wording(form_id, case.school.township).get("title", kind.name))
    doc = CaseDocument(
        step=step_no,
        form_id=form_id,
        title=title,
        number=str(data.get("number") or ""),
        files=files,
        generated_on=today,
    )
    documents = [d for d in case.documents if d.step != step_no] + [doc]
    return case.model_copy(update={"documents": documents}, deep=True), doc
