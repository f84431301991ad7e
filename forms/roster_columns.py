"""Which roster column holds which field: header labels as schools write them.

The alias table is data (checklists/tables/roster-columns.yaml); this module normalises a
label and resolves it, with the group of a two-row header (学生信息 / 监护人信息) deciding
whether a bare 姓名 or 电话 belongs to the student or the guardian.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from forms.paths import CHECKLISTS_DIR
from forms.yamlload import load_yaml

ALIASES_FILE = CHECKLISTS_DIR / "tables" / "roster-columns.yaml"

# Notes in brackets (（必填）, (yyyy-mm-dd)) and required-field stars are not part of a name.
_BRACKETS = re.compile(r"[（(【\[][^（()）【】\[\]]*[)）】\]]")
_NOISE = re.compile(r"[\s\u3000*＊:：]+")


def normalize_label(raw: object) -> str:
    """A header cell's text reduced to what identifies the column."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    stripped = _BRACKETS.sub("", text)
    # “村（社区）” is a name, not a note: keep the bracket when nothing else is left of it.
    text = stripped if _NOISE.sub("", stripped) else text
    return _NOISE.sub("", text).lower()


@dataclass(frozen=True)
class FieldInfo:
    key: str
    title: str
    type: str = "text"  # text | date
    kind: str = ""  # long_number: digits that Excel must keep as text (ID, 学籍号, phone)


@dataclass(frozen=True)
class ColumnTable:
    fields: dict[str, FieldInfo]
    aliases: dict[str, tuple[str, ...]]
    groups: dict[str, str]  # normalised group label → student | guardian | ignore
    ignore: frozenset[str]
    footer: tuple[str, ...]
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def with_titles(self, titles: dict[str, tuple[str, FieldInfo]]) -> ColumnTable:
        """The table plus labels taken from a record model (label → key, info)."""
        fields = dict(self.fields)
        extra: dict[str, tuple[str, ...]] = {}
        for label, (key, info) in titles.items():
            fields.setdefault(key, info)
            norm = normalize_label(label)
            if norm and norm not in self.aliases:
                extra[norm] = (key,)
        return ColumnTable(fields, self.aliases, self.groups, self.ignore, self.footer, extra)

    def candidates(self, label: str) -> tuple[str, ...]:
        return self.aliases.get(label) or self.extra.get(label) or ()

    def resolve(self, parent: str, child: str, taken: set[str]) -> str | None:
        """The field a column holds, given its (normalised) group label and own label."""
        if parent == child:  # a header cell merged over both header rows
            parent = ""
        group = self.groups.get(parent, "")
        if group == "ignore":
            return None
        options = list(self.candidates(child)) if child else []
        other = {"student": "guardian.", "guardian": "student."}.get(group)
        if other:  # under 监护人信息, a bare 姓名 is the guardian's
            options = [k for k in options if not k.startswith(other)]
        if parent and not options:  # 监护人 / 电话 → 监护人电话
            options = list(self.candidates(parent + child))
        return next((k for k in options if k not in taken), None)

    def is_ignored(self, label: str) -> bool:
        return label in self.ignore


def _load(path: Path) -> ColumnTable:
    data: dict[str, Any] = load_yaml(path.read_text(encoding="utf-8"))
    fields = {
        key: FieldInfo(
            key, str(spec["title"]), str(spec.get("type", "text")), str(spec.get("kind", ""))
        )
        for key, spec in data["fields"].items()
    }
    aliases: dict[str, tuple[str, ...]] = {}
    for label, keys in data["aliases"].items():
        unknown = [k for k in keys if k not in fields]
        if unknown:
            raise ValueError(f"{path.name}：列名“{label}”指向未定义的字段 {unknown}")
        aliases[normalize_label(label)] = tuple(keys)
    groups = {
        normalize_label(label): group
        for group, labels in data["groups"].items()
        for label in labels
    }
    ignore = frozenset(normalize_label(x) for x in data.get("ignore", []))
    footer = tuple(str(x) for x in data.get("footer", []))
    return ColumnTable(fields, aliases, groups, ignore, footer)


@lru_cache(maxsize=1)
def column_table() -> ColumnTable:
    return _load(ALIASES_FILE)
