"""The form kinds baoxue can produce: id → Chinese name, record model, template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from forms.documents import return_notice
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
