"""Item 1.1: each 控辍保学 meeting has its notice, sign-in sheet, minutes and photos.

The paperwork of one meeting is spread over several files; parts are grouped into meetings
by date (params say how close is close enough), and each meeting is checked for every part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from audit.facts import Provenance
from audit.rules.base import MEETING_KINDS, Context, Issue, Outcome, Params, dedupe, rule
from forms.dates import cn_date

Part = Literal["notice", "sign_in", "minutes", "photo"]
PART_NAMES: dict[str, str] = {
    "notice": "会议通知",
    "sign_in": "签到表",
    "minutes": "会议记录或纪要",
    "photo": "会议图片",
}
_KIND_PART = {kind: part for part, kind in MEETING_KINDS.items()}


class MeetingParams(Params):
    required_parts: list[Part]
    min_meetings: int
    same_meeting_days: int
    notice_lead_days: int
    period_lead_days: int


@dataclass
class _Piece:
    part: str
    day: date | None
    prov: Provenance


@dataclass
class _Meeting:
    day: date | None
    parts: dict[str, list[Provenance]] = field(default_factory=dict)

    def add(self, piece: _Piece) -> None:
        self.parts.setdefault(piece.part, []).append(piece.prov)


def _pieces(ctx: Context) -> list[_Piece]:
    pieces = [_Piece(m.part, m.date, m.prov) for m in ctx.facts.meetings]
    pieces += [_Piece(_KIND_PART[d.kind], d.date, d.prov) for d in ctx.documents(_KIND_PART)]
    # A file classified as meeting paperwork whose reader gave no fact still counts, undated.
    covered = {p.prov.file for p in pieces}
    for f in ctx.facts.files:
        if f.kind in _KIND_PART and f.status == "ok" and f.path not in covered:
            pieces.append(_Piece(_KIND_PART[f.kind], None, ctx.file_prov(f)))
    return pieces


def _group(pieces: list[_Piece], p: MeetingParams) -> list[_Meeting]:
    dated = [x for x in pieces if x.day]
    anchors_from = [x for x in dated if x.part in ("sign_in", "minutes")]
    anchors_from = anchors_from or [x for x in dated if x.part == "photo"]
    meetings: list[_Meeting] = []
    for x in sorted(anchors_from, key=lambda x: x.day or date.min):
        assert x.day
        if meetings and meetings[-1].day and (x.day - meetings[-1].day).days <= p.same_meeting_days:
            continue
        meetings.append(_Meeting(x.day))

    def nearest(day: date, lead: int, after_only: bool) -> _Meeting | None:
        best: tuple[int, _Meeting] | None = None
        for m in meetings:
            if m.day is None:
                continue
            gap = (m.day - day).days
            ok = 0 <= gap <= lead if after_only else abs(gap) <= lead
            if ok and (best is None or abs(gap) < best[0]):
                best = (abs(gap), m)
        return best[1] if best else None

    for x in sorted(dated, key=lambda x: x.day or date.min):
        assert x.day
        if x.part == "notice":
            target = nearest(x.day, p.notice_lead_days, after_only=True)
        else:
            target = nearest(x.day, p.same_meeting_days, after_only=False)
        if target is None:
            target = _Meeting(x.day)
            meetings.append(target)
        target.add(x)
    for x in (x for x in pieces if x.day is None):
        lacking = [m for m in meetings if x.part not in m.parts]
        if lacking:
            lacking[0].add(x)
        elif not meetings:
            meetings.append(_Meeting(None))
            meetings[0].add(x)
    return sorted(meetings, key=lambda m: m.day or date.max)


@rule("meetings", MeetingParams)
def meetings(ctx: Context, p: MeetingParams) -> Outcome:
    earliest = ctx.period.start - timedelta(days=p.period_lead_days)
    pieces = [x for x in _pieces(ctx) if x.day is None or earliest <= x.day <= ctx.period.end]
    groups = _group(pieces, p)
    issues: list[Issue] = []
    lines: list[str] = []
    present = 0
    for m in groups:
        when = cn_date(m.day) if m.day else "日期不明的"
        have = [part for part in p.required_parts if part in m.parts]
        lack = [part for part in p.required_parts if part not in m.parts]
        present += len(have)
        if lack:
            names = "、".join(PART_NAMES[x] for x in lack)
            lines.append(f"{when}会议缺{names}")
            issues.append(
                Issue(
                    message=f"{when}控辍保学会议缺少{names}",
                    evidence=dedupe(v for provs in m.parts.values() for v in provs),
                    missing=True,
                )
            )
        else:
            lines.append(f"{when}会议材料齐全")
    if len(groups) < p.min_meetings:
        issues.append(
            Issue(
                message=f"统计期内未见控辍保学会议材料（至少应有{p.min_meetings}次会议）",
                missing=True,
            )
        )
    expected = max(len(groups), p.min_meetings) * len(p.required_parts)
    head = f"统计期内共{len(groups)}次控辍保学会议"
    return Outcome(
        ratio=present / expected if expected else 1.0,
        detail=head + ("：" + "；".join(lines) if lines else ""),
        evidence=dedupe(v for m in groups for provs in m.parts.values() for v in provs),
        issues=issues,
    )
