"""The documentation is checked against the code (datasette's habit): the README is a door to
docs/, one page per area; every CLI command and option (the click tree walked) and every route
of the web service (the app's routes) is named in the docs, and every command, option and route
the docs name exists. Forms and profiles are documented on their pages."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from fastapi.routing import iter_route_contexts

from cli import main
from forms.profiles import all_profiles
from forms.registry import FORMS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = {p.name: p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md"))}
ALL = {"README.md": README, **{f"docs/{k}": v for k, v in PAGES.items()}}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


# ---------------------------------------------------------------- the code's names


def _walk(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, click.Command]]:
    if path:
        yield " ".join(path), command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _walk(sub, (*path, name))


COMMANDS = dict(_walk(main))


def _options(command: click.Command) -> set[str]:
    found = {"--help"}
    for param in command.params:
        if isinstance(param, click.Option):
            found |= set(param.opts) | set(param.secondary_opts)
    return found


def _routes() -> set[str]:
    from service.app import create_app
    from service.config import ServiceConfig

    app = create_app(ServiceConfig(data_dir=Path(tempfile.mkdtemp()), job_mode="thread"))
    app.state.ctx.runner.shutdown()
    out = set()
    for rc in iter_route_contexts(app.routes):
        for method in (getattr(rc, "methods", None) or set()) - {"HEAD"}:
            out.add(f"{method} {rc.path}")
    return out


ROUTES = _routes()


def _shape(path: str) -> str:
    """A path with its parameters anonymous and its query left out: /api/jobs/{}."""
    return re.sub(r"\{[^}]*\}", "{}", path.split("?")[0].rstrip("`.,;:)"))


# ---------------------------------------------------------------- what the docs name


def _sections(text: str, level: str = "###") -> dict[str, str]:
    """Text under each `### heading` (up to the next heading of that level or higher)."""
    parts = re.split(rf"^({level} .*)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


REFERENCE = {
    m.group(1): body
    for heading, body in _sections(PAGES["cli.md"]).items()
    if (m := re.fullmatch(r"### `baoxue ([a-z -]+)`", heading))
}


def _command_lines(text: str) -> Iterator[str]:
    """Every `baoxue …` command in a shell block or an inline code span."""
    spans = [
        block.replace("\\\n", " ") for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    ]
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    spans += re.findall(r"`([^`\n]+)`", prose)
    for span in spans:
        for line in span.splitlines():
            line = re.sub(r"\s#\s.*$", "", line)
            for part in re.split(r";|&&", line):
                part = part.strip()
                if part.startswith(("baoxue ", ".venv/bin/baoxue ")):
                    yield part.removeprefix(".venv/bin/")


def _command_of(line: str) -> tuple[str | None, list[str]]:
    """(the command path a line names, its words after it): None when the line starts with a
    placeholder (`baoxue COMMAND --help`); a path that is no command when a word is unknown."""
    words = line.split()[1:]
    path: list[str] = []
    for word in words:
        if not re.fullmatch(r"[a-z][a-z-]*", word):
            break
        path.append(word)
        name = " ".join(path)
        if name not in COMMANDS or not isinstance(COMMANDS[name], click.Group):
            break
    if not path:
        return None, []
    return " ".join(path), words[len(path) :]


# ---------------------------------------------------------------- the README is a door


def test_the_readme_is_a_door_to_every_page() -> None:
    assert len(README.splitlines()) <= 120, "the README is a door: detail goes to docs/"
    for heading in ("## Two commands", "## A short tour", "## Documentation"):
        assert heading in README
    linked = set(re.findall(r"\]\(docs/([a-z-]+\.md)\)", README))
    assert linked == set(PAGES) - {"README.md"}, sorted(linked ^ (set(PAGES) - {"README.md"}))
    index = set(re.findall(r"\]\(([a-z-]+\.md)\)", PAGES["README.md"]))
    assert index == set(PAGES) - {"README.md"}


def test_every_page_links_back_and_its_links_resolve() -> None:
    for name, text in PAGES.items():
        assert "](../README.md)" in text, name
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (DOCS / target).exists(), f"docs/{name}: link to {target}"
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README):
        assert (ROOT / target).exists(), f"README.md: link to {target}"


# ---------------------------------------------------------------- the CLI


def test_every_command_and_option_is_documented() -> None:
    missing = sorted(set(COMMANDS) - set(REFERENCE))
    assert not missing, f"docs/cli.md has no section for: {missing}"
    undocumented = {
        name: sorted(o for o in _options(command) if not re.search(rf"`{o}\b|, {o}\b", body))
        for name, command in COMMANDS.items()
        if (body := REFERENCE.get(name)) is not None
    }
    undocumented = {k: v for k, v in undocumented.items() if v}
    assert not undocumented, f"options missing from docs/cli.md: {undocumented}"
    for name in COMMANDS:  # each command is also used or explained outside the reference
        pages = [p for p in ALL.values() if f"baoxue {name}" in p]
        assert len(pages) >= 1, name
    top_level = {n for n in COMMANDS if " " not in n}
    assert not [c for c in top_level if f"baoxue {c}" not in README + PAGES["cli.md"]]


def test_every_documented_command_and_option_exists() -> None:
    unknown_sections = sorted(set(REFERENCE) - set(COMMANDS))
    assert not unknown_sections, (
        f"docs/cli.md documents commands that do not exist: {unknown_sections}"
    )
    wrong: list[str] = []
    for name, body in REFERENCE.items():
        named = set(re.findall(r"(?<![\w-])(--?[a-z][a-z0-9-]*)", body))
        wrong += [f"baoxue {name} {o}" for o in sorted(named - _options(COMMANDS[name]))]
    for page, text in ALL.items():
        for line in _command_lines(text):
            command, rest = _command_of(line)
            if command is None:
                continue
            if command not in COMMANDS:
                wrong.append(f"{page}: `{line}` (no command “baoxue {command}”)")
                continue
            for word in rest:
                option = re.match(r"\[?(--[a-z][a-z0-9-]*|-[a-z])\b", word)
                if option and option.group(1) not in _options(COMMANDS[command]):
                    wrong.append(f"{page}: `{line}` ({option.group(1)})")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- the web service


def test_every_route_is_documented() -> None:
    table = _sections(PAGES["service.md"], "##").get("## Routes", "")
    listed = set(re.findall(r"^\| `((?:GET|POST|PUT|PATCH|DELETE) /[^`]*)` \|", table, re.M))
    missing = sorted(ROUTES - listed)
    assert not missing, f"docs/service.md § Routes does not list: {missing}"
    unknown = sorted(listed - ROUTES)
    assert not unknown, f"docs/service.md § Routes lists routes that do not exist: {unknown}"


def test_every_documented_route_exists() -> None:
    shapes = {_shape(r) for r in ROUTES}
    paths = {s.split(" ", 1)[1] for s in shapes}
    wrong = []
    for page, text in ALL.items():
        for method, path in re.findall(rf"\b({'|'.join(METHODS)}) (/[^\s`|,)]*)", text):
            if f"{method} {_shape(path)}" not in shapes:
                wrong.append(f"{page}: {method} {path}")
        for path in re.findall(r"`(/api/[^`\s]*)", text):
            if _shape(path) not in paths:
                wrong.append(f"{page}: {path}")
    assert not wrong, "the docs name routes that do not exist:\n" + "\n".join(sorted(set(wrong)))


# ---------------------------------------------------------------- forms and profiles


def test_every_form_and_profile_is_documented() -> None:
    assert not [f for f in FORMS if f"`{f}`" not in PAGES["documents.md"]]
    assert not [p.id for p in all_profiles() if p.id not in PAGES["profiles.md"]]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_page_is_about_one_area(page: str) -> None:
    """One `# title` a page; the areas are the README's table."""
    titles = [
        line
        for line in re.sub(r"```.*?```", "", PAGES[page], flags=re.S).splitlines()
        if line.startswith("# ")
    ]
    assert len(titles) == 1, titles
