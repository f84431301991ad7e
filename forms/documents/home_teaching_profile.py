"""送教上门儿童基本情况表: who the child is, the disability, why at home, who teaches.

The child's age on the day home teaching starts must lie in the profile's home-teaching
age range (6–16 Liupu 000 § 四(三)3; 6–15 Xiuyan 003 § 四(三)3, Jiaotan 004 § 四(一)1).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from forms.documents.common import Names, age_error
from forms.documents.home_common import policy, rule_context
from forms.models import DateField, Guardian, OptText, Record, School, Student, Text
from forms.profiles import Profile

DisabilityCategory = Literal[
    "视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾"
]
DisabilityLevel = Literal["一级", "二级", "三级", "四级"]


class HomeTeachingProfile(Record):
    number: OptText = Field(None, title="编号")
    fill_date: DateField = Field(title="填表日期")
    student: Student = Field(title="学生")
    guardian: Guardian = Field(title="监护人")
    school: School = Field(title="送教学校")
    disability_category: DisabilityCategory = Field(title="残疾类别")
    disability_level: DisabilityLevel = Field(title="残疾等级")
    certificate_number: OptText = Field(None, title="残疾证号")
    start: DateField = Field(title="开始送教日期")
    teachers: Names = Field(title="送教教师")
    health: Text = Field(title="身体状况")
    why_home: Text = Field(title="不能到校就读的原因")
    family: OptText = Field(None, title="家庭情况")
    needs: OptText = Field(None, title="教育与康复需求")


def context(record: HomeTeachingProfile, profile: Profile) -> dict[str, Any]:
    ht = policy(profile, HomeTeachingProfile)
    age = record.student.age_on(record.start)
    error = age_error(
        HomeTeachingProfile,
        ("student", "birth_date"),
        age,
        record.start,
        ht.age_range.value,
        ht.age_range.source,
        "送教上门对象",
    )
    if error:
        raise error
    return {"age": age, **rule_context(profile, HomeTeachingProfile)}
