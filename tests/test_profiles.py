from datetime import date
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from forms.paths import PROFILES_DIR
from forms.profiles import ProfileError, Sourced, all_profiles, get_profile, load_profile_file


def test_the_four_profiles_load() -> None:
    ids = {p.id for p in all_profiles()}
    assert {"liupu-2026", "xiuyan-2024", "jiaotan-2025", "xixiangtang-2020"} <= ids


def _sourced_values(obj: object) -> list[Sourced]:  # type: ignore[type-arg]
    out = []
    if isinstance(obj, Sourced):
        out.append(obj)
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            out += _sourced_values(getattr(obj, name))
    elif isinstance(obj, dict):
        for v in obj.values():
            out += _sourced_values(v)
    elif isinstance(obj, list):
        for v in obj:
            out += _sourced_values(v)
    return out


@pytest.mark.parametrize(
    "profile_id", ["liupu-2026", "xiuyan-2024", "jiaotan-2025", "xixiangtang-2020"]
)
def test_every_value_cites_its_source(profile_id: str) -> None:
    values = _sourced_values(get_profile(profile_id))
    assert len(values) > 5
    assert all(v.source for v in values)


def test_deadlines_from_the_seeds() -> None:
    issued = date(2026, 3, 13)
    assert get_profile("liupu-2026").deadline("return_notice", issued) == date(2026, 3, 20)
    assert get_profile("xiuyan-2024").deadline("return_notice", issued) == date(2026, 3, 20)
    assert get_profile("jiaotan-2025").deadline("deadline_notice", issued) == date(2026, 3, 16)


def test_titles_differ_by_jurisdiction() -> None:
    assert get_profile("liupu-2026").wording("return_notice")["title"] == "劝返复学通知书"
    assert get_profile("xiuyan-2024").wording("return_notice")["title"] == "义务教育劝学通知书"


def test_a_profile_without_the_document_says_why() -> None:
    with pytest.raises(ProfileError, match="没有劝返复学通知书"):
        get_profile("jiaotan-2025").document("return_notice")


def test_leave_tiers_and_home_teaching_thresholds_are_data() -> None:
    p = get_profile("liupu-2026")
    assert p.leave_approval is not None
    assert [t.approver for t in p.leave_approval.tiers.value] == [
        "班主任",
        "政教处（德育处）",
        "校长",
    ]
    assert p.home_teaching is not None
    assert p.home_teaching.age_range.value == [6, 16]
    assert get_profile("xiuyan-2024").home_teaching.age_range.value == [6, 15]  # type: ignore[union-attr]


def _broken(tmp_path: Path, mutate: object) -> Path:
    data = yaml.safe_load((PROFILES_DIR / "liupu-2026.yaml").read_text(encoding="utf-8"))
    mutate(data)  # type: ignore[operator]
    path = tmp_path / "liupu-2026.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_malformed_value_names_file_key_and_problem(tmp_path: Path) -> None:
    def bad(d: dict) -> None:  # type: ignore[type-arg]
        d["documents"]["return_notice"]["deadline_days"]["value"] = "七天"

    with pytest.raises(ProfileError) as info:
        load_profile_file(_broken(tmp_path, bad))
    message = str(info.value)
    assert "liupu-2026.yaml" in message
    assert "documents.return_notice.deadline_days.value" in message
    assert "应为整数" in message


def test_missing_source_is_an_error(tmp_path: Path) -> None:
    def bad(d: dict) -> None:  # type: ignore[type-arg]
        del d["home_teaching"]["visits_per_month"]["source"]

    with pytest.raises(ProfileError, match=r"home_teaching\.visits_per_month\.source：必须填写"):
        load_profile_file(_broken(tmp_path, bad))


def test_uncited_source_is_an_error(tmp_path: Path) -> None:
    def bad(d: dict) -> None:  # type: ignore[type-arg]
        d["age_range"]["source"] = "常识"

    with pytest.raises(ProfileError, match="出处“常识”应写成"):
        load_profile_file(_broken(tmp_path, bad))


def test_yaml_syntax_error_gives_line(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("id: x\nbodies: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="YAML 格式错误 第3行"):
        load_profile_file(path)
