"""The round's rules as data: cadences, rectification, bulletin (checklists/round/*.yaml) and
the rate formulas (checklists/tables/rates.yaml). Every value carries its source."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from forms.errors import translate
from forms.paths import CHECKLISTS_DIR
from forms.profiles import Citation, Sourced
from forms.yamlload import load_yaml

ROUND_DIR = CHECKLISTS_DIR / "round"
RATES_FILE = CHECKLISTS_DIR / "tables" / "rates.yaml"


class RoundConfigError(Exception):
    """A round file that cannot be used; the message names the file and the problem."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cadence(Strict):
    """One kind of regular supervision (002 § 三(一)): who visits, how often."""

    id: str
    name: str
    actor: str
    every: Literal["term", "month", "weeks"]
    weeks: int = Field(2, ge=1)
    weekday: int = Field(5, ge=1, le=7)  # weeks: the block's last week's day it is due by
    per_day: int = Field(2, ge=1)  # term: schools visited a school day
    min_days: int = Field(1, ge=1)  # a window the round covers for fewer days is left out
    assigned: Literal["leader", "inspector"] | None = None
    source: Citation
    reading: str | None = None


class Rectification(Strict):
    revisit_after_days: Sourced[int]
    revisit_within_days: Sourced[int]
    close_needs_evidence: Sourced[bool]


class Bulletin(Strict):
    most_failed: Sourced[int]
    failed_statuses: Sourced[list[str]]
    ranking: Sourced[list[str]]
    monthly_window: Sourced[str]


class RoundConfig(Strict):
    checklist: str
    issuer: Sourced[str]
    basis: Sourced[str]
    addressees: Sourced[str]
    office: Sourced[str]
    cadences: list[Cadence] = Field(min_length=1)
    default_cadences: Sourced[list[str]]
    terms: Sourced[list[str]]
    rectification: Rectification
    bulletin: Bulletin

    def cadence(self, cadence_id: str) -> Cadence:
        for c in self.cadences:
            if c.id == cadence_id:
                return c
        known = "、".join(c.id for c in self.cadences)
        raise RoundConfigError(f"没有名为“{cadence_id}”的督导方式（可用：{known}）")


class RateSpec(Strict):
    name: str
    formula: str
    source: Citation
    reading: str
    none_meets_target: bool = False


class RatesConfig(Strict):
    version: int
    counts: dict[str, str]
    enrolled_statuses: Sourced[list[str]]
    dropout_statuses: Sourced[list[str]]
    dropout_kinds: Sourced[list[str]]
    age_on: Sourced[str]
    rates: dict[str, RateSpec]
    at_most: list[str] = Field(default_factory=list)

    def formula_text(self, key: str) -> str:
        """The formula in words: “（期初在籍学生数 − 未复学的辍学学生数）÷ 期初在籍学生数 × 100%”."""
        import re

        text = self.rates[key].formula.replace(" * 100", " × 100%")
        text = re.sub(r"[A-Za-z_]+", lambda m: self.counts.get(m.group(0), m.group(0)), text)
        return (
            text.replace(" - ", " − ").replace(" / ", " ÷ ").replace("(", "（").replace(")", "）")
        )


def _load(path: Path, model: type[Strict]) -> Strict:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError:
        raise RoundConfigError(f"无法读取 {path.name}") from None
    except yaml.YAMLError:
        raise RoundConfigError(f"{path.name}：YAML 格式错误") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(f"键 {e.loc}：{e.message}" for e in translate(exc, model))
        raise RoundConfigError(f"{path.name}：{problems}") from None


@cache
def round_config(checklist_id: str) -> RoundConfig:
    path = ROUND_DIR / f"{checklist_id}.yaml"
    if not path.is_file():
        known = "、".join(p.stem for p in sorted(ROUND_DIR.glob("*.yaml")))
        raise RoundConfigError(f"督导清单“{checklist_id}”没有督导轮次的规定（可用：{known}）")
    config = _load(path, RoundConfig)
    assert isinstance(config, RoundConfig)
    if config.checklist != checklist_id:
        raise RoundConfigError(f"{path.name}：checklist 应为“{checklist_id}”")
    for cadence_id in config.default_cadences.value:
        config.cadence(cadence_id)
    return config


def round_checklists() -> list[str]:
    return [p.stem for p in sorted(ROUND_DIR.glob("*.yaml"))]


@cache
def rates_config(path: Path = RATES_FILE) -> RatesConfig:
    config = _load(path, RatesConfig)
    assert isinstance(config, RatesConfig)
    return config
