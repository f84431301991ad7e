"""Filling a form on the web: fields from the model, the CLI's Chinese messages, PDF/DOCX."""

from __future__ import annotations

import re
from typing import Any

from service_helpers import Env

from conftest import docx_text, pdf_text, squash
from forms.errors import RecordError
from forms.registry import get_form
from forms.render.document import validate_record
from service.ops.formfields import fields, nest


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in data.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        elif v is not None:
            out[f"{prefix}{k}"] = str(v)
    return out


def test_fields_come_from_the_model_and_nest_back() -> None:
    kind = get_form("return_notice")
    form = fields(kind.model)
    names = [f.name for f in form]
    assert names[:4] == ["number", "issue_date", "absence_start", "deadline"]
    student = next(f for f in form if f.name == "student")
    assert student.input == "group" and student.label == "学生"
    assert [c.label for c in student.children][:2] == ["姓名", "身份证号"]
    gender = next(c for c in student.children if c.name == "student.gender")
    assert gender.input == "select" and gender.options == ["男", "女"]
    assert nest(
        {"student.name": " 韦堃 ", "student.class_name": "", "number": "1", "csrf_token": "x"}
    ) == {
        "student": {"name": "韦堃"},
        "number": "1",
    }


def test_form_page_prefills_the_school_and_labels_every_field(env: Env) -> None:
    c = env.login("clerk_a")
    page = c.get(f"/schools/{env.ids['school_a']}/forms/return_notice").text
    assert 'value="荔浦市第二初级中学"' in page
    for label in ("编号", "发文日期", "监护人姓名", "身份证号"):
        assert label in page
    inputs = re.findall(r'<input type="text"[^>]* id="([^"]+)"', page)
    for input_id in inputs:
        assert f'<label for="{input_id}">' in page, input_id


def test_invalid_record_shows_the_clis_chinese_messages_beside_the_fields(
    env: Env, sample: Any
) -> None:
    data = sample("return_notice", "liupu-2026")
    data["student"]["id_number"] = "450331201203150014"  # wrong check digit
    data["guardian"]["name"] = ""
    kind = get_form("return_notice")
    try:  # what the CLI says for the same record (a blank box is a missing field)
        validate_record(kind, nest(_flatten(data)))
        raise AssertionError("should not validate")
    except RecordError as exc:
        expected = {e.message for e in exc.errors}
    c = env.login("clerk_a")
    form = _flatten(data)
    form["csrf_token"] = c.csrf  # type: ignore[attr-defined]
    r = c.post(f"/schools/{env.ids['school_a']}/forms/return_notice", data=form)
    assert r.status_code == 422
    assert "有 2 处需要修改" in r.text
    assert "必须填写" in expected
    for message in expected:
        assert message in r.text
    assert 'id="err-f-student-id_number"' in r.text and 'aria-invalid="true"' in r.text
    assert 'value="韦建国"' not in r.text  # the emptied field stays empty; the rest is kept
    assert 'value="荔浦二中劝返〔2026〕第001号"' in r.text


def test_valid_record_renders_previews_and_downloads(env: Env, sample: Any) -> None:
    c = env.login("clerk_a")
    form = _flatten(sample("return_notice", "liupu-2026"))
    form["csrf_token"] = c.csrf  # type: ignore[attr-defined]
    r = c.post(f"/schools/{env.ids['school_a']}/forms/return_notice", data=form)
    assert r.status_code == 303
    page = c.get(r.headers["location"])
    assert "劝返复学通知书" in page.text and "预览" in page.text
    doc_id = re.search(r"/documents/(\d+)", r.headers["location"]).group(1)  # type: ignore[union-attr]
    pdf = c.get(f"/documents/{doc_id}/download.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "filename*=utf-8''" in pdf.headers["content-disposition"].lower()
    docx = c.get(f"/documents/{doc_id}/download.docx")
    assert "韦堃" in squash(pdf_text(pdf.content)) and "韦堃" in squash(docx_text(docx.content))
    png = c.get(f"/documents/{doc_id}/pages/1.png")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    students = c.get(f"/api/schools/{env.ids['school_a']}/students").json()
    assert [s["name"] for s in students] == ["韦堃"]


def test_api_returns_field_errors_with_chinese_labels(env: Env) -> None:
    c = env.login("clerk_a")
    r = c.post(
        f"/api/schools/{env.ids['school_a']}/documents",
        json={"form_id": "return_notice", "record": {"number": "1", "issue_date": "2026年2月30日"}},
    )
    assert r.status_code == 422
    body = r.json()
    by_loc = {e["loc"]: e for e in body["errors"]}
    assert by_loc["student"]["label"] == "学生" and by_loc["student"]["message"] == "必须填写"
    assert by_loc["issue_date"]["label"] == "发文日期"
    assert any("发文日期" in m for m in body["messages"])


def test_form_missing_from_the_profile_says_why(env: Env) -> None:
    admin = env.login("admin")
    school = admin.post(
        "/api/admin/schools",
        json={"name": "蛟潭镇中学", "township": "蛟潭镇", "profile_id": "jiaotan-2025"},
    ).json()
    r = admin.get(f"/schools/{school['id']}/forms/return_notice")
    assert r.status_code == 400
    assert "004" in r.text  # the profile cites why Jiaotan has no return notice
