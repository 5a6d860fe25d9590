"""Check-in / check-out codes arriving through the service account (SCAN, subscribe with
qrscene_, scancode_waitmsg) reach the clock service (app/services/clocking.py)."""
import time
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import ClockEvent
from app.services import wechat_identity
from handlers import replies


@pytest.fixture
def scene(app, client, factories):
    org = factories.org()
    admin = factories.admin(org)
    volunteer = factories.volunteer(org, face_checked=True)
    activity = factories.activity(org, starts_in=-timedelta(minutes=30), hours=4, title="社区义诊")
    factories.enroll(activity, volunteer, status="admitted")
    headers = factories.login(client, admin)

    def code(kind):
        response = client.post(f"/api/v1/admin/activities/{activity.id}/qrcode", headers=headers,
                               json={"kind": kind})
        assert response.status_code in (200, 201), response.json
        return response.json["code"]

    return {"volunteer": volunteer, "activity": activity, "code": code}


def bind(wechat, user, volunteer):
    wechat_identity.bind("mp", wechat.openid(user), volunteer.account_id)
    wechat_identity.record_subscription(wechat.openid(user), True)


def near_the_venue(wechat, user, activity):
    wechat.say(wechat.event(user, "LOCATION", Latitude=str(activity.latitude),
                            Longitude=str(activity.longitude), Precision="20"))


def clock_events(volunteer):
    db.session.commit()
    return db.session.execute(db.select(ClockEvent).filter_by(volunteer_id=volunteer.id)).scalars().all()


def test_scan_event_checks_in_once(wechat, scene):
    bind(wechat, "ana", scene["volunteer"])
    near_the_venue(wechat, "ana", scene["activity"])
    code = scene["code"]("checkin")
    reply = wechat.say(wechat.event("ana", "SCAN", EventKey=code, Ticket="t"))
    assert reply["Content"].startswith("签到成功"), reply
    assert "社区义诊" in reply["Content"]
    again = wechat.say(wechat.event("ana", "SCAN", EventKey=code, Ticket="t",
                                    create_time=int(time.time()) + 1))
    assert again["Content"].startswith("签到成功")
    assert [e.kind for e in clock_events(scene["volunteer"])] == ["checkin"]
    assert clock_events(scene["volunteer"])[0].source == "mp_scan"


def test_subscribe_with_a_clock_scene_checks_in(wechat, scene):
    bind(wechat, "ben", scene["volunteer"])
    near_the_venue(wechat, "ben", scene["activity"])
    reply = wechat.say(wechat.event("ben", "subscribe", EventKey="qrscene_" + scene["code"]("checkin"),
                                    Ticket="t"))
    assert replies.WELCOME in reply["Content"] and "签到成功" in reply["Content"]


def test_scancode_waitmsg_checks_in_then_out(wechat, scene):
    bind(wechat, "cai", scene["volunteer"])
    near_the_venue(wechat, "cai", scene["activity"])
    checkin = wechat.say(wechat.event("cai", "scancode_waitmsg", EventKey="SCAN_CLOCK",
                                      ScanCodeInfo={"ScanType": "qrcode",
                                                    "ScanResult": scene["code"]("checkin")}))
    assert checkin["Content"].startswith("签到成功"), checkin
    assert clock_events(scene["volunteer"])[0].source == "mp_scancode"
    checkout = wechat.say(wechat.event("cai", "scancode_waitmsg", EventKey="SCAN_CLOCK",
                                       create_time=int(time.time()) + 2,
                                       ScanCodeInfo={"ScanType": "qrcode",
                                                     "ScanResult": scene["code"]("checkout")}))
    assert checkout["Content"].startswith("签退成功：社区义诊"), checkout
    events = sorted(clock_events(scene["volunteer"]), key=lambda e: e.id)
    assert [(e.kind, e.source) for e in events] == [("checkin", "mp_scancode"), ("checkout", "mp_scancode")]
    assert f"本次服务 {events[1].minutes} 分钟" in checkout["Content"]


def test_an_unbound_user_scanning_a_clock_code_is_told_how_to_bind(wechat, scene):
    reply = wechat.say(wechat.event("dora", "SCAN", EventKey=scene["code"]("checkin"), Ticket="t"))
    assert reply["Content"].startswith("扫码计时需要先绑定")
    assert "/h5/bind/" in reply["Content"]


def test_a_refusal_of_the_clock_service_is_answered_in_its_words(wechat, scene, factories):
    stranger = factories.volunteer(factories.org(), face_checked=True)  # not enrolled
    bind(wechat, "eli", stranger)
    near_the_venue(wechat, "eli", scene["activity"])
    reply = wechat.say(wechat.event("eli", "SCAN", EventKey=scene["code"]("checkin"), Ticket="t"))
    assert reply["Content"].startswith("扫码计时未成功：")
    assert clock_events(stranger) == []


def test_one_code_through_every_surface_makes_one_record(wechat, scene, client, factories):
    """The issue's end-to-end path: the admin issues a code; the volunteer scans it from the
    mini-program API, then again as a SCAN event and as a scancode event (a forwarded or
    repeated scan); then checks out. One check-in, one check-out, one service record."""
    from app.models import ServiceRecord

    volunteer, activity = scene["volunteer"], scene["activity"]
    bind(wechat, "fay", volunteer)
    near_the_venue(wechat, "fay", activity)
    checkin_code = scene["code"]("checkin")
    headers = factories.login(client, volunteer)
    first = client.post("/api/v1/attendance/scan", headers=headers,
                        json={"code": checkin_code, "latitude": activity.latitude,
                              "longitude": activity.longitude})
    assert first.status_code == 200, first.json
    assert first.json["kind"] == "checkin"
    assert wechat.say(wechat.event("fay", "SCAN", EventKey=checkin_code, Ticket="t"))["Content"] \
        .startswith("签到成功")
    assert wechat.say(wechat.event("fay", "scancode_waitmsg", EventKey="SCAN_CLOCK",
                                   ScanCodeInfo={"ScanType": "qrcode", "ScanResult": checkin_code})
                      )["Content"].startswith("签到成功")
    checkout = wechat.say(wechat.event("fay", "SCAN", EventKey=scene["code"]("checkout"), Ticket="t",
                                       create_time=int(time.time()) + 3))
    assert checkout["Content"].startswith("签退成功"), checkout
    assert sorted(e.kind for e in clock_events(volunteer)) == ["checkin", "checkout"]
    records = db.session.execute(db.select(ServiceRecord).filter_by(volunteer_id=volunteer.id)).scalars().all()
    assert len(records) == 1 and records[0].activity_id == activity.id


def test_a_forwarded_code_scanned_without_a_reported_location_is_refused(wechat, scene):
    """No LOCATION event (location sharing off, or a photo of the code scanned at home): the
    activity has a venue, so the reply tells the volunteer to allow location; a reported position
    whose Precision is worse than the radius is refused too."""
    bind(wechat, "fay", scene["volunteer"])
    reply = wechat.say(wechat.event("fay", "SCAN", EventKey=scene["code"]("checkin"), Ticket="t"))
    assert reply["Content"].startswith("扫码计时未成功：") and "允许获取位置" in reply["Content"]
    activity = scene["activity"]
    wechat.say(wechat.event("fay", "LOCATION", Latitude=str(activity.latitude), Longitude=str(activity.longitude),
                            Precision="3000", create_time=int(time.time()) + 1))
    reply = wechat.say(wechat.event("fay", "SCAN", EventKey=scene["code"]("checkin"), Ticket="t",
                                    create_time=int(time.time()) + 2))
    assert reply["Content"].startswith("扫码计时未成功：") and "定位误差过大" in reply["Content"]
    assert clock_events(scene["volunteer"]) == []
