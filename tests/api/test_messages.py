"""消息中心 through the API: every notice lands in the inbox (bound to WeChat or not, held for want
of subscribe consent or sent), once per event, with the unread count, paging and mark read."""
from app.extensions import db
from app.models import OutboxMessage
from app.notify.outbox import queue_message
from tests.api.takeaway_helpers import past_activity, record
from tests.factories import PASSWORD

FIELDS = {"title": "海珠湿地清洁", "result": "已录用", "start": "2026-12-01 09:00", "place": "海珠湿地"}


def error_code(response):
    return response.json["error"]["code"]


def inbox(client, headers, **params):
    response = client.get("/api/v1/me/messages", headers=headers, query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def test_a_volunteer_not_bound_to_wechat_finds_every_notice(client, factories):
    team = factories.org()
    volunteer = factories.volunteer(team)
    headers = factories.login(client, volunteer)
    record(volunteer, past_activity(factories, team, "社区长者探访"), 120)
    queue_message(kind="admission", account_id=volunteer.account_id, fields=FIELDS, dedupe_key="admission:1")
    queue_message(kind="admission", account_id=volunteer.account_id, fields=FIELDS, dedupe_key="admission:1")
    db.session.commit()
    body = inbox(client, headers)
    assert body["total"] == 2 and body["unread_count"] == 2  # the repeated event is kept once
    kinds = [m["kind"] for m in body["items"]]
    assert kinds == ["admission", "hours_recorded"]
    admission = body["items"][0]
    assert admission["title"] == "报名结果通知" and admission["read"] is False
    assert {"label": "活动", "value": "海珠湿地清洁"} in admission["lines"]
    hours = body["items"][1]
    assert hours["fields"]["activity"] == "社区长者探访" and hours["fields"]["minutes"] == "2小时"


def test_a_subscribe_message_held_without_consent_is_in_the_inbox(client, factories):
    volunteer = factories.volunteer(factories.org())
    token = client.post("/api/v1/auth/wx-login", json={"code": "user:held:1"}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    bound = client.post("/api/v1/auth/bind", headers=headers,
                        json={"account": volunteer.account.username, "password": PASSWORD})
    assert bound.status_code == 200, bound.json
    queue_message(kind="invitation", account_id=volunteer.account_id, dedupe_key="invitation:7",
                  fields={"title": "海珠湿地清洁", "org": "东山街志愿服务队", "start": "2026-12-01 09:00",
                          "place": "海珠湿地"})
    db.session.commit()
    held = db.session.execute(db.select(OutboxMessage).filter_by(dedupe_key="invitation:7:subscribe")).scalar_one()
    assert held.status == "held"
    body = inbox(client, headers)
    assert body["items"][0]["kind"] == "invitation" and body["items"][0]["wechat_held"] is True


def test_paging_unread_filter_and_mark_read(client, factories):
    volunteer = factories.volunteer(factories.org())
    other = factories.volunteer(factories.org())
    headers = factories.login(client, volunteer)
    for n in range(5):
        queue_message(kind="admission", account_id=volunteer.account_id, fields=FIELDS, dedupe_key=f"a:{n}")
    queue_message(kind="admission", account_id=other.account_id, fields=FIELDS, dedupe_key="a:other")
    db.session.commit()
    first = inbox(client, headers, page=1, per_page=2)
    second = inbox(client, headers, page=3, per_page=2)
    assert first["total"] == 5 and len(first["items"]) == 2 and len(second["items"]) == 1
    assert first["items"][0]["id"] > first["items"][1]["id"] > second["items"][0]["id"]

    ids = [m["id"] for m in first["items"]]
    marked = client.post("/api/v1/me/messages/read", headers=headers, json={"ids": ids})
    assert marked.status_code == 200 and marked.json["unread_count"] == 3
    unread = inbox(client, headers, unread="true")
    assert unread["total"] == 3 and all(not m["read"] for m in unread["items"])
    assert inbox(client, headers)["items"][0]["read"] is True

    theirs = inbox(client, factories.login(client, other))["items"][0]["id"]
    refused = client.post("/api/v1/me/messages/read", headers=headers, json={"ids": [theirs]})
    assert refused.status_code == 404 and error_code(refused) == "MESSAGE_NOT_FOUND"
    assert client.post("/api/v1/me/messages/read", headers=headers, json={}).json["unread_count"] == 0
    assert inbox(client, factories.login(client, other))["unread_count"] == 1
    assert client.get("/api/v1/me/messages").status_code == 401


def test_review_results_reach_the_inbox_through_the_api(client, factories):
    team = factories.org()
    admin = factories.login(client, factories.admin(team))
    volunteer = factories.volunteer(team, status="pending")
    reviewed = client.post(f"/api/v1/admin/volunteers/{volunteer.id}/review", headers=admin,
                           json={"approve": True})
    assert reviewed.status_code == 200, reviewed.json
    body = inbox(client, factories.login(client, volunteer))
    assert body["items"][0]["kind"] == "review_result" and body["items"][0]["fields"]["result"] == "通过"
