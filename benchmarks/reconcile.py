"""四查三对比 at county size: a 学籍 export of N rows (XLSX under a title row, as the system
exports it) against a 户籍 list of the same children (CSV), some missing from each side and
some mistyped, then the XLSX of the result. Prints time and peak memory of the comparison
(its own child process, VmHWM) as JSON.

    .venv/bin/python benchmarks/reconcile.py --rows 100000
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_lists(folder: Path, rows: int) -> tuple[Path, Path]:
    """The 学籍 export and a 户籍 list: every 50th pupil has no 户籍 row, every 40th 户籍
    row is a child with no 学籍 (疑似失学), every 30th number is mistyped in the 户籍 list."""
    from datetime import date, timedelta

    from openpyxl import load_workbook

    from cases.sample_lists import large_enrolment, make_id, write_csv, wrong_check_digit

    enrolment = large_enrolment(folder / "学籍.xlsx", rows)
    rng = random.Random(11)
    home: list[dict[str, str]] = []
    book = load_workbook(enrolment, read_only=True)
    for n, row in enumerate(book.worksheets[0].iter_rows(min_row=3, values_only=True)):
        name, gender, birth, number = (str(x) for x in row[:4])
        if n % 50 == 0:
            continue
        if n % 30 == 0:
            number = wrong_check_digit(number)
        home.append({"姓名": name, "性别": gender, "出生日期": birth, "公民身份号码": number})
        if n % 40 == 0:
            born = date.fromisoformat(birth) + timedelta(days=rng.randrange(1, 30))
            home.append(
                {
                    "姓名": name[0] + "失" + name[-1],
                    "性别": gender,
                    "出生日期": born.isoformat(),
                    "公民身份号码": make_id(born, 400 + n % 90, male=gender == "男"),
                }
            )
    book.close()
    household = write_csv(folder / "户籍.csv", home)
    return enrolment, household


def child(enrolment: str, household: str, out: str) -> None:
    from datetime import date

    from measure import _own_peak_kb as peak_kb

    from cases.lists import ListFile
    from cases.reconcile import reconcile
    from cases.reconcile_output import write_xlsx
    from forms.profiles import get_profile

    t0 = time.perf_counter()
    result = reconcile(
        [ListFile("enrolment", Path(enrolment)), ListFile("household", Path(household))],
        get_profile("jiaotan-2025"),
        date(2026, 3, 9),
    )
    t1 = time.perf_counter()
    write_xlsx(result, Path(out))
    t2 = time.perf_counter()
    print(
        json.dumps(
            {
                "people": result.people,
                "rows": {i.kind: i.rows for i in result.lists},
                "categories": {k: len(v) for k, v in result.children.items()},
                "mismatched": len(result.mismatched),
                "compare_seconds": round(t1 - t0, 1),
                "xlsx_seconds": round(t2 - t1, 1),
                "peak_mb": round(peak_kb() / 1024),
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        enrolment, household = make_lists(folder, args.rows)
        made = time.perf_counter() - t0
        run = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(enrolment),
                str(household),
                str(folder / "r.xlsx"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(run.stdout)
        figures["lists_written_seconds"] = round(made, 1)
        figures["enrolment_mb"] = round(enrolment.stat().st_size / 1e6, 1)
        figures["household_mb"] = round(household.stat().st_size / 1e6, 1)
        print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
