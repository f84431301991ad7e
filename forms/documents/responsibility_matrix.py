"""双线四包 table (000 § 四(二)1): bureau leaders → schools, school leaders → grades,
class teachers → classes, subject teachers → students.

The levels and their wording come from the profile (`extra.levels`); every level must
have at least one person, and rows print grouped in the profile's order.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from forms.documents.common import rule_error
from forms.models import Name, OptText, Phone, Record, School, Text
from forms.profiles import Profile


class MatrixRow(Record):
    level: Text = Field(title="包保层级", description="如 教育局领导、校领导、班主任、科任教师")
    person: Name = Field(title="包保人")
    title: OptText = Field(None, title="职务")
    covers: Text = Field(title="包保对象")
    phone: Phone = Field(None, title="联系电话")


class ResponsibilityMatrix(Record):
    number: OptText = Field(None, title="编号")
    school: School = Field(title="学校")
    school_year: int = Field(title="学年", ge=2000, le=2100, description="2025 表示2025—2026学年")
    rows: list[MatrixRow] = Field(title="包保责任", min_length=1)


def context(record: ResponsibilityMatrix, profile: Profile) -> dict[str, Any]:
    rule = profile.document("responsibility_matrix").extra["levels"]
    levels: list[dict[str, Any]] = list(rule.value)
    by_name: dict[str, int] = {}
    for i, level in enumerate(levels):
        for name in [level["name"], *level.get("aliases", [])]:
            by_name[str(name)] = i
    groups: list[list[MatrixRow]] = [[] for _ in levels]
    for i, row in enumerate(record.rows):
        if row.level not in by_name:
            known = "、".join(str(level["name"]) for level in levels)
            raise rule_error(
                ResponsibilityMatrix,
                ("rows", i, "level"),
                f"“{row.level}”不是双线四包的层级（可填：{known}；{rule.source}）",
            )
        groups[by_name[row.level]].append(row)
    missing = [str(levels[i]["name"]) for i, rows in enumerate(groups) if not rows]
    if missing:
        raise rule_error(
            ResponsibilityMatrix,
            ("rows",),
            f"缺少“{'、'.join(missing)}”一级的包保人：双线四包须层层落实到人（{rule.source}）",
        )
    return {
        "groups": [
            {"label": f"{level['name']}包{level['covers']}", "rows": rows}
            for level, rows in zip(levels, groups, strict=True)
        ]
    }
