"""The volunteer card: application and progress, and the card's public page (only what is safe)."""
from datetime import timedelta

from app.domain import codes
from app.extensions import db
from app.models import AuditLog, ServiceRecord
from app.services.clock_codes import clock_key
from app.timeutil import utcnow


def error_code(response):
    return response.json["error"]["code"]


APPLICATION = {"bank": "boc", "card_type": "debit", "delivery_name": "陈嘉欣", "delivery_phone": "13912345678",
               "delivery_address": "广州市越秀区东山街道署前路 1 号"}


def test_application_progress_and_query(client, factories):
    org = factories.org()
    admin_h = factories.login(client, factories.admin(org))
    volunteer = factories.volunteer(org)
    vol_h = factories.login(client, volunteer)
    applied = client.post("/api/v1/me/card-applications", json=APPLICATION, headers=vol_h)
    assert applied.status_code == 201, applied.json
    body = applied.json
    assert (body["status"], body["bank_label"], body["card_type_label"]) == ("submitted", "中国银行", "借记卡")
    assert body["delivery_phone"] == "139****5678"
    again = client.post("/api/v1/me/card-applications", json={**APPLICATION, "bank": "ceb"}, headers=vol_h)
    assert (again.status_code, error_code(again)) == (409, "CARD_APPLICATION_EXISTS")
    bad = client.post("/api/v1/me/card-applications", json={**APPLICATION, "bank": "icbc"}, headers=vol_h)
    assert error_code(bad) == "VALIDATION_ERROR"

    app_id = body["id"]
    for action, status in (("review", "reviewing"), ("approve", "approved"), ("issue", "issued"), ("mail", "mailed")):
        moved = client.post(f"/api/v1/admin/card-applications/{app_id}/progress", json={"action": action},
                            headers=admin_h)
        assert moved.status_code == 200 and moved.json["status"] == status
        assert moved.json["delivery_address"] is None  # the admin sees progress, not the address
        assert client.get("/api/v1/me/card-applications", headers=vol_h).json["items"][0]["status"] == status
    illegal = client.post(f"/api/v1/admin/card-applications/{app_id}/progress", json={"action": "approve"},
                          headers=admin_h)
    assert error_code(illegal) == "CARD_ILLEGAL_TRANSITION"
    stranger = factories.login(client, factories.admin(factories.org()))
    assert client.post(f"/api/v1/admin/card-applications/{app_id}/progress", json={"action": "mail"},
                       headers=stranger).status_code == 404
    assert len(db.session.execute(db.select(AuditLog).where(AuditLog.action.like("card.%"))).all()) == 4


def test_card_page_shows_masked_name_number_hours_and_stars_only(client, factories):
    org = factories.org()
    activity = factories.activity(org, starts_in=-timedelta(days=2), hours=4)
    volunteer = factories.volunteer(org, real_name="陈嘉欣", face_checked=True)
    db.session.add(ServiceRecord(volunteer_id=volunteer.id, activity_id=activity.id, org_id=org.id, minutes=19_000,
                                 source="clock", status="effective", recorded_at=utcnow(),
                                 public_until=utcnow() + timedelta(days=365)))
    volunteer.total_minutes = 19_000  # 316.7 h: 二星
    db.session.commit()
    vol_h = factories.login(client, volunteer)
    card = client.get("/api/v1/me/card", headers=vol_h).json
    assert card["star_level"] == 2 and card["url"].startswith("http://127.0.0.1:8000/h5/card/")
    path = card["url"].split("127.0.0.1:8000")[-1]
    page = client.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "陈**" in html and volunteer.volunteer_number in html and "316.7" in html and "二星" in html
    account = volunteer.account
    for secret in ("陈嘉欣", account.id_number, account.id_number[:10], account.phone, account.username):
        assert secret not in html
    qr = client.get(path + "/qr.png")
    assert qr.status_code == 200 and qr.mimetype == "image/png"

    token = path.rsplit("/", 1)[-1]
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/h5/card/{forged}").status_code == 404
    other = codes.make_card_token(b"not-our-key-not-our-key-not-our!", volunteer.id)
    assert client.get(f"/h5/card/{other}").status_code == 404
    # A genuine token of someone else's id is theirs, not this volunteer's: tokens cannot be walked.
    assert codes.read_card_token(clock_key(), token) == volunteer.id
