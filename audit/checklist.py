"""Supervision checklists and their profile overlays, resolved into the effective checklist.

A checklist (checklists/<id>.yaml) is versioned data: items → requirements, each with the rule
that judges it, weight, severity, method, the evidence kinds it reads, cited params and the
整改意见 template. An overlay (checklists/overlays/<id>.yaml) adapts it for a jurisdiction or
an occasion — `extends`, `set_params`, `exclude`, `modify`, `waivers` — and names the
jurisdiction profile (checklists/profiles/) whose values fill `from_profile` params. The
resolved, effective checklist is what the rules read and what every result stores, with its
sha256, so a report can always be traced to the exact thresholds that produced it.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from audit.facts import EVIDENCE_KINDS
from forms.errors import translate
from forms.paths import CHECKLISTS_DIR, PROJECT_ROOT
from forms.profiles import Citation, Profile, ProfileError, Sourced, get_profile, load_profile_file
from forms.yamlload import load_yaml

Severity = Literal["critical", "major", "minor"]
Method = Literal["examine", "interview", "test"]
Status = Literal["pass", "partial", "fail", "not_applicable", "not_reviewed", "error"]

SEVERITY_NAMES: dict[str, str] = {"critical": "严重", "major": "一般", "minor": "轻微"}
METHOD_NAMES: dict[str, str] = {"examine": "查阅", "interview": "访谈", "test": "实测"}
STATUS_NAMES: dict[str, str] = {
    "pass": "符合",
    "partial": "部分符合",
    "fail": "不符合",
    "not_applicable": "不适用",
    "not_reviewed": "待人工核查",
    "error": "无法读取",
}


class ChecklistError(Exception):
    """A checklist or overlay that cannot be used; the message names file, key and problem."""


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Param(Frozen):
    """A threshold or reading. `from_profile` names a path in the jurisdiction profile."""

    value: Any = None
    from_profile: str | None = None
    source: Citation
    reading: str | None = None


class Gate(Frozen):
    """一票否决: when the requirement ends in one of `when`, the level is at most `cap`."""

    cap: str
    when: list[Status] = Field(default_factory=lambda: list[Status](["fail"]))
    source: Citation
    reading: str | None = None


class Waiver(Frozen):
    reason: str
    granted_by: str
    until: date | None = None
    source: Citation | None = None


Hypothetical = Literal["joint_visit", "visit", "home_visit", "session", "short_session", "leave"]


class UnreadBound(Frozen):
    """How unread content bounds a requirement (issue 20 §2): each unread piece of `records`
    might be one more `best` record (helping the student) or one `worst` record (breaking the
    rule), or nothing; a verdict that differs between those bounds is left to a person."""

    records: list[str] = Field(min_length=1)  # record kinds whose unread pieces count
    best: Hypothetical | None = None
    worst: Hypothetical | None = None
    source: Citation
    reading: str


class Requirement(Frozen):
    id: str
    title: str
    rule: str
    weight: float = Field(ge=0)
    severity: Severity
    method: Method
    evidence: list[str] = Field(min_length=1)
    source: Citation
    params: dict[str, Param] = Field(default_factory=dict)
    gate: Gate | None = None
    recommendation: str
    waiver: Waiver | None = None  # set by an overlay, never in a checklist file
    unread: UnreadBound | None = None

    def param_values(self) -> dict[str, Any]:
        return {k: p.value for k, p in self.params.items()}


class Row(Frozen):
    """One row of the seed's table: 督导内容 and 督导标准, and the requirements it covers."""

    content: str
    standard: str
    requirements: list[str]


class Item(Frozen):
    id: str
    title: str
    owner: str = ""  # who answers for remediation by default (the XLSX's owner column)
    source: Citation
    rows: list[Row] = Field(min_length=1)
    requirements: list[Requirement] = Field(min_length=1)


class Level(Frozen):
    name: str
    min_percent: float = Field(ge=0, le=100)


class Scoring(Frozen):
    partial_credit: Sourced[str | float]  # "proportional" or a fixed fraction 0..1
    levels: Sourced[list[Level]]
    critical_cap: Sourced[str | None]
    remediation_due_days: Sourced[dict[Severity, int]]
    pending_credit: Sourced[float]


class Exclusion(Frozen):
    id: str
    reason: str
    source: Citation | None = None
    by: str = ""  # the overlay that excluded it (filled on resolution)


class Checklist(Frozen):
    id: str
    version: str
    title: str
    issuer: str = ""
    source: Citation
    default_profile: str | None = None
    scoring: Scoring
    items: list[Item] = Field(min_length=1)
    # Filled on resolution: which overlays and jurisdiction produced this effective checklist.
    profile: str | None = None
    jurisdiction: str | None = None
    overlays: list[str] = Field(default_factory=list)
    excluded: list[Exclusion] = Field(default_factory=list)

    def requirements(self) -> list[Requirement]:
        return [r for item in self.items for r in item.requirements]

    def requirement(self, rid: str) -> Requirement:
        for r in self.requirements():
            if r.id == rid:
                return r
        raise KeyError(rid)

    def level_names(self) -> list[str]:
        return [lv.name for lv in self.scoring.levels.value]


class Modification(Frozen):
    title: str | None = None
    weight: float | None = Field(default=None, ge=0)
    severity: Severity | None = None
    method: Method | None = None
    evidence: list[str] | None = None
    recommendation: str | None = None
    gate: Gate | None = None
    reason: str | None = None


class WaiverEntry(Waiver):
    id: str


class Overlay(Frozen):
    id: str
    name: str
    extends: str
    jurisdiction: str | None = None
    source: Citation | None = None
    description: str | None = None
    set_params: dict[str, dict[str, Param]] = Field(default_factory=dict)
    exclude: list[Exclusion] = Field(default_factory=list)
    modify: dict[str, Modification] = Field(default_factory=dict)
    waivers: list[WaiverEntry] = Field(default_factory=list)


# -- loading -------------------------------------------------------------------------


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _key(loc: tuple[int | str, ...], data: Any) -> str:
    """A readable key path: list entries with an `id` are shown by it (items[2].requirements[2.4])."""
    out = ""
    node = data
    for piece in loc:
        if isinstance(piece, int):
            entry = node[piece] if isinstance(node, list) and piece < len(node) else None
            ident = entry.get("id") if isinstance(entry, dict) else None
            out += f"[{ident}]" if ident is not None else f"[{piece + 1}]"
            node = entry
        else:
            out += ("." if out else "") + str(piece)
            node = node.get(piece) if isinstance(node, dict) else None
    return out or "（根）"


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列：" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ChecklistError(f"{_display(path)}：YAML 格式错误 {where}{problem}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ChecklistError(f"{_display(path)}：无法读取：{exc}") from None
    if not isinstance(data, dict):
        raise ChecklistError(f"{_display(path)}：内容应为一组键值（YAML 映射）")
    return data


def _validate(model: type[BaseModel], data: dict[str, Any], path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(
            f"键 {_key(_loc(e.loc), data)}：{e.message}" for e in translate(exc, model)
        )
        raise ChecklistError(f"{_display(path)}：{problems}") from None


def _loc(dotted: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in dotted.split(".") if p)


_PLACEHOLDER = string.Formatter()


def _placeholders(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in _PLACEHOLDER.parse(template) if name}
    except ValueError as exc:
        raise ValueError(f"模板中的花括号不成对：{exc}") from None


def _problems(cl: Checklist) -> list[str]:
    """Checks across fields that a model cannot express; each names its key."""
    out: list[str] = []
    levels = cl.level_names()
    mins = [lv.min_percent for lv in cl.scoring.levels.value]
    if mins != sorted(mins, reverse=True) or not mins or mins[-1] != 0:
        out.append("键 scoring.levels：等次应从高到低排列，最后一档的 min_percent 为0")
    cap = cl.scoring.critical_cap.value
    if cap is not None and cap not in levels:
        out.append(f"键 scoring.critical_cap：“{cap}”不是已定义的等次（{'、'.join(levels)}）")
    pc = cl.scoring.partial_credit.value
    if (isinstance(pc, str) and pc != "proportional") or (
        isinstance(pc, float) and not 0 <= pc <= 1
    ):
        out.append("键 scoring.partial_credit：应为 proportional 或 0 到 1 之间的数")
    seen: set[str] = set()
    for item in cl.items:
        if item.id in seen:
            out.append(f"键 items[{item.id}]：编号重复")
        seen.add(item.id)
        ids = [r.id for r in item.requirements]
        in_rows = [rid for row in item.rows for rid in row.requirements]
        for rid in in_rows:
            if rid not in ids:
                out.append(f"键 items[{item.id}].rows：要求“{rid}”不在本项中")
        for rid in ids:
            if rid not in in_rows:
                out.append(f"键 items[{item.id}].rows：要求“{rid}”没有归入任何一行")
        for req in item.requirements:
            key = f"items[{item.id}].requirements[{req.id}]"
            if req.id in seen:
                out.append(f"键 {key}：编号重复")
            seen.add(req.id)
            if not req.id.startswith(item.id + "."):
                out.append(f"键 {key}：要求编号应以“{item.id}.”开头")
            for kind in req.evidence:
                if kind not in EVIDENCE_KINDS:
                    out.append(f"键 {key}.evidence：不认识的证据类别“{kind}”")
            if req.gate and req.gate.cap not in levels:
                out.append(f"键 {key}.gate.cap：“{req.gate.cap}”不是已定义的等次")
            try:
                unknown = _placeholders(req.recommendation) - {"student", *req.params}
            except ValueError as exc:
                out.append(f"键 {key}.recommendation：{exc}")
                continue
            if unknown:
                names = "、".join(sorted(unknown))
                out.append(
                    f"键 {key}.recommendation：模板中的{{{names}}}既不是 student 也不是参数名"
                )
    return out


def _check_rules(cl: Checklist, resolved: bool) -> list[str]:
    from audit.rules import RULES  # rules import this module's models; import lazily

    out: list[str] = []
    for item in cl.items:
        for req in item.requirements:
            key = f"items[{item.id}].requirements[{req.id}]"
            spec = RULES.get(req.rule)
            if spec is None:
                out.append(f"键 {key}.rule：没有名为“{req.rule}”的规则（可用：{'、'.join(RULES)}）")
                continue
            values = req.param_values()
            try:
                spec.params.model_validate(values)
            except ValidationError as exc:
                for e in translate(exc, spec.params):
                    out.append(f"键 {key}.params.{e.loc}：{e.message}")
            if resolved:
                for name, p in req.params.items():
                    if p.from_profile and p.value is None and name in spec.required_from_profile:
                        out.append(f"键 {key}.params.{name}：辖区规定中没有 {p.from_profile}")
    return out


def load_checklist_file(path: Path) -> Checklist:
    data = _read_yaml(path)
    cl: Checklist = _validate(Checklist, data, path)
    if cl.id != path.stem:
        raise ChecklistError(f"{_display(path)}：键 id：“{cl.id}”应与文件名“{path.stem}”一致")
    for field in ("profile", "jurisdiction", "overlays", "excluded"):
        if field in data:
            raise ChecklistError(
                f"{_display(path)}：键 {field}：由叠加规定生成，清单文件中不应填写"
            )
    for req in cl.requirements():
        if req.waiver is not None:
            raise ChecklistError(
                f"{_display(path)}：键 items[{req.id.split('.')[0]}].requirements[{req.id}].waiver："
                "豁免只能写在叠加规定（overlays）中"
            )
    problems = _problems(cl) + _check_rules(cl, resolved=False)
    if problems:
        raise ChecklistError(f"{_display(path)}：" + "；".join(problems))
    return cl


def load_overlay_file(path: Path) -> Overlay:
    data = _read_yaml(path)
    ov: Overlay = _validate(Overlay, data, path)
    if ov.id != path.stem:
        raise ChecklistError(f"{_display(path)}：键 id：“{ov.id}”应与文件名“{path.stem}”一致")
    return ov


def checklist_paths(directory: Path = CHECKLISTS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def overlay_paths(directory: Path = CHECKLISTS_DIR) -> list[Path]:
    return sorted((directory / "overlays").glob("*.yaml"))


def get_checklist(checklist_id: str, directory: Path = CHECKLISTS_DIR) -> Checklist:
    path = directory / f"{checklist_id}.yaml"
    if not re.fullmatch(r"[A-Za-z0-9._-]+", checklist_id) or not path.is_file():
        known = "、".join(p.stem for p in checklist_paths(directory)) or "无"
        raise ChecklistError(f"没有名为“{checklist_id}”的督导清单（可用：{known}）")
    return load_checklist_file(path)


def all_checklists(directory: Path = CHECKLISTS_DIR) -> list[Checklist]:
    return [load_checklist_file(p) for p in checklist_paths(directory)]


def all_overlays(directory: Path = CHECKLISTS_DIR) -> list[Overlay]:
    return [load_overlay_file(p) for p in overlay_paths(directory)]


# -- resolution ----------------------------------------------------------------------


def _profile(profile_id: str, directory: Path) -> Profile:
    local = directory / "profiles" / f"{profile_id}.yaml"
    try:
        if directory != CHECKLISTS_DIR and local.is_file():
            return load_profile_file(local)
        return get_profile(profile_id)
    except ProfileError as exc:
        raise ChecklistError(str(exc)) from None


def _overlay_chain(overlay: Overlay, directory: Path) -> tuple[Checklist, list[Overlay]]:
    chain = [overlay]
    while True:
        parent = chain[-1].extends
        if (directory / "overlays" / f"{parent}.yaml").is_file():
            if parent in {o.id for o in chain}:
                raise ChecklistError(f"叠加规定“{overlay.id}”的 extends 形成循环：{parent}")
            chain.append(load_overlay_file(directory / "overlays" / f"{parent}.yaml"))
            continue
        if not (directory / f"{parent}.yaml").is_file():
            raise ChecklistError(
                f"叠加规定“{chain[-1].id}”：键 extends：没有名为“{parent}”的督导清单或叠加规定"
            )
        return get_checklist(parent, directory), list(reversed(chain))


def _apply(cl: Checklist, ov: Overlay) -> Checklist:
    where = f"叠加规定“{ov.id}”"
    item_ids = {i.id for i in cl.items}
    req_ids = {r.id for r in cl.requirements()}
    for rid in [*ov.set_params, *ov.modify, *(e.id for e in ov.exclude)]:
        if rid not in req_ids and rid not in item_ids:
            raise ChecklistError(f"{where}：没有编号为“{rid}”的督导项目或要求")
    for rid in ov.set_params:
        if rid in item_ids:
            raise ChecklistError(
                f"{where}：键 set_params.{rid}：参数属于要求（如 {rid}.1），不属于项目"
            )
    for w in ov.waivers:
        if w.id not in req_ids and w.id not in item_ids:
            raise ChecklistError(f"{where}：键 waivers：没有编号为“{w.id}”的督导项目或要求")
    excluded = {e.id for e in ov.exclude}
    waivers = {w.id: w for w in ov.waivers}
    items: list[Item] = []
    for item in cl.items:
        if item.id in excluded:
            continue
        reqs: list[Requirement] = []
        for req in item.requirements:
            if req.id in excluded:
                continue
            update: dict[str, Any] = {}
            if req.id in ov.set_params:
                params = dict(req.params)
                for name, p in ov.set_params[req.id].items():
                    if name not in params:
                        known = "、".join(params) or "无"
                        raise ChecklistError(
                            f"{where}：键 set_params.{req.id}.{name}：要求 {req.id} 没有这个参数（有：{known}）"
                        )
                    params[name] = p
                update["params"] = params
            mod = ov.modify.get(req.id)
            if mod:
                update |= mod.model_dump(exclude_none=True, exclude={"reason"})
                if mod.gate is not None:
                    update["gate"] = mod.gate
            waiver = waivers.get(req.id) or waivers.get(item.id)
            if waiver:
                update["waiver"] = Waiver(**waiver.model_dump(exclude={"id"}))
            reqs.append(req.model_copy(update=update) if update else req)
        if not reqs:
            continue
        kept = {r.id for r in reqs}
        rows = [
            row.model_copy(update={"requirements": [r for r in row.requirements if r in kept]})
            for row in item.rows
            if any(r in kept for r in row.requirements)
        ]
        items.append(item.model_copy(update={"requirements": reqs, "rows": rows}))
    if not items:
        raise ChecklistError(f"{where}：排除后清单中已没有任何要求")
    exclusions = [*cl.excluded, *(e.model_copy(update={"by": ov.id}) for e in ov.exclude)]
    return cl.model_copy(
        update={"items": items, "excluded": exclusions, "overlays": [*cl.overlays, ov.id]}
    )


def _profile_value(profile: Profile, path: str) -> tuple[Any, str | None, str | None]:
    node: Any = profile
    for part in path.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None, None, None
    if isinstance(node, Sourced):
        value = node.value
        dumped = (
            [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
            if isinstance(value, list)
            else value
        )
        return dumped, node.source, node.reading
    return node, None, None


def _fill_from_profile(cl: Checklist, profile: Profile | None) -> Checklist:
    items = []
    for item in cl.items:
        reqs = []
        for req in item.requirements:
            params = dict(req.params)
            for name, p in req.params.items():
                if not p.from_profile:
                    continue
                if profile is None:
                    value, source, reading = None, None, None
                else:
                    value, source, reading = _profile_value(profile, p.from_profile)
                if value is None:
                    note = f"辖区规定{'“' + profile.id + '”' if profile else ''}中没有 {p.from_profile}，本项不核对。"
                    params[name] = p.model_copy(
                        update={"value": None, "reading": f"{p.reading or ''}{note}"}
                    )
                    continue
                assert profile is not None
                taken = f"取自辖区规定“{profile.id}”的 {p.from_profile}（{source}）"
                params[name] = p.model_copy(
                    update={
                        "value": value,
                        "reading": "；".join(
                            x.rstrip("。") for x in (p.reading, taken, reading) if x
                        )
                        + "。",
                    }
                )
            reqs.append(req.model_copy(update={"params": params}))
        items.append(item.model_copy(update={"requirements": reqs}))
    return cl.model_copy(update={"items": items})


def resolve(
    checklist_id: str, profile_id: str | None = None, directory: Path = CHECKLISTS_DIR
) -> Checklist:
    """The effective checklist: the base with the overlay chain applied and profile values filled.

    `profile_id` is an overlay (checklists/overlays/) or a jurisdiction profile
    (checklists/profiles/) whose `checklist:` is this checklist; None uses the checklist's
    `default_profile` for values taken from a profile.
    """
    base = get_checklist(checklist_id, directory)
    overlays: list[Overlay] = []
    jurisdiction = base.default_profile
    if profile_id is not None:
        overlay_path = directory / "overlays" / f"{profile_id}.yaml"
        if re.fullmatch(r"[A-Za-z0-9._-]+", profile_id) and overlay_path.is_file():
            root, overlays = _overlay_chain(load_overlay_file(overlay_path), directory)
            if root.id != base.id:
                raise ChecklistError(
                    f"叠加规定“{profile_id}”基于督导清单“{root.id}”，不是“{checklist_id}”"
                )
            for ov in overlays:
                jurisdiction = ov.jurisdiction or jurisdiction
        else:
            try:
                profile = _profile(profile_id, directory)
            except ChecklistError:
                known = [p.stem for p in overlay_paths(directory)]
                known += [p.stem for p in sorted((directory / "profiles").glob("*.yaml"))]
                raise ChecklistError(
                    f"没有名为“{profile_id}”的叠加规定或辖区规定（可用：{'、'.join(known)}）"
                ) from None
            if profile.checklist != checklist_id:
                raise ChecklistError(
                    f"辖区规定“{profile_id}”未采用督导清单“{checklist_id}”"
                    f"（其 checklist 为“{profile.checklist or '无'}”）；请写一个叠加规定"
                    f"（checklists/overlays/）把它与该清单关联"
                )
            jurisdiction = profile_id
    effective = base
    for ov in overlays:
        effective = _apply(effective, ov)
    source = _profile(jurisdiction, directory) if jurisdiction else None
    effective = _fill_from_profile(effective, source)
    effective = effective.model_copy(update={"profile": profile_id, "jurisdiction": jurisdiction})
    where = f"督导清单“{checklist_id}”" + (f"（叠加“{profile_id}”）" if profile_id else "")
    problems = _problems(effective) + _check_rules(effective, resolved=True)
    if problems:
        raise ChecklistError(f"{where}：" + "；".join(problems))
    return effective


def checklist_json(cl: Checklist) -> dict[str, Any]:
    data: dict[str, Any] = cl.model_dump(mode="json")
    return data


def checklist_sha256(cl: Checklist) -> str:
    """Of the effective content: the same rules give the same hash, however they were named."""
    data = checklist_json(cl)
    data.pop("profile", None)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
