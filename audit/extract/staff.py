"""Who holds which post at the school, as the package itself says it.

A leave register may name its approvers by person (审批人：韦春梅) rather than by post; the
package says elsewhere who she is — a visit record's “政教处主任韦春梅”, a sign-in sheet's
姓名 | 职务 columns, “王丽华（班主任）”. Every such pairing in any file is a `StaffRole`, so the
leave rule can tell a person's tier from the package's own words instead of failing the leave.
The posts looked for are the approver tiers' words (the rules' tier table) and their common
spellings, kept in checklists/evidence/account.yaml `posts`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from audit.extract.account import ACCOUNT_FILE
from audit.extract.tables import field_of
from audit.facts import PackageFacts, Provenance, StaffRole
from audit.readers.model import Block, Item, Table
from forms.names import is_person_name
from forms.yamlload import load_yaml

# what may follow a name: punctuation, a conjunction, or the verb of the sentence (…韦春梅到学生家中)
_DELIMITER = r"(?=[、，,；;。：:\s）)与和及等到去赴前带共同签批审负]|老师|$)"


# words that follow a post but are no one's name (由校长审批, 班主任签字)
_NOT_A_NAME = re.compile(
    r"审批|签字|签名|同意|批准|意见|负责|主持|参加|带队|核实|家访|上门|办公|审核|请假|销假|包班|处"
)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    posts: list[str] = load_yaml(ACCOUNT_FILE.read_text(encoding="utf-8"))["posts"]
    words = "|".join(re.escape(p) for p in sorted(posts, key=len, reverse=True))
    before = re.compile(
        rf"(?P<post>{words})\s*[：:]?\s*(?P<name>[\u4e00-\u9fff]{{2,3}}){_DELIMITER}"
    )
    after = re.compile(rf"(?P<name>[\u4e00-\u9fff]{{2,3}})\s*[（(](?P<post>{words})[）)]")
    return before, after


def staff_roles(path: str, sha256: str, items: list[Item], facts: PackageFacts) -> None:
    """Every “post + name” (政教处主任韦春梅, 王丽华（班主任）) and 姓名 | 职务 row in a file."""
    before, after = _patterns()
    seen = {(s.name, s.post) for s in facts.staff}

    def add(name: str, post: str, snippet: str) -> None:
        if is_person_name(name) and not _NOT_A_NAME.search(name) and (name, post) not in seen:
            seen.add((name, post))
            prov = Provenance(file=path, sha256=sha256, snippet=snippet[:80])
            facts.staff.append(StaffRole(prov=prov, name=name, post=post))

    for item in items:
        texts = [item.text] if isinstance(item, Block) else [" ".join(r) for r in item.rows]
        for text in texts:
            for pattern in (before, after):
                for m in pattern.finditer(text):
                    add(m["name"], m["post"], m[0])
        if isinstance(item, Table):
            _table_roles(item, add)


def _table_roles(table: Table, add: Callable[[str, str, str], None]) -> None:
    """A table with a 姓名 column beside a 职务 column (a sign-in sheet, a staff list)."""
    for index, head in enumerate(table.rows[:3]):
        fields = {field_of(c, exact=True): n for n, c in enumerate(head) if c}
        if "name" in fields and "position" in fields:
            name_col, post_col = fields["name"], fields["position"]
            for row in table.rows[index + 1 :]:
                if max(name_col, post_col) < len(row) and row[post_col]:
                    add(row[name_col].strip(), row[post_col].strip(), " | ".join(row))
            return
