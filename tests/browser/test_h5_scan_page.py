"""扫码计时 in the city-service pages, in a real browser: WeChat's OAuth round trip, then a
check-in code entered on the page reaches the one clock service (source "h5")."""
from datetime import timedelta

import pytest
import requests

from app.extensions import db
from app.models import ClockEvent
from app.services import clock_codes, wechat_identity
from scripts.emulator import openid_for
from tests.browser.conftest import CHROMIUM_ARGS
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.route("**/res.wx.qq.com/**", lambda route: route.abort())  # no JS-SDK outside WeChat
    page.goto(url)
    return page


def test_scan_page_checks_in_a_bound_volunteer(oauth_live_server, app, factories, emulator, tmp_path):
    from playwright.sync_api import sync_playwright

    org = factories.org()
    admin = factories.admin(org)
    volunteer = factories.volunteer(org, face_checked=True)
    activity = factories.activity(org, starts_in=-timedelta(minutes=20), hours=3, title="线上义诊咨询",
                                  require_location=False)  # an online activity: no position needed
    on_site = factories.activity(org, starts_in=-timedelta(minutes=20), hours=3, title="社区义诊")
    factories.enroll(activity, volunteer)
    factories.enroll(on_site, volunteer)
    wechat_identity.bind(wechat_identity.MP, openid_for(app.config["WECHAT_APPID"], "scan-user"),
                         volunteer.account_id)
    db.session.commit()
    code = clock_codes.issue_clock_code(admin, activity.id, "checkin")["code"]
    on_site_code = clock_codes.issue_clock_code(admin, on_site.id, "checkin")["code"]
    requests.post(emulator.url + "/__emulator__/oauth-user", json={"user": "scan-user"}, timeout=5)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = open_page(browser, oauth_live_server + "/h5/scan/")
        assert page.url.startswith(oauth_live_server + "/h5/scan/")  # back from WeChat's authorize page
        assert page.is_visible("#not-wechat")  # outside WeChat the page says where it works
        page.fill("#code", "C" + "A" * 28)  # a forged code
        page.click("#manual button[type=submit]")
        page.wait_for_function("document.getElementById('result').textContent.length > 0")
        assert page.get_attribute("#result", "class") == "error"
        # Outside WeChat there is no position: an activity with a venue says to allow location.
        page.fill("#code", on_site_code)
        page.click("#manual button[type=submit]")
        page.wait_for_function("document.getElementById('result').textContent.includes('允许获取位置')")
        assert page.get_attribute("#result", "class") == "error"
        page.fill("#code", code)
        page.click("#manual button[type=submit]")
        page.wait_for_function("document.getElementById('result').textContent.startsWith('签到成功')")
        page.screenshot(path=str(tmp_path / "h5-scan.png"), full_page=True)
        browser.close()
    db.session.commit()
    events = db.session.execute(db.select(ClockEvent).filter_by(volunteer_id=volunteer.id)).scalars().all()
    assert [(e.kind, e.source) for e in events] == [("checkin", "h5")]


def test_an_unbound_user_is_offered_binding_and_comes_back(oauth_live_server, app, factories, emulator):
    from playwright.sync_api import sync_playwright

    volunteer = factories.volunteer(factories.org(), real_name="黄雅婷")
    db.session.commit()
    requests.post(emulator.url + "/__emulator__/oauth-user", json={"user": "stranger"}, timeout=5)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = open_page(browser, oauth_live_server + "/h5/scan/")
        assert "需要先绑定" in page.inner_text("main")
        assert page.get_attribute("text=绑定已有帐号", "href") == "/h5/bind/"
        page.click("text=绑定已有帐号")
        page.fill("#account", volunteer.account.username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        assert page.url == oauth_live_server + "/h5/scan/"  # back on the scan page, bound
        assert "绑定成功" in page.inner_text("[role=status]")
        assert page.is_visible("#manual")
        browser.close()
