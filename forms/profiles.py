"""Jurisdiction profiles: the wording, deadlines and thresholds of one county's rules.

A profile is YAML in checklists/profiles/. Every value is written as
`{value: …, source: "000 § 四(一)3", reading: "…"}` so a reader can check where it came
from; `reading` states the interpretation chosen where the seed is ambiguous or silent.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from forms.errors import translate
from forms.files import describe_decode_error, describe_os_error, syntax_where
from forms.paths import PROFILES_DIR, PROJECT_ROOT
from forms.yamlload import load_yaml

T = TypeVar("T")

# A citation is a seed section ("000 § 四(一)3", "002 附件1 四"), a law (《…》) or DESIGN.md.
_SOURCE = re.compile(r"^(?:(?:000|001|002|003|004) (?:§ )?\S.*|《.+》.*|DESIGN\.md\b.*)$")


class ProfileError(Exception):
    """A profile file that cannot be used; the message names file, key and problem."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _cited(value: str) -> str:
    if not _SOURCE.match(value.strip()):
        raise ValueError(f"出处“{value}”应写成“000 § 四(一)3”、“002 附件1 四”或《法规名》")
    return value.strip()


Citation = Annotated[str, AfterValidator(_cited)]


class Sourced(Strict, Generic[T]):
    value: T
    source: Citation
    reading: str | None = None


class EscalationStep(Strict):
    """One rung of the dropout ladder (cases/ladder.py reads it).

    The clock starts at `from_step`'s recorded date, else — when `after_days` is given —
    at the case's first day absent (that day counts as day 1), else at the previous
    step's date. `after_days`: the step falls due that many days after the start (from
    the first day absent: on the Nth day of absence); `within_days`: it must be done
    within that many days of the start. `counts` says whether days are school days
    (Monday–Friday, holidays skipped) or calendar days.
    """

    step: int
    trigger: str  # e.g. "无故3日未到校"
    after_days: int | None = None
    actor: str
    action: str
    document: str | None = None  # form id this step produces
    within_days: int | None = None
    event: str | None = None  # the case event that records this step (phone_call, …)
    from_step: int | None = None
    counts: Literal["school_days", "calendar_days"] = "calendar_days"
    becomes: str | None = None  # the case's kind once this step is recorded (辍学)
    optional: bool = False  # done by another body or only if needed; never blocks the next
    source: Citation
    reading: str | None = None


class PeriodicReport(Strict):
    """A report filed every month, cases or none (cases/reports_due.py lists it)."""

    what: str  # 《蛟潭镇控辍保学总台账》
    actor: str  # who files it: 镇民生服务办, 学校
    to: str  # to whom: 县教育局
    level: Literal["school", "township"]
    by_day: int | None = None  # the day of the month it is due by; None: the month's last day
    remind_days: int = 5  # listed in the due list from this many days before
    source: Citation
    reading: str | None = None


class CaseRules(Strict):
    """Rules of a dropout case (cases/) beyond its ladder."""

    reopen_within_days: Sourced[int]
    first_kind: Sourced[str]  # a new case's kind: 疑似辍学
    reports: list[PeriodicReport] = Field(default_factory=list)


class Duty(Strict):
    """A recurring duty the seed sets (cases/duties.py makes its dates).

    cadence: daily (each school day); weekly (by `weekday`, 1 = Monday, every `every` weeks);
    monthly (by `by_day`, None: the month's last day); quarterly (by the quarter's last day);
    term (within `within_days` of each term's start, or by the term's end without it);
    yearly (by `month`-`day`, from `start_month` when given); once (from `start` by `until`);
    after_return (within `within_days` of a case closed as 复学); after_suspension (every
    `every` months after a case closed as an approved suspension). `start`/`until` bound any
    cadence to a window (a campaign's phase)."""

    id: str
    what: str
    actor: str
    level: Literal["school", "township", "village", "bureau"]
    to: str | None = None
    cadence: Literal[
        "daily",
        "weekly",
        "monthly",
        "quarterly",
        "term",
        "yearly",
        "once",
        "after_return",
        "after_suspension",
    ]
    weekday: int = 5
    every: int = 1
    by_day: int | None = None
    month: int | None = None
    day: int | None = None
    start_month: int | None = None
    within_days: int | None = None
    start: date | None = None
    until: date | None = None
    track_overdue: bool = True  # False: listed in its week, never carried as overdue
    source: Citation
    reading: str | None = None


class LedgerWording(Strict):
    """A ledger's keeper and cadence in this jurisdiction's own words (forms/ledgers.py)."""

    kept_by: Sourced[str] | None = None
    cadence: Sourced[str] | None = None


class LeaveTier(Strict):
    max_days: float | None  # None: no upper bound
    approver: str


class LeavePolicy(Strict):
    tiers: Sourced[list[LeaveTier]]
    home_visit_over_days: Sourced[int]
    day_count: Sourced[str]  # "calendar": every day from start to end counts
    half_day: Sourced[str]  # "ceil": 1.5 days is approved at the 2-day tier


class HomeTeaching(Strict):
    age_range: Sourced[list[int]]
    visits_per_month: Sourced[int]
    sessions_per_visit: Sourced[int]
    minutes_per_session: Sourced[int]
    sessions_per_year: Sourced[int]
    unit: Sourced[str]  # "课时" (class periods) or "小时" (clock hours)
    teaching_months: Sourced[list[int]]
    prorate_per_month: Sourced[float]


class DocumentSpec(Strict):
    """Wording of one document kind in this jurisdiction."""

    title: Sourced[str]
    issuer: Sourced[str] | None = None
    recipient: Sourced[str] | None = None
    deadline_days: Sourced[int] | None = None
    issue_within_days: Sourced[int] | None = None
    legal_basis: Sourced[str] | None = None
    body: Sourced[str] | None = None
    consequence: Sourced[str] | None = None
    sanction: Sourced[str] | None = None  # the law's sanction, cited beside the duty
    report_to: Sourced[list[str]] | None = None
    extra: dict[str, Sourced[Any]] = Field(default_factory=dict)


class Profile(Strict):
    id: str
    name: str
    jurisdiction: str
    seed: str
    checklist: str | None = None
    bodies: dict[str, Sourced[str]]
    age_range: Sourced[list[int]]
    documents: dict[str, DocumentSpec | None]
    absent_documents: dict[str, Sourced[str]] = Field(default_factory=dict)
    escalation: list[EscalationStep]
    cases: CaseRules | None = None
    leave_approval: LeavePolicy | None = None
    home_teaching: HomeTeaching | None = None
    targets: dict[str, Sourced[float]]
    terms: Sourced[list[str]] | None = None  # term starts, "09-01"; the duties' calendar
    duties: list[Duty] = Field(default_factory=list)
    ledgers: dict[str, LedgerWording] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    def document(self, form_id: str) -> DocumentSpec:
        spec = self.documents.get(form_id)
        if spec is None:
            why = self.absent_documents.get(form_id)
            reason = f"（{why.value}，见 {why.source}）" if why else ""
            raise ProfileError(f"辖区规定“{self.name}”中没有这种文书{reason}")
        return spec

    def body(self, key: str, township: str | None = None) -> str:
        """Name of an issuing body; `{township}` is filled from the record."""
        template = self.bodies[key].value
        if "{township}" in template:
            return template.replace("{township}", township or "乡镇")
        return template

    def expand(self, text: str, township: str | None = None) -> str:
        """Fill `{bureau}`-style placeholders of wording with the bodies' names."""
        for key in self.bodies:
            if "{" + key + "}" in text:
                text = text.replace("{" + key + "}", self.body(key, township))
        return text

    def wording(self, form_id: str, township: str | None = None) -> dict[str, Any]:
        """The document's spec as plain values, placeholders filled, for a template."""
        spec = self.document(form_id)
        out: dict[str, Any] = {}
        for name in type(spec).model_fields:
            item = getattr(spec, name)
            if isinstance(item, Sourced):
                value = item.value
                out[name] = self.expand(value, township) if isinstance(value, str) else value
        for key, item in spec.extra.items():
            value = item.value
            out[key] = self.expand(value, township) if isinstance(value, str) else value
        return out

    def deadline(self, form_id: str, issued: date) -> date | None:
        days = self.document(form_id).deadline_days
        return None if days is None else issued + timedelta(days=days.value)


def _yaml_error(path: Path, exc: yaml.YAMLError) -> ProfileError:
    return ProfileError(f"{_display(path)}：YAML 格式错误 {syntax_where(exc)}")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def load_profile_file(path: Path) -> Profile:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    except OSError as exc:
        raise ProfileError(f"无法读取辖区规定：{describe_os_error(exc, _display(path))}") from None
    except UnicodeDecodeError:
        raise ProfileError(describe_decode_error(_display(path))) from None
    if not isinstance(data, dict):
        raise ProfileError(f"{_display(path)}：内容应为一组键值（YAML 映射）")
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(f"键 {e.loc}：{e.message}" for e in translate(exc, Profile))
        raise ProfileError(f"{_display(path)}：{problems}") from None
    if profile.id != path.stem:
        raise ProfileError(f"{_display(path)}：键 id：“{profile.id}”应与文件名“{path.stem}”一致")
    return profile


def profile_paths(directory: Path = PROFILES_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


@cache
def get_profile(profile_id: str) -> Profile:
    path = PROFILES_DIR / f"{profile_id}.yaml"
    if not path.is_file():
        known = "、".join(p.stem for p in profile_paths())
        raise ProfileError(f"没有名为“{profile_id}”的辖区规定（可用：{known}）")
    return load_profile_file(path)


def all_profiles() -> list[Profile]:
    return [get_profile(p.stem) for p in profile_paths()]
