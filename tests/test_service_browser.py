"""End to end in Debian's chromium (Playwright): a clerk uploads a package and reads the report;
an inspector overrides a verdict and exports the DOCX. Screenshots → test-output/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures.packages.build import PERIOD
from service_helpers import PASSWORD, Env, chromium, live_server, make_env
from test_service_flows import zipped

from conftest import docx_text

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Env]]:
    env = make_env(tmp_path_factory.mktemp("browser") / "data")
    with live_server(env) as base:
        yield base, env


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots(output_dir: Path) -> Path:
    path = output_dir / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_clerk_uploads_a_package_and_inspector_overrides_and_exports(
    server: tuple[str, Env], browser: Any, shots: Path, tmp_path: Path
) -> None:
    base, env = server
    package = tmp_path / "迎检材料.zip"
    package.write_bytes(zipped("gaps"))

    clerk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    clerk.goto(f"{base}/login")
    clerk.screenshot(path=str(shots / "01-login.png"), full_page=True)
    login(clerk, base, "clerk_a")
    assert clerk.url.endswith(f"/schools/{env.ids['school_a']}")
    clerk.get_by_label("上传证据包（.zip）").set_input_files(str(package))
    clerk.get_by_label("统计期").fill(f"{PERIOD[0].isoformat()}..{PERIOD[1].isoformat()}")
    clerk.screenshot(path=str(shots / "02-clerk-school.png"), full_page=True)
    clerk.get_by_role("button", name="上传并自查").click()
    clerk.wait_for_url("**/jobs/*")
    clerk.screenshot(path=str(shots / "03-job-progress.png"), full_page=True)
    clerk.get_by_role("link", name="查看核查报告").click(timeout=240_000)
    clerk.wait_for_url("**/audits/*")
    assert "核查报告" in clerk.inner_text("h1")
    assert clerk.locator(".badge.s-fail").count() > 0
    assert (
        clerk.get_by_role("button", name="保存第1.1项结论").count() == 0
    )  # the clerk cannot override
    clerk.screenshot(path=str(shots / "04-clerk-report.png"), full_page=True)
    audit_url = clerk.url

    inspector = browser.new_page(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    login(inspector, base, "inspector")
    inspector.screenshot(path=str(shots / "05-inspector-home.png"), full_page=True)
    inspector.goto(audit_url)
    failing = (
        inspector.locator("section.panel").filter(has=inspector.locator("p .badge.s-fail")).first
    )
    item_id = failing.get_attribute("id").removeprefix("item-")  # type: ignore[union-attr]
    inspector.get_by_label(f"第{item_id}项最终结论").select_option("partial")
    inspector.locator(f"[id='note-{item_id}']").fill("现场查看纸质台账，材料基本齐全")
    inspector.get_by_role("button", name=f"保存第{item_id}项结论").click()
    inspector.wait_for_load_state()
    section = inspector.locator(f"[id='item-{item_id}']")
    assert "部分符合" in section.inner_text() and "唐承刚" in section.inner_text()
    inspector.get_by_label("记录类型").select_option("roll_call_headcount")
    inspector.get_by_label("数值或内容").fill("312")
    inspector.get_by_role("button", name="添加现场记录").click()
    inspector.wait_for_load_state()
    inspector.screenshot(path=str(shots / "06-inspector-review.png"), full_page=True)
    with inspector.expect_download() as info:
        inspector.get_by_role("link", name="导出督导工作情况表（DOCX）").click()
    download = info.value
    saved = tmp_path / "督导工作情况表.docx"
    download.save_as(saved)
    assert (
        download.suggested_filename.endswith(".docx")
        and "督导工作情况表" in download.suggested_filename
    )
    text = docx_text(saved.read_bytes())
    assert "现场查看纸质台账" in text and "点名实到人数 312" in text

    admin = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(admin, base, "admin")
    assert "/admin/overview" in admin.url
    admin.screenshot(path=str(shots / "07-admin-overview.png"), full_page=True)
    admin.goto(f"{base}/admin/schools")
    admin.screenshot(path=str(shots / "08-admin-schools.png"), full_page=True)


def test_clerk_fills_a_form_on_a_phone(server: tuple[str, Env], browser: Any, shots: Path) -> None:
    base, env = server
    phone = browser.new_page(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    login(phone, base, "clerk_a")
    phone.screenshot(path=str(shots / "09-phone-school.png"), full_page=False)
    phone.goto(f"{base}/schools/{env.ids['school_a']}/forms/return_notice")
    phone.get_by_label("编号").fill("荔浦二中劝返〔2026〕第101号")
    phone.get_by_label("发文日期").fill("2026年3月13日")
    phone.get_by_label("未到校起始日期").fill("2026-03-02")
    phone.locator("#f-student-name").fill("韦堃")
    phone.locator("#f-student-id_number").fill("450331201203150014")  # wrong check digit
    phone.locator("#f-guardian-name").fill("韦建国")
    phone.get_by_role("button", name="生成并预览").click()
    phone.wait_for_load_state()
    assert "校验码错误" in phone.inner_text("main")
    phone.screenshot(path=str(shots / "10-phone-form-errors.png"), full_page=False)
    phone.locator("#f-student-id_number").fill("450331201203150013")
    phone.get_by_role("button", name="生成并预览").click()
    phone.wait_for_url("**/documents/*")
    phone.wait_for_function(
        "document.querySelector('.preview img').naturalWidth > 0", timeout=30_000
    )
    phone.screenshot(path=str(shots / "11-phone-document.png"), full_page=False)
    # nothing overflows the phone's width
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_clerk_walks_a_case_and_the_inspector_sees_it_due(
    server: tuple[str, Env], browser: Any, shots: Path
) -> None:
    base, _ = server
    clerk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(clerk, base, "clerk_a")
    clerk.get_by_role("link", name="辍学个案").click()
    clerk.wait_for_url("**/cases")
    clerk.get_by_label("未到校起始日期").fill("2026-03-02")
    clerk.get_by_label("学生姓名").fill("韦小明")
    clerk.get_by_label("监护人姓名").fill("韦大明")
    clerk.get_by_label("未到校原因").fill("厌学")
    clerk.screenshot(path=str(shots / "12-cases-open.png"), full_page=True)
    clerk.get_by_role("button", name="开案").click()
    clerk.wait_for_url("**/cases/*")
    assert "已开案" in clerk.inner_text("main") and "多次动员" in clerk.inner_text("main")
    # out of order: refused with the rule, nothing recorded
    clerk.get_by_label("事件").select_option("notice_served")
    clerk.locator("#e-date").fill("2026-03-05")
    clerk.locator("#e-who").fill("学校")
    clerk.get_by_role("button", name="记录").click()
    clerk.wait_for_load_state()
    assert "尚未记录" in clerk.inner_text(".alert")
    clerk.screenshot(path=str(shots / "13-case-refused.png"), full_page=True)
    clerk.get_by_label("事件").select_option("home_visit")
    clerk.locator("#e-date").fill("2026-03-05")
    clerk.locator("#e-who").fill("莫小兰")
    clerk.get_by_role("button", name="记录").click()
    clerk.wait_for_load_state()
    clerk.get_by_role("button", name="生成文书").first.click()
    clerk.wait_for_load_state()
    assert clerk.get_by_role("link", name="PDF").count() == 1
    clerk.screenshot(path=str(shots / "14-case-document.png"), full_page=True)
    case_url = clerk.url.split("?")[0]

    inspector = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(inspector, base, "inspector")
    inspector.goto(f"{base}/cases?on=2026-03-06")
    text = inspector.inner_text("main")
    assert "修仁镇" in text and "韦小明" in text and "劝返复学通知书" in text
    assert inspector.get_by_role("button", name="开案").count() == 0
    inspector.screenshot(path=str(shots / "15-inspector-due.png"), full_page=True)

    clerk.goto(case_url)
    clerk.locator("#x-date").fill("2026-03-09")
    clerk.locator("#x-who").fill("莫小兰")
    clerk.get_by_role("button", name="销号").click()
    clerk.wait_for_load_state()
    assert "已销号（复学）" in clerk.inner_text("main")
    clerk.screenshot(path=str(shots / "16-case-closed.png"), full_page=True)


def test_api_docs_render_offline_with_their_own_scripts(
    server: tuple[str, Env], browser: Any, shots: Path
) -> None:
    """Swagger UI and ReDoc from the project's copy: every request outside the service is
    blocked (a school server without internet), and the pages still render the API."""
    base, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    outside: list[str] = []
    problems: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/docs")
    assert page.url.endswith("/api/docs")
    page.wait_for_selector(".opblock", timeout=60_000)
    assert page.locator(".opblock").count() > 40
    assert "上传花名册" in page.inner_text("body")
    page.screenshot(path=str(shots / "17-api-docs.png"))
    page.goto(f"{base}/api/redoc")
    page.wait_for_selector(".api-content h2", timeout=60_000)
    assert "上传证据包（zip）" in page.inner_text("body")
    page.screenshot(path=str(shots / "18-api-redoc.png"))
    assert outside == []
    # nothing the pages need was refused (ReDoc's "powered by" logo on its CDN is, by the
    # Content-Security-Policy: no request leaves the machine for it)
    refused = [p for p in problems if "Content Security Policy" in p or "Refused" in p]
    assert all("img-src" in p and "redoc" in p for p in refused), refused


def test_batch_form_shows_errors_beside_fields_and_keeps_them(
    server: tuple[str, Env], browser: Any, shots: Path, tmp_path: Path
) -> None:
    from fixtures.rosters import bad_rows_xlsx

    base, _ = server
    bad_rows_xlsx(tmp_path / "花名册.xlsx")
    clerk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(clerk, base, "clerk_a")
    clerk.get_by_label("花名册（.xlsx 或 .csv）").set_input_files(str(tmp_path / "花名册.xlsx"))
    clerk.locator("#roster-date").fill("2026-02-30")
    clerk.locator("#roster-pattern").fill("劝返第{x}号")
    clerk.get_by_role("button", name="上传并批量生成").click()
    clerk.wait_for_load_state()
    date = clerk.locator("#roster-date")
    assert date.input_value() == "2026-02-30" and date.get_attribute("aria-invalid") == "true"
    assert clerk.locator("#roster-pattern").input_value() == "劝返第{x}号"
    assert "2026" in clerk.inner_text("#err-batch-issue_date")
    assert "{n}" in clerk.inner_text("#err-batch-number_pattern")
    clerk.locator("#err-batch-issue_date").scroll_into_view_if_needed()
    clerk.screenshot(path=str(shots / "19-batch-form-errors.png"))
    # corrected: printed, and the job page says what the numbers are
    clerk.get_by_label("花名册（.xlsx 或 .csv）").set_input_files(str(tmp_path / "花名册.xlsx"))
    date.fill("2026-03-13")
    clerk.locator("#roster-pattern").fill("荔浦二中劝返〔2026〕第{n:03d}号")
    clerk.get_by_role("button", name="上传并批量生成").click()
    clerk.wait_for_url("**/jobs/*")
    clerk.get_by_role("link", name="下载 打印.pdf").wait_for(timeout=240_000)
    assert "荔浦二中劝返〔2026〕第001号至" in clerk.inner_text("main")


def test_duties_week_marked_done_and_the_township_reconciles(
    server: tuple[str, Env], browser: Any, shots: Path, tmp_path: Path
) -> None:
    """Issue 22: a clerk sees her school's week of duties and marks one done with its file;
    the inspector sees the township's duties and compares the township's lists."""
    from cases.sample_lists import write_township

    base, env = server
    school = env.ids["school_a"]
    clerk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(clerk, base, "clerk_a")
    clerk.get_by_role("link", name="周期性工作").click()
    clerk.wait_for_url("**/duties")
    clerk.get_by_label("周", exact=True).fill("2026-W11")
    clerk.get_by_label("今天", exact=True).fill("2026-03-12")
    clerk.get_by_role("button", name="查看").click()
    clerk.wait_for_load_state()
    assert "控辍保学周报" in clerk.inner_text("main")
    clerk.screenshot(path=str(shots / "20-duties-week.png"), full_page=True)
    row = clerk.locator("tr.duty-due", has_text="控辍保学周报")
    row.locator("summary").click()
    row.get_by_label("办理人员").fill("韦老师")
    report = tmp_path / "第11周周报.xlsx"
    report.write_bytes(b"weekly")
    row.get_by_label("办理的文书或材料（文件）").set_input_files(str(report))
    row.get_by_role("button", name="确认已办：控辍保学周报").click()
    clerk.wait_for_url(f"**/duties?place=s{school}*")
    clerk.goto(f"{base}/duties?place=s{school}&week=2026-W11&on=2026-03-12")
    done = clerk.locator("tr.duty-done", has_text="控辍保学周报")
    assert "第11周周报.xlsx" in done.inner_text()
    clerk.screenshot(path=str(shots / "21-duty-done.png"), full_page=True)

    inspector = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(inspector, base, "inspector")
    inspector.goto(f"{base}/duties")
    inspector.get_by_label("地点", exact=True).select_option(label="修仁镇（乡镇）")
    inspector.get_by_label("周", exact=True).fill("2026-W11")
    inspector.get_by_role("button", name="查看").click()
    inspector.wait_for_load_state()
    assert "乡镇政府领导" in inspector.inner_text("main")
    inspector.screenshot(path=str(shots / "22-duties-township.png"), full_page=True)
    lists = write_township(tmp_path / "lists")
    inspector.get_by_role("link", name="四查三对比").click()
    inspector.wait_for_url("**/reconcile")
    for kind, path in lists.items():
        inspector.locator(f"#r-{kind}").set_input_files(str(path))
    inspector.get_by_label("辖区规定（适龄范围）").select_option("jiaotan-2025")
    inspector.get_by_label("比对单位（标题前缀）").fill("蛟潭镇")
    inspector.get_by_label("比对日期").fill("2026-03-09")
    inspector.get_by_role("button", name="比对").click()
    inspector.wait_for_url("**/reconcile*")
    text = inspector.inner_text("main")
    assert "四查三对比已完成" in text and "有户籍无学籍（疑似失学）" in text and "4人" in text
    inspector.screenshot(path=str(shots / "23-reconcile-result.png"), full_page=True)
