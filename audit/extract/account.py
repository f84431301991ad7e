"""Account for every record-like piece of a record file: read, explained, or unread content.

The extractors read records in the shapes they know; a school always has one more. So after a
file is read, its pieces are gone through again, independently of how it was read: each dated
row of a table, each dated sentence, each date box of a form. A piece is *read* when a date in
it is the date of a fact read from the same file; *explained* when every date in it is said by
its words to be no record's date (a birth date, the 落款, 统计时间, 10月20日前 …); otherwise it
is *unread content*: listed in the report and bounding the verdicts (audit/bounds.py). The
vocabulary is data: checklists/evidence/account.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from audit.classify import is_sentence, title_lines
from audit.extract.names import cell_name, known_names, name_key, named_in
from audit.extract.source import Source, name_from_path
from audit.extract.tables import (
    MAX_LABEL_LEN,
    field_of,
    find_header,
    heading_row,
    is_clock,
    labelled_values,
    looks_like_form,
    norm_label,
    note_line,
    unfilled,
)
from audit.extract.values import cell_date, month_row_days
from audit.facts import (
    FileAccount,
    HomeTeachingSession,
    LeaveRecord,
    NoneStated,
    PackageFacts,
    Provenance,
    UnreadPiece,
    Visit,
)
from audit.readers.model import Block, Table, Unseen, table_text
from forms.dates import find_dates_at
from forms.paths import CHECKLISTS_DIR
from forms.yamlload import load_yaml

ACCOUNT_FILE = CHECKLISTS_DIR / "evidence" / "account.yaml"
# Fields whose value is a record's own date: a box of one of these holding no date is unread.
RECORD_DATE_FIELDS = frozenset({"date", "start_date"})
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])")
_SERIAL = re.compile(r"^\s*\d{1,4}\s*$")

Record = Visit | HomeTeachingSession | LeaveRecord


@dataclass(frozen=True)
class Vocabulary:
    records: dict[str, tuple[str, ...]]  # record kind → words that make a piece possibly one
    before: re.Pattern[str]
    after: re.Pattern[str]
    context: int
    title_lines: int
    signature_lines: int
    signature_chars: int
    total: re.Pattern[str]
    unseen_unread: frozenset[str]
    none_stated: dict[str, tuple[re.Pattern[str], ...]]


def _words(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data: dict[str, Any] = load_yaml(ACCOUNT_FILE.read_text(encoding="utf-8"))
    return Vocabulary(
        records={k: tuple(v["words"]) for k, v in data["records"].items()},
        before=_words(data["explained_before"]),
        after=_words(data["explained_after"]),
        context=int(data["context_chars"]),
        title_lines=int(data["title_lines"]),
        signature_lines=int(data["signature_lines"]),
        signature_chars=int(data["signature_chars"]),
        total=_words(data["total_words"]),
        unseen_unread=frozenset(data["unseen_unread"]),
        none_stated={
            group: tuple(re.compile(p) for p in patterns)
            for group, patterns in data["none_stated"].items()
        },
    )


def record_kinds() -> frozenset[str]:
    return frozenset(vocabulary().records)


@dataclass
class Piece:
    """One record-like piece: a row or a sentence, its dates and whether each is explained."""

    text: str
    prov: Provenance
    dates: list[tuple[date, bool]]
    garbled: bool = False  # a record's date box holding writing that is no date
    student: str | None = None  # the name its row or form gives
    # a row: read when any of its dates is a fact's (the others are fields of that record); a
    # sentence: each of its dates must be a fact's or explained (“9月10日……，9月24日再次劝返”
    # tells two visits)
    each_date: bool = False
    # a row's dates in its record-date column (送教日期 “10月6日、20日”): each must be a fact's
    own_column: list[date] = field(default_factory=list)


def fact_dates(produced: list[Record]) -> set[date]:
    """The dates the facts read from a file stand on: a leave's every day and its 销假."""
    found: set[date] = set()
    for fact in produced:
        if isinstance(fact, LeaveRecord):
            day = fact.start
            while day <= fact.end and len(found) < 10_000:
                found.add(day)
                day += timedelta(days=1)
            if fact.returned:
                found.add(fact.returned)
        else:
            found.add(fact.date)
    return found


def account(
    source: Source,
    produced: list[Record],
    facts: PackageFacts,
    kind: str,
    earlier: list[Record] | None = None,
) -> FileAccount:
    """Go through one file's (or section's) pieces; add its unread ones to `facts.unread`.

    `kind` is the record kind the file is (or, for a file the audit could not classify, the
    one whose words a piece holds: then only such pieces count). `earlier`: the facts read
    from the same file's earlier sections — a date one of them holds is read (a register, then
    the note of the home visit that checked one of its leaves)."""
    vocab = vocabulary()
    read = fact_dates([*produced, *(earlier or [])])
    own = _own_dates(source, vocab)
    known = known_names(facts)
    hint = name_from_path(source.path, frozenset(known.values()))
    result = FileAccount(records=len(produced))
    for piece in _pieces(source, vocab, paragraphs=kind == "leave_record"):
        kinds = [kind] if kind in vocab.records else _kinds_named(piece.text, vocab)
        if not kinds or piece.prov.page in source.unread_pages:
            continue  # (a page OCR could not make out waits for a person as a whole)
        is_read = any(d in read for d, _ in piece.dates)
        if piece.own_column:
            open_dates = [d for d in piece.own_column if d not in read]
        elif is_read and not piece.each_date:
            open_dates = []
        else:
            open_dates = [
                d for d, said in piece.dates if not said and d not in own and d not in read
            ]
        if not open_dates and not piece.garbled:
            result.explained += not is_read
            continue
        student = (named_in(piece.text, known) if known else None) or piece.student
        for kind_of_piece in kinds:
            facts.unread.append(
                UnreadPiece(
                    prov=piece.prov,
                    kind=kind_of_piece,
                    student=student or hint,
                    date=open_dates[0] if open_dates else None,
                    why="日期无法识别" if not open_dates else "未能识别为记录",
                )
            )
        result.unread += 1
    return result


def account_unseen(
    path: str, sha256: str, kind: str, unseen: list[Unseen], facts: PackageFacts
) -> int:
    """What a person sees in a record file but the readers could not read (a formula without
    its value, an embedded part of an unknown format): unread, its date unknown."""
    wanted = vocabulary().unseen_unread
    found = 0
    for piece in unseen:
        if kind not in vocabulary().records or piece.why not in wanted:
            continue
        facts.unread.append(
            UnreadPiece(
                prov=Provenance(
                    file=path,
                    sha256=sha256,
                    page=piece.page,
                    sheet=piece.sheet,
                    row=piece.row,
                    snippet=piece.text[:200],
                ),
                kind=kind,
                student=name_from_path(path, frozenset(known_names(facts).values())),
                why=piece.why,
            )
        )
        found += 1
    return found


_NONE_WORDS = ("无", "没有", "0人", "零")


def none_stated(path: str, sha256: str, text: str, facts: PackageFacts) -> None:
    """Documents saying the school has no pupils of a group (account.yaml `none_stated`)."""
    if not any(w in text for w in _NONE_WORDS):
        return
    for group, patterns in vocabulary().none_stated.items():
        for pattern in patterns:
            found = pattern.search(text)
            if found:
                start = max(0, found.start() - 20)
                facts.none_stated.append(
                    NoneStated(
                        prov=Provenance(file=path, sha256=sha256, snippet=text[start : start + 80]),
                        group=group,
                    )
                )
                break


def _kinds_named(text: str, vocab: Vocabulary) -> list[str]:
    return [k for k, words in vocab.records.items() if any(w in text for w in words)]


def _own_dates(source: Source, vocab: Vocabulary) -> set[date]:
    """The document's own dates: in its title lines and its 落款."""
    blocks = source.blocks
    lines = [t for t in title_lines(source.items, vocab.title_lines) if not is_sentence(t)]
    lines += [
        b.text for b in blocks[-vocab.signature_lines :] if len(b.text) <= vocab.signature_chars
    ]
    return {d for line in lines for d in source.dates(line)}


def _pieces(source: Source, vocab: Vocabulary, paragraphs: bool = False) -> Iterator[Piece]:
    """`paragraphs`: prose is gone through a paragraph at a time, as leaves are read (one
    paragraph a leave: its other dates — the day of the fall, the check — are that leave's)."""
    in_tables: dict[int | None, set[date]] = {}  # a PDF's table rows, by page
    cells: dict[int | None, str] = {}  # and their text
    for item in source.items:
        if isinstance(item, Table):
            cells[item.page] = cells.get(item.page, "") + "\n".join(c for r in item.rows for c in r)
            for piece in _table_pieces(source, item, vocab):
                in_tables.setdefault(item.page, set()).update(d for d, _ in piece.dates)
                yield piece
    for block in source.paragraphs():
        if block.page is not None and table_text(block.text, cells.get(block.page, "")):
            continue  # a PDF table's own lines (a wrapped 2025.10.1 / 7 is its 2025.10.17)
        for piece in _prose_pieces(source, block, vocab, whole=paragraphs):
            # A PDF gives a table twice, as the table and as its lines of text: a line whose
            # dates are all in the page's table rows is that table's, already gone through.
            if (
                block.page is None
                or not piece.dates
                or not {d for d, _ in piece.dates} <= in_tables.get(block.page, set())
            ):
                yield piece


def only_explained(source: Source, text: str) -> bool:
    """Whether every date a text holds is explained — a 落款 (汇编：… 审核：… 2026年7月15日),
    a birth date, a 填表 date: it tells no record, and no extractor reads one from it."""
    found = _dates(source, text, "", vocabulary())
    return bool(found) and all(said for _, said in found)


def _dates(source: Source, text: str, context: str, vocab: Vocabulary) -> list[tuple[date, bool]]:
    """Each date in `text` and whether its words (or `context`: a heading, a label) explain it."""
    found: list[tuple[date, bool]] = []
    for start, end, day in find_dates_at(text, year_for=source.pick):
        before = context + text[max(0, start - vocab.context) : start]
        after = text[end : end + 3]
        explained = bool(vocab.before.search(before) or vocab.after.match(after.lstrip()))
        found.append((day, explained))
    return found


def _table_pieces(source: Source, table: Table, vocab: Vocabulary) -> Iterator[Piece]:
    header = None if looks_like_form(table) else find_header(table)
    headings = header.headings(table.rows) if header else []
    first = header.index + 1 if header else 0
    name_cols = [c for c, f in header.columns.items() if f == "name"] if header else []
    form = source.form(table) if header is None else None
    form_name = cell_name(form.get("name")) if form else None
    if form is not None and _date_box_left_empty(table, form.values) and not _prose_date(source):
        # a filled form whose 送教日期 box is empty: a record no fact was read from
        yield Piece(
            form.snippet, source.item_prov(table, form.snippet, form.row), [], True, form_name
        )
    for offset, row in enumerate(table.rows[first:], start=first):
        filled = [c for c in row if c.strip()]
        if not filled:
            continue
        if note_line(filled[0]):
            continue  # 注：1月24日至2月24日寒假…: a note states, it records nothing
        if len(set(filled)) == 1:
            # a line of its own across the table (a title, a note, a whole record as prose)
            yield from _prose_pieces(source, Block(filled[0], table.page, table.ocr), vocab, table)
            continue
        if vocab.total.search(filled[0]) or vocab.total.search(filled[min(1, len(filled) - 1)]):
            continue
        if header is not None and heading_row(filled):
            continue  # the header again (a second table under the first, a page's repeat)
        dates: list[tuple[date, bool]] = []
        own_column: list[date] = []
        garbled = False
        label = ""
        for col, cell in enumerate(row):
            text = cell.strip()
            if not text:
                continue
            heading = headings[col] if col < len(headings) else ""
            context = heading + (label if len(label) <= MAX_LABEL_LEN else "")
            if header is None and col:
                # a form's row label (班主任意见, 请假事由) and the box's own (核实日期) say whose
                # date it is — they explain it, they do not make it a record's date box
                before = next((c.strip() for c in reversed(row[:col]) if c.strip()), "")
                context = (
                    row[0].strip() + (before if len(before) <= MAX_LABEL_LEN else "") + context
                )
            found = _dates(source, text, context, vocab)
            wanted = field_of(heading) if heading else field_of(label, exact=True)
            if not found and wanted in RECORD_DATE_FIELDS:
                # a record's date box as the extractors read it: an Excel serial, 20250906, 3.5
                day = cell_date(text, source.pick)
                days = [day] if day else month_row_days(text, row, source.pick)  # 10日、24日
                if days:
                    found = [(d, False) for d in days]
                elif _written(text) and not is_clock(text):
                    garbled = True
            dates += found
            if heading and wanted in RECORD_DATE_FIELDS:
                own_column += [d for d, said in found if not said]
            label = text if field_of(norm_label(text), exact=True) else ""
        if not dates and not garbled:
            continue
        snippet = " | ".join(filled)
        row_number = table.row0 + offset
        named = next((n for c in name_cols if c < len(row) and (n := cell_name(row[c]))), None)
        yield Piece(
            snippet[:200],
            source.item_prov(table, snippet, row_number),
            dates,
            garbled and not dates and _beyond_serial(filled),
            named or form_name,
            own_column=own_column,
        )


def _date_box_left_empty(table: Table, values: dict[str, str]) -> bool:
    """A form with a record's date label (送教日期, 家访时间 …) whose box holds nothing, while
    at least two of its other boxes are filled: a filled-in record without its date — not a
    blank form."""
    if any(values.get(f) for f in RECORD_DATE_FIELDS):
        return False
    others = [k for k, v in values.items() if v and k != "name"]
    labelled = any(
        field_of(cell, exact=True) in RECORD_DATE_FIELDS for row in table.rows for cell in row
    )
    return labelled and len(others) >= 2


def _prose_date(source: Source) -> bool:
    """A date given once in the running text (送教日期：… above the form) fills the form's box."""
    found = labelled_values([b.text for b in source.blocks[:40]])
    return any(found.get(f) for f in RECORD_DATE_FIELDS)


def _written(text: str) -> bool:
    """A box holding writing: not a printed blank, a dash or a 无."""
    text = text.strip()
    return bool(text) and not unfilled(text) and text not in {"-", "—", "/", "无", "／"}


def _beyond_serial(filled: list[str]) -> bool:
    """A row with more than a serial number and its garbled date: a record, not a stray mark."""
    return sum(1 for c in filled if not _SERIAL.match(c)) >= 2


_INLINE_DATE_LABEL = re.compile(r"([^\s：:，,。；;]{1,12})\s*[：:]\s*([^，,。；;：:]{0,20})")


def _prose_pieces(
    source: Source,
    block: Block,
    vocab: Vocabulary,
    table: Table | None = None,
    whole: bool = False,
) -> Iterator[Piece]:
    for sentence in [block.text] if whole else _SENTENCE_END.split(block.text):
        sentence = sentence.strip()
        if not sentence:
            continue
        dates = _dates(source, sentence, "", vocab)
        garbled = not dates and any(
            field_of(m[1], exact=True) in RECORD_DATE_FIELDS
            and _written(m[2])
            and not is_clock(m[2])
            for m in _INLINE_DATE_LABEL.finditer(sentence)
        )
        if not dates and not garbled:
            continue
        prov = (
            source.item_prov(table, sentence)
            if table is not None
            else source.item_prov(block, sentence)
        )
        yield Piece(sentence[:200], prov, dates, garbled, each_date=not whole)


def resolve_unread(facts: PackageFacts) -> None:
    """Whom each unread piece is about, once every roster is read (as for records): a rostered
    name in it, else its per-student folder's; a piece whose student cannot be told stays
    None — it could be any student's."""
    known = known_names(facts)
    if not known:
        return
    roster = frozenset(known.values())
    for piece in facts.unread:
        if piece.student and name_key(piece.student) in known:
            piece.student = known[name_key(piece.student)]
            continue
        named = named_in(piece.prov.snippet, known) or name_from_path(piece.prov.file, roster)
        piece.student = known.get(name_key(named), named) if named else piece.student
