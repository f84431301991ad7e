"""Placement: every file of the package under the checklist requirement it proves.

The audit has already decided what each file is (its evidence kind) and which requirements
used it (`package.files[].used_by`, from the evidence, the pages to review and the findings of
each requirement). A file goes under:

1. the first requirement, in the checklist's order, that used it and reads its kind
   (a 送教上门记录 used by 4.1 to find a pupil and by 4.4–4.7 goes under 4.4);
2. else the first requirement that used it (an unreadable file the rules asked about);
3. else the first requirement that reads its kind (a file of a known kind no rule cited:
   outside the period, or beyond a requirement's cited evidence) — unless the checklist's
   binder data lists the kind as `roster_only` (checklists/binder/: a 家访记录 of a pupil not
   on the suspension roster proves nothing for 3.3);
4. else 附：其他材料.

A file used by several requirements is placed once and named on the others' divider pages
(“另见”). Operating-system litter (Thumbs.db, __MACOSX …) is left out and counted in the 目录.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from audit.binder.model import OTHER, Doc, Group, LeftOut, Plan, Section
from audit.checklist import Checklist, Requirement
from audit.facts import EVIDENCE_KINDS
from audit.package import litter_reason
from audit.report.model import AuditResult, FileResult, ItemResult
from forms.paths import CHECKLISTS_DIR

CN_NUMBERS = "一二三四五六七八九十"
OTHER_TITLE = "附：其他材料"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
# A school's name in a file or folder name: “荔浦市东昌镇中学2025-2026学年…方案.pdf”.
_SCHOOL = re.compile(
    r"([\u4e00-\u9fff]{2,20}?(?:中学|小学|学校|中心校|完小|九年一贯制学校|教学点))"
)


@cache
def _binder_data(checklist_id: str) -> dict[str, Any]:
    path = CHECKLISTS_DIR / "binder" / f"{checklist_id}.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


def roster_only(checklist_id: str) -> frozenset[str]:
    """Kinds whose uncited files are not placed by kind (checklists/binder/)."""
    return frozenset(str(k) for k in _binder_data(checklist_id).get("roster_only") or [])


def folder_names(checklist_id: str) -> dict[str, str]:
    """Short names of items and requirements for the zip's folders (checklists/binder/)."""
    data = _binder_data(checklist_id)
    names = {str(k): str(v) for k, v in (data.get("items") or {}).items()}
    names.update({str(k): str(v) for k, v in (data.get("requirements") or {}).items()})
    if data.get("other"):
        names[OTHER] = str(data["other"])
    return names


def _short(title: str) -> str:
    return title.split("（")[0].split("(")[0][:20]


def safe_folder(name: str) -> str:
    """A folder or file name any unzip tool accepts (no separators, no reserved characters)."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    return cleaned or "_"


def _number(index: int) -> str:
    return CN_NUMBERS[index] if index < len(CN_NUMBERS) else str(index + 1)


def _standard(req: Requirement, checklist: Checklist, item_id: str) -> str:
    """The 督导标准 of the checklist row the requirement belongs to."""
    item = next(i for i in checklist.items if i.id == item_id)
    row = next((r for r in item.rows if req.id in r.requirements), None)
    return row.standard if row else ""


def _disambiguate(docs: list[Doc]) -> None:
    """Files of one name in a section (each pupil's 一生一案表) show as much of their folder
    as tells them apart: 李小华/一生一案表.docx."""
    names = Counter(d.name for d in docs)
    for name, count in names.items():
        if count < 2:
            continue
        same = [d for d in docs if d.name == name]
        depth = 2
        while True:
            shown = ["/".join(d.path.split("/")[-depth:]) for d in same]
            if len(set(shown)) == len(shown) or depth > max(d.path.count("/") + 1 for d in same):
                break
            depth += 1
        for d, text in zip(same, shown, strict=True):
            d.shown = text


def _home(
    f: FileResult, order: list[str], reads: dict[str, set[str]], by_roster: frozenset[str]
) -> str:
    used = [r for r in order if r in f.used_by]
    for rid in used:
        if f.kind in reads[rid]:
            return rid
    if used:
        return used[0]
    if f.kind != "unknown" and f.kind not in by_roster:
        for rid in order:
            if f.kind in reads[rid]:
                return rid
    return OTHER


def guess_school(paths: list[str]) -> str | None:
    """The school named most often in the package's file and folder names, if any."""
    found: Counter[str] = Counter()
    for p in paths:
        found.update(set(_SCHOOL.findall(p)))
    if not found:
        return None
    return found.most_common(1)[0][0]


def make_plan(
    result: AuditResult,
    checklist: Checklist,
    package: Path,
    *,
    school: str | None = None,
    made: dt.date | None = None,
    verdicts: bool = False,
    staged: dict[str, Doc] | None = None,
) -> Plan:
    """Where every file of the audited package goes; page numbers are filled in later.

    `staged` are the package's files as the binder read them (convert.stage), by path: they
    are placed themselves, with what the audit made of them."""
    names = folder_names(checklist.id)
    order = [r.id for r in checklist.requirements()]
    reads = {r.id: set(r.evidence) for r in checklist.requirements()}
    by_roster = roster_only(checklist.id)
    groups: list[Group] = []
    sections: dict[str, Section] = {}
    for index, item in enumerate(checklist.items):
        number = _number(index)
        item_folder = safe_folder(f"{number}、{names.get(item.id) or _short(item.title)}")
        group = Group(item.id, number, item.title, _result(result, item.id))
        for req in item.requirements:
            short = names.get(req.id) or _short(req.title)
            section = Section(
                id=req.id,
                title=req.title,
                folder=f"{item_folder}/{safe_folder(f'{req.id} {short}')}",
                asks="、".join(EVIDENCE_KINDS.get(k, k) for k in req.evidence),
                standard=_standard(req, checklist, item.id),
                reads=frozenset(req.evidence),
                result=_result(result, req.id),
            )
            group.sections.append(section)
            sections[req.id] = section
        groups.append(group)
    other = Section(OTHER, OTHER_TITLE, safe_folder(names.get(OTHER, OTHER_TITLE)))
    sections[OTHER] = other
    left_out: list[LeftOut] = []
    for f in result.package.files:
        litter = litter_reason(f.path) if f.status == "skipped" else None
        if litter:
            left_out.append(LeftOut(f.path, litter))
            continue
        doc = staged.get(f.path) if staged is not None else None
        if doc is None:
            doc = Doc(f.path)
            if staged is not None:  # the audit read a file the binder did not find
                doc.failure = "材料包中找不到此文件（核查后材料包已改动？）"
        doc.kind = f.kind
        doc.kind_name = f.kind_name or EVIDENCE_KINDS.get(f.kind, f.kind)
        doc.status, doc.reason, doc.sha256 = f.status, f.reason, f.sha256
        doc.used_by = [r for r in order if r in f.used_by]
        if doc.status == "scanned" and not doc.note:
            doc.note = "扫描件，按原样编入"
        doc.section = _home(f, order, reads, by_roster)
        sections[doc.section].docs.append(doc)
    for section in sections.values():
        section.docs.sort(key=lambda d: d.path)
        _disambiguate(section.docs)
        for serial, doc in enumerate(section.docs, start=1):
            doc.serial = serial
            for rid in doc.used_by:
                if rid != doc.section and rid in sections:
                    sections[rid].see_also.append(doc)
    return Plan(
        school=school
        or guess_school([f.path for f in result.package.files])
        or result.package.name,
        package=package.name,
        period=(result.period.start, result.period.end),
        checklist_id=checklist.id,
        checklist_title=checklist.title,
        made=made or dt.date.today(),
        result=result,
        groups=groups,
        other=other,
        left_out=left_out,
        verdicts=verdicts,
    )


def _result(result: AuditResult, item_id: str) -> ItemResult | None:
    try:
        return result.item(item_id)
    except KeyError:
        return None
