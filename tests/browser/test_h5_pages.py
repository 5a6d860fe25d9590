"""The city-service pages in a real browser on a phone-sized screen: a volunteer's journey from
the OAuth entry to 我的, an unbound user who binds and comes back, the admin's self-renewing
check-in code scanned by a volunteer (checked in exactly once), and 面验 and admission.

Screenshots land in h5-screenshots/ under this run's temporary folder (printed at the end)."""
import os
import threading
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.models import ClockEvent, Enrollment, Volunteer
from tests.browser.conftest import CHROMIUM_ARGS
from tests.conftest import test_config as config_for_tests
from tests.factories import PASSWORD
from tests.h5.conftest import World

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
CODE_SECONDS = 10  # short, so that the display renews its code during the test


@pytest.fixture(scope="module")
def h5_server(app, database_url, redis_url, emulator, tmp_path_factory):
    """The app on a real port (OAuth comes back there) with short-lived clock codes."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    live_app = create_app(config_for_tests(database_url, redis_url, emulator, PUBLIC_BASE_URL=base,
                                           CLOCK_CODE_SECONDS=str(CODE_SECONDS),
                                           upload_dir=tmp_path_factory.mktemp("uploads-h5")))
    server = make_server("127.0.0.1", port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    """This run's folder, or H5_SCREENSHOT_DIR to keep them (pytest keeps only its last few runs)."""
    folder = Path(os.environ.get("H5_SCREENSHOT_DIR") or tmp_path_factory.getbasetemp() / "h5-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    print(f"\nH5 screenshots: {folder}")


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def where(page):
    """The page's URL without the #wechat_redirect that the authorize URL leaves behind."""
    return page.url.split("#", 1)[0]


def as_wechat_user(browser, emulator, user):
    """A phone of its own (cookies apart) whose next OAuth round is `user`'s."""
    requests.post(emulator.url + "/__emulator__/oauth-user", json={"user": user}, timeout=5)
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN")
    page = context.new_page()
    page.route("**/res.wx.qq.com/**", lambda route: route.abort())  # no JS-SDK outside WeChat
    return page


def test_a_volunteer_finds_an_activity_enrolls_and_sees_it_in_my(h5_server, app, factories, emulator, browser,
                                                                 shots):
    world = World(app, factories)
    page = as_wechat_user(browser, emulator, "h5-vol")
    page.goto(h5_server + "/h5/")
    assert where(page) == h5_server + "/h5/"  # back from WeChat's authorize page
    assert "李小明，你好" in page.inner_text("#hello-name")
    page.screenshot(path=str(shots / "h5-home.png"), full_page=True)

    page.click("nav.grid >> text=做志愿")
    page.fill("#keyword", "垃圾分类")
    page.select_option("#state", "open")
    page.click("#search button[type=submit]")
    assert "共 1 个活动" in page.inner_text("#result-count")
    page.screenshot(path=str(shots / "h5-activities.png"), full_page=True)
    page.click("#results >> text=社区垃圾分类宣传")
    assert page.inner_text("#activity-title") == "社区垃圾分类宣传"
    assert page.inner_text("#activity-state") == "马上报名"
    page.screenshot(path=str(shots / "h5-activity.png"), full_page=True)

    page.click("#enroll")
    assert "报名成功" in page.inner_text("[role=status]")
    assert "待录用" in page.inner_text("#enrollment-state")
    assert page.is_visible("#cancel")

    page.click("text=‹ 首页")
    page.click("nav.grid >> text=我的")
    assert "2小时" in page.inner_text("#total-hours")
    page.click("#me-links >> text=我的活动")
    assert "社区垃圾分类宣传" in page.inner_text("#my-activities")
    page.screenshot(path=str(shots / "h5-my-activities.png"), full_page=True)
    db.session.commit()
    enrollment = db.session.execute(db.select(Enrollment).filter_by(
        activity_id=world.open.id, volunteer_id=world.volunteer.id)).scalar_one()
    assert enrollment.status == "pending"


def test_an_unbound_user_is_offered_binding_and_comes_back(h5_server, app, factories, emulator, browser, shots):
    World(app, factories)
    volunteer = factories.volunteer(factories.org(), real_name="黄雅婷")
    page = as_wechat_user(browser, emulator, "newcomer")
    page.goto(h5_server + "/h5/me/records")
    assert page.is_visible("#need-account")
    page.screenshot(path=str(shots / "h5-need-account.png"), full_page=True)
    page.click("text=绑定已有帐号")
    page.fill("#account", volunteer.account.username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert where(page) == h5_server + "/h5/me/records"  # straight back to the page that asked
    assert "绑定成功" in page.inner_text("[role=status]")
    assert "还没有服务记录" in page.inner_text("#records")


def test_the_code_display_renews_and_a_volunteer_checks_in_once(h5_server, app, factories, emulator, browser,
                                                                shots):
    world = World(app, factories)
    scanner = as_wechat_user(browser, emulator, "h5-vol")
    scanner.goto(h5_server + "/h5/scan/")
    assert scanner.is_visible("#not-wechat")

    admin = as_wechat_user(browser, emulator, "h5-admin")
    admin.goto(h5_server + "/h5/")
    admin.click("#admin-entry >> text=签到码 · 长者关爱探访")
    assert "签到" in admin.inner_text("#code-display h2")
    first = admin.inner_text("#clock-code-text")
    assert admin.evaluate("document.getElementById('clock-code-image').naturalWidth") > 0  # the QR image loaded
    countdown = int(admin.inner_text("#countdown"))
    assert 0 < countdown <= CODE_SECONDS
    admin.screenshot(path=str(shots / "h5-code-display.png"), full_page=True)
    admin.wait_for_function(f"document.getElementById('clock-code-text').textContent !== {first!r}",
                            timeout=(CODE_SECONDS + 10) * 1000)
    renewed = admin.inner_text("#clock-code-text")
    assert renewed != first and renewed.startswith("C")
    admin.wait_for_function("document.getElementById('clock-code-image').complete"
                            " && document.getElementById('clock-code-image').naturalWidth > 0")

    for _ in range(2):  # the second scan of the same code records nothing new
        scanner.fill("#code", renewed)
        scanner.click("#manual button[type=submit]")
        scanner.wait_for_function("document.getElementById('result').textContent.startsWith('签到成功')")
        scanner.evaluate("document.getElementById('result').textContent = ''")
    db.session.commit()
    events = db.session.execute(db.select(ClockEvent).filter_by(volunteer_id=world.volunteer.id)).scalars().all()
    assert [(e.kind, e.activity_id, e.source) for e in events] == [("checkin", world.running.id, "h5")]


def test_the_admin_face_checks_and_admits_from_the_phone(h5_server, app, factories, emulator, browser, shots):
    world = World(app, factories)
    newcomer = factories.volunteer(world.org, real_name="赵小六")
    factories.enroll(world.running, newcomer)  # admitted, not yet face-checked
    admin = as_wechat_user(browser, emulator, "h5-admin")
    admin.goto(h5_server + f"/h5/admin/activities/{world.running.id}")
    admin.fill("#name", "赵")
    admin.click("#face-check button[type=submit] >> text=搜索")
    rows = admin.inner_text("#face-check tbody")
    assert "赵小六" in rows and "李小明" not in rows
    admin.click("[aria-label='面验 赵小六']")
    assert "赵小六 已面验" in admin.inner_text("[role=status]")
    assert "已面验" in admin.inner_text("#face-check tbody")

    admin.goto(h5_server + f"/h5/admin/activities/{world.running.id}")
    admin.check(f"#admission input[value='{world.applicant.id}']")
    admin.click("#admit")
    assert "已录用 1 人" in admin.inner_text("[role=status]")
    admin.screenshot(path=str(shots / "h5-admin-activity.png"), full_page=True)
    db.session.commit()
    assert db.session.get(Volunteer, newcomer.id).face_checked_at is not None
    status = db.session.execute(db.select(Enrollment.status).filter_by(
        activity_id=world.running.id, volunteer_id=world.applicant.id)).scalar_one()
    assert status == "admitted"


def test_a_page_without_a_session_is_friendly_when_oauth_fails(h5_server, app, factories, emulator, browser):
    page = as_wechat_user(browser, emulator, "someone")
    response = page.goto(h5_server + "/h5/oauth/callback?code=oauth:x:1&state=nope")
    assert response.status == 400
    assert "微信授权失败" in page.inner_text("#error")
    page.click("#error a:has-text('重新进入')")  # WeChat's authorize page again, then the home page
    page.wait_for_url(lambda url: url.split("#", 1)[0] == h5_server + "/h5/")
    assert "欢迎来到 i志愿" in page.inner_text("main")
