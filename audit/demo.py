"""`make demo`, audit half: build sample evidence packages and audit them into every report format.

The packages come from the fixture builder (tests/fixtures/packages/build.py), so the demo
shows exactly what the tests check: a school with gaps in every item, one with the hard
cases (a school-only visit, 25-minute 课时, a scanned sign-in sheet, an encrypted PDF, a
corrupt DOCX, OS litter), and the school with gaps on paper: its 送教上门记录 and sign-in sheet
scanned (read by OCR, facts marked as such), the sign-in sheet's blank second sheet waiting for a
person (`not_reviewed` with its page).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from audit.report import render_report
from audit.run import run_audit
from forms.paths import PROJECT_ROOT

BUILDER = PROJECT_ROOT / "tests" / "fixtures" / "packages" / "build.py"
SAMPLES = ("gaps", "edge-cases", "scanned")
REPORTS = ("report.json", "report.html", "report.pdf", "report.docx", "findings.xlsx")
CHECKLIST = "liupu-supervision-2024"


class DemoError(Exception):
    """The sample packages cannot be built (the tests folder is not installed)."""


def _builder() -> ModuleType:
    if not BUILDER.is_file():
        raise DemoError(f"找不到样例材料包生成脚本 {BUILDER}（需要源码目录中的 tests/）")
    spec = importlib.util.spec_from_file_location("baoxue_fixture_packages", BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


BINDER_SAMPLE = "edge-cases"


def binder_sample(out_dir: Path) -> list[Path]:
    """The 迎检资料 of a sample package: OUT_DIR/binder/迎检资料.pdf and .zip.

    The school with every item's materials and the hard cases: a scanned sign-in sheet (kept
    as it is), a corrupt DOCX and an encrypted PDF (listed with the reason, kept in the zip),
    OS litter (left out and counted)."""
    from audit.binder import make_binder

    builder = _builder()
    root = out_dir / "binder"
    package = builder.build_package(BINDER_SAMPLE, root / "packages")
    made = make_binder(
        package,
        CHECKLIST,
        builder.PERIOD,
        [root / "迎检资料.pdf", root / "迎检资料.zip"],
    )
    return made.outputs


def audit_samples(out_dir: Path) -> list[Path]:
    """Build the sample packages under OUT_DIR/audit/ and write their reports beside them."""
    builder = _builder()
    root = out_dir / "audit"
    written: list[Path] = []
    for name in SAMPLES:
        package = builder.build_package(name, root / "packages")
        result = run_audit(package, CHECKLIST, period=builder.PERIOD)
        for report in REPORTS:
            target = root / name / report
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(render_report(result, target.suffix.lstrip(".")))
            written.append(target)
    return written
