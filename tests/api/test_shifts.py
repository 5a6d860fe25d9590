"""排班: shifts with their own capacity, picked at enrollment, never overbooked under concurrency,
listed in 我的排班, and clocking that follows the shift's times."""
from datetime import timedelta

from app.extensions import db
from app.models import Activity, Enrollment, Shift
from app.services import clock_codes, clocking
from app.timeutil import to_iso
from tests.api.accounts_helpers import error_code
from tests.services.test_enrollment_concurrency import press_at_once, tokens_for

VENUE = {"latitude": 23.1235, "longitude": 113.2950}


def whole_seconds(activity):
    """Times sent as ISO 8601 carry whole seconds: the activity's own times likewise."""
    activity.start_at = activity.start_at.replace(microsecond=0)
    activity.end_at = activity.end_at.replace(microsecond=0)
    db.session.commit()
    return activity


def add_shift(client, admin_h, activity, start, end, capacity):
    return client.post(f"/api/v1/admin/activities/{activity.id}/shifts",
                       json={"starts_at": to_iso(start), "ends_at": to_iso(end), "capacity": capacity},
                       headers=admin_h)


def test_the_admin_defines_shifts_and_volunteers_pick_one(client, factories):
    org = factories.org()
    admin_h = factories.login(client, factories.admin(org))
    activity = whole_seconds(factories.activity(org, hours=8, quota=20))
    morning = add_shift(client, admin_h, activity, activity.start_at, activity.start_at + timedelta(hours=4), 1)
    assert morning.status_code == 201 and morning.json["places_left"] == 1, morning.json
    afternoon = add_shift(client, admin_h, activity, activity.start_at + timedelta(hours=4), activity.end_at, 5).json
    outside = add_shift(client, admin_h, activity, activity.end_at, activity.end_at + timedelta(hours=1), 5)
    assert outside.status_code == 422 and error_code(outside) == "SHIFT_OUTSIDE_ACTIVITY"
    backwards = add_shift(client, admin_h, activity, activity.end_at, activity.start_at, 5)
    assert error_code(backwards) == "SHIFT_TIMES_INVALID"
    stranger = factories.login(client, factories.admin(factories.org()))
    assert add_shift(client, stranger, activity, activity.start_at, activity.end_at, 5).status_code == 404

    listed = client.get(f"/api/v1/activities/{activity.id}/shifts").json["items"]
    assert [s["id"] for s in listed] == [morning.json["id"], afternoon["id"]]

    alice, bob = factories.volunteer(org), factories.volunteer(org)
    alice_h, bob_h = factories.login(client, alice), factories.login(client, bob)
    url = f"/api/v1/activities/{activity.id}/enrollment"
    assert error_code(client.post(url, json={}, headers=alice_h)) == "SHIFT_REQUIRED"
    assert error_code(client.post(url, json={"shift_id": 999999}, headers=alice_h)) == "SHIFT_NOT_FOUND"
    taken = client.post(url, json={"shift_id": morning.json["id"]}, headers=alice_h)
    assert taken.status_code == 201 and taken.json["shift_id"] == morning.json["id"]
    full = client.post(url, json={"shift_id": morning.json["id"]}, headers=bob_h)
    assert full.status_code == 409 and error_code(full) == "SHIFT_FULL"
    assert client.post(url, json={"shift_id": afternoon["id"]}, headers=bob_h).status_code == 201

    [mine] = client.get("/api/v1/me/shifts", headers=alice_h).json["items"]
    assert (mine["id"], mine["enrollment_status"]) == (morning.json["id"], "pending")
    assert mine["activity_title"] == "测试活动"
    in_use = client.delete(f"/api/v1/admin/activities/{activity.id}/shifts/{morning.json['id']}", headers=admin_h)
    assert error_code(in_use) == "SHIFT_IN_USE"
    cancelled = client.delete(url, headers=alice_h)
    assert cancelled.status_code == 200
    assert client.get("/api/v1/me/shifts", headers=alice_h).json["items"] == []
    db.session.expire_all()
    assert db.session.get(Shift, morning.json["id"]).taken_count == 0  # the place went back
    left = client.delete(f"/api/v1/admin/activities/{activity.id}/shifts/{morning.json['id']}", headers=admin_h)
    assert [s["id"] for s in left.json["items"]] == [afternoon["id"]]


def test_fifty_volunteers_at_once_for_a_shift_of_ten(app, client, factories):
    org = factories.org()
    activity = factories.activity(org, quota=100, hours=6)
    shift = Shift(activity_id=activity.id, starts_at=activity.start_at, ends_at=activity.start_at + timedelta(hours=2),
                  capacity=10, taken_count=0)
    db.session.add(shift)
    db.session.commit()
    volunteers = [factories.volunteer(org) for _ in range(50)]
    results = press_at_once(app, f"/api/v1/activities/{activity.id}/enrollment", tokens_for(volunteers),
                            body={"shift_id": shift.id})
    assert sum(1 for status, _ in results if status == 201) == 10
    assert {(status, code) for status, code in results if status != 201} == {(409, "SHIFT_FULL")}
    db.session.rollback()  # a fresh snapshot (MariaDB: REPEATABLE READ)
    assert db.session.get(Shift, shift.id).taken_count == 10
    assert db.session.get(Activity, activity.id).taken_count == 10  # refused ones gave their place back
    assert db.session.execute(db.select(db.func.count()).select_from(Enrollment)).scalar_one() == 10


def test_check_in_and_out_follow_the_shift(client, factories, monkeypatch):
    org = factories.org()
    admin_h = factories.login(client, factories.admin(org))
    activity = factories.activity(org, starts_in=-timedelta(hours=1), hours=8, enroll_open=False)
    later = Shift(activity_id=activity.id, starts_at=activity.start_at + timedelta(hours=3),
                  ends_at=activity.start_at + timedelta(hours=5), capacity=5, taken_count=1)
    db.session.add(later)
    db.session.commit()
    volunteer = factories.volunteer(org, face_checked=True)
    enrollment = factories.enroll(activity, volunteer)
    enrollment.shift_id = later.id
    db.session.commit()
    vol_h = factories.login(client, volunteer)

    def scan(kind, at):
        monkeypatch.setattr(clock_codes, "utcnow", lambda: at)
        monkeypatch.setattr(clocking, "utcnow", lambda: at)
        code = client.post(f"/api/v1/admin/activities/{activity.id}/qrcode", json={"kind": kind},
                           headers=admin_h).json["code"]
        return client.post("/api/v1/attendance/scan", json={"code": code, **VENUE}, headers=vol_h)

    start = activity.start_at
    early = scan("checkin", start + timedelta(hours=1))  # the activity runs, the shift has not begun
    assert early.status_code == 409 and error_code(early) == "CLOCK_OUTSIDE_SHIFT"
    assert "班次" in early.json["error"]["message"]
    assert scan("checkin", start + timedelta(hours=3, minutes=10)).json["kind"] == "checkin"
    out = scan("checkout", start + timedelta(hours=5, minutes=30))  # half an hour after the shift: clipped
    assert out.status_code == 200 and out.json["minutes"] == 110
