"""Verdicts the unread part cannot flip (issue 20 §2).

A rule judges what was read. Then each unread piece that could be about a student (its own
name, its folder's, or — when its student cannot be told — any of them) is tried as what it
might be: one more record that helps (`best`: a joint visit, a visit, a session that just meets
the thresholds, the home visit a long leave lacks) or one that breaks the rule (`worst`: a
short session, a leave nobody approved). The rule runs again on the read facts plus those
records. A student whose verdict differs between these bounds is `not_reviewed`, with the
unread snippets as what a person must check — never `fail` and never `pass`; a verdict that
holds either way stands. A piece whose date could not be read might fall on any day: it leaves
open every verdict it could change at all. How each requirement is bounded is data, beside
the requirement (`unread:` in the checklist).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from audit.checklist import Hypothetical, Requirement, Status, UnreadBound
from audit.facts import (
    HomeTeachingSession,
    LeaveRecord,
    PackageFacts,
    Participant,
    UnreadPiece,
    Visit,
)
from audit.report.model import place
from audit.rules.base import Context, Issue, Outcome, Subject, combine, name_key
from forms.idcard import mask_in_text

JUDGED: frozenset[Status] = frozenset({"pass", "partial", "fail"})
UNKNOWN_STUDENT = "（未能确定的学生）"

Run = Callable[[Context], Outcome]


def pieces_for(facts: PackageFacts, spec: UnreadBound) -> list[UnreadPiece]:
    return [p for p in facts.unread if p.kind in spec.records]


def bound(
    req: Requirement, ctx: Context, out: Outcome, run: Run
) -> tuple[Outcome, list[UnreadPiece]]:
    """`out` with every verdict the unread pieces could flip left to a person; and the pieces
    that did so (for the report's list of what to check)."""
    spec = req.unread
    if spec is None or out.status in ("not_applicable", "error"):
        return out, []
    pieces = pieces_for(ctx.facts, spec)
    if not pieces:
        return out, []
    params = req.param_values()
    subjects = [s.student for s in out.subjects] or [UNKNOWN_STUDENT]
    best = _rerun(ctx, run, pieces, spec.best, subjects, params)
    worst = _rerun(ctx, run, pieces, spec.worst, subjects, params)
    if out.subjects:
        return _bound_subjects(out, best, worst, pieces, spec)
    statuses = {o.final_status() for o in (out, best, worst) if o is not None}
    undated = any(p.date is None for p in pieces)
    flips = len(statuses & JUDGED) > 1 or (undated and _could_change(out.final_status(), spec))
    if not flips:
        return out, []
    note = _note(pieces)
    issue = Issue(
        message=f"有{len(pieces)}处未能识别的内容可能改变本项结论，需人工核查：{note}",
        evidence=[p.prov for p in pieces[:10]],
        missing=True,
        pending=True,
    )
    return (
        out.model_copy(
            update={
                "status": "not_reviewed",
                "detail": f"{out.detail}；未能识别的内容可能改变结论，待人工核查",
                "issues": [*out.issues, issue],
            }
        ),
        pieces,
    )


def _could_change(status: Status, spec: UnreadBound) -> bool:
    """Whether a record on some unknown day could change this verdict."""
    return (spec.best is not None and status != "pass") or (
        spec.worst is not None and status == "pass"
    )


def _bound_subjects(
    out: Outcome,
    best: Outcome | None,
    worst: Outcome | None,
    pieces: list[UnreadPiece],
    spec: UnreadBound,
) -> tuple[Outcome, list[UnreadPiece]]:
    others = [{name_key(s.student): s.status for s in o.subjects} for o in (best, worst) if o]
    subjects: list[Subject] = []
    issues = list(out.issues)
    flipped: list[UnreadPiece] = []
    for s in out.subjects:
        key = name_key(s.student)
        mine = [p for p in pieces if p.student is None or name_key(p.student) == key]
        if not mine or s.status not in JUDGED:
            subjects.append(s)
            continue
        statuses = {s.status, *(o.get(key, s.status) for o in others)}
        undated = any(p.date is None for p in mine)
        if len(statuses & JUDGED) <= 1 and not (undated and _could_change(s.status, spec)):
            subjects.append(s)
            continue
        note = _note(mine)
        subjects.append(
            s.model_copy(
                update={
                    "status": "not_reviewed",
                    "detail": f"{s.detail}；另有{len(mine)}处未能识别的内容可能改变结论，"
                    f"待人工核查：{note}",
                }
            )
        )
        issues = [
            i.model_copy(update={"pending": True}) if i.student == s.student else i for i in issues
        ]
        issues.append(
            Issue(
                message=f"{s.student}：有{len(mine)}处未能识别的内容可能改变结论，需人工核查：{note}",
                student=s.student,
                evidence=[p.prov for p in mine[:10]],
                missing=True,
                pending=True,
            )
        )
        flipped += [p for p in mine if p not in flipped]
    if not flipped:
        return out, []
    status, ratio = combine(subjects, [s.share if s.share is not None else 0.0 for s in subjects])
    return (
        out.model_copy(
            update={"status": status, "ratio": ratio, "subjects": subjects, "issues": issues}
        ),
        flipped,
    )


def _note(pieces: list[UnreadPiece]) -> str:
    shown = [f"{_where(p)}“{mask_in_text(p.prov.snippet)[:40]}”" for p in pieces[:3]]
    more = f"等{len(pieces)}处" if len(pieces) > 3 else ""
    return "；".join(shown) + more


def _where(p: UnreadPiece) -> str:
    return " ".join(x for x in (p.prov.file.rsplit("/", 1)[-1], _place(p)) if x)


def _place(p: UnreadPiece) -> str:
    return place(p.prov.page, p.prov.sheet, p.prov.row)


def _rerun(
    ctx: Context,
    run: Run,
    pieces: list[UnreadPiece],
    shape: Hypothetical | None,
    subjects: list[str],
    params: dict[str, Any],
) -> Outcome | None:
    """The rule on the read facts plus one `shape` record per dated piece and student."""
    if shape is None:
        return None
    keys = {name_key(s): s for s in subjects}
    extra: dict[str, list[Any]] = {"visits": [], "sessions": [], "leaves": []}
    for piece in pieces:
        if piece.date is None:
            continue
        if piece.student is None:
            whom = subjects
        elif name_key(piece.student) in keys:
            whom = [keys[name_key(piece.student)]]
        else:
            whom = [piece.student]
        for student in whom:
            field, record = _hypothetical(shape, piece, student, piece.date, params)
            extra[field].append(record)
    facts = ctx.facts.model_copy(
        update={name: [*getattr(ctx.facts, name), *more] for name, more in extra.items()}
    )
    return run(Context(facts, ctx.period))


def _hypothetical(
    shape: Hypothetical, piece: UnreadPiece, student: str, day: date, params: dict[str, Any]
) -> tuple[str, Any]:
    prov = piece.prov
    if shape in ("joint_visit", "visit", "home_visit"):
        bodies = {
            "joint_visit": ["school", "township", "village"],
            "visit": ["school"],
            "home_visit": ["school"],
        }[shape]
        kind = {"joint_visit": "joint", "visit": "persuasion", "home_visit": "home_visit"}[shape]
        return "visits", Visit(
            prov=prov,
            student=student,
            date=day,
            kind=kind,
            participants=[Participant(body=b) for b in bodies],
        )
    if shape in ("session", "short_session"):
        full = shape == "session"
        periods = int(params.get("periods_per_visit", 3)) if full else 1
        minutes = float(params.get("minutes_per_period", 30)) if full else 1.0
        return "sessions", HomeTeachingSession(
            prov=prov,
            student=student,
            date=day,
            periods=periods,
            minutes_per_period=minutes,
            total_minutes=periods * minutes,
        )
    return "leaves", LeaveRecord(prov=prov, student=student, start=day, end=day, days=1)
