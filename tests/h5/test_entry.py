"""Entry to the city-service pages: WeChat OAuth with the state checked and the code single-use,
the session cookie, expiry through OAuth again, CSRF on forms, and friendly Chinese errors."""
from urllib.parse import parse_qs, urlsplit

import requests

from app.h5.auth import CONFIRMED_AT
from tests.h5.conftest import oauth_login


def test_first_visit_goes_through_oauth_and_lands_on_the_page_wanted(client, world, emulator):
    page = oauth_login(client, emulator, "h5-vol", "/h5/activities/?keyword=宣传")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "社区垃圾分类宣传" in html and "亲子图书馆" not in html
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_state_is_checked_and_a_code_works_once(client, world, emulator):
    requests.post(emulator.url + "/__emulator__/oauth-user", json={"user": "h5-vol"}, timeout=5)
    authorize = client.get("/h5/me/").headers["Location"]
    back = urlsplit(requests.get(authorize, allow_redirects=False, timeout=5).headers["Location"])
    query = parse_qs(back.query)
    forged = client.get(f"/h5/oauth/callback?code={query['code'][0]}&state=forged")
    assert forged.status_code == 400
    assert "微信授权失败" in forged.get_data(as_text=True)
    # the state was spent by the failed attempt: a fresh round, then the same code again
    authorize = client.get("/h5/me/").headers["Location"]
    back = urlsplit(requests.get(authorize, allow_redirects=False, timeout=5).headers["Location"])
    assert client.get(f"{back.path}?{back.query}").headers["Location"] == "/h5/me/"
    state = client.get("/h5/oauth?next=/h5/me/").headers["Location"]
    new_state = parse_qs(urlsplit(state).query)["state"][0]
    replay = client.get(f"/h5/oauth/callback?code={parse_qs(back.query)['code'][0]}&state={new_state}")
    assert replay.status_code == 400
    assert "重新进入" in replay.get_data(as_text=True)


def test_next_never_leaves_our_pages(client, world, emulator):
    requests.post(emulator.url + "/__emulator__/oauth-user", json={"user": "h5-vol"}, timeout=5)
    authorize = client.get("/h5/oauth?next=https://evil.example/h5/").headers["Location"]
    back = urlsplit(requests.get(authorize, allow_redirects=False, timeout=5).headers["Location"])
    assert client.get(f"{back.path}?{back.query}").headers["Location"] == "/h5/"


def test_an_expired_session_goes_through_oauth_again_and_back(client, world, emulator, app):
    oauth_login(client, emulator, "h5-vol", "/h5/")
    assert client.get("/h5/me/records").status_code == 200
    with client.session_transaction() as session:
        session[CONFIRMED_AT] -= app.config["H5_SESSION_SECONDS"] + 1
    expired = client.get("/h5/me/records")
    assert expired.status_code == 302
    assert expired.headers["Location"].startswith(emulator.url + "/connect/oauth2/authorize")
    back = urlsplit(requests.get(expired.headers["Location"], allow_redirects=False, timeout=5).headers["Location"])
    assert client.get(f"{back.path}?{back.query}").headers["Location"] == "/h5/me/records"
    assert "越秀公园环保清洁" in client.get("/h5/me/records").get_data(as_text=True)


def test_every_form_needs_the_session_token(client, world, emulator):
    oauth_login(client, emulator, "h5-vol", "/h5/")
    refused = client.post(f"/h5/activities/{world.open.id}/enrollment", data={})
    assert refused.status_code == 400
    assert "页面已过期" in refused.get_data(as_text=True)
    with client.session_transaction() as session:
        token = session["wx_bind_csrf"]
    done = client.post(f"/h5/activities/{world.open.id}/enrollment", data={"csrf": token})
    assert done.status_code == 302
    assert "报名成功" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_errors_are_friendly_chinese_pages(client, world, emulator):
    oauth_login(client, emulator, "h5-vol", "/h5/")
    missing = client.get("/h5/no-such-page")
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)
    assert "返回首页" in missing.get_data(as_text=True)
    gone = client.get("/h5/activities/999999")
    assert gone.status_code == 404 and "活动不存在" in gone.get_data(as_text=True)
    admin_only = client.get("/h5/admin/activities/")
    assert admin_only.status_code == 403 and "组织管理员" in admin_only.get_data(as_text=True)


def test_an_unbound_user_sees_public_pages_and_is_offered_binding(client, world, emulator):
    home = oauth_login(client, emulator, "stranger", "/h5/")
    assert home.status_code == 200 and "绑定帐号" in home.get_data(as_text=True)
    assert client.get(f"/h5/activities/{world.open.id}").status_code == 200
    offer = client.get("/h5/me/")
    assert offer.status_code == 200
    assert 'href="/h5/bind/"' in offer.get_data(as_text=True)
    with client.session_transaction() as session:
        assert session["h5_after_bind"] == "/h5/me/"


def test_the_binding_page_opens_the_session_every_page_uses(client, world, emulator):
    requests.post(emulator.url + "/__emulator__/oauth-user", json={"user": "h5-vol"}, timeout=5)
    authorize = client.get("/h5/bind/").headers["Location"]
    back = urlsplit(requests.get(authorize, allow_redirects=False, timeout=5).headers["Location"])
    assert back.path == "/h5/oauth/callback"
    assert client.get(f"{back.path}?{back.query}").headers["Location"] == "/h5/bind/"
    with client.session_transaction() as session:
        assert isinstance(session[CONFIRMED_AT], int)
    assert client.get("/h5/me/").status_code == 200  # no second OAuth round
    assert client.get("/h5/scan/").status_code == 200


def test_a_session_without_its_time_goes_through_oauth_again(client, world, emulator):
    oauth_login(client, emulator, "h5-vol", "/h5/")
    with client.session_transaction() as session:
        del session[CONFIRMED_AT]  # a cookie from when /h5/bind/ and /h5/scan/ ran their own OAuth
    again = client.get("/h5/me/")
    assert again.status_code == 302
    assert again.headers["Location"].startswith(emulator.url + "/connect/oauth2/authorize")


def test_every_h5_error_is_one_page_with_its_own_texts(client, world, emulator):
    oauth_login(client, emulator, "h5-vol", "/h5/")
    refusal = client.get("/h5/activities/999999").get_data(as_text=True)  # app/errorhandlers.py page_refusal
    unknown = client.get("/h5/no-such-page").get_data(as_text=True)  # app/h5/errors.py
    admin_only = client.get("/h5/admin/activities/").get_data(as_text=True)
    for html in (refusal, unknown, admin_only):
        assert '<section class="card" role="alert" id="error">' in html and 'id="error-message"' in html
        assert "‹ 首页" in html  # the H5 pages' header with the way home
    assert "未能完成操作" in refusal and "活动不存在" in refusal and "返回上一页" in refusal
    assert "页面不存在" in unknown and "请返回首页重新进入。" in unknown
    assert "此页面仅供组织管理员使用" in admin_only and 'href="/h5/bind/"' in admin_only
