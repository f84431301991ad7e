"""No full 身份证号 reaches a role without the right to it (issue 23 § 1).

A service is filled with real objects of every kind — documents (one from a case), batches
printed by the clerk and by the bureau, an audited evidence package whose file names and
text carry ID numbers, findings with remediation evidence, reviews, observations, tokens, the
change log — then each role walks every route of the app (enumerated from the app itself, so
a route added later is walked too; its path parameters are filled with the ids of those
objects) and every byte it receives is searched for a valid 18-digit ID number: HTML, JSON,
CSV, PDF text, Word and Excel text, zip members, headers, and preview images (read by OCR).
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pypdfium2 as pdfium
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from fixtures.packages.build import PERIOD
from fixtures.rosters import bad_rows_xlsx, person
from httpx import Response
from service_helpers import Env, make_env
from sqlalchemy import select
from test_service_flows import wait, zipped

from conftest import docx_text, pdf_text
from forms.idcard import IdNumberError, parse_id_number
from service.scope import PERMISSIONS
from service.tables import (
    ApiToken,
    Assignment,
    CaseRecord,
    Finding,
    FindingEvidence,
    Package,
    Student,
    User,
)

pytestmark = pytest.mark.slow

FULL_ID = "450331201203150013"  # the sample return notice's student
PACKAGE_ID = person(3)["id"]  # written into the evidence package's file name and text
# Who walks: the roles without the right to full numbers, and another school's clerk (she
# has the right, for her own school's students only).
WALKERS = ("inspector", "admin", "clerk_c")
PERIOD_TEXT = f"{PERIOD[0].isoformat()}..{PERIOD[1].isoformat()}"
# 17 digits and a check character, not part of a longer run of digits; a 学籍号 (G + ID)
# counts, its letter being no digit.
CANDIDATE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def valid_ids(text: str) -> set[str]:
    """Independent of the service's own masking code: the regex above and GB 11643."""
    found = set()
    for m in CANDIDATE.finditer(text):
        try:
            parse_id_number(m.group(0).upper())
        except (IdNumberError, ValueError):
            continue
        found.add(m.group(0))
    return found


# -- reading every kind of body ----------------------------------------------------------


@cache
def ocr_text(png: bytes) -> str:
    from PIL import Image

    from audit.readers.ocr import recognise

    words = recognise(Image.open(io.BytesIO(png))).words
    return " ".join(w.text for w in words)


def pdf_texts(data: bytes) -> str:
    parts = [pdf_text(data)]
    pdf = pdfium.PdfDocument(data)
    try:
        parts += [page.get_textpage().get_text_range() for page in pdf]
        parts += [str(v) for v in pdf.get_metadata_dict().values()]
    finally:
        pdf.close()
    return "\n".join(parts + [re.sub(r"\s+", "", p) for p in parts])


def xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    book.close()
    return "\n".join(cells)


def zip_text(data: bytes, depth: int = 0) -> str:
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            parts.append(info.filename)
            parts.append(body_text(archive.read(info), info.filename, depth + 1))
    return "\n".join(parts)


def body_text(data: bytes, name: str = "", depth: int = 0, content_type: str = "") -> str:
    """Everything a person could read in a body: its text, whatever the format."""
    lower = name.lower()
    raw = data.decode("latin-1")  # ASCII digits wherever they stand (metadata, XML, CSV)
    if data.startswith(b"%PDF"):
        return raw + pdf_texts(data)
    if data.startswith(b"\x89PNG") or content_type.startswith("image/"):
        return ocr_text(data)
    if data.startswith(b"PK"):
        parts = [raw]
        if lower.endswith(".docx") or "wordprocessingml" in content_type:
            parts.append(docx_text(data))
        if lower.endswith(".xlsx") or "spreadsheetml" in content_type:
            parts.append(xlsx_text(data))
        if depth < 3:
            parts.append(zip_text(data, depth))
        return "\n".join(parts)
    return data.decode("utf-8-sig", errors="replace")


# -- the world: real objects of every kind -----------------------------------------------


@dataclass
class World:
    env: Env
    values: dict[str, list[Any]] = field(default_factory=dict)
    job_files: dict[int, list[str]] = field(default_factory=dict)
    query: dict[str, list[str]] = field(default_factory=dict)


def _package(tmp: Path) -> bytes:
    """The gaps package, plus a roster of students whose file name and text carry IDs."""
    base = zipfile.ZipFile(io.BytesIO(zipped("gaps")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in base.infolist():
            z.writestr(info, base.read(info))
        rows = "\n".join(
            f"{p['name']},{p['id']},{p['student_number']}" for p in map(person, range(4))
        )
        z.writestr(
            f"二、控辍保学/学生身份证号名单-{PACKAGE_ID}.csv",
            ("姓名,身份证号,学籍号\n" + rows).encode("utf-8"),
        )
    return out.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("privacy")
    env = make_env(tmp / "data")
    school = env.ids["school_a"]
    clerk, inspector, admin = env.login("clerk_a"), env.login("inspector"), env.login("admin")

    from forms.paths import SAMPLES_DIR

    sample = json.loads(
        json.dumps(
            __import__("yaml").safe_load(
                (SAMPLES_DIR / "return_notice-liupu-2026.yaml").read_text(encoding="utf-8")
            ),
            default=str,
        )
    )
    sample.pop("school", None)
    r = clerk.post(
        f"/api/schools/{school}/documents", json={"form_id": "return_notice", "record": sample}
    )
    assert r.status_code == 201, r.text
    doc = r.json()["id"]

    # a case, and the document of its step 1 (a 劝返复学通知书 carrying the ID)
    r = clerk.post(
        f"/api/schools/{school}/cases",
        json={
            "opened": "2026-03-02",
            "student": {
                "name": "韦堃",
                "id_number": FULL_ID,
                "grade": "八年级",
                "class_name": "3班",
            },
            "guardian": {"name": "韦建国", "relation": "父亲", "phone": "13800771234"},
            "reason": f"外出务工（身份证号{FULL_ID}）",
        },
    )
    assert r.status_code == 201, r.text
    case = r.json()["id"]
    r = clerk.post(
        f"/api/cases/{case}/events",
        json={"kind": "home_visit", "date": "2026-03-06", "who": "莫小兰", "outcome": "暂不送回"},
    )
    assert r.status_code == 200, r.text
    r = clerk.post(
        f"/api/cases/{case}/events",
        json={"kind": "notice_served", "date": "2026-03-13", "who": "学校", "number": "第9号"},
    )
    assert r.status_code == 200, r.text
    r = clerk.post(f"/api/cases/{case}/documents/2")
    assert r.status_code == 201, r.text
    case_doc = r.json()["document_id"]

    # batches: the clerk's (full numbers) and the bureau's (viewing copies); a duplicate row
    # puts a full ID into errors.csv and the job's JSON
    bad_rows_xlsx(tmp / "花名册.xlsx")
    roster = (tmp / "花名册.xlsx").read_bytes()
    jobs = []
    for client in (clerk, admin):
        r = client.post(
            f"/api/schools/{school}/rosters",
            files={"file": ("花名册.xlsx", roster)},
            data={"form_id": "return_notice"},
        )
        assert r.status_code == 202, r.text
        job = wait(client, r.json()["id"])
        assert job["status"] == "done", job
        jobs.append(job)

    # an audited evidence package, reviewed and observed by the inspector
    r = clerk.post(
        f"/api/schools/{school}/packages",
        files={"file": ("迎检材料.zip", _package(tmp), "application/zip")},
        data={"period": PERIOD_TEXT},
    )
    assert r.status_code == 202, r.text
    audit_job = wait(clerk, r.json()["job"]["id"])
    assert audit_job["status"] == "done", audit_job
    audit = audit_job["result"]["audit_id"]
    report = clerk.get(f"/api/audits/{audit}").text
    assert PACKAGE_ID in report  # the report names the file: the leak the guard must stop
    r = inspector.put(
        f"/api/audits/{audit}/items/1.1", json={"status": "partial", "note": "现场核对"}
    )
    assert r.status_code == 200, r.text
    r = inspector.post(
        f"/api/audits/{audit}/observations", json={"kind": "roll_call_headcount", "value": "312"}
    )
    assert r.status_code == 201, r.text

    # remediation evidence: the clerk's own notice, full number and all
    with env.app.state.ctx.db.session() as db:
        finding = db.scalars(select(Finding.id).where(Finding.audit_id == audit)).first()
    assert finding is not None
    full_pdf = clerk.get(f"/api/documents/{doc}/pdf").content
    r = clerk.post(
        f"/api/findings/{finding}/evidence",
        files={"file": (f"整改-{FULL_ID}.pdf", full_pdf, "application/pdf")},
        data={"note": f"已补登记（{FULL_ID}）"},
    )
    assert r.status_code == 201, r.text
    r = clerk.post("/tokens", data={"name": "脚本", "csrf_token": clerk.csrf})  # type: ignore[attr-defined]
    assert r.status_code in (200, 303), r.text

    # a duty marked done with a file naming a pupil in full, and a township's 四查三对比
    place = f"s{school}"
    week = clerk.get(f"/api/duties?place={place}&week=2026-W11&on=2026-03-12").json()
    duty = week["window"][0]["key"]
    r = clerk.post(
        "/duties/done",
        data={
            "place": place,
            "key": duty,
            "by": "韦老师",
            "done_on": "2026-03-13",
            "csrf_token": clerk.csrf,
        },  # type: ignore[attr-defined]
        files={"file": ("周报.csv", f"韦堃,{FULL_ID}\n".encode(), "text/csv")},
    )
    assert r.status_code == 303, r.text
    page = clerk.get(f"/duties?place={place}&week=2026-W11&on=2026-03-20").text
    marks = [int(m) for m in re.findall(r'href="/duties/done/(\d+)/file"', page)]
    assert marks
    from cases.sample_lists import write_township

    lists = write_township(tmp / "lists")
    r = inspector.post(
        "/reconcile",
        data={
            "profile_id": "jiaotan-2025",
            "unit": "蛟潭镇",
            "on": "2026-03-09",
            "csrf_token": inspector.csrf,
        },  # type: ignore[attr-defined]
        files=[(k, (p.name, p.read_bytes(), "application/octet-stream")) for k, p in lists.items()],
    )
    assert r.status_code == 303, r.text
    runs = [
        int(m)
        for m in re.findall(r'href="/reconcile/(\d+)/xlsx"', inspector.get("/reconcile").text)
    ]
    assert runs

    with env.app.state.ctx.db.session() as db:
        evidence = db.scalars(select(FindingEvidence.id)).all()
        token = db.scalars(select(ApiToken.id)).all()
        assignment = db.scalars(select(Assignment.id)).all()
        user = db.scalars(select(User.id).where(User.username == "clerk_a")).all()
        cases = db.scalars(select(CaseRecord.id)).all()
        packages = db.scalars(select(Package.id)).all()
        students = db.scalars(select(Student.id)).all()
    w = World(env)
    w.values = {
        "school_id": [school],
        "doc_id": [doc, case_doc],
        "fmt": ["pdf", "docx", "xlsx"],
        "page_no": [1, 2],
        "job_id": [j["id"] for j in jobs] + [audit_job["id"]],
        "audit_id": [audit],
        "item_id": ["1.1"],
        "finding_id": [finding],
        "evidence_id": list(evidence),
        "case_id": list(cases),
        "step": [2],
        "action": ["events", "close"],
        "user_id": list(user),
        "token_id": list(token),
        "assignment_id": list(assignment),
        "what": ["schools", "assignments"],
        "form_id": ["return_notice"],
        "package_id": list(packages),
        "mark_id": marks,
        "run_id": runs,
    }
    # a form pre-filled with a known student's details
    w.query = {**QUERY_VALUES, "student_id": [str(i) for i in students[:2]]}
    w.job_files = {j["id"]: list(j["result"]["files"]) for j in jobs}
    w.job_files[audit_job["id"]] = list(audit_job["result"].get("files") or {})
    yield w
    env.close()


# -- the walk --------------------------------------------------------------------------

QUERY_VALUES: dict[str, list[str]] = {
    "month": ["2026-03"],
    "fmt": ["pdf", "docx", "xlsx"],
    "q": ["韦"],
}
# Routes that end the session or remove fixture objects: walked after everything else.
LAST = re.compile(r"logout|revoke|delete|withdraw")


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()


def app_routes(env: Env) -> list[tuple[str, str, APIRoute | None]]:
    out = []
    for rc in iter_route_contexts(env.app.routes):
        methods = sorted((getattr(rc, "methods", None) or set()) - {"HEAD"})
        original = getattr(rc, "original_route", None)
        for method in methods:
            out.append((method, rc.path, original if isinstance(original, APIRoute) else None))
    return out


def calls(world: World, method: str, path: str, route: APIRoute | None) -> list[Call]:
    names = re.findall(r"{(\w+)}", path)
    missing = [n for n in names if n not in world.values and n != "name"]
    assert not missing, f"{method} {path}: no fixture value for {missing} — add one to world()"
    pools = [world.values[n] if n != "name" else [None] for n in names]
    out: list[Call] = []
    for combo in itertools.product(*pools):
        bound = dict(zip(names, combo, strict=True))
        if "name" in bound:
            for name in [*world.job_files.get(bound.get("job_id", -1), []), "errors.csv"]:
                out.append(Call(method, _fill(path, {**bound, "name": name})))
            continue
        out.append(Call(method, _fill(path, bound)))
    if route is not None and method == "GET":
        required = [p for p in route.dependant.query_params if p.field_info.is_required()]
        for param in required:
            assert param.name in world.query, f"GET {path}: no value for query {param.name}"
        extra = [
            [(p.name, v) for v in world.query[p.name]]
            for p in route.dependant.query_params
            if world.query.get(p.name)
        ]
        if extra:
            out = [Call(c.method, c.path, tuple(q)) for c in out for q in itertools.product(*extra)]
    return out


def _fill(path: str, bound: dict[str, Any]) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(bound[m.group(1)]), path)


def send(client: TestClient, call: Call) -> Response:
    if call.method == "GET":
        return client.get(call.path, params=dict(call.query))
    if call.path.startswith("/api/"):
        return client.request(call.method, call.path, json={})
    return client.request(call.method, call.path, data={"csrf_token": client.csrf})  # type: ignore[attr-defined]


def leaks(response: Response) -> set[str]:
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    name = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)", headers)
    text = body_text(
        response.content,
        name.group(1) if name else "",
        content_type=response.headers.get("content-type", ""),
    )
    return valid_ids(headers) | valid_ids(text)


def walk(world: World, username: str, last: bool) -> dict[str, set[str]]:
    client = world.env.login(username)
    found: dict[str, set[str]] = {}
    for method, path, route in app_routes(world.env):
        if bool(LAST.search(path) or method == "DELETE") != last:
            continue
        for call in calls(world, method, path, route):
            response = send(client, call)
            assert response.status_code < 500, f"{call}: {response.status_code} {response.text}"
            ids = leaks(response)
            if ids:
                found[f"{call.method} {call.path}?{dict(call.query)} → {response.status_code}"] = (
                    ids
                )
    return found


# -- the tests ---------------------------------------------------------------------------


def test_the_fixture_carries_full_ids_where_the_clerk_may_see_them(world: World) -> None:
    """The walk can fail: the clerk (who has the right) receives them in files and JSON."""
    assert "clerk" in PERMISSIONS["idcard.full"]
    clerk = world.env.login("clerk_a")
    doc = world.values["doc_id"][0]
    assert FULL_ID in valid_ids(body_text(clerk.get(f"/documents/{doc}/download.pdf").content))
    assert FULL_ID in valid_ids(body_text(clerk.get(f"/documents/{doc}/pages/1.png").content))
    assert FULL_ID in clerk.get(f"/api/documents/{doc}").text
    job = world.values["job_id"][0]
    assert valid_ids(body_text(clerk.get(f"/api/jobs/{job}/files/打印.pdf").content))


@pytest.mark.parametrize("username", WALKERS)
def test_no_route_sends_a_full_id_to_a_role_without_the_right(world: World, username: str) -> None:
    with world.env.app.state.ctx.db.session() as db:
        role = db.scalars(select(User.role).where(User.username == username)).one()
    assert role not in PERMISSIONS["idcard.full"] or username == "clerk_c"
    found = walk(world, username, last=False)
    assert not found, f"{username} received full 身份证号:\n" + "\n".join(
        f"{k}: {sorted(v)}" for k, v in found.items()
    )


def test_viewing_copies_are_marked_and_masked(world: World) -> None:
    inspector = world.env.login("inspector")
    doc = world.values["doc_id"][0]
    page = inspector.get(f"/documents/{doc}")
    assert page.status_code == 200 and "450331********0013" in page.text
    pdf = inspector.get(f"/documents/{doc}/download.pdf")
    assert pdf.status_code == 200
    text = re.sub(r"\s+", "", pdf_text(pdf.content))
    assert "仅供查看（身份证号已隐去）" in text and "450331********0013" in text
    docx = inspector.get(f"/api/documents/{doc}/docx")
    assert docx.status_code == 200 and "仅供查看（身份证号已隐去）" in docx_text(docx.content)
    preview = ocr_text(inspector.get(f"/documents/{doc}/pages/1.png").content)
    assert "仅供查看" in preview and "450331" in preview
    # the bureau's batch printed viewing copies; the clerk's print file is not handed over
    clerk_job, admin_job = world.values["job_id"][:2]
    admin = world.env.login("admin")
    merged = admin.get(f"/api/jobs/{admin_job}/files/打印.pdf")
    assert merged.status_code == 200 and "仅供查看" in pdf_text(merged.content)
    refused = admin.get(f"/api/jobs/{clerk_job}/files/打印.pdf")
    assert refused.status_code == 403 and "身份证号" in refused.json()["detail"]
    assert "含完整身份证号" in admin.get(f"/jobs/{clerk_job}").text
    # remediation evidence carrying a full number is refused, not sent
    finding, evidence = world.values["finding_id"][0], world.values["evidence_id"][0]
    r = inspector.get(f"/findings/{finding}/evidence/{evidence}")
    assert r.status_code == 403 and "身份证号" in r.text


@pytest.mark.parametrize("username", WALKERS)
def test_routes_that_remove_or_log_out_send_no_full_id_either(world: World, username: str) -> None:
    found = walk(world, username, last=True)
    assert not found, "\n".join(f"{k}: {sorted(v)}" for k, v in found.items())
