"""`make demo`, the supervision round: three schools of 修仁镇 and 东昌镇 (002 附件2's 挂点),
their sample packages audited, an inspector's verdict, 整改意见 (one accepted, one waiting,
one overdue with its 回访), each school's 督导报告, the round's 督导通报 and a monthly 通报,
and the rates from a small school-age roster → OUT_DIR/round/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from audit.checklist import Checklist
from audit.report import load_result
from audit.report.model import AuditResult
from audit.review import rescore
from forms.profiles import get_profile
from supervision.bulletin import build_bulletin
from supervision.config import round_config
from supervision.model import Round, VisitRecord
from supervision.plan import Assigned, PlanSchool, plan_visits
from supervision.rates import Dropout, UnitRates, read_children, unit_rates
from supervision.rectify import accept, from_result, submit
from supervision.render import render_bulletin, render_report
from supervision.sheets import write_plan, write_rates

CHECKLIST = "liupu-supervision-2024"
SCHOOLS = (  # school, township, sample package, inspector (002 附件2)
    ("荔浦市第二初级中学", "修仁镇", "gaps", "唐承刚"),
    ("修仁镇中心小学", "修仁镇", "edge-cases", "黄宝连"),
    ("东昌镇初级中学", "东昌镇", "scanned", "蒙绪伟"),
)
ASSIGNED = (
    Assigned("修仁镇", "钟星子", "leader"),
    Assigned("修仁镇", "唐承刚", "inspector"),
    Assigned("修仁镇", "黄宝连", "inspector"),
    Assigned("东昌镇", "叶少华", "leader"),
    Assigned("东昌镇", "蒙绪伟", "inspector"),
)
START, END, VISITED, TODAY = (
    date(2026, 3, 2),
    date(2026, 6, 30),
    date(2026, 3, 10),
    date(2026, 4, 20),
)
ROSTER_HEADER = "姓名,出生日期,学校名称,所在乡镇,入学状态,残疾类别\n"
# A small school-age roster (摸排名单): the rates below are worked out by hand in the tests.
_SURNAMES = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "明华芳军丽强敏静磊洋艳勇娟杰涛超秀霞平刚"


def _names(prefix: int, n: int) -> list[str]:
    return [_SURNAMES[(prefix + i) % 20] + "小" + _GIVEN[(prefix * 7 + i) % 20] for i in range(n)]


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


def _audits(out_dir: Path) -> dict[str, AuditResult]:
    """The sample packages' audits: those `make demo` wrote under OUT_DIR/audit/, else run."""
    from audit.demo import _builder
    from audit.run import run_audit

    out: dict[str, AuditResult] = {}
    builder = None
    for _, _, sample, _ in SCHOOLS:
        stored = out_dir / "audit" / sample / "report.json"
        if stored.is_file():
            out[sample] = load_result(stored.read_bytes())
            continue
        builder = builder or _builder()
        package = builder.build_package(sample, out_dir / "round" / "packages")
        out[sample] = run_audit(package, CHECKLIST, period=builder.PERIOD)
    return out


def demo_round_data(out_dir: Path) -> Round:
    """The demo round: plan, visits with verdicts and 整改意见, a 回访."""
    config = round_config(CHECKLIST)
    audits = _audits(out_dir)
    schools = [PlanSchool(name, town) for name, town, _, _ in SCHOOLS]
    plan = plan_visits(
        config,
        schools,
        ASSIGNED,
        START,
        END,
        cadences=[c.id for c in config.cadences],
        inspectors={name: who for name, _, _, who in SCHOOLS},
    )
    visits: list[VisitRecord] = []
    for name, town, sample, who in SCHOOLS:
        result = audits[sample]
        if sample == "scanned":  # the inspector saw the paper sign-in sheets on site
            result = rescore(result, {"1.1": "partial"}, who, "现场查看纸质签到表")
        rects = from_result(result, VISITED)
        if sample == "gaps" and rects:
            rects[0] = accept(submit(rects[0], "会议材料补充.pdf"), who, date(2026, 3, 30), config)
            rects[1] = submit(rects[1], "工作方案.docx")
        visits.append(
            VisitRecord(
                school=name,
                township=town,
                profile_id="liupu-2026",
                cadence_name="市政府教育督导室每学期专项督导",
                inspector=who,
                visited_on=VISITED,
                result=result,
                notes={"2": "进班点名，实到人数与学籍系统导出人数核对。"},
                observations=["现场点名：学生当天到校情况与考勤表相符。"],
                summary="学校重视控辍保学工作，建立了工作台账。",
                rectifications=rects,
            )
        )
    first = visits[0]
    visits.append(
        VisitRecord(
            school=first.school,
            township=first.township,
            profile_id="liupu-2026",
            cadence_name="整改回访",
            inspector=first.inspector,
            visited_on=date(2026, 4, 14),
            kind="revisit",
            result=None,
            observations=["回访：会议材料已补齐，其余整改仍在进行。"],
        )
    )
    return Round(
        name="2026年春季学期控辍保学专项督导",
        checklist=CHECKLIST,
        profile_id="liupu-2026",
        start=START,
        end=END,
        issued=TODAY,
        number="荔教保督〔2026〕1号",
        visits=visits,
        plan=plan,
    )


def demo_rates(folder: Path, on: date = TODAY) -> list[UnitRates]:
    roster = folder / "摸排名单.csv"
    roster.write_text(ROSTER_HEADER + "\n".join(ROSTER_ROWS) + "\n", encoding="utf-8")
    dropouts = [  # 蒙小俊 returned, 邓小欣 not yet
        Dropout("荔浦市第二初级中学", "修仁镇", date(2026, 3, 3), "辍学", False, True),
        Dropout("荔浦市第二初级中学", "修仁镇", date(2026, 3, 5), "辍学", True, False),
    ]
    profile = get_profile("liupu-2026")
    return unit_rates(read_children(roster), dropouts, START, on, "荔浦市", profile, {})


def demo_round(out_dir: Path) -> list[Path]:
    """Write OUT_DIR/round/: 督导计划.xlsx, 督导报告/*.pdf|docx, 督导通报, 月通报, 指标.xlsx."""
    folder = out_dir / "round"
    folder.mkdir(parents=True, exist_ok=True)
    config = round_config(CHECKLIST)
    rnd = demo_round_data(out_dir)
    rates = demo_rates(folder)
    written = [folder / "摸排名单.csv", write_plan(rnd.plan, folder / "督导计划.xlsx")]
    written.append(write_rates(rates, folder / "主要指标.xlsx"))
    checklist = Checklist.model_validate(rnd.visits[0].result.checklist.effective)  # type: ignore[union-attr]
    for v in rnd.visits:
        if v.kind != "visit":
            continue
        for fmt, data in render_report(v, checklist, config, TODAY).items():
            path = folder / "督导报告" / f"{v.school}督导报告.{fmt}"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            written.append(path)
    bulletins = {
        "督导通报": build_bulletin(rnd, config, TODAY, rates=rates),
        "2026年3月督导通报": build_bulletin(rnd, config, TODAY, month="2026-03"),
        "2026年4月督导通报": build_bulletin(rnd, config, TODAY, month="2026-04"),
    }
    for stem, b in bulletins.items():
        number = rnd.number if stem == "督导通报" else ""
        for fmt, data in render_bulletin(b, config, TODAY, number, rnd.profile_id).items():
            path = folder / f"{stem}.{fmt}"
            path.write_bytes(data)
            written.append(path)
    return written
