"""A directory of cases for the command line: `cases/<id>.json`, one file a case, and
`log.jsonl`, an append-only log with a line for every change (who, when, what, the
case's state after it). A refused change writes nothing."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cases.model import Case, CaseError
from forms.paths import default_data_dir


def default_root() -> Path:
    """The case store when none is given: `cases/` in the data directory (./baoxue-data/cases,
    or $BAOXUE_DATA/cases) — personal data, beside the service's, ignored by git, and out of
    the way of the code (it was ./cases, which is now the `cases` package)."""
    return default_data_dir() / "cases"


@dataclass(frozen=True)
class LogEntry:
    at: str
    case_id: str
    action: str
    who: str
    detail: str


class CaseStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.cases_dir = root / "cases"
        self.documents_dir = root / "documents"
        self.log_path = root / "log.jsonl"

    def _path(self, case_id: str) -> Path:
        if not case_id or "/" in case_id or "\\" in case_id or case_id.startswith("."):
            raise CaseError(f"个案编号“{case_id}”不合法")
        return self.cases_dir / f"{case_id}.json"

    def get(self, case_id: str) -> Case:
        path = self._path(case_id)
        if not path.is_file():
            raise CaseError(f"没有编号为“{case_id}”的个案")
        return Case.model_validate_json(path.read_text(encoding="utf-8"))

    def all(self) -> list[Case]:
        if not self.cases_dir.is_dir():
            return []
        cases = [
            Case.model_validate_json(p.read_text(encoding="utf-8"))
            for p in sorted(self.cases_dir.glob("*.json"))
        ]
        return sorted(cases, key=lambda c: (c.opened, c.id))

    def new_id(self, opened: date) -> str:
        prefix = opened.strftime("%Y%m%d")
        n = 1
        while self._path(f"{prefix}-{n:03d}").exists():
            n += 1
        return f"{prefix}-{n:03d}"

    def save(self, case: Case, action: str, who: str, detail: str = "") -> None:
        """Write the case (atomically) and append the change to the log."""
        self.cases_dir.mkdir(parents=True, exist_ok=True)
        path = self._path(case.id)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(case.model_dump_json(indent=2), encoding="utf-8")
        os.replace(tmp, path)
        entry: dict[str, Any] = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "case_id": case.id,
            "action": action,
            "who": who,
            "detail": detail,
            "case": case.model_dump(mode="json"),
        }
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def log(self, case_id: str | None = None) -> list[LogEntry]:
        if not self.log_path.is_file():
            return []
        out = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            if case_id is None or data["case_id"] == case_id:
                out.append(
                    LogEntry(
                        data["at"], data["case_id"], data["action"], data["who"], data["detail"]
                    )
                )
        return out
