"""目标责任书: the four pairings of seed 004 and the bureau↔school letter.

Who signs with whom, each side's duties, the assessment clause and the wording of the
targets come from the profile (`responsibility_letter.extra.pairings`, `target_wording`);
the targets themselves are the profile's `targets` (辍学率 0, 劝返率 100%, 巩固率 …).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, model_validator

from forms.dates import cn_date
from forms.documents.common import rule_error
from forms.models import DateField, OptText, Record, Text
from forms.profiles import Profile

# Duties in the profile end with their seed citation; the printed letter leaves it out.
_CITATION = re.compile(r"（(?:000|001|002|003|004) [^）]*）$")

Pairing = Literal["town_village", "town_school", "school_teacher", "village_grid", "bureau_school"]


class ResponsibilityLetter(Record):
    number: OptText = Field(None, title="编号")
    pairing: Pairing = Field(
        title="签订双方",
        description="town_village 镇—村；town_school 镇—学校；school_teacher 学校—班主任；"
        "village_grid 村—网格员；bureau_school 教育局—学校",
    )
    party_a: OptText = Field(None, title="甲方", description="不填则按辖区规定（镇政府、教育局）")
    party_b: Text = Field(title="乙方")
    party_a_person: OptText = Field(None, title="甲方负责人")
    party_b_person: OptText = Field(None, title="乙方负责人")
    township: OptText = Field(None, title="所在乡镇")
    period_start: DateField = Field(title="责任期起")
    period_end: DateField = Field(title="责任期止")
    sign_date: DateField = Field(title="签订日期")
    extra_duties: list[Text] = Field(default_factory=list, title="乙方补充责任")

    @model_validator(mode="after")
    def _period_in_order(self) -> ResponsibilityLetter:
        if self.period_end <= self.period_start:
            raise ValueError(
                f"责任期止{cn_date(self.period_end)}应晚于责任期起{cn_date(self.period_start)}"
            )
        return self


def targets(profile: Profile) -> list[str]:
    """The profile's targets in the letter's words, e.g. “辍学率为0”."""
    wording = profile.document("responsibility_letter").extra["target_wording"].value
    out = []
    for key, target in profile.targets.items():
        value = target.value
        text = str(int(value)) if float(value).is_integer() else f"{value:g}"
        if key in wording:
            out.append(str(wording[key]).replace("{value}", text))
    return out


def context(record: ResponsibilityLetter, profile: Profile) -> dict[str, Any]:
    extra = profile.document("responsibility_letter").extra
    pairings = extra["pairings"].value
    pairing = pairings.get(record.pairing)
    if pairing is None:
        names = "、".join(pairings)
        raise rule_error(
            ResponsibilityLetter,
            ("pairing",),
            f"本辖区没有“{record.pairing}”这种责任书（可用：{names}；{extra['pairings'].source}）",
        )
    party_a = record.party_a or profile.expand(str(pairing.get("party_a", "")), record.township)
    if not party_a:
        raise rule_error(ResponsibilityLetter, ("party_a",), "必须填写")
    fill = {"{party_a}": party_a, "{party_b}": record.party_b}

    def words(text: str) -> str:
        text = _CITATION.sub("", profile.expand(text, record.township))
        for key, value in fill.items():
            text = text.replace(key, value)
        return text

    return {
        "title": pairing["title"],
        "issuer": party_a,
        "party_a": party_a,
        "a_label": pairing["a_label"],
        "b_label": pairing["b_label"],
        "preamble": words(str(extra["preamble"].value)),
        "targets": targets(profile),
        "duties_a": [words(d) for d in pairing["duties_a"]],
        "duties_b": [words(d) for d in pairing["duties_b"]] + list(record.extra_duties),
        "assessment": words(str(pairing["assessment"])),
        "source": pairing["source"],
    }
