"""Housekeeping (issue 23 §6): the cases library is its own top-level package, dependencies
run one way (DESIGN.md § Layout), and personal data — the service's data directory and the
case store in it — stays out of the code and out of git."""

from __future__ import annotations

import ast
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from cases_helpers import PEOPLE
from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent
OURS = {"forms", "audit", "cases", "service", "cli", "cli_cases", "cli_common"}
# What each part may not import (DESIGN.md: forms knows nothing of audit, cases or service;
# audit may use forms but never service; cases uses forms; nothing imports the CLI).
FORBIDDEN = {
    "forms": {"audit", "cases", "service", "supervision", "cli", "cli_cases", "cli_common"},
    "audit": {"cases", "service", "supervision", "cli", "cli_cases", "cli_common"},
    "cases": {"audit", "service", "supervision", "cli", "cli_cases", "cli_common"},
    "supervision": {"service", "cli", "cli_cases", "cli_common"},
    "service": {"cli", "cli_cases", "cli_common"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & OURS


def test_cases_is_a_top_level_package() -> None:
    assert (ROOT / "cases" / "__init__.py").is_file()
    assert not (ROOT / "forms" / "cases").exists()
    import cases.ladder
    import cases.store

    assert Path(cases.store.__file__).parent == ROOT / "cases"
    assert callable(cases.ladder.due)


def test_an_install_includes_the_cases_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    found = set(find_packages(str(ROOT), include=include))
    assert {"forms", "audit", "cases", "service"} <= found
    assert not any(p.startswith(("tests", "benchmarks")) for p in found)


def test_lint_and_types_cover_the_cases_package() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    mypy = next(line for line in makefile.splitlines() if "/mypy " in line)
    assert " cases " in f"{mypy} "
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "cases" in config["tool"]["ruff"]["lint"]["isort"]["known-first-party"]


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_dependencies_run_one_way(part: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[part])
        for path in (ROOT / part).rglob("*.py")
    }
    wrong = {k: v for k, v in wrong.items() if v}
    assert not wrong, f"{part}/ imports what it may not: {wrong}"


def test_the_default_case_store_is_in_the_data_directory(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --store, cases go to $BAOXUE_DATA/cases (else ./baoxue-data/cases), never into
    the working directory's ./cases — in a checkout, the code's own package."""
    work, data = tmp_path / "work", tmp_path / "data"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("BAOXUE_CASES", raising=False)
    record = tmp_path / "open.yaml"
    record.write_text(
        yaml.safe_dump({**PEOPLE["xiuyan-2024"], "opened": "2026-03-02"}, allow_unicode=True),
        encoding="utf-8",
    )
    monkeypatch.setenv("BAOXUE_DATA", str(data))
    opened = cli("cases", "open", record, "--profile", "xiuyan-2024", "--today", "2026-03-31")
    assert opened.exit_code == 0, opened.output
    assert len(list((data / "cases" / "cases").glob("*.json"))) == 1
    assert (data / "cases" / "log.jsonl").is_file()
    assert list(work.iterdir()) == []

    monkeypatch.delenv("BAOXUE_DATA")  # the data directory's own default, in the working dir
    listed = cli("cases", "list")
    assert listed.exit_code == 0 and listed.output.strip() == "", listed.output
    opened = cli("cases", "open", record, "--profile", "xiuyan-2024", "--today", "2026-03-31")
    assert opened.exit_code == 0, opened.output
    assert [p.name for p in work.iterdir()] == ["baoxue-data"]
    assert len(list((work / "baoxue-data" / "cases" / "cases").glob("*.json"))) == 1


def test_the_service_and_the_cases_share_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cases.store import default_root
    from service.config import ServiceConfig

    monkeypatch.setenv("BAOXUE_DATA", str(tmp_path / "d"))
    assert ServiceConfig().data_dir == tmp_path / "d"
    assert default_root() == tmp_path / "d" / "cases"
    monkeypatch.delenv("BAOXUE_DATA")
    monkeypatch.chdir(tmp_path)
    assert ServiceConfig().data_dir == tmp_path / "baoxue-data"
    assert default_root() == tmp_path / "baoxue-data" / "cases"


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout"
)
def test_personal_data_is_ignored_by_git() -> None:
    personal = [
        "baoxue-data/baoxue.sqlite3",
        "baoxue-data/files/ab/cd/abcd",
        "baoxue-data/cases/cases/20260302-001.json",
        "baoxue-data/cases/log.jsonl",
        "tests/baoxue-data/cases/log.jsonl",  # a command run from another folder of the checkout
    ]
    code = ["cases/store.py", "cases/__init__.py", "service/config.py"]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *personal, *code],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert sorted(ignored) == sorted(personal)


def test_no_script_shadows_a_standard_module() -> None:
    """A script's folder comes first on sys.path: benchmarks/queue.py was imported by
    concurrent.futures as the standard `queue`, and every benchmark child failed."""
    import sys

    root = Path(__file__).resolve().parent.parent
    scripts = [*root.glob("benchmarks/*.py"), *root.glob("tests/*.py"), *root.glob("*.py")]
    shadowing = [p.name for p in scripts if p.stem in sys.stdlib_module_names]
    assert not shadowing
