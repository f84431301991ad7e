"""The people and bodies every document names: Student, Guardian, School (the issuer).

Each field carries its Chinese title; validation messages are Chinese (see forms.errors).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from forms.dates import cn_date, coerce_date
from forms.grades import normalize_grade
from forms.idcard import mask, normalize, parse_id_number

# Separators people type in minority names; the standard is U+00B7 MIDDLE DOT.
_DOTS = re.compile(r"[•・．‧∙⋅･]")


def _clean_name(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("应为文字")
    name = _DOTS.sub("·", re.sub(r"[\s\u3000]+", "", value))
    if not name:
        raise ValueError("不能为空")
    if re.search(r"[0-9<>{}\[\]@#$%^&*=+|\\/]", name):
        raise ValueError(f"“{value}”含有姓名中不应出现的字符")
    if name.startswith("·") or name.endswith("·") or "··" in name:
        raise ValueError(f"“{value}”的间隔号“·”位置不对")
    return name


def _clean_text(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _date(value: object) -> object:
    if value is None or value == "":
        return None
    return coerce_date(value)


# “2011年6月”, “2011.06”, “2011-6”, “201106”: a 出生年月 column gives only the month.
_YEAR_MONTH = re.compile(r"(\d{4})\s*(?:[年./\-]\s*(\d{1,2})\s*月?|(\d{2}))")


def year_month_only(value: object) -> tuple[int, int] | None:
    if not isinstance(value, str):
        return None
    match = _YEAR_MONTH.fullmatch(value.strip())
    if not match:
        return None
    month = int(match[2] or match[3])
    return (int(match[1]), month) if 1 <= month <= 12 else None


def _optional_text(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


# Rosters often hold two numbers in one cell (“138…/139…”, “138… 、139…”).
_PHONE_SPLIT = re.compile(r"[/／、,，;；|]|\s{2,}|\s(?=(?:\+?86)?1[3-9]\d{9}\b)")


def _one_phone(text: str) -> str | None:
    text = re.sub(r"[\s\-－—()（）]", "", text)
    text = re.sub(r"^(?:\+86|0086)", "", text)
    if re.fullmatch(r"861[3-9]\d{9}", text):
        text = text[2:]
    if (
        re.fullmatch(r"1[3-9]\d{9}", text)
        or re.fullmatch(r"0\d{9,11}", text)
        or re.fullmatch(r"\d{7,8}", text)
    ):
        return text
    return None


def _phone(value: object) -> object:
    """Checked, but kept as written: a document prints 0773-7212345, not 07737212345."""
    value = _optional_text(value)
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value))
    parts = [p for p in _PHONE_SPLIT.split(text) if p.strip()]
    if parts and all(_one_phone(p) for p in parts):
        return text
    raise ValueError(f"“{value}”不是有效的电话号码（手机11位，座机含区号）")


def _gender(value: object) -> object:
    value = _optional_text(value)
    mapping = {
        "男": "男",
        "女": "女",
        "男性": "男",
        "女性": "女",
        "男生": "男",
        "女生": "女",
        "男孩": "男",
        "女孩": "女",
        "M": "男",
        "F": "女",
        "1": "男",
        "2": "女",
    }
    if value is None:
        return None
    key = str(value).upper() if str(value).isascii() else str(value)
    if key not in mapping:
        raise ValueError(f"“{value}”应为“男”或“女”")
    return mapping[key]


def _grade(value: object) -> object:
    value = _optional_text(value)
    return None if value is None else normalize_grade(value)


Name = Annotated[str, BeforeValidator(_clean_name)]
Text = Annotated[str, BeforeValidator(_clean_text), Field(min_length=1)]
OptText = Annotated[str | None, BeforeValidator(_optional_text)]
DateField = Annotated[date, BeforeValidator(_date)]
OptDate = Annotated[date | None, BeforeValidator(_date)]
Phone = Annotated[str | None, BeforeValidator(_phone)]
Gender = Annotated[Literal["男", "女"] | None, BeforeValidator(_gender)]
Grade = Annotated[str | None, BeforeValidator(_grade)]


class Record(BaseModel):
    """Base of every model: unknown keys are an error, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Student(Record):
    name: Name = Field(title="姓名")
    id_number: OptText = Field(None, title="身份证号")
    gender: Gender = Field(None, title="性别")
    birth_date: OptDate = Field(None, title="出生日期")
    student_number: OptText = Field(None, title="学籍号")
    grade: Grade = Field(None, title="年级")
    class_name: OptText = Field(None, title="班级")

    @field_validator("id_number")
    @classmethod
    def _valid_id(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return parse_id_number(value).number
        except ValueError as exc:
            raise ValueError(f"“{value}”{exc}") from None

    @field_validator("gender")
    @classmethod
    def _gender_matches_id(cls, value: str | None, info: ValidationInfo) -> str | None:
        id_number = info.data.get("id_number")
        if value is not None and id_number:
            from_id = parse_id_number(id_number).gender
            if value != from_id:
                raise ValueError(f"“{value}”与身份证号不符（身份证号显示为{from_id}）")
        return value

    @field_validator("birth_date", mode="before")
    @classmethod
    def _month_precision_birth(cls, value: object, info: ValidationInfo) -> object:
        """A 出生年月 column (“2011年6月”, or a date cell shown as a month: day 1) in the
        month the (already validated) ID number gives is read as the ID's birth date."""
        written = year_month_only(value)
        month = written
        if month is None and isinstance(value, date) and value.day == 1:
            month = (value.year, value.month)
        id_number = info.data.get("id_number")
        if month is not None and id_number:
            born = parse_id_number(id_number).birth_date
            if month == (born.year, born.month):
                return born
        if written:
            raise ValueError(
                f"“{value}”只写了年月，请写完整的出生日期（或填写身份证号，日期从身份证号读取）"
            )
        return value

    @field_validator("birth_date")
    @classmethod
    def _birth_matches_id(cls, value: date | None, info: ValidationInfo) -> date | None:
        id_number = info.data.get("id_number")
        if value is not None and id_number:
            from_id = parse_id_number(id_number).birth_date
            if value != from_id:
                raise ValueError(f"与身份证号不符（身份证号显示为{cn_date(from_id)}）")
        return value

    @field_validator("student_number")
    @classmethod
    def _student_number_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z]?\d{17}[\dXx]|[A-Za-z0-9]{8,24}", value
        ):
            raise ValueError(f"“{value}”格式不对（全国学籍号一般为G加18位身份证号）")
        return value.upper() if value else value

    @model_validator(mode="after")
    def _fill_from_id(self) -> Student:
        if self.id_number:
            info = parse_id_number(self.id_number)
            self.gender = self.gender or info.gender  # type: ignore[assignment]
            self.birth_date = self.birth_date or info.birth_date
        return self

    @property
    def masked_id(self) -> str:
        return mask(self.id_number) if self.id_number else ""

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Guardian(Record):
    name: Name = Field(title="监护人姓名")
    relation: OptText = Field(None, title="与学生关系")
    phone: Phone = Field(None, title="联系电话")
    address: OptText = Field(None, title="家庭住址")


class School(Record):
    """The school (or other body) that issues a document."""

    name: Text = Field(title="学校名称")
    township: OptText = Field(None, title="所在乡镇")
    address: OptText = Field(None, title="学校地址")
    phone: Phone = Field(None, title="联系电话")
    contact: OptText = Field(None, title="联系人")


Issuer = School

__all__ = ["DateField", "Guardian", "Issuer", "OptDate", "Record", "School", "Student", "normalize"]
