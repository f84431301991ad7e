"""Visit participants and the bodies they come from (checklists/evidence/bodies.yaml)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, cast

from audit.facts import Body, Participant
from forms.paths import CHECKLISTS_DIR
from forms.yamlload import load_yaml

BODIES_FILE = CHECKLISTS_DIR / "evidence" / "bodies.yaml"

_SEPARATORS = re.compile(r"[、，,;；/\n]+|\s+|(?<=[\u4e00-\u9fff])[和与及](?=[\u4e00-\u9fff])")
_NAME = re.compile(r"[\u4e00-\u9fff·]{2,4}")
# Role words that follow a body and precede a name (镇政府副镇长王明): not part of a name.
_ROLE = re.compile(
    r"(?:副?(?:镇长|乡长|书记|主任|校长|所长|局长|队长|组长|站长)|班主任|干部|干事|工作人员|老师|教师|同志|民警|委员|网格员|支书)"
)


# “黄丽再次（上门）”, “李强第三次”: words between the last name and the verb.
_ADVERB = re.compile(r"(?:再次|再度|又一次|又|第[一二三四五六七八九十\d]+次?|一同|一起|共同|一行)$")


_NOT_PERSON = re.compile(r"劝|访|送教|上门|家中|学生|家长|返校|同意|情况|工作|我校|本校|联合|会同")
# “我校联合镇政府、村委会到…”: a body joining another is a separate participant.
_JOINING = re.compile(r"(?<=[\u4e00-\u9fff])(?:联合|会同|协同|携同|伙同)(?=[\u4e00-\u9fff])")
# “参加人员：校长韦某、镇干部冯某” in a visit's paragraph: the list the record gives.
_LISTED = re.compile(
    r"(?:参加|参与|劝返|劝访|走访|家访|入户)人员\s*(?:有|为)?\s*[：:]\s*([^。；;\n]+)"
)


@lru_cache(maxsize=1)
def _labelled_body() -> re.Pattern[str]:
    """Where “学校：黄某镇政府：冯某” (one cell, its lines run together) starts a new body."""
    words = "|".join(re.escape(w) for w, _ in keywords())
    return re.compile(rf"(?<=[\u4e00-\u9fff·])(?=(?:{words})\s*[：:])")


@lru_cache(maxsize=1)
def keywords() -> tuple[tuple[str, Body], ...]:
    """(keyword, body), longest first within the data's order of bodies."""
    data: dict[str, Any] = load_yaml(BODIES_FILE.read_text(encoding="utf-8"))
    pairs: list[tuple[str, Body]] = []
    for body, words in data["bodies"].items():
        for word in words:
            pairs.append((word, cast(Body, body)))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def body_of(text: str) -> tuple[Body, str] | None:
    """The body a piece of text names, with the keyword found; None when it names none."""
    for word, body in keywords():
        if word in text:
            return body, word
    return None


def _name_in(chunk: str, keyword: str) -> str | None:
    rest = chunk
    if keyword:
        head, _, tail = chunk.partition(keyword)
        rest = tail if tail else head
    rest = re.sub(r"[（(][^）)]*[）)]", "", rest)
    rest = _ROLE.sub(" ", rest).strip()
    names = [n for n in _NAME.findall(rest) if not _NOT_PERSON.search(n)]
    return names[-1] if names else None


def participants(text: str) -> list[Participant]:
    """People from a participants cell or clause, each with a body."""
    # a bracket closes one person (周志刚（副镇长）石牛村委会：梁德明): what follows is the next
    text = re.sub(r"([）)])(?=[\u4e00-\u9fff])", r"\1、", text)
    # “王明（镇政府）”: move the bracketed body before the name so splitting keeps them together.
    text = re.sub(r"([\u4e00-\u9fff·]{2,4})\s*[（(]([^）)]{1,20})[）)]", r"\2\1", text)
    text = _labelled_body().sub("、", text)
    found: list[Participant] = []
    previous: Body | None = None
    for chunk in _SEPARATORS.split(text):
        chunk = _ADVERB.sub("", chunk.strip(" 。.：:等人")).strip(" 。.：:等人")
        if not chunk:
            continue
        hit = body_of(chunk)
        if hit:
            body, word = hit
            start = chunk.find(word)
            # a bare place before the body (“东昌镇人民政府”) belongs to the body text
            body_text = chunk[: start + len(word)]
            found.append(Participant(name=_name_in(chunk, word), body=body, body_text=body_text))
            previous = body
        elif _NAME.fullmatch(chunk) and not _NOT_PERSON.search(chunk):
            found.append(Participant(name=chunk, body=previous or "other", body_text=""))
    return found


_CLAUSE_END = re.compile(r"(?:一同|一起|共同|一行|到|前往|来到|赴|深入|走进|入户|上门|对)")


def participants_in_prose(sentence: str) -> list[Participant]:
    """The participants of a visit told as prose: the clause before the verb (到学生家中…)."""
    match = _CLAUSE_END.search(sentence)
    clause = sentence[: match.start()] if match else sentence
    clause = re.sub(r"^.*?[日号][，,]?", "", clause, count=1) if "日" in clause[:14] else clause
    found = participants(_JOINING.sub("、", clause))
    listed = _LISTED.search(sentence)
    if listed:
        named = participants(listed[1])
        # the list names the people; a body the clause names and the list leaves out still came
        covered = {p.body for p in named}
        found = named + [p for p in found if p.body not in covered]
    return found
