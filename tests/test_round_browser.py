"""The supervision round in Debian's chromium (Playwright): the bureau plans a round, the
inspector records a visit on the school's audited package, the school uploads its evidence,
the inspector accepts it, the bureau uploads the 摸排名单, reads the rates and downloads the
通报. Screenshots → test-output/screenshots/30-… 35-…."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from service_helpers import Env, chromium, live_server, make_env
from test_service_browser import login
from test_service_flows import PERIOD_TEXT, wait, zipped

pytestmark = pytest.mark.slow
ROSTER = (
    "姓名,出生日期,学校名称,所在乡镇,入学状态,残疾类别\n"
    "李小明,2012-05-01,荔浦市第二初级中学,修仁镇,在校,\n"
    "王小华,2012-06-01,荔浦市第二初级中学,修仁镇,在校,\n"
    "韦堃,2012-03-15,荔浦市第二初级中学,修仁镇,辍学,\n"
    "陈小丽,2017-01-01,修仁镇中心小学,修仁镇,在校,\n"
    "吴小磊,2011-05-01,东昌镇初级中学,东昌镇,未入学,肢体二级\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Env]]:
    env = make_env(tmp_path_factory.mktemp("round-browser") / "data")
    with live_server(env) as base:
        yield base, env
    env.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _page(browser: Any, base: str, username: str) -> Any:
    page = browser.new_page(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    login(page, base, username)
    return page


def test_plan_visit_rectify_and_report(
    server: tuple[str, Env], browser: Any, output_dir: Path, tmp_path: Path
) -> None:
    base, env = server
    shots = output_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    today = date.today()

    admin = _page(browser, base, "admin")
    admin.goto(f"{base}/rounds")
    admin.get_by_label("名称").fill("本学期控辍保学专项督导")
    admin.get_by_label("开始日期").fill((today - timedelta(days=7)).isoformat())
    admin.get_by_label("结束日期").fill((today + timedelta(days=60)).isoformat())
    admin.get_by_label("通报文号（可选）").fill("荔教保督〔2026〕3号")
    admin.get_by_label("教育局挂点领导每月专项督导（002 § 三(一)3）").check()
    admin.get_by_role("button", name="制定督导计划").click()
    admin.wait_for_url("**/rounds/*")
    assert "已制定督导计划" in admin.inner_text("main")
    round_url = admin.url
    admin.screenshot(path=str(shots / "30-round-plan.png"), full_page=True)

    clerk_api = env.login("clerk_a")  # the school's package, audited as any upload
    r = clerk_api.post(
        f"/api/schools/{env.ids['school_a']}/packages",
        files={"file": ("迎检材料.zip", zipped("gaps"))},
        data={"period": PERIOD_TEXT},
    )
    assert wait(clerk_api, r.json()["job"]["id"])["status"] == "done"

    inspector = _page(browser, base, "inspector")
    inspector.goto(round_url)
    assert "东昌镇初级中学" not in inspector.inner_text("main")  # not his 挂点 township
    row = inspector.locator("tr", has_text="荔浦市第二初级中学").filter(has_text="督导室")
    row.get_by_role("link").first.click()
    inspector.wait_for_url("**/visits/*")
    visit_url = inspector.url
    inspector.get_by_label(
        "督导情况记录：2. 义务教育阶段适龄儿童少年是否存在失学辍学反弹问题"
    ).fill("进班点名，实到38人，学籍40人。")
    inspector.get_by_label("现场记录（一行一条）").fill("两名学生未到校，已电话联系家长。")
    inspector.get_by_role("button", name="保存督导记录").click()
    inspector.wait_for_url(visit_url)
    main = inspector.inner_text("main")
    assert "已保存督导记录" in main and "第2.1项" in main and "待整改" in main
    inspector.screenshot(path=str(shots / "31-visit-recorded.png"), full_page=True)

    evidence = tmp_path / "学籍核对表.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% evidence\n")
    clerk = _page(browser, base, "clerk_a")
    clerk.goto(visit_url)
    assert clerk.get_by_role("button", name="保存督导记录").count() == 0  # the school cannot
    clerk.get_by_label("整改材料（第2.1项）").set_input_files(str(evidence))
    clerk.get_by_role("button", name="上传整改材料：第2.1项").click()
    clerk.wait_for_url(visit_url)
    assert "等待督学验收" in clerk.inner_text("main")
    clerk.screenshot(path=str(shots / "32-rect-submitted.png"), full_page=True)

    inspector.goto(visit_url)
    inspector.get_by_role("button", name="验收通过：第2.1项").click()
    inspector.wait_for_url(visit_url)
    assert "已验收通过" in inspector.inner_text("main")
    article = inspector.locator("article", has=inspector.get_by_role("heading", name="第2.1项"))
    assert "已整改" in article.inner_text()
    inspector.screenshot(path=str(shots / "33-rect-accepted.png"), full_page=True)
    with inspector.expect_download() as got:
        inspector.get_by_role("link", name="督导报告（PDF）").click()
    assert Path(got.value.path()).read_bytes()[:5] == b"%PDF-"

    roster = tmp_path / "摸排名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    admin.goto(round_url)
    admin.get_by_label("摸排名单", exact=False).set_input_files(str(roster))
    admin.get_by_role("button", name="上传摸排名单").click()
    admin.wait_for_url(round_url)
    rates = admin.locator("table.rates").inner_text()
    assert "荔浦市第二初级中学" in rates and "修仁镇" in rates and "荔浦市" in rates
    admin.screenshot(path=str(shots / "34-round-rates.png"), full_page=True)
    with admin.expect_download() as got:
        admin.get_by_role("link", name="本轮督导通报（PDF）").click()
    assert Path(got.value.path()).read_bytes()[:5] == b"%PDF-"
    admin.goto(f"{base}/admin/overview")
    assert "巩固率" in admin.inner_text("main")
    admin.screenshot(path=str(shots / "35-overview-rates.png"), full_page=True)
