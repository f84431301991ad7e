"""A supervision round as the documents see it: the plan, each visit, each 整改意见.

The web service keeps these in its tables and builds them for the documents; the CLI reads
them from a round file (YAML). Verdicts are the audit's statuses, with the inspector's final
verdict where she gave one."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from audit.report.model import AuditResult

RECT_STATUS = {"open": "待整改", "submitted": "待验收", "closed": "已整改"}
RECT_OVERDUE = "逾期未整改"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlannedVisit(Model):
    """One visit the cadences put on the plan."""

    school: str
    township: str | None = None
    cadence: str  # the cadence id (checklists/round/*.yaml)
    cadence_name: str
    actor: str  # the body that visits (市教育局挂点领导 …)
    inspector: str | None = None  # the person, from the 挂点 table
    planned_on: date
    due: date


class Rectification(Model):
    """整改意见: what to put right, by when; closed once evidence is accepted."""

    item_id: str
    title: str = ""
    text: str
    severity: str = "major"
    deadline: date
    status: str = "open"  # open | submitted | closed
    evidence: list[str] = Field(default_factory=list)  # file names
    accepted_by: str | None = None
    accepted_on: date | None = None
    revisits: list[date] = Field(default_factory=list)  # 回访 done


class VisitRecord(Model):
    """A visit done: the audited package, verdicts, the 督导工作情况表's notes, 整改意见."""

    school: str
    township: str | None = None
    profile_id: str | None = None
    cadence_name: str = "专项督导"
    inspector: str
    visited_on: date
    kind: str = "visit"  # visit | revisit (回访)
    result: AuditResult | None = None  # effective: the inspector's verdicts applied
    notes: dict[str, str] = Field(default_factory=dict)  # item id → 督导情况记录
    observations: list[str] = Field(default_factory=list)
    summary: str = ""
    rectifications: list[Rectification] = Field(default_factory=list)


class Round(Model):
    name: str
    checklist: str
    profile_id: str
    start: date
    end: date
    issued: date
    number: str = ""  # 文号 of the 通报
    visits: list[VisitRecord] = Field(default_factory=list)
    plan: list[PlannedVisit] = Field(default_factory=list)
