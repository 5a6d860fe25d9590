"""Subscribe messages done right: the mini-program reports wx.requestSubscribeMessage results,
consent is recorded per template, a message goes only with consent and spends it, the
mini-program state and language come from configuration, and a refused message falls back to
SMS (where the kind has SMS text) or stays for the message centre."""
import requests

from app.extensions import db
from app.models import OutboxMessage
from app.notify.outbox import queue_message
from app.notify.templates import sms_text
from tests.api.accounts_helpers import error_code
from tests.factories import PASSWORD

ADMISSION = "SUB_ENROLLMENT_RESULT"
FIELDS = {"title": "海珠湿地清洁", "result": "已录用", "start": "2026-12-01 09:00", "place": "海珠湿地"}


def mini_session(client, volunteer, user="kate"):
    token = client.post("/api/v1/auth/wx-login", json={"code": f"user:{user}:1"}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    bound = client.post("/api/v1/auth/bind", headers=headers,
                        json={"account": volunteer.account.username, "password": PASSWORD})
    assert bound.status_code == 200, bound.json
    return headers


def remaining(client, headers):
    listed = client.get("/api/v1/me/subscriptions", headers=headers)
    assert listed.status_code == 200, listed.json
    return {s["template_id"]: s["remaining"] for s in listed.json["subscriptions"]}


def admit(volunteer, key, kind="admission"):
    queue_message(kind=kind, account_id=volunteer.account_id, fields=FIELDS, dedupe_key=key,
                  sms_text=sms_text(kind, FIELDS) if kind == "admission" else None)
    db.session.commit()


def rows(key):
    db.session.rollback()
    found = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(key))).scalars()
    return {row.channel: row for row in found}


def test_consent_is_recorded_spent_and_sent_with_the_configured_state_and_language(
        app, client, factories, emulator, run_jobs, monkeypatch):
    monkeypatch.setitem(app.config, "SUBSCRIBE_MINIPROGRAM_STATE", "trial")
    monkeypatch.setitem(app.config, "SUBSCRIBE_LANG", "zh_TW")
    volunteer = factories.volunteer(factories.org())
    headers = mini_session(client, volunteer)
    assert remaining(client, headers)[ADMISSION] == 0
    reported = client.post("/api/v1/me/subscriptions", headers=headers, json={"results": {
        "errMsg": "requestSubscribeMessage:ok", ADMISSION: "accept", "SUB_ACTIVITY_INVITATION": "reject",
        "SOMEONE_ELSES": "accept"}})
    assert reported.status_code == 200, reported.json
    held = {s["template_id"]: s["remaining"] for s in reported.json["subscriptions"]}
    assert held[ADMISSION] == 1 and held["SUB_ACTIVITY_INVITATION"] == 0 and "SOMEONE_ELSES" not in held

    admit(volunteer, "a1")
    run_jobs()
    [sent] = [m for m in emulator.state.sent if m["channel"] == "subscribe"]
    assert sent["template_id"] == ADMISSION and sent["miniprogram_state"] == "trial" and sent["lang"] == "zh_TW"
    assert set(rows("a1")) == {"subscribe"}  # the SMS waits as the fallback: the subscribe message went
    assert remaining(client, headers)[ADMISSION] == 0  # spent

    # no consent left: nothing is sent to WeChat; the SMS goes, the notice stays for the message centre
    admit(volunteer, "a2")
    run_jobs()
    second = rows("a2")
    assert second["subscribe"].status == "held" and second["sms"].status == "sent"
    assert len([m for m in emulator.state.sent if m["channel"] == "subscribe"]) == 1


def test_a_refusal_falls_back_to_sms_or_stays_for_the_message_centre(app, client, factories, emulator, run_jobs):
    volunteer = factories.volunteer(factories.org())
    headers = mini_session(client, volunteer, user="lee")
    client.post("/api/v1/me/subscriptions", headers=headers,
                json={"results": {ADMISSION: "accept", "SUB_HOURS_RECORDED": "accept"}})
    for _ in range(2):
        requests.post(emulator.url + "/__emulator__/fail", json={"api": "subscribe_send", "errcode": 43101},
                      timeout=5).raise_for_status()
    admit(volunteer, "r1")
    run_jobs()
    refused = rows("r1")
    assert refused["subscribe"].status == "given_up" and refused["subscribe"].last_error.startswith("43101")
    assert refused["sms"].status == "sent"  # the fallback
    assert any("已录用" in m["text"] for m in emulator.state.sent if m["channel"] == "sms")

    admit(volunteer, "r2", kind="hours_recorded")  # no SMS text for this kind
    run_jobs()
    kept = rows("r2")
    assert set(kept) == {"subscribe"} and kept["subscribe"].status == "given_up"
    assert kept["subscribe"].payload["fields"]["title"] == "海珠湿地清洁"  # kept for the message centre


def test_only_a_mini_program_session_reports_consent(client, factories):
    volunteer = factories.volunteer(factories.org())
    headers = factories.login(client, volunteer)  # a password login: no mini-program identity
    refused = client.post("/api/v1/me/subscriptions", headers=headers, json={"results": {ADMISSION: "accept"}})
    assert refused.status_code == 403 and error_code(refused) == "MINIPROGRAM_SESSION_REQUIRED"
    assert client.post("/api/v1/me/subscriptions", json={"results": {ADMISSION: "accept"}}).status_code == 401
