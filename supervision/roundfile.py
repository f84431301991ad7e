"""A round written down as a YAML file (for `baoxue round` and `make demo`): the schools and
the 挂点 table, the dates and cadences, each visit with the audit report it rests on, the
inspector's verdicts and record, what became of each 整改意见; and the school-age roster.
`write_round` makes the plan, each school's 督导报告, the 通报 and the rates from it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from audit.checklist import Checklist, get_checklist
from audit.report import load_result
from audit.report.model import AuditResult
from audit.review import rescore
from cases.model import Case
from forms.errors import translate
from forms.profiles import Profile, get_profile
from forms.yamlload import load_yaml
from supervision.bulletin import build_bulletin
from supervision.config import RoundConfig, round_config
from supervision.model import Rectification, Round, VisitRecord
from supervision.plan import Assigned, PlanSchool, plan_visits
from supervision.rates import UnitRates, dropouts_from_cases, read_children, unit_rates
from supervision.rectify import accept, from_result, submit
from supervision.render import render_bulletin, render_report
from supervision.sheets import write_plan, write_rates


class RoundFileError(Exception):
    """A round file that cannot be used; the message names the file and the problem."""


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SchoolIn(Model):
    name: str
    township: str | None = None
    profile: str | None = None


class AssignmentIn(Model):
    """A row of 002 附件2: 挂点乡镇, 责任领导, 责任人（责任督学）."""

    township: str
    leader: str | None = None
    inspectors: list[str] = Field(default_factory=list)


class RectIn(Model):
    item: str
    evidence: list[str] = Field(default_factory=list)
    accepted_by: str | None = None
    accepted_on: date | None = None


class VisitIn(Model):
    school: str
    inspector: str
    date: date
    kind: str = "visit"
    cadence: str = "督导室每学期专项督导"
    audit: str | None = None  # path of the audit's report.json, relative to the file
    verdicts: dict[str, str] = Field(default_factory=dict)
    notes: dict[str, str] = Field(default_factory=dict)
    observations: list[str] = Field(default_factory=list)
    summary: str = ""
    rectifications: list[RectIn] = Field(default_factory=list)


class RoundFile(Model):
    name: str
    checklist: str
    profile: str | None = None
    start: date
    end: date
    number: str = ""
    cadences: list[str] | None = None
    schools: list[SchoolIn] = Field(min_length=1)
    assignments: list[AssignmentIn] = Field(default_factory=list)
    visits: list[VisitIn] = Field(default_factory=list)
    roster: str | None = None  # the school-age roster (摸排名单), relative to the file


def load_round_file(path: Path) -> RoundFile:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RoundFileError(f"无法读取督导轮次文件 {path}：{exc.strerror}") from None
    except yaml.YAMLError:
        raise RoundFileError(f"{path.name}：YAML 格式错误") from None
    try:
        return RoundFile.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(f"键 {e.loc}：{e.message}" for e in translate(exc, RoundFile))
        raise RoundFileError(f"{path.name}：{problems}") from None


def _assigned(rf: RoundFile) -> list[Assigned]:
    out = []
    for a in rf.assignments:
        if a.leader:
            out.append(Assigned(a.township, a.leader, "leader"))
        out += [Assigned(a.township, name, "inspector") for name in a.inspectors]
    return out


def _result(v: VisitIn, base: Path) -> AuditResult | None:
    if v.audit is None:
        return None
    path = base / v.audit
    try:
        result = load_result(path.read_bytes())
    except OSError:
        raise RoundFileError(f"找不到核查报告 {path}（{v.school}）") from None
    if v.verdicts:
        try:
            result = rescore(result, v.verdicts, v.inspector)  # type: ignore[arg-type]
        except ValueError as exc:
            raise RoundFileError(f"{v.school}：{exc}") from None
    return result


def _rects(v: VisitIn, result: AuditResult | None, config: RoundConfig) -> list[Rectification]:
    rects = from_result(result, v.date) if result is not None and v.kind == "visit" else []
    done = {r.item: r for r in v.rectifications}
    out = []
    for rect in rects:
        given = done.get(rect.item_id)
        if given is not None:
            for name in given.evidence:
                rect = submit(rect, name)
            if given.accepted_by:
                rect = accept(rect, given.accepted_by, given.accepted_on or v.date, config)
        out.append(rect)
    return out


def build_round(rf: RoundFile, base: Path, issued: date) -> Round:
    """The round the file describes: its plan and every visit, audits loaded and reviewed."""
    config = round_config(rf.checklist)
    profile_id = rf.profile or get_checklist(rf.checklist).default_profile or ""
    towns = {s.name: s.township for s in rf.schools}
    profiles = {s.name: s.profile or profile_id for s in rf.schools}
    terms = get_profile(profile_id).terms if profile_id else None
    plan = plan_visits(
        config,
        [PlanSchool(s.name, s.township) for s in rf.schools],
        _assigned(rf),
        rf.start,
        rf.end,
        rf.cadences,
        tuple(terms.value) if terms else None,
        {v.school: v.inspector for v in rf.visits if v.kind == "visit"},
    )
    visits = []
    for v in rf.visits:
        if v.school not in towns:
            raise RoundFileError(f"督导记录中的学校“{v.school}”不在 schools 中")
        result = _result(v, base)
        visits.append(
            VisitRecord(
                school=v.school,
                township=towns[v.school],
                profile_id=profiles[v.school],
                cadence_name=v.cadence,
                inspector=v.inspector,
                visited_on=v.date,
                kind=v.kind,
                result=result,
                notes=v.notes,
                observations=v.observations,
                summary=v.summary,
                rectifications=_rects(v, result, config),
            )
        )
    return Round(
        name=rf.name,
        checklist=rf.checklist,
        profile_id=profile_id,
        start=rf.start,
        end=rf.end,
        issued=issued,
        number=rf.number,
        visits=visits,
        plan=plan,
    )


def round_rates(
    rf: RoundFile, base: Path, rnd: Round, on: date, cases: Sequence[Case] = ()
) -> list[UnitRates]:
    if rf.roster is None:
        return []
    county = get_profile(rnd.profile_id)
    profiles: dict[str, Profile] = {p: get_profile(p) for p in {c.profile_id for c in cases}}
    school_profiles = {s.name: get_profile(s.profile) for s in rf.schools if s.profile}
    return unit_rates(
        read_children(base / rf.roster),
        dropouts_from_cases(cases, on, profiles),
        rnd.start,
        on,
        county.body("bureau").removesuffix("教育局"),
        county,
        school_profiles,
        [(s.name, s.township) for s in rf.schools],
    )


def _checklist(rnd: Round, visit: VisitRecord) -> Checklist:
    if visit.result is not None:
        return Checklist.model_validate(visit.result.checklist.effective)
    return get_checklist(rnd.checklist)


def write_round(
    rnd: Round,
    out_dir: Path,
    today: date,
    rates: list[UnitRates],
    months: Sequence[str] = (),
    formats: tuple[str, ...] = ("pdf", "docx"),
) -> list[Path]:
    """OUT_DIR: 督导计划.xlsx, 督导报告/<school>督导报告.pdf|docx, 督导通报, the months'
    通报, 主要指标.xlsx (with a roster)."""
    config = round_config(rnd.checklist)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_plan(rnd.plan, out_dir / "督导计划.xlsx")]
    if rates:
        written.append(write_rates(rates, out_dir / "主要指标.xlsx"))
    for v in rnd.visits:
        if v.kind != "visit":
            continue
        folder = out_dir / "督导报告"
        folder.mkdir(exist_ok=True)
        for fmt, data in render_report(v, _checklist(rnd, v), config, today, formats).items():
            path = folder / f"{v.school}督导报告.{fmt}"
            path.write_bytes(data)
            written.append(path)
    bulletins = {"督导通报": build_bulletin(rnd, config, today, rates=rates)}
    for month in months:
        year, number = month.split("-")
        bulletins[f"{year}年{int(number)}月督导通报"] = build_bulletin(
            rnd, config, today, month=month
        )
    for stem, b in bulletins.items():
        number = rnd.number if stem == "督导通报" else ""
        for fmt, data in render_bulletin(b, config, today, number, rnd.profile_id, formats).items():
            path = out_dir / f"{stem}.{fmt}"
            path.write_bytes(data)
            written.append(path)
    return written
