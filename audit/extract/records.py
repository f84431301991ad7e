"""Dated records: leave, visits and home-teaching sessions — from record tables, forms, prose.

Each kind is read in the first shape that yields anything: a record table (a header row with a
date column), else a form (label | value cells, plus “标签：值” lines), else prose paragraphs,
one record per dated paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, time
from typing import Literal

from audit.classify import norm
from audit.extract.account import only_explained
from audit.extract.bodies import body_of, participants, participants_in_prose
from audit.extract.source import Source, sheet_student, split_names, yes_no
from audit.extract.tables import (
    Record,
    field_of,
    find_header,
    labelled_values,
    records,
    unfilled,
)
from audit.extract.values import (
    cell_date,
    minutes_between,
    month_row_days,
    number,
    parse_count,
    parse_minutes,
    parse_time_range,
)
from audit.facts import (
    ILLEGIBLE_PERIODS,
    ILLEGIBLE_TIME,
    TOLD_TOGETHER,
    HomeTeachingSession,
    LeaveRecord,
    PackageFacts,
    Participant,
    Provenance,
    Visit,
)
from audit.readers.model import Block, Table
from audit.readers.ocr import settings as ocr_settings


def _shaped_records(source: Source) -> Iterator[tuple[Record, Provenance, str]]:
    """(record, provenance, full text of the record) in the first shape that has any."""
    rows = source.table_records(("date",))
    if rows:
        for table, record in rows:
            named = sheet_student(table, source.known_names)
            if named and not record.get("name"):
                record.values["name"] = named
            yield record, source.item_prov(table, record.snippet, record.row), record.snippet
        return
    forms = [f for f in _forms(source) if f[0].get("date")]
    if forms:
        yield from forms
        return
    for block in source.paragraphs():
        if (
            len(block.text) >= 12
            and source.dates(block.text)
            and (_ACTIVITY.search(block.text) or not only_explained(source, block.text))
        ):
            for piece in _dated_clauses(block.text):
                yield Record({}, None, piece), source.item_prov(block, piece), piece


# A clause that begins with a date (after 。 or ；, perhaps behind a label such as 第二次劝访：).
_CLAUSE_DATE = re.compile(
    r"(?<=[；;。])\s*(?:[^，,；;。：:]{1,10}[：:])?\s*"
    r"(?:(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{4}[./-]\d{1,2}[./-]\d{1,2})"
)
_ACTIVITY = re.compile(r"劝返|劝访|劝学|家访|走访|上门|送教|到[^，,。；;]{0,8}家")


def _dated_clauses(text: str) -> list[str]:
    """A paragraph telling several visits (“……；2026年1月15日再次上门劝返；3月19日劝返”): one
    piece per clause that begins with a date and tells an activity; other clauses stay with the
    one before (“家长表示将于10月20日送孩子返校” does not begin with its date)."""
    starts = [m.start() for m in _CLAUSE_DATE.finditer(text)]
    pieces: list[str] = []
    begin = 0
    for start in starts:
        if _ACTIVITY.search(text[start:]) and _ACTIVITY.search(text[begin:start]):
            head = text[start:]
            end = min(
                (i for i in (head.find("；"), head.find(";"), head.find("。")) if i > 0),
                default=len(head),
            )
            if _ACTIVITY.search(head[:end]):
                pieces.append(text[begin:start].strip())
                begin = start
    pieces.append(text[begin:].strip())
    return [p for p in pieces if p]


def _forms(source: Source) -> list[tuple[Record, Provenance, str]]:
    """The filled forms of a file, one record each.

    A form may be drawn as several tables (its keys then do not repeat), and a page or file may
    hold several forms one after another (a key seen again starts the next form): two boxed
    送教 forms on one PDF page are two records. “标签：值” lines of prose fill what every form
    leaves open (“每课时40分钟” once above them all); with one form, its text is the file's.
    """
    groups: list[tuple[dict[str, str], Provenance, list[str]]] = []
    for table in source.tables:
        found = source.form(table)
        if not found:
            continue
        text = "\n".join(" ".join(c for c in row if c) for row in table.rows)
        current = groups[-1][0] if groups else None
        if current is None or any(k in current for k in found.values if k in _FORM_KEYS):
            groups.append(
                (dict(found.values), source.item_prov(table, found.snippet, found.row), [text])
            )
        else:
            for key, value in found.values.items():
                current.setdefault(key, value)
            groups[-1][2].append(text)
    prose = labelled_values([b.text for b in source.blocks])
    if not groups:
        if not prose:
            return []
        told = _labelled_groups(source)
        if len(told) > 1:  # 时间：… 地点：… 参加人员：… again and again: a record each
            return told
        first = source.items[0] if source.items else Block("")
        snippet = " ".join(f"{k}:{v}" for k, v in prose.items())
        return [(Record(prose, None, snippet), source.item_prov(first, snippet), source.text(3000))]
    whole = source.text(3000) if len(groups) == 1 else None
    found_records = []
    for values, prov, texts in groups:
        for key, value in prose.items():
            values.setdefault(key, value)
        snippet = " ".join(f"{k}:{v}" for k, v in values.items())
        found_records.append((Record(values, prov.row, snippet), prov, whole or "\n".join(texts)))
    return found_records


# Keys that occur once per form: seeing one again means the next form has begun.
_FORM_KEYS = frozenset({"date", "name", "start_date", "time_range"})


def _labelled_groups(source: Source) -> list[tuple[Record, Provenance, str]]:
    """Records told as “label：value” lines one after another (第一次联合劝访 / 时间：… /
    地点：… / 参加人员：…, then 第二次 …): a key seen again begins the next record. A PDF line
    without a label continues the value above it (参加人员：…（班 / 主任）；镇人民政府：…)."""
    groups: list[tuple[dict[str, str], Block, list[str]]] = []
    last: str | None = None
    for block in source.blocks:
        found = labelled_values([block.text])
        if not found:
            if groups and last and block.page is not None:
                values = groups[-1][0]
                values[last] = values[last] + block.text.strip()
                groups[-1][2].append(block.text)
            continue
        if not groups or any(k in groups[-1][0] for k in found if k in _FORM_KEYS):
            groups.append(({}, block, []))
        for key, value in found.items():
            groups[-1][0].setdefault(key, value)
        groups[-1][2].append(block.text)
        last = list(found)[-1]
    told = []
    for values, block, lines in groups:
        if not values.get("date"):
            continue
        snippet = " ".join(f"{k}:{v}" for k, v in values.items())[:200]
        told.append(
            (Record(values, None, snippet), source.item_prov(block, snippet), "\n".join(lines))
        )
    return told


def _student(record: Record, text: str, source: Source, hint: str | None) -> str:
    names = split_names(record.get("name"))
    if names:
        return names[0]
    for name in sorted(source.known_names, key=len, reverse=True):
        if name in text:
            return name
    match = re.search(
        r"(?:学生|对|到|为)([\u4e00-\u9fff]{2,3}?)(?:同学)?(?:家|的|进行|同学|开展)", text
    )
    if match and match[1] not in {"学生", "家中"}:
        return match[1]
    return hint or ""


# ----------------------------------------------------------------------------------- leave


def _is_visit_check(table: Table) -> bool:
    """A sheet of home visits made to verify long leaves (超7天家访核实), not of leaves."""
    head = " ".join([table.sheet or "", *(" ".join(r) for r in table.rows[:2])])
    if "家访" not in head and "核实" not in head:
        return False
    header = find_header(table)
    fields = set(header.columns.values()) if header else set()
    return not fields & {"start_date", "end_date", "days", "reason", "approver"}


def _visit_checks(source: Source, table: Table, facts: PackageFacts) -> None:
    for record in records(table, ("name",)):
        found = source.dates(record.get("date")) if record.get("date") else []
        names = split_names(record.get("name"))
        if found and names:
            facts.visits.append(
                Visit(
                    prov=source.item_prov(table, record.snippet, record.row),
                    student=names[0],
                    date=found[0],
                    kind="home_visit",
                    participants=participants(record.get("participants")),
                    purpose="请假家访核实",
                )
            )


# Who approves a leave, lowest to highest (a record names the highest it reached); every
# pattern below that names an approver takes its words from here.
_TIER_RANK = (
    ("班主任",),
    ("年级组",),
    ("政教处", "德育处", "教导处", "学生处"),
    ("分管校长", "副校长"),
    ("校长",),
)
_TIERS = "|".join(word for tier in _TIER_RANK for word in tier)


def leaves(source: Source, facts: PackageFacts) -> None:
    hint = source.student_hint()
    checks = [t for t in source.tables if _is_visit_check(t)]
    for table in checks:
        _visit_checks(source, table, facts)
    rows = [
        (t, r)
        for t, r in (source.table_records(("name",)) or source.table_records(("start_date",)))
        if all(t is not c for c in checks)
    ]
    shaped: list[tuple[Record, Provenance, str]] = []
    for table, record in rows:
        found = (
            _as_written(record.get("approver"))
            if record.get("approver")
            else _approver_from_columns(record.extra)
        )
        _set_approver(record, found)
        shaped.append((record, source.item_prov(table, record.snippet, record.row), record.snippet))
    if not shaped and _CHECK_TITLE.search(source.title) and "审批" not in source.title:
        _checked_leaves(source, facts)  # 连续请假超过7天学生上门核实记录: the check, no leave
        return
    if not shaped:
        shaped = list(_leave_forms(source))
    if not shaped and not checks:  # a sheet of visits made to verify leaves is no 请假条
        shaped = list(_leave_prose(source))
    for record, prov, text in shaped:
        leave = _leave(record, text, source, hint, prov)
        if leave is not None:
            facts.leaves.append(leave)


_CHECK_TITLE = re.compile(r"核实(?:情况)?(?:记录|登记)")


def _checked_leaves(source: Source, facts: PackageFacts) -> None:
    """A record of the home visits that checked long leaves, one form a visit: each marks the
    leave its student was on that day as checked (the leaves are the register's)."""
    for record, _prov, text in _forms(source):
        student = _student(record, text, source, source.student_hint())
        days = source.dates(text)
        for leave in facts.leaves:
            if leave.student == student and any(leave.start <= d <= leave.end for d in days):
                leave.home_visit = True


_LEAVE_SPAN = re.compile(
    r"(?:自|从)?\s*(\S{3,12}?[日号])\s*(?:至|到|—|－|-|~|～)\s*(\S{2,12}?[日号])"
)
_LEAVE_STUDENT = (
    re.compile(r"请假人\s*[：:]\s*([\u4e00-\u9fff·]{2,4})"),
    re.compile(r"学生\s*([\u4e00-\u9fff·]{2,3}?)(?:同学)?\s*[，,因]"),
    re.compile(r"班\s*([\u4e00-\u9fff·]{2,3}?)(?:同学)?\s*因"),
)
_PROSE_TIER = re.compile(_TIERS)
_APPROVED = re.compile(r"批准|同意|审批|批假|准假")


def _leave_prose(source: Source) -> Iterator[tuple[Record, Provenance, str]]:
    """Leaves told as prose: a paragraph a leave (“…张三因病请假2天（10月9日至10月10日），班主任
    王某批准”), or a whole 请假条 (one leave a file, its dates anywhere in it)."""
    blocks = [b for b in source.paragraphs() if "请假" in b.text and source.dates(b.text)]
    if len(blocks) > 1:  # one paragraph a leave; a single one is a 请假条: read it whole
        for block in blocks:
            yield _prose_leave(block.text), source.item_prov(block, block.text), block.text
        return
    text = "\n".join(b.text for b in source.blocks)
    if "请假" in text and source.dates(text) and source.blocks:
        yield _prose_leave(text), source.item_prov(source.blocks[0], text), text


def _prose_leave(text: str) -> Record:
    values: dict[str, str] = {}
    span = _LEAVE_SPAN.search(text)
    if span:
        values["start_date"], values["end_date"] = span[1], span[2]
    for pattern in _LEAVE_STUDENT:
        match = pattern.search(text)
        if match:
            values["name"] = match[1]
            break
    if _APPROVED.search(text):
        ranks = [
            (rank, word)
            for word in _PROSE_TIER.findall(text)
            for rank, tier in enumerate(_TIER_RANK)
            if word in tier
        ]
        if ranks:
            values["approver"] = max(ranks)[1]
    return Record(values, None, text[:200])


def _leave_forms(source: Source) -> Iterator[tuple[Record, Provenance, str]]:
    forms = _forms(source)
    approver = _approver_from_opinions(source) if len(forms) == 1 else None
    for record, prov, text in forms:
        _set_approver(record, approver or _approver_in(text) or _as_written(record.get("approver")))
        yield record, prov, text


def _set_approver(record: Record, found: str | None) -> None:
    """The approver the record's boxes name; none when no box was signed."""
    if found:
        record.values["approver"] = found
    else:
        record.values.pop("approver", None)


def _as_written(cell: str | None) -> str | None:
    """An approver's cell as written — unless it is a printed box (“校长（审批）：签字：＿＿”)
    nobody signed: a cell naming tiers stands for the highest one signed, or for nobody."""
    if not cell:
        return None
    return _approver_in_cell(cell) if _TIER_SAYS.search(cell) else cell


_OPINION = re.compile(rf"({_TIERS})(?:审批)?(?:意见|签字|签名|审批|签批)")


def _approver_in(text: str) -> str | None:
    """The highest tier whose 意见 is filled in, in a form's text (班主任意见 同意 校长意见 ＿＿)."""
    found: str | None = None
    for line in text.splitlines():
        if _NOTE_LINE.match(line):
            continue  # “说明：1天以内由班主任审批……” states the rule, nobody signed it
        for tier, said in _boxes(_OPINION, line):
            value = said.strip(" ：:")
            if _signed(value.split()[0] if value.split() else ""):
                found = _higher(found, tier)
    return found


def _boxes(label: re.Pattern[str], text: str) -> Iterator[tuple[str, str]]:
    """Each approver's box in `text`: the tier a `label` match names, and what follows it up
    to the next label."""
    marks = list(label.finditer(text))
    for here, after in zip(marks, [*marks[1:], None], strict=False):
        yield here[1], text[here.end() : after.start() if after else len(text)]


def _signed(value: str) -> bool:
    """What follows an approver's box is a mark of approval: a name, 同意, ✓ or a date — not a
    printed blank, a refusal, the next box's label, or the rest of a sentence (由校长审批；…)."""
    return bool(
        value
        and value[0] not in "，,；;。、（(）)"
        and not unfilled(value)
        and not _REFUSED.match(value)
        and not field_of(value, exact=True)
    )


# A box's printed parts: its sub-labels (签字：, 日期：) and a date line waiting to be filled
# (＿＿年＿月＿日; a scan's recogniser reads the blanks as _ or as 一/二).
_BOX_LABEL = re.compile(r"(?:签字|签名|签章|盖章|日期|时间)\s*[：:]")
_BLANK_DATE = re.compile(r"(?:[＿_一二\s]*年)?[＿_一二\s]*月[＿_一二\s]*日|[＿_]+")


def _box_signed(value: str) -> bool:
    """What an approver wrote in a box whose print says 签字：＿＿ ＿年＿月＿日: signed when
    anything but the print is left (同意, a name, a date, a judged signature 〔手写签名〕)."""
    rest = _BLANK_DATE.sub(" ", _BOX_LABEL.sub(" ", value)).split()
    return any(_signed(word) for word in rest)


_NOTE_LINE = re.compile(r"^\s*(?:说明|注|备注|附|依据)\s*[：:]")
_REFUSED = re.compile(r"^(不同意|否|×|—|-|/)")
_TIER_HEADINGS = re.compile(rf"^({_TIERS})(?:意见|审批|签字|签名)?$")


# “班主任：”, “校长（审批）：”, “德育处意见:” — a tier's box inside a cell.
_TIER_SAYS = re.compile(rf"({_TIERS})(?:[（(][^）)]{{0,6}}[）)])?(?:意见|审批)?\s*[：:]")


def _approver_in_cell(cell: str) -> str | None:
    """One cell 审批意见及签名 (“班主任：同意 王某；德育处：同意 李某”, or a printed box
    “校长（审批）：签字：〔手写签名〕 ＿年＿月＿日”): the highest tier that agreed; None when
    the cell names no tier (then it is the approver as written) or no tier signed."""
    found: str | None = None
    for tier, said in _boxes(_TIER_SAYS, cell):
        if _box_signed(said.split("；")[0].split(";")[0]):
            found = _higher(found, tier)
    return found


def _higher(found: str | None, tier: str) -> str:
    """The higher of two approvers' tiers (a form lists its boxes in any order)."""
    if found is None:
        return tier
    return max((found, tier), key=_rank)


def _rank(word: str) -> int:
    return next(rank for rank, tier in enumerate(_TIER_RANK) if word in tier)


def _approver_from_columns(extra: dict[str, str]) -> str | None:
    """One column per approver (班主任 | 德育处 | 校长): the highest one holding a mark."""
    found: str | None = None
    for heading, value in extra.items():
        match = _TIER_HEADINGS.match(norm(heading))
        value = value.strip()
        if match and _signed(value):
            found = _higher(found, match[1])
    return found


def _approver_from_opinions(source: Source) -> str | None:
    """The highest tier whose 意见 cell is filled in (班主任意见 | 同意 | 校长意见 | 同意)."""
    found: str | None = None
    for table in source.tables:
        for row in table.rows:
            for col, cell in enumerate(row):
                match = _OPINION.search(cell)
                if not match:
                    boxed = _approver_in_cell(cell)  # 审核意见 | 班主任：签字：王某
                    found = _higher(found, boxed) if boxed else found
                    continue
                rest = cell[match.end() :].strip(" ：:")
                # the cell beside, unless it is empty or the next box's label (销假时间)
                beside = next((c for c in row[col + 1 :] if c != cell), "")
                value = rest or beside
                if _signed(value) and not _OPINION.search(value):
                    found = _higher(found, match[1])
    return found


# “已家访核实”, “已于3月16日上门核实” written in a 备注 or a form's box — within one line: a
# date box and the 上门核实情况 label below it are two boxes, no check.
# or “12月5日班主任上门家访核实” in prose: a dated visit was made.
_VISITED = re.compile(
    r"(?:(?<!未)已|\d{1,2}\s*月\s*\d{1,2}\s*日)(?:[^，。；;未不\n]{0,24}|[^，。；;未不无\n]{0,40}家中)"
    r"(?:家访|上门|核实)"
)


_DAYS_TOLD = re.compile(
    r"(?:共|计|请假|合计)\s*([\d.一二三四五六七八九十半两]+)\s*(?:个)?\s*(?:天|日)(?![期])"
)


def _leave(
    record: Record, text: str, source: Source, hint: str | None, prov: Provenance
) -> LeaveRecord | None:
    pick = source.pick
    start = cell_date(record.get("start_date"), pick) if record.get("start_date") else None
    end = cell_date(record.get("end_date"), pick) if record.get("end_date") else None
    if start is None:
        span = source.dates(record.get("date") or record.get("start_date") or text)
        if span:
            start = span[0]
            end = end or (span[1] if len(span) > 1 else None)
        elif record.get("date"):  # 12.10 in the 请假时间 column of a year's register
            start = cell_date(record.get("date"), pick)
    if start is None:
        return None
    days_text = record.get("days")
    if not days_text:  # “2025年12月8日起共3天” in the 请假时间 box, “请假3天” in prose
        told = _DAYS_TOLD.search(record.get("date") or record.get("start_date")) or (
            _DAYS_TOLD.search(text)
        )
        days_text = told[1] if told else ""
    days = number(re.sub(r"[^\d.一二三四五六七八九十半两]", "", days_text)) if days_text else None
    if end is None and days:
        end = date.fromordinal(start.toordinal() + max(int(days) - 1, 0))
    end = end or start
    if end < start:
        return None  # two dates that are no span (a visit on the 20th, a fall on the 14th)
    if days is None:
        days = float((end - start).days + 1)
    returned_text = record.get("returned")
    returned = cell_date(returned_text, pick) if returned_text else None
    if returned is None and returned_text and yes_no(returned_text):
        returned = end
    home_visit = yes_no(record.get("home_visit")) if "home_visit" in record.values else None
    if home_visit is None and _VISITED.search(text):
        home_visit = True
    return LeaveRecord(
        prov=prov,
        student=_student(record, text, source, hint),
        start=start,
        end=end,
        days=days,
        approver=record.get("approver") or None,
        home_visit=home_visit,
        returned=returned,
    )


# ---------------------------------------------------------------------------------- visits

_JOINT = re.compile(r"联合劝访|联合家访|联合劝返|多部门")
_PERSUASION = re.compile(r"劝返|劝学|劝访|劝导|动员返校|劝其返校")


def visits(source: Source, facts: PackageFacts) -> None:
    hint = source.student_hint()
    doc_words = norm(source.title + source.path)
    for record, prov, text in _shaped_records(source):
        found = source.dates(record.get("date")) if record.get("date") else source.dates(text)
        if not found:
            continue
        people = _participant_rows(text) if record.values else []
        if not people:
            people = (
                participants(record.get("participants"))
                if record.get("participants")
                else participants_in_prose(text)
            )
        if record.get("position") and all(p.body == "other" for p in people):
            # the people in one column, their units in the next (走访人员 | 走访单位)
            people += [p for p in participants(record.get("position")) if p.body != "other"]
        words = record.get("method") + record.get("purpose") + text[:120]
        if not record.get("method") and not _PERSUASION.search(words):
            words += doc_words  # the record says nothing itself: the document's title does
        kind: Literal["home_visit", "persuasion", "joint"] = "home_visit"
        if _JOINT.search(words):
            kind = "joint"
        elif _PERSUASION.search(words):
            kind = "persuasion"
        facts.visits.append(
            Visit(
                prov=prov,
                student=_student(record, text, source, hint),
                date=found[0],
                kind=kind,
                participants=people,
                purpose=(record.get("purpose") or record.get("method") or None),
                outcome=(record.get("outcome") or None),
            )
        )


def _participant_rows(text: str) -> list[Participant]:
    """A form listing one participant a row: 参加人员 | 姓名 | 单位 | 职务 (rows as text lines)."""
    people: list[Participant] = []
    for line in text.splitlines():
        cells = line.split()
        if len(cells) < 3 or field_of(cells[0], exact=True) != "participants":
            continue
        rest = cells[1:]
        if all(field_of(c) for c in rest):
            continue  # the sub-header 姓名 | 单位 | 职务
        where = " ".join(rest[1:])
        hit = body_of(where)
        name = rest[0] if 2 <= len(rest[0]) <= 4 else None
        people.append(
            Participant(
                name=name,
                body=hit[0] if hit else "other",
                body_text=re.sub(r"[（(].*$", "", rest[1]),
            )
        )
    return people


# -------------------------------------------------------------------------------- sessions

# “三课时”, or one count written as a sum: “2课时+1课时”, “2+1课时” (parse_count adds it up)
_PERIOD_N = r"[\d一二两三四五六七八九十]+\s*(?:个)?\s*"
_PERIOD_UNIT = r"(?:课时|节课|节)"
_PERIODS = re.compile(
    rf"{_PERIOD_N}(?:{_PERIOD_UNIT}|(?=[+＋]\s*{_PERIOD_N}{_PERIOD_UNIT}))"
    rf"(?:\s*[+＋加]\s*{_PERIOD_N}{_PERIOD_UNIT})*"
)
_PER_PERIOD = re.compile(
    r"每\s*(?:个)?\s*(?:课时|节课?)\s*(?:时长)?\s*(?:约|为)?\s*([^，,。；;]{1,10})"
)
# “用时一个半小时”, “时长90分钟”, “历时2小时”: a visit's whole length told in prose.
_DURATION = re.compile(
    r"(?:用时|时长|历时|共用时|共计用时|合计|共计)\s*(?:约|为)?\s*([^，,。；;]{1,12})"
)
_TEACHERS = re.compile(r"([\u4e00-\u9fff]{1,3}(?:老师|教师))")


def sessions(source: Source, facts: PackageFacts) -> None:
    hint = source.student_hint()
    stated = _stated_minutes(source)
    for record, prov, text in _shaped_records(source):
        for visit in _each_visit(record, source.pick):
            session = _session(visit, text, source, hint, prov, stated)
            if session is not None:
                facts.sessions.append(session)


# Told for a month's visits together (“6课时”, “9:00-11:00”), not for each: unknown for each.
UNKNOWN_FOR_EACH = "？"
_EACH = re.compile(r"各|每次|每回|均")


def _each_visit(record: Record, pick: Callable[[int], int] | None) -> list[Record]:
    """One record a visit: a row telling one month's (2025年9月 | 10日、24日 | 各3课时) is one
    a day it names; its 课时, times and length hold for each only when it says so (各, 每次)."""
    date_text = record.get("date")
    if not date_text or cell_date(date_text, pick) is not None:
        return [record]
    cells = [v for k, v in record.values.items() if k != "date"] + list(record.extra.values())
    days = month_row_days(date_text, cells, pick)
    if not days:
        return [record]
    visits = []
    for day in days:
        values = dict(record.values, date=f"{day.year}年{day.month}月{day.day}日")
        for key in ("periods", "time_range", "duration"):
            if len(days) > 1 and values.get(key) and not _EACH.search(values[key]):
                values[key] = UNKNOWN_FOR_EACH
        visits.append(Record(values, record.row, record.snippet, record.extra))
    return visits


_STATED_IN_HEADING = re.compile(r"[（(]\s*每\s*(?:个)?\s*(?:课时|节课?)[^）)]*[）)]")


def _stated_minutes(source: Source) -> float | None:
    """“说明：每课时40分钟” written once, in a line above or below the records (a paragraph or a
    one-cell row of a sheet): the minutes of every 课时 no row states for itself."""
    lines = [b.text for b in source.paragraphs()]  # a PDF's wrapped lines rejoined
    for table in source.tables:
        for row in table.rows:
            filled = {c for c in row if c}
            if len(filled) == 1:  # a line of its own (merged across the sheet)
                lines += filled
            # or said in a heading: 课时（每课时40分钟）
            lines += [m[0] for c in filled if (m := _STATED_IN_HEADING.search(c))]
    for line in lines:
        match = _PER_PERIOD.search(line)
        minutes = parse_minutes(match[1]) if match else None
        if minutes:
            return minutes
    return None


_SLOTS = re.compile(r"^第\s*(\d{1,2})\s*(?:[-—~～至到]\s*(?:第\s*)?(\d{1,2}))?\s*节")


def _slots(text: str) -> int | None:
    """A 节次 box naming the lessons taught (第3-4节: two 课时, 第2节: one), not a count."""
    match = _SLOTS.match(text.strip())
    if not match:
        return None
    first, last = int(match[1]), int(match[2] or match[1])
    return last - first + 1 if last >= first else None


def _clock_cell(text: str) -> time | None:
    """A clock box: 14:30, or a platform's date and time (2026-07-09 08:30: its time)."""
    text = re.sub(r"^\s*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s+", "", text)
    match = re.fullmatch(r"\s*(\d{1,2})\s*[:：]\s*(\d{2})(?::\d{2})?\s*", text)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2])
    return time(hour, minute) if hour < 24 and minute < 60 else None


UNREAD_DATE = "送教记录的日期识别不清"


def _session(
    record: Record,
    text: str,
    source: Source,
    hint: str | None,
    prov: Provenance,
    stated: float | None = None,
) -> HomeTeachingSession | None:
    pick = source.pick
    date_text = record.get("date") or text
    when = cell_date(date_text, pick) if record.get("date") else None
    if when is None:
        found = source.dates(date_text)
        when = found[0] if found else None
    if when is None:
        if prov.ocr_engine and prov.page and re.search(r"\d", record.get("date")):
            source.unread_pages[prov.page] = UNREAD_DATE  # a visit whose date OCR lost
        return None
    start = end = None
    span = parse_time_range(record.get("time_range") or record.get("date") or "")
    if span is None and record.get("start_date") and record.get("end_date"):
        a, b = _clock_cell(record.get("start_date")), _clock_cell(record.get("end_date"))
        span = (a, b) if a and b and b > a else None
    if span is None and not record.values:
        span = parse_time_range(text)
    if span:
        start, end = span
    periods = _slots(record.get("periods")) or (
        parse_count(record.get("periods")) if record.get("periods") else None
    )
    if periods is None and not record.get("periods"):
        match = _PERIODS.search(text)
        periods = parse_count(match[0]) if match else None
    if prov.ocr_engine and periods is not None and periods > ocr_settings().max_periods_a_visit:
        periods = None  # “53” where the scan ran 10:15 into the 节数 box: not made out
    per = (
        parse_minutes(record.get("minutes_per_period"))
        if record.get("minutes_per_period")
        else None
    )
    if per is None and not record.get("minutes_per_period"):
        match = _PER_PERIOD.search(text)
        per = parse_minutes(match[1]) if match else None
    total = parse_minutes(record.get("duration")) if record.get("duration") else None
    if total is None and not record.get("duration"):
        match = _DURATION.search(text)
        total = parse_minutes(match[1]) if match else None
    if total is None and start and end:
        total = minutes_between(start, end)
    if per is None and total and periods:
        per = round(total / periods, 1)
    if per is None and not record.get("minutes_per_period"):
        per = stated
    if total is None and per and periods:
        total = per * periods
    teachers = [t for t in re.split(r"[\s、，,;；/]+", record.get("teachers")) if len(t) >= 2]
    if not teachers and not record.get("teachers"):
        teachers = list(dict.fromkeys(_TEACHERS.findall(text)))
    illegible: list[str] = []
    if UNKNOWN_FOR_EACH in (record.get("time_range"), record.get("duration")):
        illegible += [ILLEGIBLE_TIME, TOLD_TOGETHER]  # told for the month's visits together
    if record.get("periods") == UNKNOWN_FOR_EACH:
        illegible += [ILLEGIBLE_PERIODS, TOLD_TOGETHER]
    if prov.ocr_engine:  # a box with writing OCR could not make out is not an empty box
        written = (span is None and record.get("time_range")) or record.get("duration")
        if written and total is None:
            illegible.append(ILLEGIBLE_TIME)
        if periods is None and record.get("periods"):
            illegible.append(ILLEGIBLE_PERIODS)
    return HomeTeachingSession(
        prov=prov,
        student=_student(record, text, source, hint),
        date=when,
        start=start,
        end=end,
        periods=periods,
        minutes_per_period=per,
        total_minutes=total,
        teachers=teachers,
        content=(record.get("content") or None),
        illegible=list(dict.fromkeys(illegible)),
    )
