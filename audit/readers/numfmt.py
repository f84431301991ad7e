"""A number as its cell shows it: Excel number formats (ECMA-376 Part 1, §18.8.31).

Covered: General (at most 11 characters: larger integers in scientific notation, as Excel
shows an 18-digit ID number typed as a number), digit placeholders 0 # ?, decimals, thousands
separators, percent, scientific, literal text ("天", \\年, 元), sections for positive;negative;
zero;text (an empty section hides the value: ;;; shows nothing), colours and locale tags
dropped. Dates and times are not formatted here: the reader writes them ISO (2026-03-05) so
the extractors read every date alike, whatever the cell's format shows of it.

zh-CN's built-in date formats (ids 27–36 and 50–58) are not defined in a workbook's styles
and openpyxl does not know them: `CJK_BUILTIN_DATES` gives their codes, so a serial in such a
cell is the date Chinese Excel and WPS show.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from audit.readers.model import clean

# ECMA-376 Part 1 §18.8.30 (zh-cn): the built-in formats the workbook does not spell out.
CJK_BUILTIN_DATES = {
    27: 'yyyy"年"m"月"',
    28: 'm"月"d"日"',
    29: 'm"月"d"日"',
    30: "m-d-yy",
    31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"',
    33: 'h"时"mm"分"ss"秒"',
    34: '上午/下午h"时"mm"分"',
    35: '上午/下午h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"',
    50: 'yyyy"年"m"月"',
    51: 'm"月"d"日"',
    52: 'yyyy"年"m"月"',
    53: 'm"月"d"日"',
    54: 'm"月"d"日"',
    55: '上午/下午h"时"mm"分"',
    56: '上午/下午h"时"mm"分"ss"秒"',
    57: 'yyyy"年"m"月"',
    58: 'm"月"d"日"',
}
CJK_BUILTIN_TIMES = {32, 33, 34, 35, 55, 56}

_BRACKETS = re.compile(r"\[[^\]]*\]")
_PLACEHOLDERS = set("0#?")


def general(value: float) -> str:
    """Excel's General format: up to 11 characters, else scientific with 6 digits."""
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) < 1e11:
        return str(int(value))
    if 1e-9 <= abs(value) < 1e11:
        for digits in range(10, 0, -1):
            text = f"{value:.{digits}g}"
            if "e" not in text and len(text) <= 11:
                return text
    mantissa, exponent = f"{value:.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"


def _sections(code: str) -> list[str]:
    parts, current, quoted, escaped = [], "", False, False
    for char in code:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            current += char
            escaped = True
        elif char == '"':
            quoted = not quoted
            current += char
        elif char == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def format_number(value: float, code: str | None) -> str:
    """`value` shown with format `code`; General when the code cannot be followed."""
    if not code or code.lower() in {"general", "@"}:
        return general(value)
    try:
        return _format(value, code)
    except (ValueError, OverflowError):
        return general(value)


def _format(value: float, code: str) -> str:
    sections = _sections(code)
    if any(_BRACKETS.search(s) and re.search(r"\[[<>=]", s) for s in sections):
        return general(value)  # conditional sections: not followed
    if len(sections) >= 3 and value == 0:
        section, sign = sections[2], ""
    elif len(sections) >= 2 and value < 0:
        section, sign, value = sections[1], "", -value
    else:
        section, sign = sections[0], "-" if value < 0 else ""
        value = abs(value)
    section = _BRACKETS.sub("", section)
    if not section.strip():
        return ""  # an empty section shows nothing (;;; hides the value)
    if section.strip().lower() == "general":
        return sign + general(value)
    tokens = _TOKENS.findall(section)
    numbers = [t for t in tokens if _NUMBER.fullmatch(t) and set(t) & _PLACEHOLDERS]
    if len(numbers) > 1:
        return sign + general(value)  # fractions and the like: not followed
    if "%" in tokens:
        value *= 100 ** tokens.count("%")
    out: list[str] = []
    for token in tokens:
        if numbers and token == numbers[0]:
            out.append(sign + _digits(value, token))
        elif token.startswith('"'):
            out.append(token[1:-1])
        elif token[0] == "\\":
            out.append(token[1:])
        elif token[0] == "_" and len(token) == 2:
            out.append(" ")
        elif token[0] == "*" and len(token) == 2:
            continue
        elif token == "@":
            out.append(general(value))
        else:
            out.append(token)
    return "".join(out)  # without a placeholder the number is not shown, only the text


_TOKENS = re.compile(r'"[^"]*"|\\.|[_*].|[0#?.,]+(?:[Ee][+-][0#?]+)?|.', re.S)
_NUMBER = re.compile(r"[0#?.,]+(?:[Ee][+-][0#?]+)?")


def _digits(value: float, pattern: str) -> str:
    scientific = re.search(r"[Ee][+-]", pattern)
    pattern = (
        pattern.strip(".,") if not scientific and not re.search(r"[0#?]", pattern) else pattern
    )
    if scientific:
        mantissa_pattern = pattern[: scientific.start()]
        exponent_pattern = pattern[scientific.end() :]
        exponent = 0 if value == 0 else math.floor(math.log10(value))
        leading = sum(1 for c in mantissa_pattern.split(".")[0] if c in _PLACEHOLDERS) or 1
        exponent -= leading - 1
        mantissa = value / 10**exponent
        sign = "-" if exponent < 0 else ("+" if "+" in scientific.group() else "")
        width = sum(1 for c in exponent_pattern if c in _PLACEHOLDERS)
        return f"{_digits(mantissa, mantissa_pattern)}E{sign}{abs(exponent):0{width}d}"
    scale = 0
    while pattern.endswith(","):  # a trailing comma divides by a thousand
        pattern, scale = pattern[:-1], scale + 1
    value /= 1000**scale
    whole_pattern, _, decimal_pattern = pattern.partition(".")
    places = sum(1 for c in decimal_pattern if c in _PLACEHOLDERS)
    required = len(decimal_pattern.rstrip("#?")) if places else 0
    # half away from zero, as Excel rounds (1.25 with 0.0 shows 1.3)
    text = str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
    digits, _, fraction = text.partition(".")
    if places:
        keep = max(required, len(fraction.rstrip("0")))
        fraction = fraction[:keep]
    minimum = sum(1 for c in whole_pattern if c == "0")
    if digits == "0" and minimum == 0:
        digits = ""
    digits = digits.zfill(minimum)
    if "," in whole_pattern and digits and int(digits):
        digits = f"{int(digits):,}".rjust(len(digits), "0")
    return digits + ("." + fraction if fraction or (places and required) else "")


def cell_text(value: object, number_format: str | None = None) -> str:
    """A cell's value as the cell shows it (dates ISO, see the module's docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, timedelta):  # an elapsed time, [h]:mm
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    if isinstance(value, int | float):
        return clean(format_number(float(value), number_format))
    return clean(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), str(value)))


# ST_Xstring escapes (_x000D_ is a carriage return Excel shows as a line break)
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
