"""Dates as clerks write them, and as official documents print them.

Output: 成文日期 in Arabic numerals without leading zeros (2026年3月13日), GB/T 9704 7.3.5.
Input: ISO, 2026年3月13日, 2026.3.13, 2026/3/13, 二〇二六年三月十三日, and — with a year
known from context — 3月13日. Chinese numerals are converted by cn2an.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

import cn2an

_CN_DIGITS = "〇零一二三四五六七八九十两"
_FULL = re.compile(
    r"(?P<y>\d{4}|[〇零一二三四五六七八九]{4})\s*[年./\-．／－]\s*"
    r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[月./\-．／－]\s*"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,4})\s*[日号]?"
)
_MONTH_DAY = re.compile(
    r"(?<![\d年./\-．／－])(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,4})\s*[日号]"
)
# Every date either pattern finds holds 月 or one of these after its year: text without them
# holds none (most cells of a table), and is not searched.
_MAY_HOLD = re.compile(r"[月年./\-．／－]")
# Excel's day zero (the 1900 leap-year bug makes 1899-12-30 the epoch for serials > 60).
_EXCEL_EPOCH = date(1899, 12, 30)


class DateParseError(ValueError):
    pass


def cn_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if len(token) == 4 and all(c in "〇零一二三四五六七八九" for c in token):
        return int("".join(str("〇一二三四五六七八九".index(c.replace("零", "〇"))) for c in token))
    return int(cn2an.cn2an(token, "smart"))


def _make(y: int, m: int, d: int, text: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise DateParseError(f"“{text}”不是有效日期（{y}年{m}月{d}日不存在）") from None


def parse_date(text: str, year_hint: int | None = None) -> date:
    """Parse one date; raise DateParseError with a Chinese reason."""
    text = text.strip()
    match = _FULL.fullmatch(text) or _FULL.match(text)
    if match:
        return _make(_number(match["y"]), _number(match["m"]), _number(match["d"]), text)
    if re.fullmatch(r"\d{8}", text):
        return _make(int(text[:4]), int(text[4:6]), int(text[6:]), text)
    match = _MONTH_DAY.match(text)
    if match and year_hint is not None:
        return _make(year_hint, _number(match["m"]), _number(match["d"]), text)
    raise DateParseError(f"“{text}”不是能识别的日期（请写成 2026年3月13日 或 2026-03-13）")


def find_dates(
    text: str, year_hint: int | None = None, year_for: Callable[[int], int] | None = None
) -> list[date]:
    """Every date written in a piece of prose, in order; invalid ones are skipped.

    A date without its year (3月5日) takes `year_for(month)` when given (a school year spans two
    calendar years), else `year_hint`, else it is skipped.
    """
    return [d for _, _, d in find_dates_at(text, year_hint, year_for)]


def find_dates_at(
    text: str, year_hint: int | None = None, year_for: Callable[[int], int] | None = None
) -> list[tuple[int, int, date]]:
    """`find_dates` with where each date is written: (start, end, date) in order."""
    found: list[tuple[int, int, date]] = []
    if not _MAY_HOLD.search(text):
        return found
    taken: list[tuple[int, int]] = []
    for match in _FULL.finditer(text):
        try:
            found.append((*match.span(), parse_date(match.group(0))))
            taken.append(match.span())
        except (DateParseError, ValueError):
            continue
    if year_hint is not None or year_for is not None:
        for match in _MONTH_DAY.finditer(text):
            if any(a <= match.start() < b for a, b in taken):
                continue
            try:
                month = _number(match["m"])
                year = year_for(month) if year_for is not None else year_hint
                found.append((*match.span(), parse_date(match.group(0), year)))
            except (DateParseError, ValueError):
                continue
    return sorted(found, key=lambda p: p[0])


def from_excel_serial(serial: float) -> date:
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def coerce_date(value: object, year_hint: int | None = None) -> date:
    """A date from whatever a form, spreadsheet cell or JSON record holds."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value < 80000:
        return from_excel_serial(value)
    if isinstance(value, str):
        return parse_date(value, year_hint)
    raise DateParseError(f"“{value}”不是日期")
