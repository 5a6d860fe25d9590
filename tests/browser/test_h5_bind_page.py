"""The binding page in a real browser: WeChat's OAuth round trip (the emulator's authorize
page), the login form, the bound state and unbinding."""
import pytest
import requests

from app.extensions import db
from app.models import WechatIdentity
from scripts.emulator import openid_for
from tests.browser.conftest import CHROMIUM_ARGS
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_binding_and_unbinding_in_a_browser(oauth_live_server, app, factories, emulator, tmp_path):
    from playwright.sync_api import sync_playwright

    volunteer = factories.volunteer(factories.org(), real_name="黄雅婷")
    requests.post(emulator.url + "/__emulator__/oauth-user", json={"user": "page-user"}, timeout=5)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(oauth_live_server + "/h5/bind/")
        assert page.url.startswith(oauth_live_server + "/h5/bind/")  # back from WeChat's authorize page
        page.fill("#account", volunteer.account.username)
        page.fill("#password", "not-the-password1")
        page.click("button[type=submit]")
        assert "帐号或密码错误" in page.inner_text("[role=alert]")
        page.fill("#account", volunteer.account.username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        assert "绑定成功" in page.inner_text("[role=status]")
        assert page.inner_text("#bound-as") == "当前微信已绑定帐号：黄**"
        page.screenshot(path=str(tmp_path / "h5-bind-bound.png"), full_page=True)
        page.click("text=解除绑定")
        assert "已解除绑定" in page.inner_text("[role=status]")
        assert page.is_visible("#password")
        browser.close()
    db.session.commit()
    identity = db.session.execute(db.select(WechatIdentity).filter_by(
        app="mp", openid=openid_for(app.config["WECHAT_APPID"], "page-user"))).scalar_one()
    assert identity.account_id is None and identity.bound_at is None
