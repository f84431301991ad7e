"""Sample lists for 四查三对比, fictional children with valid 身份证号: the demo's township
(every category planted, a mistyped number, a name typo, ages at the 9月1日 boundary) and
the benchmark's large 学籍 export. Written as the systems export them: the 学籍 export as
XLSX under a title row, the others as the CSV or XLSX a village or the 残联 makes."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from id_validator import helper

REGION = "360222"  # 浮梁县
SCHOOL_A = "浮梁县蛟潭第二中学"
SCHOOL_B = "浮梁县蛟潭中心学校"


def make_id(birth: date, seq: int, region: str = REGION, male: bool = True) -> str:
    """A valid 18-digit number: region, birth date, an order code of the right parity."""
    order = (seq % 499) * 2 + (1 if male else 2)
    body = f"{region}{birth:%Y%m%d}{order:03d}"
    return body + str(helper.generator_check_bit(body))


def wrong_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


@dataclass
class Kid:
    name: str
    birth: date
    male: bool = True
    seq: int = 1
    guardian: str = ""
    village: str = "蛟潭村"
    school: str = SCHOOL_A
    grade: str = "七年级"
    klass: str = "1班"
    id_number: str = field(default="")

    def __post_init__(self) -> None:
        self.id_number = self.id_number or make_id(self.birth, self.seq, male=self.male)
        self.guardian = self.guardian or f"{self.name[0]}建国"

    @property
    def gender(self) -> str:
        return "男" if self.male else "女"


@dataclass
class Township:
    """What the planted lists hold, so a test can say what each child must come out as."""

    household: list[dict[str, str]] = field(default_factory=list)
    enrolment: list[dict[str, str]] = field(default_factory=list)
    attendance: list[dict[str, str]] = field(default_factory=list)
    poverty: list[dict[str, str]] = field(default_factory=list)
    disability: list[dict[str, str]] = field(default_factory=list)


def _home(k: Kid, **over: str) -> dict[str, str]:
    row = {
        "姓名": k.name,
        "性别": k.gender,
        "出生日期": k.birth.isoformat(),
        "公民身份号码": k.id_number,
        "户主姓名": k.guardian,
        "所在村": k.village,
    }
    row.update(over)
    return row


def _roll(k: Kid, **over: str) -> dict[str, str]:
    row = {
        "学生姓名": k.name,
        "性别": k.gender,
        "出生日期": k.birth.isoformat(),
        "身份证件号": k.id_number,
        "学校名称": k.school,
        "年级": k.grade,
        "班级": k.klass,
    }
    row.update(over)
    return row


def planted(year: int = 2025) -> tuple[Township, dict[str, list[str]]]:
    """A township in which every category is planted; also the names expected per category.
    Ages are at 9月1日 of `year` against 6–15 周岁."""
    day = date(year, 9, 1)
    t = Township()
    same = Kid("张明远", date(year - 12, 3, 5), seq=1)
    lost = Kid("李思雨", date(year - 10, 6, 1), male=False, seq=2)
    away = Kid("王浩然", date(year - 13, 1, 20), seq=3, grade="八年级")
    unregistered = Kid("赵子轩", date(year - 12, 11, 2), seq=4)
    disabled = Kid("钱小宝", date(year - 8, 4, 4), seq=5)
    poor_lost = Kid("孙雅琪", date(year - 9, 2, 2), male=False, seq=6)
    poor_away = Kid("周家豪", date(year - 14, 7, 7), seq=7, grade="九年级")
    typo_id = Kid("吴晓东", date(year - 11, 5, 15), seq=8)
    typo_name = Kid("郑晓明", date(year - 12, 8, 8), seq=9)
    six_today = Kid("冯一诺", day.replace(year=year - 6), seq=10)  # 6 on 9月1日: of age
    five = Kid("陈小满", day.replace(year=year - 6) + timedelta(days=1), seq=11)  # 5: not
    fifteen = Kid("褚国庆", day.replace(year=year - 16) + timedelta(days=1), seq=12)  # 15: of age
    sixteen = Kid("卫国强", day.replace(year=year - 16), seq=13)  # 16: not
    two_schools = Kid("蒋文博", date(year - 13, 9, 9), seq=14, school=SCHOOL_A)
    for k in (
        same,
        lost,
        disabled,
        poor_lost,
        typo_id,
        typo_name,
        six_today,
        five,
        fifteen,
        sixteen,
    ):
        t.household.append(_home(k))
    t.household.append(_home(two_schools))
    # 学籍: the typo child's number mistyped (wrong check digit), the name child's name
    for k in (same, away, poor_away, two_schools):
        t.enrolment.append(_roll(k))
    t.enrolment.append(_roll(typo_id, 身份证件号=wrong_check_digit(typo_id.id_number)))
    t.enrolment.append(_roll(typo_name, 学生姓名="郑小明", 身份证件号=""))
    # 点名册: no ID numbers, as a class teacher writes it; one child in another school
    for k in (same, unregistered, typo_id, typo_name):
        row = _roll(k, 身份证件号="")
        t.attendance.append(row)
    t.attendance.append(_roll(two_schools, 身份证件号="", 学校名称=SCHOOL_B))
    t.poverty.append(_home(poor_lost))
    t.poverty.append(_home(poor_away))
    t.disability.append({**_home(disabled), "残疾类别": "智力残疾"})
    expected = {
        "out_of_school": [lost.name, poor_lost.name, six_today.name, fifteen.name],
        "separated": [away.name, poor_away.name],
        "unregistered": [unregistered.name],
        "disabled": [disabled.name],
        "poverty": [poor_lost.name],
        "poverty_dropout": [poor_away.name],
        "mismatch": [typo_id.name, typo_name.name, two_schools.name],
    }
    return t, expected


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]], title: str | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    if title:
        ws.append([title])
    ws.append(list(rows[0]))
    for row in rows:
        ws.append(list(row.values()))
    wb.save(path)
    return path


def write_township(folder: Path, year: int = 2025) -> dict[str, Path]:
    """The planted township's lists as files: kind → path."""
    folder.mkdir(parents=True, exist_ok=True)
    t, _ = planted(year)
    return {
        "household": write_csv(folder / "户籍人口.csv", t.household, encoding="gb18030"),
        "enrolment": write_xlsx(
            folder / "学籍系统导出.xlsx", t.enrolment, "全国中小学生学籍信息管理系统 学生信息"
        ),
        "attendance": write_xlsx(folder / "点名册.xlsx", t.attendance),
        "poverty": write_csv(folder / "脱贫户监测户子女.csv", t.poverty),
        "disability": write_csv(folder / "残联残疾儿童.csv", t.disability),
    }


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "子一文浩宇轩涵欣怡梓睿博俊晨佳雨思嘉明伟芳娜敏静丽强磊洋艳勇军杰娟涛超秀霞平刚桂英华玉兰建国志红"


def large_enrolment(path: Path, rows: int, year: int = 2025, seed: int = 7) -> Path:
    """A 学籍 export of `rows` fictional pupils (ages 6–15 on 9月1日), written row by row."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("学生信息")
    ws.append(["全国中小学生学籍信息管理系统 学生信息导出"])
    ws.append(["学生姓名", "性别", "出生日期", "身份证件号", "学校名称", "年级", "班级"])
    start = date(year - 15, 9, 2)
    span = (date(year - 6, 9, 1) - start).days
    born: dict[date, int] = {}
    for n in range(rows):
        birth = start + timedelta(days=rng.randrange(span))
        born[birth] = born.get(birth, 0) + 1
        male = rng.random() < 0.52
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        ws.append(
            [
                name,
                "男" if male else "女",
                birth.isoformat(),
                make_id(birth, born[birth], male=male),
                f"第{n % 40 + 1}小学",
                "七年级",
                f"{n % 8 + 1}班",
            ]
        )
    wb.save(path)
    return path
