"""巩固率, 入学率, 残疾儿童少年入学率, 辍学率, 劝返率 on a small roster and real cases, each
rate worked out by hand below; the formulas are the YAML's, the targets the profiles'."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from cases_helpers import new_case, shut, step

from cases.model import Case
from forms.profiles import get_profile
from supervision.config import rates_config
from supervision.formula import FormulaError, evaluate, names
from supervision.rates import COUNTS, UnitRates, dropouts_from_cases, read_children, unit_rates

START, ON = date(2026, 3, 1), date(2026, 4, 30)
A, B, C = "荔浦市第二初级中学", "修仁镇中心小学", "东昌镇初级中学"
ROSTER = """姓名,出生日期,学校名称,所在乡镇,入学状态,残疾类别
李小明,2012-05-01,荔浦市第二初级中学,修仁镇,在校,
王小华,2012-06-01,荔浦市第二初级中学,修仁镇,在校,
张小芳,2012-07-01,荔浦市第二初级中学,修仁镇,在读,
刘小军,2012-08-01,荔浦市第二初级中学,修仁镇,在校,
韦堃,2012-03-15,荔浦市第二初级中学,修仁镇,辍学,
莫小芳,2013-02-02,荔浦市第二初级中学,修仁镇,送教上门,肢体二级
陈小丽,2017-01-01,修仁镇中心小学,修仁镇,在校,
杨小强,2017-02-01,修仁镇中心小学,修仁镇,在校,
黄小敏,2017-03-01,修仁镇中心小学,修仁镇,在校,
赵小静,2008-03-01,修仁镇中心小学,修仁镇,在校,
覃小明,2014-01-05,,修仁镇,未入学,智力三级
吴小磊,2011-05-01,东昌镇初级中学,东昌镇,在校,
周小洋,2011-06-01,东昌镇初级中学,东昌镇,在校,
"""


def _dropout(case_id: str, name: str, returned: bool) -> Case:
    """A Liupu case walked to 辍学 (step 3, 000 § 四(一)3), returned or not."""
    case = new_case("liupu-2026", date(2026, 3, 2), case_id)
    case = case.model_copy(update={"student": case.student.model_copy(update={"name": name})})
    case = step(case, "home_visit", date(2026, 3, 3), step=1)
    case = step(case, "notice_served", date(2026, 3, 5), step=2, number="劝返〔2026〕1号")
    case = step(case, "report_sent", date(2026, 3, 13), step=3)
    if returned:
        case = shut(case, "returned", date(2026, 3, 20))
    return case


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> dict[str, UnitRates]:
    path: Path = tmp_path_factory.mktemp("rates") / "摸排名单.csv"
    path.write_text(ROSTER, encoding="utf-8")
    suspected = new_case("liupu-2026", date(2026, 3, 2), "C-3")  # only 疑似辍学: not counted
    school_c = suspected.school.model_copy(update={"name": C, "township": "东昌镇"})
    suspected = suspected.model_copy(update={"school": school_c})
    before = _dropout("C-4", "覃小红", returned=False).model_copy(
        update={"opened": date(2026, 2, 20)}  # opened before the period: not counted
    )
    cases = [_dropout("C-1", "韦堃", True), _dropout("C-2", "蒙小俊", False), suspected, before]
    profiles = {p: get_profile(p) for p in ("liupu-2026", "jiaotan-2025", "xiuyan-2024")}
    dropouts = dropouts_from_cases(cases, ON, profiles)
    out = unit_rates(
        read_children(path),
        dropouts,
        START,
        ON,
        "荔浦市",
        profiles["xiuyan-2024"],
        {A: profiles["liupu-2026"], B: profiles["jiaotan-2025"]},
    )
    return {u.name: u for u in out}


def _values(u: UnitRates) -> dict[str, float | None]:
    return {r.key: None if r.value is None else round(r.value, 2) for r in u.rates}


def test_a_school_with_two_dropouts_one_returned(units: dict[str, UnitRates]) -> None:
    a = units[A]
    # 在籍 at the start: 4 在校/在读 + 1 辍学 + 1 送教上门 = 6; all 6 are 6–15 on 2025-09-01;
    # 在学 5; disabled 1, in school (送教上门); dropouts C-1 (returned), C-2 (open) = 2.
    assert a.counts == {
        "school_age": 6,
        "school_age_enrolled": 5,
        "disabled": 1,
        "disabled_enrolled": 1,
        "enrolled_start": 6,
        "dropouts": 2,
        "dropouts_open": 1,
        "returned": 1,
    }
    assert _values(a) == {
        "retention_rate": round((6 - 1) / 6 * 100, 2),  # 83.33
        "enrolment_rate": round(5 / 6 * 100, 2),
        "disabled_enrolment_rate": 100.0,
        "dropout_rate": round(1 / 6 * 100, 2),  # 16.67
        "return_rate": 50.0,
    }
    # against liupu-2026's targets: only 辍学率 0 (000 § 二)
    met = {r.key: r.met for r in a.rates}
    assert met["dropout_rate"] is False and met["retention_rate"] is None
    assert [r.key for r in a.missed] == ["dropout_rate"]


def test_a_school_without_dropouts_meets_the_return_target(units: dict[str, UnitRates]) -> None:
    b = units[B]
    # 赵小静 (17 on 2025-09-01) is on the roll but not school-age.
    assert b.counts["enrolled_start"] == 4 and b.counts["school_age"] == 3
    rates = {r.key: r for r in b.rates}
    assert rates["retention_rate"].value == 100.0 and rates["dropout_rate"].value == 0.0
    assert rates["disabled_enrolment_rate"].value is None
    assert rates["disabled_enrolment_rate"].shown == "无可统计"
    # jiaotan-2025: 劝返率 100% — no dropout to return: “无辍学学生”, counted as met
    assert rates["return_rate"].value is None and rates["return_rate"].shown == "无辍学学生"
    assert rates["return_rate"].met is True
    assert rates["retention_rate"].met is True and rates["dropout_rate"].met is True


def test_township_and_county_add_up(units: dict[str, UnitRates]) -> None:
    town = units["修仁镇"]
    # A (6) + B (4) on the roll = 10; school-age 6 + 3 + 覃小明 (no school) = 10, 8 in school;
    # disabled 莫小芳 (送教) and 覃小明 (未入学): 1 of 2.
    assert _values(town) == {
        "retention_rate": 90.0,
        "enrolment_rate": 80.0,
        "disabled_enrolment_rate": 50.0,
        "dropout_rate": 10.0,
        "return_rate": 50.0,
    }
    county = units["荔浦市"]
    assert county.level == "county"
    assert _values(county) == {
        "retention_rate": round(11 / 12 * 100, 2),
        "enrolment_rate": round(10 / 12 * 100, 2),
        "disabled_enrolment_rate": 50.0,
        "dropout_rate": round(1 / 12 * 100, 2),
        "return_rate": 50.0,
    }
    # xiuyan-2024's targets (003 § 二): 巩固率 ≥98, 入学率 100, 残疾 ≥95 — all missed
    assert {r.key for r in county.missed} == {
        "retention_rate",
        "enrolment_rate",
        "disabled_enrolment_rate",
    }
    c = units[C]  # a 疑似辍学 case is not a dropout
    assert c.counts["dropouts"] == 0 and _values(c)["retention_rate"] == 100.0


def test_formulas_are_the_yaml_and_nothing_else() -> None:
    config = rates_config()
    for key, spec in config.rates.items():
        assert spec.source and spec.reading, key
        assert names(spec.formula) <= set(COUNTS) == set(config.counts), key
    assert config.formula_text("retention_rate") == (
        "（期初在籍学生数 − 未复学的辍学学生数） ÷ 期初在籍学生数 × 100%"
    )
    assert evaluate("(a - b) / a * 100", {"a": 8, "b": 2}) == 75.0
    assert evaluate("a / b", {"a": 1, "b": 0}) is None
    for bad in ("__import__('os')", "a.b", "a ** 2", "[a]"):
        with pytest.raises(FormulaError):
            evaluate(bad, {"a": 1, "b": 1})
