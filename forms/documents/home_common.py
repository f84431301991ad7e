"""What the five home-teaching (送教上门) forms share: the profile's thresholds as rules."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from forms.documents.common import rule_error
from forms.home_teaching import Rules
from forms.profiles import HomeTeaching, Profile


def policy(profile: Profile, model: type[BaseModel]) -> HomeTeaching:
    if profile.home_teaching is None:
        raise rule_error(model, (), f"辖区规定“{profile.name}”没有送教上门的规定")
    return profile.home_teaching


def rules(profile: Profile, form_id: str, model: type[BaseModel]) -> Rules:
    extra = profile.document(form_id).extra
    partial = str(extra["partial_month"].value) if "partial_month" in extra else "count"
    return Rules.from_profile(policy(profile, model), partial)


def rule_context(profile: Profile, model: type[BaseModel]) -> dict[str, Any]:
    """The thresholds as printed in the note under each form."""
    ht = policy(profile, model)
    low, high = ht.age_range.value
    return {
        "ht": {
            "visits": ht.visits_per_month.value,
            "periods": ht.sessions_per_visit.value,
            "minutes": ht.minutes_per_session.value,
            "year": ht.sessions_per_year.value,
            "unit": ht.unit.value,
            "ages": f"{low}至{high}周岁",
        }
    }
