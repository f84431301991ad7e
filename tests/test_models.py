import pytest
from pydantic import ValidationError

from forms.errors import translate
from forms.models import Guardian, Student


def errors(model: type, **data: object) -> list[str]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return [str(e) for e in translate(info.value, model)]


def test_gender_and_birth_date_are_filled_from_the_id() -> None:
    s = Student(name="韦堃", id_number="450331201203150013")
    assert s.gender == "男"
    assert s.birth_date is not None and s.birth_date.isoformat() == "2012-03-15"


def test_gender_contradicting_the_id_names_the_field() -> None:
    assert errors(Student, name="韦堃", id_number="450331201203150013", gender="女") == [
        "性别：“女”与身份证号不符（身份证号显示为男）"
    ]


def test_birth_date_contradicting_the_id() -> None:
    msgs = errors(Student, name="韦堃", id_number="450331201203150013", birth_date="2012-03-16")
    assert msgs == ["出生日期：与身份证号不符（身份证号显示为2012年3月15日）"]


def test_empty_name_and_bad_check_digit_reported_together_in_chinese() -> None:
    msgs = errors(Student, name="  ", id_number="450331201203150012")
    assert "姓名：不能为空" in msgs
    assert any(m.startswith("身份证号：") and "校验码错误" in m for m in msgs)


def test_minority_name_dots_are_normalised_to_the_middle_dot() -> None:
    assert Student(name="阿卜杜拉•买买提").name == "阿卜杜拉·买买提"
    assert Student(name="阿卜杜拉．买买提").name == "阿卜杜拉·买买提"
    assert errors(Student, name="·买买提") == ["姓名：“·买买提”的间隔号“·”位置不对"]


def test_grades_normalise_and_unknown_grades_are_rejected() -> None:
    assert Student(name="张三", grade="初二").grade == "八年级"
    assert Student(name="张三", grade="3").grade == "三年级"
    assert errors(Student, name="张三", grade="高一")[0].startswith("年级：不认识的年级“高一”")


def test_chinese_dates_and_impossible_dates() -> None:
    assert Student(name="张三", birth_date="2012年3月5日").birth_date.isoformat() == "2012-03-05"  # type: ignore[union-attr]
    assert errors(Student, name="张三", birth_date="2012年2月30日") == [
        "出生日期：“2012年2月30日”不是有效日期（2012年2月30日不存在）"
    ]


def test_phone_numbers() -> None:
    """Checked as numbers, printed as written (issue 23: 0773-7212345 lost its dash)."""
    assert Guardian(name="李四", phone="138 0077 1234").phone == "138 0077 1234"
    assert Guardian(name="李四", phone="0773-7212345").phone == "0773-7212345"
    assert Guardian(name="李四", phone=" 0773－7212345 ").phone == "0773－7212345"
    assert Guardian(name="李四", phone=13800771234).phone == "13800771234"  # an Excel number
    assert errors(Guardian, name="李四", phone="12345")[0].startswith(
        "联系电话：“12345”不是有效的电话号码"
    )
    assert errors(Guardian, name="李四", phone="0773-72")[0].startswith(
        "联系电话：“0773-72”不是有效的电话号码"
    )


def test_two_numbers_in_one_cell_and_country_codes() -> None:
    """Rosters as clerks keep them: “父/母” numbers in one cell, numbers copied with +86."""
    assert Guardian(name="李四", phone="13800771235/13900001111").phone == "13800771235/13900001111"
    assert Guardian(name="李四", phone="13800771235 13900001111").phone == "13800771235 13900001111"
    assert (
        Guardian(name="李四", phone="0773-7212345，13800771234").phone
        == "0773-7212345，13800771234"
    )
    assert Guardian(name="李四", phone="+86 138-0077-1237").phone == "+86 138-0077-1237"
    assert Guardian(name="李四", phone="8613800771237").phone == "8613800771237"
    assert errors(Guardian, name="李四", phone="13800771235/123")[0].startswith(
        "联系电话：“13800771235/123”不是有效的电话号码"
    )


def test_gender_words_clerks_use() -> None:
    assert Student(name="张三", gender="男生").gender == "男"
    assert Student(name="张三", gender="女孩").gender == "女"


def test_birth_month_from_a_year_month_column_takes_the_day_from_the_id() -> None:
    """An 出生年月 column: “2012年3月”, “2012.03”, or a date cell shown as a month (day 1)."""
    from datetime import date

    for written in ("2012年3月", "2012.03", "2012-3", "201203", date(2012, 3, 1)):
        s = Student(name="韦堃", id_number="450331201203150013", birth_date=written)
        assert s.birth_date == date(2012, 3, 15), written
    assert errors(Student, name="韦堃", id_number="450331201203150013", birth_date="2012年4月") == [
        "出生日期：“2012年4月”只写了年月，请写完整的出生日期（或填写身份证号，日期从身份证号读取）"
    ]
    assert errors(Student, name="韦堃", birth_date="2012年3月")[0].startswith(
        "出生日期：“2012年3月”只写了年月"
    )
    # a full date that is not the ID's is still a contradiction, day 1 included
    assert errors(Student, name="韦堃", id_number="450331201203150013", birth_date=date(2012, 4, 1))


def test_unknown_keys_are_rejected_by_name() -> None:
    assert errors(Student, name="张三", nmae="x") == ["nmae：不认识的字段（请检查拼写）"]
