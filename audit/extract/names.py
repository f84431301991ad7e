"""What a person's name looks like in a package, and who a record is about.

A name is what a roster can hold: two to four Han characters (compound surnames included:
欧阳娜娜), or the names of minorities written with a middle dot (阿依古丽·买买提), in any of the
dots schools type (· • ・ ．). A cell is a name only when that is all it holds, its particulars
in brackets aside (张三（男）); a column is a name column by its values, not because its heading
contains 学生 (家长及学生态度: 家长支持复学，学生犹豫 is an attitude, not a pupil).

`resolve_students` runs once every file is read: a record's student is checked against every
roster of the package (点名册, 学籍名单, 花名册 …), so a record read before the rosters, or whose
cell held something that only looks like a name, is put right by the rosters, the per-student
folder or the file's title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from audit.facts import PackageFacts

_HAN = r"[\u4e00-\u9fff]"
_DOT = r"[·•・．‧∙⋅･.]"
PERSON_NAME = re.compile(rf"^(?:{_HAN}{{2,4}}|{_HAN}{{1,8}}(?:{_DOT}{_HAN}{{1,8}}){{1,3}})$")
_PARTICULARS = re.compile(r"[（(][^）)]*[）)]")
_DOTS = re.compile(_DOT)
_SPACES = re.compile(r"[\s\u3000]+")


def is_person_name(text: str) -> bool:
    return bool(PERSON_NAME.match(text))


def name_key(name: str) -> str:
    """A name for matching: no spaces, one kind of middle dot."""
    return _DOTS.sub("·", _SPACES.sub("", name))


def cell_name(cell: str) -> str | None:
    """The name a cell holds when a name is all it holds: 张三, 张三（男）, 张三同学."""
    text = _PARTICULARS.sub("", cell).strip()
    text = re.sub(r"同学$", "", text)
    return text if is_person_name(text) else None


def names_column(cells: Iterable[str], share: float = 0.5) -> bool:
    """Whether a column's filled cells are names (at least `share` of them)."""
    filled = [c for c in cells if c.strip()]
    if not filled:
        return True  # nothing says otherwise
    return sum(1 for c in filled if cell_name(c) or _first_name(c)) >= share * len(filled)


def _first_name(cell: str) -> str | None:
    """“张三 男 7年级” or “张三、李四”: names first, then other particulars."""
    first = re.split(r"[\s、，,;；/]+", cell.strip())[0]
    return first if is_person_name(first) else None


def known_names(facts: PackageFacts) -> dict[str, str]:
    """Every name the package's rosters and headcount lists hold, by name key."""
    found: dict[str, str] = {}
    for s in facts.students:
        found.setdefault(name_key(s.name), s.name)
    for h in facts.headcounts:
        for n in h.names:
            found.setdefault(name_key(n), n)
    return found


def named_in(text: str, known: dict[str, str]) -> str | None:
    """The longest rostered name written in a text."""
    squeezed = name_key(text)
    hits = [name for key, name in known.items() if key and key in squeezed]
    return max(hits, key=len) if hits else None
