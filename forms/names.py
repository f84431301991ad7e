"""What a person's name looks like where schools write one: a roster cell, a record, a folder.

A name is two to four Han characters (compound surnames included: 欧阳娜娜), or the name of a
minority written with a middle dot (阿依古丽·买买提) in any of the dots schools type. A cell is a
name only when that is all it holds, its particulars in brackets aside (张三（男）); a column is a
name column by its values, not because its heading says 学生 or 姓名 (家长及学生态度 holds
“家长支持复学，学生犹豫”, an attitude). Rosters (forms/roster.py) and the audit's readers
(audit/extract/) find their name columns by these rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

_HAN = r"[\u4e00-\u9fff]"
DOT = r"[·•・．‧∙⋅･.]"
PERSON_NAME = re.compile(rf"^(?:{_HAN}{{2,4}}|{_HAN}{{1,8}}(?:{DOT}{_HAN}{{1,8}}){{1,3}})$")
_PARTICULARS = re.compile(r"[（(][^）)]*[）)]")


def is_person_name(text: str) -> bool:
    return bool(PERSON_NAME.match(text))


@lru_cache(maxsize=1)
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    """Single-character and compound surnames (forms/data/surnames.txt)."""
    text = (Path(__file__).parent / "data" / "surnames.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    words = [w for line in lines if not line.startswith("not:") for w in line.split()]
    excluded = {c for line in lines if line.startswith("not:") for c in line[4:].strip()}
    single = {c for w in words if len(w) > 2 for c in w} | {w for w in words if len(w) == 1}
    return frozenset(single - excluded), frozenset(w for w in words if len(w) == 2)


@lru_cache(maxsize=16384)
def looks_like_person(text: str) -> bool:
    """A name as a column of names holds one: two to four Han characters beginning with a
    surname, or a name with a middle dot (阿依古丽·买买提). 相符, 在读, 病假 and 同意 fill
    columns too, and are nobody."""
    if not is_person_name(text):
        return False
    if re.search(DOT, text):
        return True
    single, compound = _surnames()
    return text[0] in single or text[:2] in compound


def cell_name(cell: object) -> str | None:
    """The name a cell holds when a name is all it holds: 张三, 张三（男）, 张三同学."""
    if not isinstance(cell, str):
        return None
    text = _PARTICULARS.sub("", cell).strip()
    text = re.sub(r"同学$", "", text)
    return text if is_person_name(text) else None


def _first_name(cell: str) -> str | None:
    """“张三 男 7年级” or “张三、李四”: names first, then other particulars."""
    first = re.split(r"[\s、，,;；/]+", cell.strip())[0]
    return first if is_person_name(first) else None


def _person_cell(cell: str) -> bool:
    found = cell_name(cell) or _first_name(cell)
    return found is not None and looks_like_person(found)


def names_share(cells: Iterable[object]) -> float | None:
    """The share of a column's filled cells that are names; None when none is filled."""
    filled = [c for c in cells if (isinstance(c, str) and c.strip()) or isinstance(c, int | float)]
    if not filled:
        return None
    named = sum(1 for c in filled if isinstance(c, str) and _person_cell(c))
    return named / len(filled)


def names_column(cells: Iterable[object], share: float = 0.5) -> bool:
    """Whether a column's filled cells are names (at least `share` of them); a column with
    nothing filled says nothing against it."""
    found = names_share(cells)
    return found is None or found >= share
