"""Building blocks of the case tests: a student per profile, a case opened on a Monday."""

from __future__ import annotations

from datetime import date
from typing import Any

from cases.actions import close, open_case, record
from cases.model import Case, CaseOpening, Closing, Event
from forms.profiles import get_profile

TODAY = date(2026, 4, 30)
MONDAY = date(2026, 3, 2)

PEOPLE: dict[str, dict[str, Any]] = {
    "jiaotan-2025": {
        "student": {
            "name": "汪志强",
            "id_number": "360222201205210231",
            "grade": "八年级",
            "class_name": "1班",
        },
        "guardian": {"name": "汪德胜", "relation": "父亲", "phone": "13907981234"},
        "school": {"name": "浮梁县蛟潭第二中学", "township": "蛟潭镇"},
    },
    "liupu-2026": {
        "student": {
            "name": "韦堃",
            "id_number": "450331201203150013",
            "grade": "八年级",
            "class_name": "3班",
        },
        "guardian": {"name": "韦建国", "relation": "父亲", "phone": "13800771234"},
        "school": {"name": "荔浦市第二初级中学", "township": "修仁镇"},
    },
    "xiuyan-2024": {
        "student": {
            "name": "关小雪",
            "id_number": "210323201203150027",
            "grade": "七年级",
            "class_name": "2班",
        },
        "guardian": {"name": "关德福", "relation": "父亲"},
        "school": {"name": "岫岩满族自治县某镇初级中学", "township": "某镇"},
    },
}


def new_case(profile_id: str, opened: date = MONDAY, case_id: str = "C-1") -> Case:
    people = PEOPLE[profile_id]
    opening = CaseOpening.model_validate({**people, "opened": opened, "reason": "厌学"})
    return open_case(case_id, get_profile(profile_id), opening, TODAY)


def step(case: Case, kind: str, day: date, **extra: Any) -> Case:
    event = Event.model_validate(
        {"kind": kind, "date": day, "who": extra.pop("who", "班主任"), **extra}
    )
    return record(
        case, event, get_profile(case.profile_id), TODAY, holidays=extra.pop("holidays", ())
    )


def shut(case: Case, how: str, day: date, who: str = "班主任", **extra: Any) -> Case:
    """销号 through the library's close."""
    closing = Closing.model_validate({"how": how, "date": day, "who": who, **extra})
    return close(case, closing, TODAY)
