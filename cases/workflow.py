"""Load, change, save: the case actions over a store, each change logged with who made it.
The CLI, the demo and the tests call these; a refusal (CaseError, RecordError) saves nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cases.actions import close, open_case, record, reopen
from cases.documents import generate
from cases.model import Case, CaseDocument, CaseError, CaseOpening, Closing, Event
from cases.store import CaseStore
from forms.errors import RecordError, translate
from forms.profiles import get_profile

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: dict[str, Any], source: str = "") -> M:
    """The model, or a RecordError listing every field's problem in Chinese."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RecordError(translate(exc, model), source) from None


def open_from(
    store: CaseStore, profile_id: str, data: dict[str, Any], who: str, today: date
) -> Case:
    opening = validated(CaseOpening, data)
    case = open_case(
        store.new_id(opening.opened), get_profile(profile_id), opening, today, store.all()
    )
    store.save(
        case, "open", who, f"开案：{case.student.name}，{opening.opened.isoformat()}起未到校"
    )
    return case


def record_event(
    store: CaseStore,
    case_id: str,
    data: dict[str, Any],
    who: str,
    today: date,
    school: str | None = None,
    holidays: Iterable[date] = (),
) -> Case:
    case = store.get(case_id)
    event = validated(Event, data)
    case = record(case, event, get_profile(case.profile_id), today, school, holidays)
    step = case.events[-1].step
    what = f"第{step}步 " if step else ""
    store.save(case, "record", who, f"记录{what}{event.name}（{event.date.isoformat()}）")
    return case


def close_case(
    store: CaseStore,
    case_id: str,
    closing: dict[str, Any],
    who: str,
    today: date,
    school: str | None = None,
) -> Case:
    how = validated(Closing, closing)
    case = close(store.get(case_id), how, today, school)
    store.save(case, "close", who, f"销号：{case.close_reason}（{how.date.isoformat()}）")
    return case


def reopen_case(
    store: CaseStore,
    case_id: str,
    absent_from: date,
    who: str,
    today: date,
    school: str | None = None,
    note: str | None = None,
) -> Case:
    case = store.get(case_id)
    case = reopen(case, get_profile(case.profile_id), absent_from, who, today, school, note)
    store.save(case, "reopen", who, f"重开：{absent_from.isoformat()}起再次未到校")
    return case


def document(
    store: CaseStore, case_id: str, step: int, who: str, today: date, school: str | None = None
) -> CaseDocument:
    case = store.get(case_id)
    if school is not None and school != case.school.name:
        raise CaseError(f"个案{case.id}不是{school}的个案")
    case, doc = generate(case, step, get_profile(case.profile_id), store.documents_dir, today)
    store.save(case, "document", who, f"生成第{step}步文书 {doc.title}（{doc.number}）")
    return doc
