"""What a person's name looks like in a package, and who a record is about.

What a name looks like is forms/names.py's (rosters are read by the same rules).

Once every file is read (audit/ingest.py) a record's student is checked against every roster
of the package (点名册, 学籍名单, 花名册 …), so a record read before the rosters, or whose
cell held something that only looks like a name, is put right by the rosters, the per-student
folder or the file's title.
"""

from __future__ import annotations

import re
import weakref

from audit.facts import PackageFacts
from forms.names import (
    DOT,
    PERSON_NAME,
    cell_name,
    is_person_name,
    looks_like_person,
    names_column,
)

_DOTS = re.compile(DOT)
_SPACES = re.compile(r"[\s\u3000]+")


def name_key(name: str) -> str:
    """A name for matching: no spaces, one kind of middle dot."""
    return _DOTS.sub("·", _SPACES.sub("", name))


# The last package's names and how many rosters and lists they were taken from: every file
# of a package asks, and facts only grow while it is read (a 1,000-file package asked 1,000
# times over 500 students).
_known: tuple[weakref.ref[PackageFacts], int, int, dict[str, str]] | None = None


def known_names(facts: PackageFacts) -> dict[str, str]:
    """Every name the package's rosters and headcount lists hold, by name key (do not change
    the dict: it is shared until the package's rosters grow)."""
    global _known
    size = (len(facts.students), len(facts.headcounts))
    if _known is not None and _known[0]() is facts and _known[1:3] == size:
        return _known[3]
    found: dict[str, str] = {}
    for s in facts.students:
        found.setdefault(name_key(s.name), s.name)
    for h in facts.headcounts:
        for n in h.names:
            found.setdefault(name_key(n), n)
    _known = (weakref.ref(facts), *size, found)
    return found


def named_in(text: str, known: dict[str, str]) -> str | None:
    """The longest rostered name written in a text."""
    squeezed = name_key(text)
    hits = [name for key, name in known.items() if key and key in squeezed]
    return max(hits, key=len) if hits else None


def by_given_name(name: str, known: dict[str, str]) -> str | None:
    """The rostered student a record calls by the given name alone (小明 for 覃小明, 雨萱 for
    欧阳雨萱), as teachers write of a child they know: the one rostered name ending in it, when
    it is two characters or more and no other rostered name ends the same way."""
    key = name_key(name)
    if len(key) < 2:
        return None
    hits = {full for k, full in known.items() if len(k) > len(key) and k.endswith(key)}
    return hits.pop() if len(hits) == 1 else None


__all__ = [
    "PERSON_NAME",
    "by_given_name",
    "cell_name",
    "is_person_name",
    "known_names",
    "looks_like_person",
    "name_key",
    "named_in",
    "names_column",
]
