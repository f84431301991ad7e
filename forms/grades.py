"""Grades of compulsory education as schools write them, normalised to 一年级…九年级."""

from __future__ import annotations

import re

GRADES = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "七年级", "八年级", "九年级")
_CN = "一二三四五六七八九"
_JUNIOR = {"初一": 7, "初二": 8, "初三": 9, "初中一年级": 7, "初中二年级": 8, "初中三年级": 9}


class GradeError(ValueError):
    pass


def normalize_grade(raw: object) -> str:
    text = re.sub(r"\s", "", str(raw)).replace("级", "年级").replace("年年级", "年级")
    text = text.removeprefix("小学").removesuffix("（上）").removesuffix("（下）")
    if text in _JUNIOR:
        return GRADES[_JUNIOR[text] - 1]
    match = re.fullmatch(r"([1-9]|[一二三四五六七八九])(?:年级)?", text)
    if match:
        token = match.group(1)
        return GRADES[(int(token) if token.isdigit() else _CN.index(token) + 1) - 1]
    match = re.fullmatch(r"初中?([一二三1-3])(?:年级)?", text)
    if match:
        token = match.group(1)
        return GRADES[6 + (int(token) if token.isdigit() else _CN.index(token) + 1) - 1]
    raise GradeError(f"不认识的年级“{raw}”（义务教育阶段为一年级至九年级，也可写初一至初三）")
