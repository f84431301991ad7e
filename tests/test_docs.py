"""The README is checked against the code (datasette's habit): commands, forms, profiles."""

from __future__ import annotations

import re
from pathlib import Path

import click

from cli import main
from forms.profiles import all_profiles
from forms.registry import FORMS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, command in group.commands.items():
        out.add(prefix + name)
        if isinstance(command, click.Group):
            out |= _commands(command, f"{prefix}{name} ")
    return out


def test_every_command_is_documented() -> None:
    top = set(main.commands)
    missing = sorted(c for c in top if f"baoxue {c}" not in README)
    assert not missing, f"README does not mention: {missing}"


def test_every_documented_command_exists() -> None:
    known = {c.split()[0] for c in _commands(main)}
    mentioned = set(re.findall(r"`?baoxue ([a-z][a-z-]*)", README))
    unknown = sorted(m for m in mentioned if m not in known)
    assert not unknown, f"README mentions commands that do not exist: {unknown}"


def test_every_form_and_profile_is_documented() -> None:
    assert not [f for f in FORMS if f"`{f}`" not in README]
    assert not [p.id for p in all_profiles() if p.id not in README]
