"""The checklist: seed 002 附件1 as data, validation errors, overlays, the effective checklist."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from audit.checklist import (
    ChecklistError,
    checklist_sha256,
    get_checklist,
    load_checklist_file,
    resolve,
)
from audit.facts import EVIDENCE_KINDS
from forms.paths import CHECKLISTS_DIR

IDS = [
    "1", "1.1", "1.2",
    "2", "2.1", "2.2", "2.3", "2.4", "2.5",
    "3", "3.1", "3.2", "3.3", "3.4",
    "4", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7",
]  # fmt: skip


def test_checklist_has_the_issue_ids_in_order() -> None:
    cl = get_checklist("liupu-supervision-2024")
    ids = [x for item in cl.items for x in (item.id, *(r.id for r in item.requirements))]
    assert ids == IDS
    assert cl.version
    assert sum(r.weight for r in cl.requirements()) == 100


def test_every_requirement_is_cited_and_complete() -> None:
    cl = get_checklist("liupu-supervision-2024")
    for req in cl.requirements():
        assert req.source.startswith("002 附件1"), req.id
        assert req.severity in ("critical", "major", "minor")
        assert req.method in ("examine", "interview", "test")
        assert all(k in EVIDENCE_KINDS for k in req.evidence)
        assert req.recommendation
        for name, p in req.params.items():
            assert p.source, f"{req.id}.{name}"


def test_thresholds_are_params_with_readings() -> None:
    cl = resolve("liupu-supervision-2024")
    p = cl.requirement("3.3").param_values()
    assert p["min_joint_visits"] == 3 and p["min_bodies"] == 2
    p = cl.requirement("3.4").param_values()
    assert (p["per_window"], p["window_months"], p["per_semester"], p["per_year"]) == (1, 3, 2, 4)
    assert p["window_reading"] == "max_gap"
    assert cl.requirement("3.4").params["window_reading"].reading
    assert cl.requirement("3.4").params["semesters"].reading
    p = cl.requirement("4.7").param_values()
    assert (p["visits_per_month"], p["periods_per_visit"], p["minutes_per_period"]) == (2, 3, 30)
    assert (p["periods_per_year"], p["prorate_per_month"]) == (60, 6)
    assert p["teaching_months"] == [9, 10, 11, 12, 1, 3, 4, 5, 6, 7]


def test_leave_tiers_come_from_the_jurisdiction_profile() -> None:
    cl = resolve("liupu-supervision-2024")
    tiers = cl.requirement("2.4").params["tiers"]
    assert tiers.from_profile == "leave_approval.tiers"
    assert [t["approver"] for t in tiers.value] == ["班主任", "政教处（德育处）", "校长"]
    assert "000 § 四(二)3" in (tiers.reading or "")
    assert cl.requirement("2.4").param_values()["home_visit_over_days"] == 7
    # The file itself holds no tiers: they are only filled on resolution.
    assert get_checklist("liupu-supervision-2024").requirement("2.4").params["tiers"].value is None


def test_effective_checklist_sha_changes_with_the_overlay() -> None:
    base = resolve("liupu-supervision-2024")
    semester = resolve("liupu-supervision-2024", "liupu-2026-semester")
    assert checklist_sha256(base) != checklist_sha256(semester)
    assert checklist_sha256(base) == checklist_sha256(
        resolve("liupu-supervision-2024", "liupu-2026")
    )
    assert semester.overlays == ["liupu-2026-semester"]
    assert semester.requirement("2.3").weight == 10
    assert semester.requirement("3.4").param_values()["judge_year"] is False


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of checklists/ to break in tests."""
    shutil.copytree(CHECKLISTS_DIR, tmp_path / "checklists")
    return tmp_path / "checklists"


def _edit(path: Path, change: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _req(data: dict, rid: str) -> dict:  # type: ignore[type-arg]
    for item in data["items"]:
        for req in item["requirements"]:
            if req["id"] == rid:
                return req  # type: ignore[no-any-return]
    raise KeyError(rid)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: _req(d, "1.1").update(weight=-1),
            "键 items[1].requirements[1.1].weight：应不小于0",
        ),
        (
            lambda d: _req(d, "2.2").update(severity="huge"),
            "键 items[2].requirements[2.2].severity",
        ),
        (lambda d: _req(d, "4.4").update(evidence=["teleport"]), "不认识的证据类别“teleport”"),
        (lambda d: _req(d, "3.3").update(rule="nope"), "没有名为“nope”的规则"),
        (
            lambda d: _req(d, "3.3")["params"]["min_joint_visits"].update(value="三"),
            "min_joint_visits",
        ),
        (
            lambda d: _req(d, "3.3")["params"].update(typo={"value": 1, "source": "002 附件1 三"}),
            "typo",
        ),
        (lambda d: _req(d, "1.2").update(recommendation="请{nobody}整改"), "{nobody}"),
        (lambda d: _req(d, "1.2").update(source="somewhere"), "出处"),
        (lambda d: d.update(id="other"), "应与文件名"),
        (lambda d: d["items"][0]["requirements"].append(dict(_req(d, "1.2"))), "编号重复"),
    ],
)
def test_bad_checklist_names_file_key_and_problem(
    tree: Path, change: object, expected: str
) -> None:
    path = tree / "liupu-supervision-2024.yaml"
    _edit(path, change)
    with pytest.raises(ChecklistError) as err:
        load_checklist_file(path)
    message = str(err.value)
    assert "liupu-supervision-2024.yaml" in message
    assert expected in message


def test_yaml_syntax_error_names_the_line(tree: Path) -> None:
    path = tree / "liupu-supervision-2024.yaml"
    path.write_text("id: x\nitems: [\n", encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"YAML 格式错误 第\d+行"):
        load_checklist_file(path)


def _overlay(tree: Path, name: str, body: dict) -> None:  # type: ignore[type-arg]
    data = {"id": name, "name": "测试叠加", "extends": "liupu-supervision-2024", **body}
    (tree / "overlays" / f"{name}.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )


def test_overlay_set_params_exclude_modify_waive(tree: Path) -> None:
    _overlay(
        tree,
        "t",
        {
            "jurisdiction": "liupu-2026",
            "set_params": {"4.4": {"visits_per_month": {"value": 3, "source": "002 附件1 四 3"}}},
            "exclude": [
                {"id": "3", "reason": "本镇无政策性休学"},
                {"id": "2.5", "reason": "另行督导"},
            ],
            "modify": {"1.2": {"severity": "critical", "weight": 8}},
            "waivers": [
                {"id": "2.2", "reason": "系统升级中", "granted_by": "督导室", "until": "2026-12-31"}
            ],
        },
    )
    cl = resolve("liupu-supervision-2024", "t", directory=tree)
    ids = [r.id for r in cl.requirements()]
    assert "3.1" not in ids and "2.5" not in ids and [i.id for i in cl.items] == ["1", "2", "4"]
    assert [r for row in cl.items[1].rows for r in row.requirements] == ["2.1", "2.2", "2.3", "2.4"]
    assert cl.requirement("4.4").param_values()["visits_per_month"] == 3
    assert cl.requirement("4.5").param_values()["visits_per_month"] == 2  # only 4.4 was set
    assert (cl.requirement("1.2").severity, cl.requirement("1.2").weight) == ("critical", 8)
    assert cl.requirement("2.2").waiver is not None
    assert [(e.id, e.by) for e in cl.excluded] == [("3", "t"), ("2.5", "t")]


def test_overlay_chain(tree: Path) -> None:
    _overlay(tree, "a", {"modify": {"1.1": {"weight": 12}}})
    (tree / "overlays" / "b.yaml").write_text(
        yaml.safe_dump({"id": "b", "name": "b", "extends": "a", "modify": {"1.2": {"weight": 3}}}),
        encoding="utf-8",
    )
    cl = resolve("liupu-supervision-2024", "b", directory=tree)
    assert cl.overlays == ["a", "b"]
    assert (cl.requirement("1.1").weight, cl.requirement("1.2").weight) == (12, 3)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"set_params": {"4.4": {"nonsense": {"value": 1, "source": "002 附件1 四"}}}},
            "没有这个参数",
        ),
        ({"exclude": [{"id": "9.9", "reason": "x"}]}, "没有编号为“9.9”"),
        ({"modify": {"1.1": {"severity": "mild"}}}, "modify"),
        (
            {
                "set_params": {
                    "4.4": {"visits_per_month": {"value": "two", "source": "002 附件1 四"}}
                }
            },
            "visits_per_month",
        ),
        ({"extends": "missing"}, "没有名为“missing”的督导清单或叠加规定"),
        ({"exclude": [{"id": x, "reason": "x"} for x in ("1", "2", "3", "4")]}, "已没有任何要求"),
    ],
)
def test_bad_overlay_is_refused(tree: Path, body: dict, expected: str) -> None:  # type: ignore[type-arg]
    _overlay(tree, "bad", body)
    with pytest.raises(ChecklistError, match=expected):
        resolve("liupu-supervision-2024", "bad", directory=tree)


def test_unknown_profile_lists_what_exists() -> None:
    with pytest.raises(ChecklistError) as err:
        resolve("liupu-supervision-2024", "nowhere")
    assert "liupu-2026-semester" in str(err.value) and "liupu-2026" in str(err.value)


def test_cli_lists_and_shows(cli) -> None:  # type: ignore[no-untyped-def]
    listing = cli("checklists")
    assert listing.exit_code == 0
    assert "liupu-supervision-2024" in listing.output and "liupu-2026-semester" in listing.output
    shown = cli("checklists", "show", "liupu-supervision-2024", "--profile", "liupu-2026-semester")
    assert shown.exit_code == 0
    sha = checklist_sha256(resolve("liupu-supervision-2024", "liupu-2026-semester"))
    assert sha in shown.output
    body = yaml.safe_load(shown.output)
    assert body["overlays"] == ["liupu-2026-semester"]
    assert body["items"][1]["requirements"][3]["params"]["tiers"]["value"][2]["approver"] == "校长"
    missing = cli("checklists", "show", "nope")
    assert missing.exit_code == 2
