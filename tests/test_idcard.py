from datetime import date

import pytest

from forms.idcard import IdNumberError, mask, parse_id_number


def test_valid_id_gives_birth_date_and_gender() -> None:
    info = parse_id_number("450331201203150013")
    assert info.birth_date == date(2012, 3, 15)
    assert info.gender == "男"  # order code 001 is odd


def test_lower_case_x_full_width_digits_and_spaces_are_normalised() -> None:
    assert parse_id_number(" 11010519491231002x").number == "11010519491231002X"
    assert parse_id_number("４５０３３１２０１２０３１５００１３").number == "450331201203150013"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("450331201203150012", "校验码错误（最后一位应为3）"),
        ("450331201202300013", "不是有效日期"),
        ("990331201203150013", "不是有效的行政区划代码"),
        ("4503312012031500", "应为18位，实际为16位"),
        ("45033120120315001A", "最后一位为数字或X"),
    ],
)
def test_invalid_ids_say_which_part_is_wrong(number: str, reason: str) -> None:
    with pytest.raises(IdNumberError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_id_number(number)


def test_mask_hides_the_birth_date() -> None:
    masked = mask("450331201203150013")
    assert masked == "450331********0013"
    assert "20120315" not in masked
