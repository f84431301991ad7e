"""The value Excel shows for a formula the file holds without its result.

Excel and WPS keep each formula's last result in the file, and the reader reads that. A
workbook written by a program (a school system's export, a script) may hold formulas with no
result: Excel computes them when it opens the file, so a person sees a value the file does not
hold. This computes the formulas such registers use — arithmetic on cells and dates
(=E3-D3+1), comparisons, text joined with &, SUM / COUNT / COUNTA / AVERAGE / MIN / MAX,
IF / IFERROR / AND / OR / NOT, ROUND / INT / ABS, DATE / YEAR / MONTH / DAY / DATEDIF / DAYS,
LEN / LEFT / RIGHT / MID / TRIM / VALUE / CONCATENATE, COUNTIF, ROW / COLUMN — and raises
`Unknown` for anything else: the reader then keeps the cell as unread, never guesses. TODAY()
and NOW() are unknown on purpose: they show the day the file is opened, no date of a record.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from openpyxl.formula import Tokenizer
from openpyxl.formula.tokenizer import Token
from openpyxl.utils.cell import range_boundaries

from audit.readers.numfmt import general

Value = float | str | bool | None
# lookup(sheet or None, min_col, min_row, max_col, max_row) → values, row by row
Lookup = Callable[[str | None, int, int, int, int], list[Value]]
EPOCH = datetime(1899, 12, 30)


class Unknown(Exception):
    """A formula this module does not compute (or an Excel error value)."""


def serial(value: date | datetime) -> float:
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    delta = moment - EPOCH
    return delta.days + delta.seconds / 86400


def from_serial(value: float) -> datetime:
    return EPOCH + timedelta(days=value)


# ---------------------------------------------------------------------------- parsing

_PRECEDENCE = {"=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1, "&": 2, "+": 3, "-": 3}
_PRECEDENCE |= {"*": 4, "/": 4, "^": 5}


def parse(formula: str) -> Any:
    tokens = [t for t in Tokenizer(formula).items if t.type != Token.WSPACE]
    parser = _Parser(tokens)
    node = parser.expression(0)
    if parser.at < len(tokens):
        raise Unknown(formula)
    return node


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens, self.at = tokens, 0

    def _peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _next(self) -> Token:
        token = self._peek()
        if token is None:
            raise Unknown("end of formula")
        self.at += 1
        return token

    def expression(self, floor: int) -> Any:
        left = self._unary()
        while True:
            token = self._peek()
            if token is None or token.type != Token.OP_IN or token.value == ":":
                return left
            level = _PRECEDENCE.get(token.value)
            if level is None or level < floor:
                return left
            self.at += 1
            right = self.expression(level + 1)
            left = ("op", token.value, left, right)

    def _unary(self) -> Any:
        token = self._peek()
        if token is not None and token.type == Token.OP_PRE:
            self.at += 1
            inner = self._unary()
            return ("neg", inner) if token.value == "-" else inner
        node = self._primary()
        while (token := self._peek()) is not None and token.type == Token.OP_POST:
            self.at += 1
            node = ("pct", node)
        return node

    def _primary(self) -> Any:
        token = self._next()
        if token.type == Token.OPERAND:
            if token.subtype == Token.NUMBER:
                return ("value", float(token.value))
            if token.subtype == Token.TEXT:
                return ("value", token.value[1:-1].replace('""', '"'))
            if token.subtype == Token.LOGICAL:
                return ("value", token.value.upper() == "TRUE")
            if token.subtype == Token.RANGE:
                return ("ref", token.value)
            raise Unknown(token.value)  # an error literal such as #N/A
        if token.type == Token.FUNC and token.subtype == Token.OPEN:
            name = token.value[:-1].upper().removeprefix("_XLFN.")
            args: list[Any] = []
            closing = self._peek()
            if closing is not None and closing.type == Token.FUNC and closing.subtype == "CLOSE":
                self.at += 1
                return ("call", name, args)
            while True:
                args.append(self.expression(0))
                token = self._next()
                if token.type == Token.SEP and token.subtype == Token.ARG:
                    continue
                if token.type == Token.FUNC and token.subtype == Token.CLOSE:
                    return ("call", name, args)
                raise Unknown(token.value)
        if token.type == Token.PAREN and token.subtype == Token.OPEN:
            node = self.expression(0)
            closing = self._next()
            if closing.type != Token.PAREN:
                raise Unknown(closing.value)
            return node
        raise Unknown(token.value)


# ---------------------------------------------------------------------------- evaluation

_REF = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!]+)!)?(?P<range>[$A-Za-z0-9:]+)$")


class Evaluator:
    """Computes formulas of one sheet; `lookup` gives (computed) cell values."""

    def __init__(self, lookup: Lookup, row: int = 1, column: int = 1) -> None:
        self.lookup, self.row, self.column = lookup, row, column

    def value(self, formula: str) -> Value:
        result = self._eval(parse(formula if formula.startswith("=") else "=" + formula))
        if isinstance(result, list):
            if len(result) != 1:
                raise Unknown("a range as a value")
            return result[0]
        return result

    def _eval(self, node: Any) -> Value | list[Value]:
        kind = node[0]
        if kind == "value":
            return node[1]  # type: ignore[no-any-return]
        if kind == "ref":
            return self._ref(node[1])
        if kind == "neg":
            return -_number(self._scalar(node[1]))
        if kind == "pct":
            return _number(self._scalar(node[1])) / 100
        if kind == "op":
            return _operate(node[1], self._scalar(node[2]), self._scalar(node[3]))
        if kind == "call":
            return self._call(node[1], node[2])
        raise Unknown(str(kind))

    def _scalar(self, node: Any) -> Value:
        result = self._eval(node)
        if isinstance(result, list):
            if len(result) != 1:
                raise Unknown("a range as a value")
            return result[0]
        return result

    def _ref(self, text: str) -> list[Value]:
        found = _REF.match(text)
        if found is None:
            raise Unknown(text)  # a defined name, a structured reference …
        sheet = found.group("sheet")
        if sheet and sheet.startswith("'"):
            sheet = sheet[1:-1].replace("''", "'")
        try:
            min_col, min_row, max_col, max_row = range_boundaries(found.group("range"))
        except ValueError:
            raise Unknown(text) from None
        return self.lookup(sheet, min_col or 1, min_row or 1, max_col or 0, max_row or 0)

    def _values(self, nodes: Sequence[Any]) -> list[Value]:
        values: list[Value] = []
        for node in nodes:
            result = self._eval(node)
            values.extend(result if isinstance(result, list) else [result])
        return values

    def _call(self, name: str, args: list[Any]) -> Value:
        if name == "IF":
            if not 2 <= len(args) <= 3:
                raise Unknown(name)
            test = _truth(self._scalar(args[0]))
            if test:
                return self._scalar(args[1])
            return self._scalar(args[2]) if len(args) == 3 else False
        if name == "IFERROR" and len(args) == 2:
            try:
                return self._scalar(args[0])
            except (Unknown, ZeroDivisionError):
                return self._scalar(args[1])
        if name in {"ROW", "COLUMN"} and not args:
            return float(self.row if name == "ROW" else self.column)
        if name in _AGGREGATES:
            return _AGGREGATES[name](self._values(args))
        if name == "COUNTIF" and len(args) == 2:
            return float(
                sum(1 for v in self._values(args[:1]) if _matches(v, self._scalar(args[1])))
            )
        function = _FUNCTIONS.get(name)
        if function is None:
            raise Unknown(name)  # TODAY(), NOW(), lookups …: not computed
        return function(*[self._scalar(a) for a in args])


def _number(value: Value) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, float | int):
        return float(value)
    try:
        return float(value.strip())
    except ValueError:
        raise Unknown(f"#VALUE! {value!r}") from None


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float | int):
        return general(float(value))
    return value


def _truth(value: Value) -> bool:
    if isinstance(value, str):
        if value.upper() in {"TRUE", "FALSE"}:
            return value.upper() == "TRUE"
        raise Unknown(f"#VALUE! {value!r}")
    return bool(_number(value))


def _operate(op: str, left: Value, right: Value) -> Value:
    if op == "&":
        return _text(left) + _text(right)
    if op in {"=", "<>", "<", ">", "<=", ">="}:
        return _compare(op, left, right)
    a, b = _number(left), _number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise Unknown("#DIV/0!")
        return a / b
    if op == "^":
        return float(a**b)
    raise Unknown(op)


def _compare(op: str, left: Value, right: Value) -> bool:
    """Excel's comparison: an empty cell is 0 beside a number, "" beside text; numbers sort
    before text, text before logical values; text ignores case."""
    left, right = _empty_as(left, right), _empty_as(right, left)
    a, b = _key(left), _key(right)
    return {
        "=": a == b,
        "<>": a != b,
        "<": a < b,
        ">": a > b,
        "<=": a <= b,
        ">=": a >= b,
    }[op]


def _empty_as(value: Value, other: Value) -> Value:
    if value is not None:
        return value
    if isinstance(other, bool):
        return False
    return 0.0 if isinstance(other, float | int) else ""


def _key(value: Value) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, float | int):
        return (0, float(value))
    return (1, (value or "").lower())


def _matches(value: Value, criterion: Value) -> bool:
    """COUNTIF's criterion: a value, or a comparison written as text (">=3", "<>")."""
    if isinstance(criterion, str):
        found = re.match(r"^(<>|>=|<=|=|<|>)?(.*)$", criterion)
        op, operand = (found.group(1) or "=", found.group(2)) if found else ("=", criterion)
        try:
            target: Value = float(operand)
        except ValueError:
            target = operand
        if value is None and target == "":
            return op == "="
        if isinstance(target, float) and not isinstance(value, float | int):
            return op == "<>"
        return _compare(op, value if value is not None else "", target)
    return _compare("=", value, criterion)


def _numbers(values: list[Value]) -> list[float]:
    return [float(v) for v in values if isinstance(v, float | int) and not isinstance(v, bool)]


def _average(values: list[Value]) -> float:
    numbers = _numbers(values)
    if not numbers:
        raise Unknown("#DIV/0!")
    return sum(numbers) / len(numbers)


_AGGREGATES: dict[str, Callable[[list[Value]], Value]] = {
    "SUM": lambda v: float(sum(_numbers(v))),
    "COUNT": lambda v: float(len(_numbers(v))),
    "COUNTA": lambda v: float(sum(1 for x in v if x not in (None, ""))),
    "AVERAGE": _average,
    "MIN": lambda v: min(_numbers(v), default=0.0),
    "MAX": lambda v: max(_numbers(v), default=0.0),
    "AND": lambda v: all(_truth(x) for x in v if x is not None),
    "OR": lambda v: any(_truth(x) for x in v if x is not None),
    "CONCATENATE": lambda v: "".join(_text(x) for x in v),
}


def _round(value: Value, digits: Value = 0.0, mode: str = ROUND_HALF_UP) -> float:
    step = Decimal(1).scaleb(-int(_number(digits)))
    return float(Decimal(repr(_number(value))).quantize(step, mode))


def _datedif(start: Value, end: Value, unit: Value) -> float:
    a, b = from_serial(_number(start)), from_serial(_number(end))
    if b < a:
        raise Unknown("#NUM!")
    unit_text = _text(unit).upper()
    if unit_text == "D":
        return float((b.date() - a.date()).days)
    months = (b.year - a.year) * 12 + b.month - a.month - (b.day < a.day)
    if unit_text == "M":
        return float(months)
    if unit_text == "Y":
        return float(months // 12)
    raise Unknown(f"DATEDIF {unit_text}")


def _date(year: Value, month: Value, day: Value) -> float:
    y, m, d = int(_number(year)), int(_number(month)), int(_number(day))
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    return serial(datetime(y, m, 1)) + d - 1


def _mid(text: Value, start: Value, count: Value) -> str:
    begin = int(_number(start)) - 1
    return _text(text)[begin : begin + int(_number(count))]


_FUNCTIONS: dict[str, Callable[..., Value]] = {
    "NOT": lambda v: not _truth(v),
    "ROUND": _round,
    "ROUNDUP": lambda v, d=0.0: _round(v, d, "ROUND_UP"),
    "ROUNDDOWN": lambda v, d=0.0: _round(v, d, "ROUND_DOWN"),
    "INT": lambda v: float(math.floor(_number(v))),
    "ABS": lambda v: abs(_number(v)),
    "DATE": _date,
    "YEAR": lambda v: float(from_serial(_number(v)).year),
    "MONTH": lambda v: float(from_serial(_number(v)).month),
    "DAY": lambda v: float(from_serial(_number(v)).day),
    "DATEDIF": _datedif,
    "DAYS": lambda end, start: float(math.floor(_number(end)) - math.floor(_number(start))),
    "LEN": lambda v: float(len(_text(v))),
    "LEFT": lambda v, n=1.0: _text(v)[: int(_number(n))],
    "RIGHT": lambda v, n=1.0: _text(v)[-int(_number(n)) :] if int(_number(n)) else "",
    "MID": _mid,
    "TRIM": lambda v: " ".join(_text(v).split()),
    "VALUE": lambda v: _number(v),
}
