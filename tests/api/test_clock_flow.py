"""End to end through the mini-program API: the admin issues a code, the volunteer scans it,
one record appears with its totals, the board shows it masked, and the volunteer is told."""
import io
from datetime import timedelta

import requests
from PIL import Image

from app.extensions import db
from app.models import ClockEvent, ServiceRecord, WechatIdentity
from app.services import clock_codes, clocking, code_images
from app.timeutil import utcnow

VENUE = {"latitude": 23.1235, "longitude": 113.2950}


def error_code(response):
    return response.json["error"]["code"]


def setup(factories, client, **activity_fields):
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org, starts_in=-timedelta(hours=1), hours=4, enroll_open=False,
                                  title="东山街长者关爱探访", **activity_fields)
    volunteer = factories.volunteer(org, face_checked=True, real_name="陈嘉欣")
    factories.enroll(activity, volunteer)
    return org, admin, activity, volunteer, factories.login(client, admin), factories.login(client, volunteer)


def test_issue_scan_checkout_one_record_totals_board_and_message(client, factories, monkeypatch, run_jobs,
                                                                  emulator):
    org, admin, activity, volunteer, admin_h, vol_h = setup(factories, client)
    db.session.add(WechatIdentity(app="mp", openid="o-vol-1", account_id=volunteer.account_id, subscribed=True))
    db.session.commit()

    issued = client.post(f"/api/v1/admin/activities/{activity.id}/qrcode", json={"kind": "checkin"}, headers=admin_h)
    assert issued.status_code == 200, issued.json
    body = issued.json
    assert set(body) >= {"code", "image_url", "expires_at"} and body["expires_at"].endswith("+08:00")
    png = client.get(body["image_url"].split("127.0.0.1:8000")[-1])
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert Image.open(io.BytesIO(png.data)).size[0] > 100

    scanned = client.post("/api/v1/attendance/scan", json={"code": body["code"], **VENUE}, headers=vol_h)
    assert scanned.status_code == 200, scanned.json
    assert scanned.json["kind"] == "checkin" and scanned.json["activity_id"] == activity.id
    again = client.post("/api/v1/attendance/scan", json={"code": body["code"], **VENUE}, headers=vol_h)
    assert again.json == scanned.json

    later = utcnow() + timedelta(minutes=75)
    monkeypatch.setattr(clock_codes, "utcnow", lambda: later)
    monkeypatch.setattr(clocking, "utcnow", lambda: later)
    out_code = client.post(f"/api/v1/admin/activities/{activity.id}/qrcode", json={"kind": "checkout"},
                           headers=admin_h).json["code"]
    out = client.post("/api/v1/attendance/scan", json={"code": out_code, **VENUE}, headers=vol_h)
    assert out.status_code == 200 and out.json["kind"] == "checkout" and out.json["minutes"] == 75

    assert db.session.execute(db.select(db.func.count(ServiceRecord.id))).scalar_one() == 1
    records = client.get("/api/v1/me/records", headers=vol_h).json
    assert records["total_minutes"] == 75 and records["star_level"] == 0
    assert records["minutes_to_next_star"] == 100 * 60 - 75
    assert [(r["minutes"], r["status"], r["activity_title"]) for r in records["records"]] == [
        (75, "effective", "东山街长者关爱探访")]
    scans = client.get("/api/v1/me/scans", headers=vol_h).json["items"]
    assert [s["kind"] for s in scans] == ["checkout", "checkin"]
    assert client.get("/api/v1/me", headers=vol_h).json["volunteer"]["total_minutes"] == 75

    board = client.get(f"/api/v1/hours-board?activity_id={activity.id}").json["items"]
    assert len(board) == 1 and board[0]["volunteer_name"] == "陈**" and board[0]["minutes"] == 75
    assert board[0]["volunteer_number"] != volunteer.volunteer_number
    assert (
        board[0]["volunteer_number"].endswith(volunteer.volunteer_number[-4:]) and "*" in board[0]["volunteer_number"]
    )

    run_jobs()
    sent = [m for m in emulator.state.sent if m["template_id"] == "TPL_HOURS_RECORDED"]
    assert len(sent) == 1 and sent[0]["touser"] == "o-vol-1"
    assert sent[0]["data"]["keyword1"]["value"] == "东山街长者关爱探访"
    assert sent[0]["data"]["keyword2"]["value"] == "1小时15分钟"


def test_scan_refusals_through_the_api(client, factories):
    org, admin, activity, volunteer, admin_h, vol_h = setup(factories, client, require_location=True)
    code = client.post(
        f"/api/v1/admin/activities/{activity.id}/qrcode", json={"kind": "checkin"}, headers=admin_h
    ).json["code"]
    forged = code[:5] + ("A" if code[5] != "A" else "B") + code[6:]
    cases = [
        ({"code": forged, **VENUE}, 400, "CLOCK_CODE_INVALID"),
        ({"code": code}, 422, "CLOCK_LOCATION_REQUIRED"),
        ({"code": code, "latitude": 23.2, "longitude": 113.2950}, 403, "CLOCK_TOO_FAR"),
        ({"code": code, "latitude": 123, "longitude": 1}, 422, "VALIDATION_ERROR"),
        ({"code": ""}, 422, "VALIDATION_ERROR"),
    ]
    for payload, status, code_name in cases:
        response = client.post("/api/v1/attendance/scan", json=payload, headers=vol_h)
        assert (response.status_code, error_code(response)) == (status, code_name), payload
        assert response.json["error"]["message"]
    assert client.post("/api/v1/attendance/scan", json={"code": code}).status_code == 401
    assert db.session.execute(db.select(ClockEvent)).first() is None


def test_code_as_mini_program_code_and_parametric_qr(client, factories, emulator):
    org, admin, activity, volunteer, admin_h, vol_h = setup(factories, client)
    wxa = client.post(
        f"/api/v1/admin/activities/{activity.id}/qrcode",
        json={"kind": "checkin", "surface": "wxacode"},
        headers=admin_h,
    )
    assert wxa.status_code == 200, wxa.json
    assert emulator.state.wxacodes[-1]["scene"] == wxa.json["code"]
    assert emulator.state.wxacodes[-1]["page"] == code_images.CLOCK_PAGE
    image = client.get(wxa.json["image_url"].split("127.0.0.1:8000")[-1])
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")

    mp = client.post(
        f"/api/v1/admin/activities/{activity.id}/qrcode",
        json={"kind": "checkout", "surface": "mp_qrcode"},
        headers=admin_h,
    )
    assert mp.status_code == 200, mp.json
    scene = emulator.state.qr_scenes[mp.json["ticket"]]
    assert scene["action_name"] == "QR_STR_SCENE" and scene["scene"] == mp.json["code"]
    assert mp.json["qr_url"] == scene["url"]
    assert client.get(mp.json["image_url"].split("127.0.0.1:8000")[-1]).data.startswith(b"\x89PNG")
    # The scene the WeChat event will carry is a clock code the callback can recognise.
    assert clocking.is_clock_code(scene["scene"]) and not clocking.is_clock_code("bind:42")

    requests.post(emulator.url + "/__emulator__/fail", json={"api": "wxacode", "errcode": 45009})
    failed = client.post(
        f"/api/v1/admin/activities/{activity.id}/qrcode",
        json={"kind": "checkin", "surface": "wxacode"},
        headers=admin_h,
    )
    assert (failed.status_code, error_code(failed)) == (502, "WECHAT_CODE_FAILED")


def test_face_check_api(client, factories):
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org)
    volunteer = factories.volunteer(org)
    factories.enroll(activity, volunteer, status="pending")
    headers = factories.login(client, admin)
    first = client.post(
        f"/api/v1/admin/volunteers/{volunteer.id}/face-check", json={"activity_id": activity.id}, headers=headers
    )
    assert first.status_code == 200 and first.json["face_checked"] is True
    second = client.post(
        f"/api/v1/admin/volunteers/{volunteer.id}/face-check", json={"activity_id": activity.id}, headers=headers
    )
    assert (second.status_code, error_code(second)) == (409, "FACE_CHECK_DONE")
    volunteer_headers = factories.login(client, volunteer)
    assert (
        client.post(
            f"/api/v1/admin/volunteers/{volunteer.id}/face-check",
            json={"activity_id": activity.id},
            headers=volunteer_headers,
        ).status_code
        == 403
    )
    assert client.get("/api/v1/me", headers=volunteer_headers).json["volunteer"]["face_checked"] is True


def test_dynamic_code_scanned_by_the_admin(client, factories):
    org, admin, activity, volunteer, admin_h, vol_h = setup(factories, client)
    mine = client.get("/api/v1/me/dynamic-code", headers=vol_h).json
    assert mine["refresh_in"] <= 30 and mine["code"].startswith("P")
    assert client.get(mine["image_url"].split("127.0.0.1:8000")[-1]).mimetype == "image/png"
    scanned = client.post(
        f"/api/v1/admin/activities/{activity.id}/scan-volunteer", json={"code": mine["code"]}, headers=admin_h
    )
    assert scanned.status_code == 200 and scanned.json["kind"] == "checkin"
    # A personal code is not a check-in code: the volunteer cannot scan it themself.
    refused = client.post("/api/v1/attendance/scan", json={"code": mine["code"]}, headers=vol_h)
    assert error_code(refused) == "CLOCK_CODE_INVALID"


def test_openapi_documents_the_hours_operations(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in (
        "/api/v1/attendance/scan",
        "/api/v1/admin/activities/{activity_id}/qrcode",
        "/api/v1/admin/volunteers/{volunteer_id}/face-check",
        "/api/v1/hours-board",
        "/api/v1/objections",
        "/api/v1/me/records",
        "/api/v1/me/scans",
        "/api/v1/me/dynamic-code",
    ):
        assert path in paths, path


def test_the_clocking_service_is_the_door_for_the_wechat_callback(client, factories):
    """What the service account's SCAN / scancode handlers call: the same service, one record."""
    org, admin, activity, volunteer, admin_h, vol_h = setup(factories, client)
    code = client.post(
        f"/api/v1/admin/activities/{activity.id}/qrcode", json={"kind": "checkin"}, headers=admin_h
    ).json["code"]
    assert clocking.is_clock_code(code) and not clocking.is_clock_code("menu_hours")
    first = clocking.scan(account_id=volunteer.account_id, text=code, source="mp_scan", **VENUE)
    retried = clocking.scan(account_id=volunteer.account_id, text=code, source="mp_scancode", **VENUE)
    from_app = client.post("/api/v1/attendance/scan", json={"code": code, **VENUE}, headers=vol_h).json
    assert first == retried == from_app and first["kind"] == "checkin"
    assert db.session.execute(db.select(db.func.count(ClockEvent.id))).scalar_one() == 1
