"""Bad input refused with a Chinese message and nothing changed: a step out of order, a
date before the case opened or in the future, a student of another school, a report before
its days; 销号 and reopening within the profile's window."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cases_helpers import MONDAY, PEOPLE, TODAY, new_case, shut, step

from cases.actions import reopen
from cases.model import CaseError
from cases.store import CaseStore
from cases.workflow import close_case, open_from, record_event, reopen_case
from forms.errors import RecordError
from forms.profiles import get_profile


@pytest.fixture
def store(tmp_path: Path) -> CaseStore:
    return CaseStore(tmp_path / "store")


def _opened(store: CaseStore, profile_id: str = "jiaotan-2025") -> str:
    data: dict[str, Any] = {**PEOPLE[profile_id], "opened": MONDAY.isoformat(), "reason": "厌学"}
    return open_from(store, profile_id, data, "文员", TODAY).id


def _snapshot(store: CaseStore) -> tuple[bytes, bytes]:
    files = b"".join(p.read_bytes() for p in sorted(store.cases_dir.glob("*.json")))
    return files, store.log_path.read_bytes()


REFUSALS = [
    (
        {"kind": "home_visit", "date": "2026-03-04", "who": "朱"},
        None,
        "第1步（班主任当日电话联系监护人）尚未记录，不能先记录第2步",
    ),
    (
        {"kind": "phone_call", "date": "2026-02-27", "who": "朱"},
        None,
        "早于个案的未到校起始日期2026年3月2日",
    ),
    (
        {"kind": "phone_call", "date": "2026-05-04", "who": "朱"},
        None,
        "晚于今天（2026年4月30日），不能预先记录",
    ),
    (
        {"kind": "phone_call", "date": "2026-03-02", "who": "朱"},
        "荔浦市第二初级中学",
        "是浮梁县蛟潭第二中学的学生，不是荔浦市第二初级中学的学生",
    ),
    ({"kind": "returned", "date": "2026-03-02", "who": "朱"}, None, "请用销号或重开个案办理"),
]


@pytest.mark.parametrize(("event", "school", "message"), REFUSALS)
def test_refused_and_nothing_changed(
    store: CaseStore, event: dict[str, Any], school: str | None, message: str
) -> None:
    case_id = _opened(store)
    before = _snapshot(store)
    with pytest.raises(CaseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        record_event(store, case_id, event, "文员", TODAY, school)
    assert _snapshot(store) == before


def test_a_step_before_its_days_is_refused_with_the_rule(store: CaseStore) -> None:
    case_id = _opened(store)
    record_event(
        store, case_id, {"kind": "phone_call", "date": "2026-03-02", "who": "朱"}, "文员", TODAY
    )
    before = _snapshot(store)
    with pytest.raises(
        CaseError, match=r"最早2026年3月4日才能办理：无故3日未到校（004 § 四\(二\)1）"
    ):
        record_event(
            store, case_id, {"kind": "home_visit", "date": "2026-03-03", "who": "朱"}, "文员", TODAY
        )
    assert _snapshot(store) == before


def test_liupu_report_before_the_notice_has_run_is_refused() -> None:
    case = step(
        step(new_case("liupu-2026"), "home_visit", date(2026, 3, 4)),
        "notice_served",
        date(2026, 3, 13),
    )
    with pytest.raises(CaseError, match="最早2026年3月20日才能办理"):
        step(case, "report_sent", date(2026, 3, 19))
    assert step(case, "report_sent", date(2026, 3, 20)).kind == "辍学"


def test_dates_in_order_and_an_invalid_event_listed_in_chinese(store: CaseStore) -> None:
    case_id = _opened(store)
    record_event(
        store, case_id, {"kind": "phone_call", "date": "2026-03-03", "who": "朱"}, "文员", TODAY
    )
    with pytest.raises(CaseError, match="早于个案已记录的最近一次日期2026年3月3日"):
        record_event(
            store, case_id, {"kind": "phone_call", "date": "2026-03-02", "who": "朱"}, "文员", TODAY
        )
    with pytest.raises(RecordError, match="日期"):
        record_event(
            store, case_id, {"kind": "phone_call", "date": "2026-02-30", "who": "朱"}, "文员", TODAY
        )


def test_opening_refuses_a_second_open_case_and_a_bad_id(store: CaseStore) -> None:
    _opened(store)
    with pytest.raises(CaseError, match="已有未销号的个案"):
        _opened(store)
    bad = {**PEOPLE["liupu-2026"], "opened": "2026-03-02"}
    bad["student"] = {**bad["student"], "id_number": "450331201203150014"}
    with pytest.raises(RecordError, match="校验码错误"):
        open_from(store, "liupu-2026", bad, "文员", TODAY)
    assert len(store.all()) == 1


def test_a_profile_without_per_student_steps_opens_no_case() -> None:
    from cases.ladder import ladder
    from forms.profiles import get_profile

    profile = get_profile("xixiangtang-2020")
    plan_only = profile.model_copy(
        update={"escalation": [s.model_copy(update={"event": None}) for s in profile.escalation]}
    )
    with pytest.raises(CaseError, match="没有逐生的劝返步骤"):
        ladder(plan_only)


def test_closing_needs_what_the_closing_says() -> None:
    case = new_case("liupu-2026")
    with pytest.raises(CaseError, match="转学销号须写明转入学校"):
        shut(case, "transferred", date(2026, 3, 10), "莫")
    with pytest.raises(CaseError, match="只有经批准的休学才能销号"):
        shut(case, "suspended", date(2026, 3, 10), "莫")
    moved = shut(case, "transferred", date(2026, 3, 10), "莫", receiving_school="广州市某中学")
    assert moved.status == "closed" and moved.close_reason == "转学"
    rest = shut(case, "suspended", date(2026, 3, 10), "莫", approval="荔教休〔2026〕3号")
    assert rest.close_reason == "休学" and rest.events[-1].approval == "荔教休〔2026〕3号"
    assert moved.events[-1].receiving_school == "广州市某中学"
    with pytest.raises(CaseError, match="已于2026年3月10日销号"):
        step(moved, "home_visit", date(2026, 3, 11))
    assert case.status == "open"  # the original is untouched


def test_reopen_within_the_window_restarts_the_ladder(store: CaseStore) -> None:
    case_id = _opened(store)
    record_event(
        store, case_id, {"kind": "phone_call", "date": "2026-03-02", "who": "朱"}, "文员", TODAY
    )
    close_case(
        store, case_id, {"how": "returned", "date": "2026-03-03", "who": "朱"}, "文员", TODAY
    )
    with pytest.raises(CaseError, match="应重开该个案"):
        _opened(store)
    case = reopen_case(store, case_id, date(2026, 4, 1), "朱", TODAY)  # 29 days later
    assert (
        case.status == "open" and case.kind == "疑似辍学" and case.episode_start == date(2026, 4, 1)
    )
    from cases.ladder import case_due

    assert [i.step for i in case_due(case, date(2026, 4, 1))] == [1]  # phone call again
    assert [e.action for e in store.log(case_id)] == ["open", "record", "close", "reopen"]


def test_reopen_after_the_window_is_refused_with_its_source() -> None:
    profile = get_profile("jiaotan-2025")
    closed = shut(new_case("jiaotan-2025"), "returned", date(2026, 3, 3), "朱")
    window = profile.cases.reopen_within_days.value  # type: ignore[union-attr]
    assert window == 30
    with pytest.raises(CaseError, match=r"已超过30日，应新开个案（004 § 四\(一\)2）"):
        reopen(closed, profile, date(2026, 4, 3), "朱", TODAY)
    assert reopen(closed, profile, date(2026, 4, 2), "朱", TODAY).status == "open"
    with pytest.raises(CaseError, match="尚未销号"):
        reopen(new_case("jiaotan-2025"), profile, date(2026, 3, 3), "朱", TODAY)
