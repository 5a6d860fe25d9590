"""Binding a WeChat identity to an i志愿 account: the H5 page behind OAuth (snsapi_base), the
mini-program's wx-login / bind, unbinding, and the unionid that links one person's identities."""
from urllib.parse import urlparse

import pytest
import requests

from app.errors import DomainError
from app.extensions import db
from app.models import OutboxMessage, WechatIdentity
from app.notify.outbox import queue_message
from app.services import wechat_identity
from scripts.emulator import openid_for, unionid_for
from tests.factories import PASSWORD


def identities(**filters):
    db.session.commit()  # a new transaction: see what the requests committed
    return db.session.execute(db.select(WechatIdentity).filter_by(**filters)).scalars().all()


def oauth_visit(client, user):
    """Open /h5/bind/ as WeChat's browser would: our redirect → WeChat's authorize page (the
    emulator) → back to the H5 pages' OAuth callback with ?code&state → the page."""
    first = client.get("/h5/bind/")
    assert first.status_code == 302
    authorize = first.headers["Location"]
    assert "/connect/oauth2/authorize" in authorize and "scope=snsapi_base" in authorize
    back = requests.get(authorize.split("#")[0] + f"&emulator_user={user}", allow_redirects=False, timeout=5)
    location = urlparse(back.headers["Location"])
    assert location.path == "/h5/oauth/callback"  # the one OAuth of every H5 page (app/h5/auth.py)
    landed = client.get(f"{location.path}?{location.query}")
    assert landed.status_code == 302 and landed.headers["Location"] == "/h5/bind/"  # code used once, clean URL
    return client.get("/h5/bind/")


def csrf_of(page):
    html = page.get_data(as_text=True)
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def test_h5_binding_then_template_messages_then_unbinding(app, client, factories, plain_wechat):
    volunteer = factories.volunteer(factories.org(), real_name="林嘉欣")
    openid = openid_for(app.config["WECHAT_APPID"], "hannah")
    plain_wechat.say(plain_wechat.event("hannah", "subscribe"))  # she follows the account first

    page = oauth_visit(client, "hannah")
    assert "登录并绑定" in page.get_data(as_text=True)
    wrong = client.post("/h5/bind/", data={"csrf": csrf_of(page), "account": volunteer.account.username,
                                           "password": "wrong-password1"})
    assert wrong.status_code == 401
    assert "帐号或密码错误" in wrong.get_data(as_text=True)
    done = client.post("/h5/bind/", data={"csrf": csrf_of(page), "account": volunteer.account.username,
                                          "password": PASSWORD})
    assert done.status_code == 200
    assert "绑定成功" in done.get_data(as_text=True)
    assert "林**" in done.get_data(as_text=True)  # masked on the page
    [row] = identities(app="mp", openid=openid)
    assert row.account_id == volunteer.account_id and row.subscribed

    # the callback now knows her (the binding cache was dropped on binding)
    assert "时长" in plain_wechat.say(plain_wechat.text("hannah", "时长"))["Content"]
    # a bound, subscribed user receives template messages
    queue_message(kind="review_result", account_id=volunteer.account_id, fields={"name": "林嘉欣"},
                  dedupe_key="bind-test:1")
    db.session.commit()
    [template] = db.session.execute(db.select(OutboxMessage).filter_by(channel="template")).scalars().all()
    assert template.recipient == openid

    page = client.get("/h5/bind/")
    gone = client.post("/h5/bind/unbind", data={"csrf": csrf_of(page)})
    assert "已解除绑定" in gone.get_data(as_text=True)
    assert identities(app="mp", openid=openid)[0].account_id is None
    assert "/h5/bind/" in plain_wechat.say(plain_wechat.text("hannah", "时长"))["Content"]
    queue_message(kind="review_result", account_id=volunteer.account_id, fields={"name": "x"},
                  dedupe_key="bind-test:2")
    db.session.commit()
    query = db.select(OutboxMessage).filter_by(dedupe_key="bind-test:2:template")
    assert db.session.execute(query).first() is None


def test_h5_posts_need_the_page_token(app, client, factories):
    oauth_visit(client, "ivan")
    volunteer = factories.volunteer(factories.org())
    response = client.post("/h5/bind/", data={"account": volunteer.account.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert db.session.execute(db.select(WechatIdentity).filter_by(account_id=volunteer.account_id)).first() is None


def test_an_oauth_code_with_a_forged_state_is_refused(client):
    client.get("/h5/bind/")
    response = client.get("/h5/oauth/callback?code=oauth:mallory:1&state=forged")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "重新进入" in html and 'href="/h5/oauth?next=/h5/bind/"' in html  # OAuth again, then this page


def test_an_openid_bound_to_someone_else_must_be_unbound_first(app, client, factories):
    org = factories.org()
    first, second = factories.volunteer(org), factories.volunteer(org)
    page = oauth_visit(client, "jade")
    client.post("/h5/bind/", data={"csrf": csrf_of(page), "account": first.account.username,
                                   "password": PASSWORD})
    with pytest.raises(DomainError) as caught:
        wechat_identity.bind("mp", openid_for(app.config["WECHAT_APPID"], "jade"), second.account_id)
    assert caught.value.code == "WECHAT_ALREADY_BOUND"


def test_wx_login_unbound_then_bind_then_login_again_is_bound(app, client, factories):
    volunteer = factories.volunteer(factories.org())
    first = client.post("/api/v1/auth/wx-login", json={"code": "user:kate:1"})
    assert first.status_code == 200, first.json
    assert first.json["bound"] is False and first.json["account"] is None
    assert "session_key" not in first.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {first.json['token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # not bound yet

    bound = client.post("/api/v1/auth/bind", headers=headers,
                        json={"account": volunteer.account.username, "password": PASSWORD})
    assert bound.status_code == 200, bound.json
    assert bound.json["bound"] is True
    assert client.get("/api/v1/me", headers=headers).json["id"] == volunteer.account_id

    again = client.post("/api/v1/auth/wx-login", json={"code": "user:kate:2"})
    assert again.json["bound"] is True and again.json["account"]["id"] == volunteer.account_id


def test_wx_login_codes_work_once_and_bad_ones_are_4xx(client):
    assert client.post("/api/v1/auth/wx-login", json={"code": "user:leo:1"}).status_code == 200
    reused = client.post("/api/v1/auth/wx-login", json={"code": "user:leo:1"})
    assert reused.status_code == 400 and reused.json["error"]["code"] == "WECHAT_CODE_INVALID"
    assert client.post("/api/v1/auth/wx-login", json={}).status_code == 422


def test_wx_login_when_wechat_is_down_is_a_503(client, emulator):
    requests.post(emulator.url + "/__emulator__/fail", json={"api": "jscode2session", "status": 502},
                  timeout=5)
    response = client.post("/api/v1/auth/wx-login", json={"code": "user:mia:1"})
    assert response.status_code == 503 and response.json["error"]["code"] == "WECHAT_UNAVAILABLE"


def test_bind_needs_a_wechat_session(client, factories):
    volunteer = factories.volunteer(factories.org())
    headers = factories.login(client, volunteer)
    response = client.post("/api/v1/auth/bind", headers=headers,
                           json={"account": volunteer.account.username, "password": PASSWORD})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "WECHAT_SESSION_REQUIRED"


def test_unionid_links_the_mini_program_and_the_service_account(app, client, factories, plain_wechat,
                                                                run_jobs):
    """Bound in the mini-program; following the service account later is bound too (unionid
    learned from user/info), so template messages reach the service account at once."""
    volunteer = factories.volunteer(factories.org())
    token = client.post("/api/v1/auth/wx-login", json={"code": "user:nina:1"}).json["token"]
    client.post("/api/v1/auth/bind", headers={"Authorization": f"Bearer {token}"},
                json={"account": volunteer.account.username, "password": PASSWORD})
    reply = plain_wechat.say(plain_wechat.event("nina", "subscribe"))
    assert "/h5/bind/" in reply["Content"]  # not linked yet: the unionid comes from a job
    run_jobs()
    [mp] = identities(app="mp", openid=plain_wechat.openid("nina"))
    assert mp.unionid == unionid_for("nina")
    assert mp.account_id == volunteer.account_id
    assert plain_wechat.say(plain_wechat.text("nina", "绑定"))["Content"].startswith("您的微信已绑定")
