"""The form kinds baoxue can produce: id → Chinese name, record model, template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from forms.documents import (
    deadline_notice,
    dropout_report,
    guardian_opinion,
    home_teaching_profile,
    home_teaching_record,
    home_teaching_tally,
    home_visit_record,
    individual_education_plan,
    individual_plan,
    leave_approval,
    meeting_minutes,
    meeting_notice,
    monthly_report,
    responsibility_letter,
    responsibility_matrix,
    return_notice,
    school_statement,
    sign_in_sheet,
    special_circumstance_application,
    suspension_application,
    suspension_determination,
)
from forms.models import Record
from forms.profiles import Profile

ContextBuilder = Callable[[Any, Profile], dict[str, Any]]


@dataclass(frozen=True)
class FormKind:
    id: str
    name: str
    model: type[Record]
    template: str
    context: ContextBuilder
    version: str = "1"
    issuer_key: str = "school"  # record attribute holding the issuer
    one_page: bool = True  # the real form is one sheet; the sample must print on one page


FORMS: dict[str, FormKind] = {
    kind.id: kind
    for kind in [
        FormKind(
            id="return_notice",
            name="劝返复学通知书 / 义务教育劝学通知书",
            model=return_notice.ReturnNotice,
            template="return_notice.html",
            context=return_notice.context,
        ),
        FormKind(
            id="dropout_report",
            name="辍学报告书 / 辍学情况报告单 / 辍学情况书面报告",
            model=dropout_report.DropoutReport,
            template="dropout_report.html",
            context=dropout_report.context,
        ),
        FormKind(
            id="deadline_notice",
            name="限期返校通知书",
            model=deadline_notice.DeadlineNotice,
            template="deadline_notice.html",
            context=deadline_notice.context,
            issuer_key="school",
            one_page=False,  # the notice with its 回执, then the 送达回证 on its own sheet
        ),
        FormKind(
            id="leave_approval",
            name="学生请假审批单（含销假）",
            model=leave_approval.LeaveApproval,
            template="leave_approval.html",
            context=leave_approval.context,
        ),
        FormKind(
            id="home_teaching_profile",
            name="送教上门儿童基本情况表",
            model=home_teaching_profile.HomeTeachingProfile,
            template="home_teaching_profile.html",
            context=home_teaching_profile.context,
        ),
        FormKind(
            id="individual_education_plan",
            name="送教上门一人一案（个别化教育方案）",
            model=individual_education_plan.IndividualEducationPlan,
            template="individual_education_plan.html",
            context=individual_education_plan.context,
        ),
        FormKind(
            id="home_teaching_record",
            name="送教上门记录表（一次送教）",
            model=home_teaching_record.HomeTeachingRecord,
            template="home_teaching_record.html",
            context=home_teaching_record.context,
        ),
        FormKind(
            id="guardian_opinion",
            name="送教服务家长意见书",
            model=guardian_opinion.GuardianOpinion,
            template="guardian_opinion.html",
            context=guardian_opinion.context,
        ),
        FormKind(
            id="home_teaching_tally",
            name="送教上门学年统计表",
            model=home_teaching_tally.HomeTeachingTally,
            template="home_teaching_tally.html",
            context=home_teaching_tally.context,
        ),
        FormKind(
            id="home_visit_record",
            name="家访 / 劝返 / 联合劝访记录",
            model=home_visit_record.HomeVisitRecord,
            template="home_visit_record.html",
            context=home_visit_record.context,
        ),
        FormKind(
            id="special_circumstance_application",
            name="因疾病或特殊情况延缓入学（休学）申请书",
            model=special_circumstance_application.SpecialCircumstanceApplication,
            template="special_circumstance_application.html",
            context=special_circumstance_application.context,
            issuer_key="guardian",
        ),
        FormKind(
            id="suspension_determination",
            name="政策性休学认定表",
            model=suspension_determination.SuspensionDetermination,
            template="suspension_determination.html",
            context=suspension_determination.context,
        ),
        FormKind(
            id="suspension_application",
            name="政策性休学家长申请书",
            model=suspension_application.SuspensionApplication,
            template="suspension_application.html",
            context=suspension_application.context,
            issuer_key="guardian",
        ),
        FormKind(
            id="school_statement",
            name="学校情况说明（政策性休学）",
            model=school_statement.SchoolStatement,
            template="school_statement.html",
            context=school_statement.context,
        ),
        FormKind(
            id="individual_plan",
            name="一生一案表（政策性休学）",
            model=individual_plan.IndividualPlan,
            template="individual_plan.html",
            context=individual_plan.context,
        ),
        FormKind(
            id="responsibility_letter",
            name="控辍保学目标责任书",
            model=responsibility_letter.ResponsibilityLetter,
            template="responsibility_letter.html",
            context=responsibility_letter.context,
            one_page=False,
        ),
        FormKind(
            id="responsibility_matrix",
            name="双线四包责任表",
            model=responsibility_matrix.ResponsibilityMatrix,
            template="responsibility_matrix.html",
            context=responsibility_matrix.context,
        ),
        FormKind(
            id="meeting_notice",
            name="会议通知",
            model=meeting_notice.MeetingNotice,
            template="meeting_notice.html",
            context=meeting_notice.context,
            issuer_key="organizer",
        ),
        FormKind(
            id="sign_in_sheet",
            name="会议签到表",
            model=sign_in_sheet.SignInSheet,
            template="sign_in_sheet.html",
            context=sign_in_sheet.context,
            issuer_key="organizer",
        ),
        FormKind(
            id="meeting_minutes",
            name="会议记录",
            model=meeting_minutes.MeetingMinutes,
            template="meeting_minutes.html",
            context=meeting_minutes.context,
            issuer_key="organizer",
        ),
        FormKind(
            id="monthly_report",
            name="控辍保学月报（一月一报告）",
            model=monthly_report.MonthlyReport,
            template="monthly_report.html",
            context=monthly_report.context,
            one_page=False,
        ),
    ]
}


class UnknownFormError(KeyError):
    def __str__(self) -> str:
        known = "、".join(FORMS)
        return f"没有名为“{self.args[0]}”的文书（可用：{known}）"


def get_form(form_id: str) -> FormKind:
    try:
        return FORMS[form_id]
    except KeyError:
        raise UnknownFormError(form_id) from None
