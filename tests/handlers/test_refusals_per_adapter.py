"""One refusal (DomainError), translated by each kind of adapter as its user expects it: the
mini-program API's JSON envelope with the API's status, a city-service page that says what to do
next (or JSON for the page's own script), and a polite reply from the service account."""
import pytest

from app.errors import MESSAGES, DomainError
from app.extensions import db
from app.services import wechat_identity
from handlers import replies
from miniprogram_api.errors import STATUS
from scripts.emulator import openid_for


def test_the_api_answers_a_refusal_in_its_envelope_with_the_codes_status(client, factories):
    org = factories.org()
    admin_h = factories.login(client, factories.admin(org))
    vol_h = factories.login(client, factories.volunteer(org))
    applied = client.post("/api/v1/me/card-applications", headers=vol_h, json={
        "bank": "boc", "card_type": "debit", "delivery_name": "陈嘉欣", "delivery_phone": "13912345678",
        "delivery_address": "广州市越秀区东山街道署前路 1 号"})
    # "mail" before "review": the domain's transition table refuses, with the card's own code
    refused = client.post(f"/api/v1/admin/card-applications/{applied.json['id']}/progress",
                          json={"action": "mail"}, headers=admin_h)
    assert refused.status_code == STATUS["CARD_ILLEGAL_TRANSITION"] == 409
    assert refused.json == {"error": {"code": "CARD_ILLEGAL_TRANSITION", "message": "当前进度下不能进行该操作。"}}


def test_a_page_answers_a_refusal_with_a_page_that_says_what_to_do_next(client):
    page = client.get("/h5/card/AAAAAAAAAAAAAAAAAAAA")  # not a genuine card token
    assert page.status_code == 404 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert MESSAGES["CARD_NOT_FOUND"] in html
    assert "重新进入" in html and "返回上一页" in html  # what to do next
    assert "Traceback" not in html and "CARD_NOT_FOUND" not in html
    assert client.get("/h5/card/AAAAAAAAAAAAAAAAAAAA/qr.png").status_code == 404


def test_a_pages_own_script_gets_the_refusal_as_json(app, client, factories):
    volunteer = factories.volunteer(factories.org(), face_checked=True)
    openid = openid_for(app.config["WECHAT_APPID"], "refused-scan")
    wechat_identity.bind(wechat_identity.MP, openid, volunteer.account_id)
    db.session.commit()
    with client.session_transaction() as session:
        session["wx_mp_openid"], session["wx_bind_csrf"] = openid, "page-token"
    answer = client.post("/h5/scan/clock", json={"code": "C" + "A" * 28, "csrf": "page-token"})  # forged
    assert answer.status_code == STATUS["CLOCK_CODE_INVALID"] == 400
    assert answer.json == {"ok": False, "code": "CLOCK_CODE_INVALID", "message": MESSAGES["CLOCK_CODE_INVALID"]}


def test_an_unexpected_error_on_a_page_shows_the_page_without_details(client, monkeypatch):
    from app.services import card

    def broken(token):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(card, "public_card", broken)
    page = client.get("/h5/card/AAAAAAAAAAAAAAAAAAAA")
    assert page.status_code == 500
    html = page.get_data(as_text=True)
    assert MESSAGES["INTERNAL_ERROR"] in html and "稍后再试" in html
    assert "hunter2" not in html and "Traceback" not in html


@pytest.mark.parametrize("code", ["ACTIVITY_ENDED", "VOLUNTEER_NOT_APPROVED"])
def test_the_service_account_answers_a_refusal_politely_and_once(plain_wechat, monkeypatch, code):
    from handlers import routes

    calls = []

    def refusing(msg):
        calls.append(msg.openid)
        raise DomainError(code)

    monkeypatch.setitem(routes.ROUTES, ("event", "click"), refusing)
    event = plain_wechat.event("rae", "CLICK", EventKey="HELP")
    reply = plain_wechat.say(event, nonce="refused-1")["Content"]
    assert reply == "抱歉，" + MESSAGES[code] == replies.REFUSED.format(message=MESSAGES[code])
    assert reply != replies.BUSY
    # the refusal is the answer: WeChat's retry of the same event gets it again, not a second run
    assert plain_wechat.say(event, nonce="refused-2")["Content"] == reply
    assert len(calls) == 1
