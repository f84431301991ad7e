"""四查三对比 (issue 22): every category planted, mistyped IDs, name typos, ages at the
9月1日 boundary, a person whose lists disagree, cases opened once, the outputs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cases.lists import Entry, ListFile, clean_name
from cases.matching import BY_ID, BY_NAME_BIRTH, BY_NEAR_ID, BY_SIMILAR_NAME, Matcher
from cases.reconcile import (
    ReconcileError,
    age_day,
    age_on,
    categories,
    open_cases,
    reconcile,
    school_year_of,
)
from cases.reconcile_output import write_pdf, write_xlsx
from cases.sample_lists import (
    GIVEN,
    SURNAMES,
    make_id,
    planted,
    write_csv,
    write_township,
    wrong_check_digit,
)
from cases.store import CaseStore
from forms.profiles import get_profile

ON = date(2026, 3, 9)


def _entry(
    kind: str, name: str, number: str | None = None, birth: date | None = None, **kw: str
) -> Entry:
    from forms.idcard import IdNumberError, parse_id_number

    valid, problem = False, None
    if number:
        try:
            info = parse_id_number(number)
            valid, birth = True, info.birth_date
        except IdNumberError as exc:
            problem = str(exc)
    return Entry(
        kind, 1, clean_name(name), number, valid, problem, birth, birth, None,
        kw.get("school"), None, None, None, None, None,
    )  # fmt: skip


@pytest.fixture(scope="module")
def township(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_township(tmp_path_factory.mktemp("lists"))


@pytest.fixture(scope="module")
def result(township: dict[str, Path]):  # type: ignore[no-untyped-def]
    return reconcile(
        [ListFile(k, p) for k, p in township.items()],
        get_profile("jiaotan-2025"),
        ON,
        unit="蛟潭镇",
    )


def test_every_category_planted_is_found_and_nothing_else(result) -> None:  # type: ignore[no-untyped-def]
    _, expected = planted(2025)
    assert {c.id for c in categories()} == set(result.children)
    for category, children in result.children.items():
        assert sorted(c.person.name for c in children) == sorted(expected[category]), category
    assert sorted(c.person.name for c in result.mismatched) == sorted(expected["mismatch"])
    assert result.not_compared == {}
    # the child in every list is in no category
    assert "张明远" not in {c.person.name for c in result.flagged()}


def test_ages_at_the_first_of_september_boundary(result) -> None:  # type: ignore[no-untyped-def]
    assert result.age_day == date(2025, 9, 1)
    assert result.year == 2025
    lost = {c.person.name: c for c in result.children["out_of_school"]}
    assert lost["冯一诺"].age == 6  # born 2019-09-01: six on the day
    assert lost["褚国庆"].age == 15  # born 2009-09-02: still fifteen
    flagged = {c.person.name for c in result.flagged()}
    assert "陈小满" not in flagged  # born 2019-09-02: five on 9月1日
    assert "卫国强" not in flagged  # born 2009-09-01: sixteen on 9月1日


def test_school_year_and_age() -> None:
    assert school_year_of(date(2026, 3, 9)) == 2025
    assert school_year_of(date(2026, 8, 31)) == 2025
    assert school_year_of(date(2026, 9, 1)) == 2026
    assert age_day(2026) == date(2026, 9, 1)
    assert age_on(date(2020, 9, 1), date(2026, 9, 1)) == 6
    assert age_on(date(2020, 9, 2), date(2026, 9, 1)) == 5


def test_each_match_says_how_it_was_made(result) -> None:  # type: ignore[no-untyped-def]
    people = {c.person.name: c.person for c in result.mismatched}
    typo_id = people["吴晓东"]
    assert typo_id.kinds() == {"household", "enrolment", "attendance"}
    # the mistyped number (check digit) is one digit from the valid one: matched by it
    assert typo_id.hows[1] in (BY_NEAR_ID, BY_NAME_BIRTH)
    assert typo_id.hows[2] == BY_NAME_BIRTH  # the roll call has no numbers
    typo_name = people["郑晓明"]
    assert BY_SIMILAR_NAME in typo_name.hows
    assert "相近姓名和出生日期" in typo_name.match_note()


def test_a_person_whose_lists_disagree_is_reported(result) -> None:  # type: ignore[no-untyped-def]
    problems = {c.person.name: "；".join(c.problems) for c in result.mismatched}
    assert "学校不一致" in problems["蒋文博"]
    assert "浮梁县蛟潭中心学校" in problems["蒋文博"]
    assert "姓名不一致" in problems["郑晓明"] and "郑小明" in problems["郑晓明"]
    assert "身份证号" in problems["吴晓东"] and "校验码错误" in problems["吴晓东"]


def test_a_digit_mistyped_in_the_birth_part_still_matches_by_near_number() -> None:
    number = make_id(date(2013, 5, 15), 3)
    mistyped = number[:12] + ("6" if number[12] != "6" else "7") + number[13:]  # day typed wrong
    m = Matcher()
    m.add(_entry("household", "吴晓东", number))
    pid = m.add(_entry("enrolment", "吴晓东", mistyped))
    assert pid == 0 and m.people[0].hows[-1] == BY_NEAR_ID
    pid = m.add(_entry("attendance", "吴晓冬", wrong_check_digit(number)))  # a name typo too
    assert pid == 0 and m.people[0].hows[-1] == BY_NEAR_ID


def test_two_valid_numbers_are_two_children_whatever_the_names() -> None:
    born = date(2015, 10, 10)
    m = Matcher()
    assert m.add(_entry("household", "沈佳怡", make_id(born, 1, male=False))) == 0
    assert m.add(_entry("enrolment", "沈佳怡", make_id(born, 2, male=False))) == 1
    assert m.add(_entry("attendance", "沈佳怡", make_id(born, 1, male=False))) == 0
    assert m.people[0].hows[-1] == BY_ID


def test_similar_names_need_the_same_birth_date_and_for_two_characters_the_surname() -> None:
    m = Matcher()
    m.add(_entry("household", "李明", None, date(2014, 1, 1)))
    assert m.add(_entry("enrolment", "王明", None, date(2014, 1, 1))) == 1  # another surname
    assert m.add(_entry("enrolment", "李敏", None, date(2014, 1, 1))) == 0  # same surname
    assert m.add(_entry("enrolment", "郑晓明", None, date(2014, 1, 1))) == 2
    assert m.add(_entry("attendance", "郑小明", None, date(2014, 1, 2))) == 3  # another day
    assert m.add(_entry("attendance", "郑小名", None, date(2014, 1, 1))) == 4  # two characters off
    assert m.similar("欧阳娜娜", "欧阳娜") and not m.similar("张伟", "张伟伟伟")


def test_a_missing_list_leaves_its_comparisons_out_and_says_so(township: dict[str, Path]) -> None:
    res = reconcile(
        [
            ListFile("household", township["household"]),
            ListFile("enrolment", township["enrolment"]),
        ],
        get_profile("liupu-2026"),
        ON,
    )
    assert set(res.children) == {"out_of_school"}
    assert "未提供在校名单" in res.not_compared["separated"]
    assert "未提供残疾儿童名单" in res.not_compared["disabled"]
    # without the roll call and the 残联 list the disabled child counts as out of school
    assert "钱小宝" in {c.person.name for c in res.children["out_of_school"]}


def test_one_list_is_refused() -> None:
    with pytest.raises(ReconcileError, match="两种名单"):
        reconcile([ListFile("household", Path("x.csv"))], get_profile("liupu-2026"), ON)


def test_cases_open_once(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = CaseStore(tmp_path / "cases")
    school = {"name": "浮梁县蛟潭第二中学", "township": "蛟潭镇"}
    first = open_cases(result, store, school, "文员", ON)
    assert sorted(n for n, _ in first.opened) == sorted(
        c.person.name for c in result.children["out_of_school"]
    )
    assert first.refused == []
    cases = store.all()
    assert {c.kind for c in cases} == {"疑似辍学"}
    assert all("有户籍无学籍" in (c.reason or "") for c in cases)
    assert all(c.opened == ON for c in cases)
    again = reconcile(
        [ListFile(k, p) for k, p in write_township(tmp_path / "again").items()],
        get_profile("jiaotan-2025"),
        ON,
    )
    second = open_cases(again, store, school, "文员", ON)
    assert second.opened == [] and len(second.existing) == len(first.opened)
    assert len(store.all()) == len(cases)


def test_cases_need_a_school(township: dict[str, Path], tmp_path: Path) -> None:
    fresh = reconcile(
        [ListFile(k, p) for k, p in township.items()], get_profile("jiaotan-2025"), ON
    )
    res = open_cases(fresh, CaseStore(tmp_path / "c"), {"name": ""}, "文员", ON)
    assert res.opened == [] and res.refused and "学校" in res.refused[0][1]


def test_outputs(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    xlsx = write_xlsx(result, tmp_path / "r.xlsx")
    wb = load_workbook(xlsx)
    titles = [c.title.replace("/", "、")[:31] for c in categories()]
    assert wb.sheetnames == ["汇总", *titles, "信息不一致", "说明"]
    lost = wb[titles[0]]
    header = [c.value for c in lost[1]]
    assert header[:3] == ["序号", "姓名", "性别"] and "应采取的措施" in header
    names = {row[1] for row in lost.iter_rows(min_row=2, values_only=True)}
    assert names == {"李思雨", "孙雅琪", "冯一诺", "褚国庆"}
    summary = {row[0]: row[1] for row in wb["汇总"].iter_rows(min_row=3, values_only=True)}
    assert summary["有户籍无学籍（疑似失学）"] == "4人"
    pdf = write_pdf(result, tmp_path / "r.pdf")
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "有户籍无学籍（疑似失学）" in text and "李思雨" in text
    full = make_id(date(2015, 6, 1), 2, male=False)
    assert full not in text  # masked in the PDF


def test_cli(township: dict[str, Path], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli import main

    args = ["reconcile", "--profile", "jiaotan-2025", "--out", str(tmp_path / "out")]
    for kind, path in township.items():
        args += [f"--{kind}", str(path)]
    run = CliRunner().invoke(main, [*args, "--date", "2026-03-09"])
    assert run.exit_code == 0, run.output
    assert "有户籍无学籍（疑似失学）\t4人" in run.output
    assert (tmp_path / "out" / "四查三对比.xlsx").is_file()
    store = tmp_path / "store"
    opened = CliRunner().invoke(
        main,
        [
            *args,
            "--date",
            "2026-03-09",
            "--open-cases",
            "--school",
            "浮梁县蛟潭第二中学",
            "--store",
            str(store),
        ],
    )
    assert opened.exit_code == 0 and opened.output.count("开案\t") == 4
    again = CliRunner().invoke(
        main,
        [
            *args,
            "--date",
            "2026-03-09",
            "--open-cases",
            "--school",
            "浮梁县蛟潭第二中学",
            "--store",
            str(store),
        ],
    )
    assert (
        again.exit_code == 0
        and "开案\t" not in again.output
        and again.output.count("已有个案") == 4
    )
    bad = CliRunner().invoke(
        main,
        ["reconcile", "--profile", "jiaotan-2025", "--out", str(tmp_path), "--household", "无.csv"],
    )
    assert bad.exit_code == 2 and "找不到名单文件" in bad.output


def test_a_large_csv_streams(tmp_path: Path) -> None:
    """Above the streaming threshold a CSV is read row by row and gives the same people."""
    import forms.roster as roster

    rows = [
        {
            "姓名": SURNAMES[n % 50] + GIVEN[n % 40] + GIVEN[n // 40 % 40],
            "出生日期": "2014-01-01",
            "身份证号": make_id(date(2014, 1, 1), n),
        }
        for n in range(300)
    ]
    path = write_csv(tmp_path / "big.csv", rows)
    old = roster.STREAM_ABOVE_BYTES
    roster.STREAM_ABOVE_BYTES = 100
    try:
        stream = roster.stream_roster(path)
        streamed = [r.cells["student.id_number"] for r in stream.rows]
    finally:
        roster.STREAM_ABOVE_BYTES = old
    assert streamed == [r["身份证号"] for r in rows]
