"""`make demo`, document half: every form's sample, for every profile that has the form."""

from __future__ import annotations

from pathlib import Path

from forms.files import write_output
from forms.registry import FORMS
from forms.render.document import load_record_file, render_record, validate_record
from forms.samples import profiles_with, sample_path


def render_samples(out_dir: Path, formats: tuple[str, ...] = ("pdf", "docx")) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for kind in FORMS.values():
        for profile in profiles_with(kind.id):
            path = sample_path(kind.id, profile.id)
            if path is None:
                continue
            record = validate_record(kind, load_record_file(path), str(path))
            for fmt, data in render_record(kind, record, profile, formats).items():
                target = out_dir / f"{kind.id}-{profile.id}.{fmt}"
                written.append(write_output(target, data))
    return written
