"""身份证号 (GB 11643-1999) validation with a reason a clerk can act on, and masking.

The checks themselves (region code table with its history, birth date, order code,
ISO 7064 MOD 11-2 check digit) come from the id-validator library; this module only
orders them so the message says which part is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from id_validator import helper

_SHAPE = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    gender: str  # 男 / 女
    region_code: str


class IdNumberError(ValueError):
    pass


def normalize(raw: str) -> str:
    """Strip spaces and full-width forms that spreadsheets and phones produce."""
    table = str.maketrans("０１２３４５６７８９ｘＸx", "0123456789XXX")
    return re.sub(r"[\s\u3000'’]", "", raw).translate(table)


def parse_id_number(raw: str) -> IdInfo:
    number = normalize(raw)
    if len(number) != 18:
        raise IdNumberError(f"应为18位，实际为{len(number)}位")
    if not _SHAPE.match(number):
        raise IdNumberError("前17位应为数字，最后一位为数字或X")
    parts = helper.get_id_argument(number)
    birthday = parts["birthday_code"]
    if not helper.check_birthday_code(birthday):
        raise IdNumberError(
            f"出生日期“{birthday[:4]}年{birthday[4:6]}月{birthday[6:]}日”不是有效日期"
        )
    if not _address_known(parts["address_code"], birthday[:4]):
        raise IdNumberError(f"前6位地区码“{parts['address_code']}”不是有效的行政区划代码")
    expected = helper.generator_check_bit(parts["body"])
    if expected != parts["check_bit"]:
        raise IdNumberError(f"校验码错误（最后一位应为{expected}），请核对号码是否抄错")
    born = date(int(birthday[:4]), int(birthday[4:6]), int(birthday[6:]))
    if born > date.today():
        raise IdNumberError("出生日期晚于今天")
    gender = "男" if int(parts["order_code"]) % 2 == 1 else "女"
    return IdInfo(number, born, gender, parts["address_code"])


@lru_cache(maxsize=4096)
def _address_known(address_code: str, birth_year: str) -> bool:
    # id-validator rebuilds its whole region table on every call (≈13 ms); the answer
    # depends only on the code and the birth year, so a roster of 20,000 rows needs it once
    # per distinct pair.
    return bool(helper.check_address_code(address_code, birth_year + "0101"))


def mask(number: str) -> str:
    """Masked form for display (公示): region code and last four stay, birth date hidden."""
    n = normalize(number)
    if len(n) <= 10:
        return "*" * len(n)
    return n[:6] + "*" * (len(n) - 10) + n[-4:]


# An 18-character 身份证号 written anywhere in a text (also inside a 学籍号 “G…”): region, a
# birth date 19xx/20xx, sequence and check character — whether or not the check digit agrees, a
# mistyped number is still a person's.
ID_IN_TEXT = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx](?![0-9])"
)


def mask_in_text(text: str) -> str:
    """The text with every 身份证号 in it masked (`450331********0013`): what reports, viewing
    copies and pages show a role that may not see full numbers."""
    if len(text) < 18:
        return text
    return ID_IN_TEXT.sub(lambda m: mask(m.group(0)), text)
