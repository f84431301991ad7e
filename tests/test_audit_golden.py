"""Each fixture package audited end to end, compared item by item with its reviewed golden file.

Regenerate with `python tests/fixtures/golden/regenerate.py` and review the diff.
"""

from __future__ import annotations

import pytest
from fixtures.golden.regenerate import AUDITED, REFUSED_EMPTY, audit, load, summary
from fixtures.packages.build import PERIOD, package_path

from audit.run import AuditError, run_audit


@pytest.mark.parametrize("name", AUDITED)
def test_package_matches_golden(name: str) -> None:
    got = summary(audit(name))
    want = load(name)
    diffs = [
        f"{rid}: 期望 {status}，实际 {got['statuses'].get(rid)}"
        for rid, status in want["statuses"].items()
        if got["statuses"].get(rid) != status
    ]
    for rid, students in want["subjects"].items():
        for student, status in students.items():
            actual = got["subjects"].get(rid, {}).get(student)
            if actual != status:
                diffs.append(f"{rid} {student}: 期望 {status}，实际 {actual}")
    extra = {(rid, s) for rid, ss in got["subjects"].items() for s in ss} - {
        (rid, s) for rid, ss in want["subjects"].items() for s in ss
    }
    diffs += [f"{rid} {s}: 多出的学生" for rid, s in sorted(extra)]
    if got["level"] != want["level"]:
        diffs.append(f"等次: 期望 {want['level']}，实际 {got['level']}")
    assert not diffs, f"{name} 与 golden 不符：\n" + "\n".join(diffs)
    assert set(got["statuses"]) == set(want["statuses"])


def test_layouts_of_one_compliant_school_agree() -> None:
    statuses = {
        name: load(name)["statuses"] for name in ("compliant", "prose", "pdf-tables", "gbk-zip")
    }
    assert all(s == statuses["compliant"] for s in statuses.values())
    assert set(statuses["compliant"].values()) == {"pass"}


@pytest.mark.parametrize(("name", "message"), [("traversal", "非法路径"), ("bomb", "压缩炸弹")])
def test_unsafe_zip_cannot_be_audited(name: str, message: str) -> None:
    with pytest.raises(AuditError) as err:
        run_audit(package_path(name), "liupu-supervision-2024", period=PERIOD)
    assert message in str(err.value)


@pytest.mark.parametrize("name", REFUSED_EMPTY)
def test_empty_package_is_refused_not_failed(name: str, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An empty folder or zip was audited 不合格 with a false reason (学籍人数与实际在校人数
    不符); since issue 23 it is refused: there is nothing to check."""
    with pytest.raises(AuditError, match="材料包中没有可核查的文件"):
        run_audit(package_path(name), "liupu-supervision-2024", period=PERIOD)
    res = cli("audit", package_path(name), "--checklist", "liupu-supervision-2024",
              "--period", "2025-09-01..2026-07-15", "-o", tmp_path / "r.json")  # fmt: skip
    assert res.exit_code == 2 and "材料包中没有可核查的文件" in res.output
    assert not (tmp_path / "r.json").exists()


def test_cli_audits_a_real_package(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.json"
    res = cli("audit", package_path("gbk-zip"), "--checklist", "liupu-supervision-2024",
              "--period", "2025-09-01..2026-07-15", "-o", out)  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "等次：优秀" in res.output
    bomb = cli("audit", package_path("bomb"), "--checklist", "liupu-supervision-2024",
               "--period", "2025-09-01..2026-07-15", "-o", tmp_path / "b.json")  # fmt: skip
    assert bomb.exit_code == 2 and "错误：" in bomb.output
