"""`make demo`, the supervision round: three schools of 修仁镇 and 东昌镇 (002 附件2's 挂点),
their sample packages audited, an inspector's verdict, 整改意见 (one accepted, one waiting for
acceptance, the rest overdue on the day of the 通报) and a 回访, a school-age roster and two
dropout cases → OUT_DIR/round/: round.yaml (what `baoxue round write` reads), the plan, each
school's 督导报告, the round's 督导通报, the March and April 通报 and the rates."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from audit.report import load_result
from cases.actions import close, open_case, record
from cases.model import Case, CaseOpening, Closing, Event
from forms.profiles import get_profile
from supervision.roundfile import build_round, load_round_file, round_rates, write_round

CHECKLIST = "liupu-supervision-2024"
PROFILE = "liupu-2026"
SCHOOLS = (  # school, township, sample package, inspector (002 附件2)
    ("荔浦市第二初级中学", "修仁镇", "gaps", "唐承刚"),
    ("修仁镇中心小学", "修仁镇", "edge-cases", "黄宝连"),
    ("东昌镇初级中学", "东昌镇", "scanned", "蒙绪伟"),
)
ASSIGNMENTS = [
    {"township": "修仁镇", "leader": "钟星子", "inspectors": ["唐承刚", "黄宝连"]},
    {"township": "东昌镇", "leader": "叶少华", "inspectors": ["蒙绪伟"]},
]
START, END, VISITED, TODAY = (
    date(2026, 3, 2),
    date(2026, 6, 30),
    date(2026, 3, 10),
    date(2026, 4, 20),
)
_SURNAMES = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "明华芳军丽强敏静磊洋艳勇娟杰涛超秀霞平刚"


def _names(prefix: int, n: int) -> list[str]:
    return [_SURNAMES[(prefix + i) % 20] + "小" + _GIVEN[(prefix * 7 + i) % 20] for i in range(n)]


ROSTER_HEADER = "姓名,出生日期,学校名称,所在乡镇,入学状态,残疾类别\n"
ROSTER_ROWS = (
    [
        f"{n},2012-05-0{1 + i % 9},荔浦市第二初级中学,修仁镇,在校,"
        for i, n in enumerate(_names(0, 38))
    ]
    + [
        "蒙小俊,2012-03-03,荔浦市第二初级中学,修仁镇,辍学,",
        "邓小欣,2012-04-04,荔浦市第二初级中学,修仁镇,辍学,",
    ]
    + [f"{n},2016-06-0{1 + i % 9},修仁镇中心小学,修仁镇,在校," for i, n in enumerate(_names(3, 19))]
    + ["莫小芳,2016-02-02,修仁镇中心小学,修仁镇,送教上门,肢体二级"]
    + [f"{n},2011-07-0{1 + i % 9},东昌镇初级中学,东昌镇,在校," for i, n in enumerate(_names(5, 29))]
    + ["覃小明,2013-01-05,,东昌镇,未入学,智力三级"]
)


def _audit_reports(out_dir: Path, folder: Path) -> dict[str, str]:
    """Each sample's audit report (JSON) under FOLDER/audits/: the one `make demo` wrote under
    OUT_DIR/audit/ when there is one, else audited here. → sample → path relative to FOLDER."""
    from audit.demo import _builder
    from audit.run import run_audit

    builder = None
    out: dict[str, str] = {}
    for _, _, sample, _ in SCHOOLS:
        target = folder / "audits" / f"{sample}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        stored = out_dir / "audit" / sample / "report.json"
        if stored.is_file():
            target.write_bytes(load_result(stored.read_bytes()).to_json().encode("utf-8"))
        else:
            builder = builder or _builder()
            package = builder.build_package(sample, folder / "packages")
            result = run_audit(package, CHECKLIST, period=builder.PERIOD)
            target.write_text(result.to_json(), encoding="utf-8")
        out[sample] = target.relative_to(folder).as_posix()
    return out


def round_data(reports: dict[str, str]) -> dict[str, Any]:
    visits: list[dict[str, Any]] = []
    for name, _, sample, who in SCHOOLS:
        visit: dict[str, Any] = {
            "school": name,
            "inspector": who,
            "date": VISITED,
            "audit": reports[sample],
            "notes": {"2": "进班点名，实到人数与学籍系统导出人数核对。"},
            "observations": ["现场点名：学生当天到校情况与考勤表相符。"],
            "summary": "学校重视控辍保学工作，建立了工作台账。",
        }
        if sample == "scanned":  # the inspector saw the paper sign-in sheets on site
            visit["verdicts"] = {"1.1": "partial"}
        if sample == "gaps":
            visit["rectifications"] = [
                {
                    "item": "1.1",
                    "evidence": ["会议材料补充.pdf"],
                    "accepted_by": who,
                    "accepted_on": date(2026, 3, 30),
                },
                {"item": "1.2", "evidence": ["工作方案.docx"]},
            ]
        visits.append(visit)
    visits.append(
        {
            "school": SCHOOLS[0][0],
            "inspector": SCHOOLS[0][3],
            "date": date(2026, 4, 14),
            "kind": "revisit",
            "cadence": "整改回访",
            "observations": ["回访：会议材料已补齐，其余整改仍在进行。"],
        }
    )
    return {
        "name": "2026年春季学期控辍保学专项督导",
        "checklist": CHECKLIST,
        "profile": PROFILE,
        "start": START,
        "end": END,
        "number": "荔教保督〔2026〕1号",
        "cadences": ["office_term", "leader_monthly", "section_biweekly", "township_biweekly"],
        "schools": [{"name": n, "township": t} for n, t, _, _ in SCHOOLS],
        "assignments": ASSIGNMENTS,
        "visits": visits,
        "roster": "摸排名单.csv",
    }


def demo_cases() -> list[Case]:
    """Two 辍学 cases at 荔浦市第二初级中学 (000 § 四(一)3): 蒙小俊 returned, 邓小欣 not yet."""
    profile = get_profile(PROFILE)
    out = []
    for n, (name, returned) in enumerate((("蒙小俊", True), ("邓小欣", False)), 1):
        opening = CaseOpening.model_validate(
            {
                "opened": date(2026, 3, 2),
                "student": {"name": name, "grade": "八年级", "class_name": "2班"},
                "guardian": {"name": f"{name[0]}建国", "relation": "父亲"},
                "school": {"name": SCHOOLS[0][0], "township": SCHOOLS[0][1]},
                "reason": "厌学",
            }
        )
        case = open_case(f"DEMO-{n}", profile, opening, TODAY)
        for kind, day, step in (
            ("home_visit", date(2026, 3, 3), 1),
            ("notice_served", date(2026, 3, 5), 2),
            ("report_sent", date(2026, 3, 13), 3),
        ):
            event = Event.model_validate(
                {"kind": kind, "date": day, "who": "班主任", "step": step, "number": f"第{n}号"}
            )
            case = record(case, event, profile, TODAY)
        if returned:
            closing = Closing.model_validate(
                {"how": "returned", "date": date(2026, 3, 20), "who": "班主任"}
            )
            case = close(case, closing, TODAY)
        out.append(case)
    return out


def demo_round(out_dir: Path) -> list[Path]:
    """Write OUT_DIR/round/ (see the module's docstring)."""
    folder = out_dir / "round"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "摸排名单.csv").write_text(
        ROSTER_HEADER + "\n".join(ROSTER_ROWS) + "\n", encoding="utf-8"
    )
    data = round_data(_audit_reports(out_dir, folder))
    path = folder / "round.yaml"
    path.write_text(
        "# 一轮督导（baoxue round write round.yaml --out DIR 读它）；见 docs/round.md\n"
        + yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    rf = load_round_file(path)
    rnd = build_round(rf, folder, TODAY)
    rates = round_rates(rf, folder, rnd, TODAY, demo_cases())
    written = [path, folder / "摸排名单.csv"]
    return written + write_round(rnd, folder, TODAY, rates, months=("2026-03", "2026-04"))
