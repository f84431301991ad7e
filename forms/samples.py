"""Sample records shipped with the project: the demo prints them, the tests render them.

A sample is forms/samples/<form>-<profile>.yaml (a profile-specific record) or
forms/samples/<form>.yaml (one record for every profile that has the form).
"""

from __future__ import annotations

from pathlib import Path

from forms.paths import SAMPLES_DIR
from forms.profiles import Profile, ProfileError, all_profiles


def sample_path(form_id: str, profile_id: str) -> Path | None:
    for candidate in (
        SAMPLES_DIR / f"{form_id}-{profile_id}.yaml",
        SAMPLES_DIR / f"{form_id}.yaml",
    ):
        if candidate.is_file():
            return candidate
    return None


def profiles_with(form_id: str) -> list[Profile]:
    out = []
    for profile in all_profiles():
        try:
            profile.document(form_id)
        except ProfileError:
            continue
        out.append(profile)
    return out
