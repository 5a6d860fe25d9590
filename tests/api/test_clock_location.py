"""A check-in code forwarded as a photo does not clock in from home: an activity with a venue
requires the volunteer's position unless its admin turned that off (audited), and a position
whose reported accuracy is worse than the radius proves nothing."""
from datetime import timedelta

from app.extensions import db
from app.models import Activity, AuditLog, ClockEvent
from tests.activity_helpers import activity_body, bearer

VENUE = {"latitude": 23.1235, "longitude": 113.2950}


def published(client, admin, **overrides):
    response = client.post("/api/v1/admin/activities", json=activity_body(**overrides), headers=bearer(admin))
    assert response.status_code == 201, response.json
    return db.session.get(Activity, response.json["id"])


def running(factories, activity, volunteer):
    """Move the activity's times so it runs now, and admit the volunteer."""
    activity.start_at -= timedelta(days=3, hours=1)
    activity.end_at -= timedelta(days=3)
    activity.enroll_start -= timedelta(days=10)
    activity.enroll_end = activity.start_at - timedelta(hours=1)
    db.session.commit()
    factories.enroll(activity, volunteer)


def code_of(client, admin, activity):
    response = client.post(f"/api/v1/admin/activities/{activity.id}/qrcode", json={"kind": "checkin"},
                           headers=bearer(admin))
    assert response.status_code == 200, response.json
    return response.json["code"]


def test_a_venue_requires_a_position_by_default_and_the_refusal_says_to_allow_location(client, factories):
    org = factories.org()
    admin = factories.admin(org)
    body = activity_body()
    del body["require_location"]  # the admin says nothing: the default
    response = client.post("/api/v1/admin/activities", json=body, headers=bearer(admin))
    assert response.status_code == 201 and response.json["require_location"] is True
    activity = db.session.get(Activity, response.json["id"])
    volunteer = factories.volunteer(org, face_checked=True)
    running(factories, activity, volunteer)
    code = code_of(client, admin, activity)

    at_home = client.post("/api/v1/attendance/scan", json={"code": code}, headers=bearer(volunteer))
    assert at_home.status_code == 422
    assert at_home.json["error"]["code"] == "CLOCK_LOCATION_REQUIRED"
    assert "允许获取位置" in at_home.json["error"]["message"]
    assert db.session.execute(db.select(db.func.count(ClockEvent.id))).scalar_one() == 0
    on_site = client.post("/api/v1/attendance/scan", json={"code": code, **VENUE}, headers=bearer(volunteer))
    assert on_site.status_code == 200 and on_site.json["kind"] == "checkin"


def test_a_position_less_accurate_than_the_radius_is_refused(client, factories):
    org = factories.org()
    admin = factories.admin(org)
    activity = published(client, admin, radius_m=300)
    volunteer = factories.volunteer(org, face_checked=True)
    running(factories, activity, volunteer)
    code = code_of(client, admin, activity)
    vague = client.post("/api/v1/attendance/scan", json={"code": code, **VENUE, "accuracy": 1500},
                        headers=bearer(volunteer))
    assert vague.status_code == 422 and vague.json["error"]["code"] == "CLOCK_POSITION_INACCURATE"
    negative = client.post("/api/v1/attendance/scan", json={"code": code, **VENUE, "accuracy": -3},
                           headers=bearer(volunteer))
    assert negative.status_code == 422 and negative.json["error"]["code"] == "VALIDATION_ERROR"
    assert db.session.execute(db.select(db.func.count(ClockEvent.id))).scalar_one() == 0
    good = client.post("/api/v1/attendance/scan", json={"code": code, **VENUE, "accuracy": 35},
                       headers=bearer(volunteer))
    assert good.status_code == 200 and good.json["kind"] == "checkin"


def test_an_online_activity_clocks_without_a_position_and_the_choice_is_audited(client, factories):
    org = factories.org()
    admin = factories.admin(org)
    activity = published(client, admin, require_location=False)
    choice = db.session.execute(db.select(AuditLog).filter_by(action="activity.require_location")).scalar_one()
    assert choice.actor_account_id == admin.id and choice.target_id == str(activity.id)
    assert choice.detail == {"require_location": False}
    volunteer = factories.volunteer(org, face_checked=True)
    running(factories, activity, volunteer)
    scanned = client.post("/api/v1/attendance/scan", json={"code": code_of(client, admin, activity)},
                          headers=bearer(volunteer))
    assert scanned.status_code == 200 and scanned.json["kind"] == "checkin"

    # Turned back on: audited again, and a position is required from then on.
    patched = client.patch(f"/api/v1/admin/activities/{activity.id}", json={"require_location": True},
                           headers=bearer(admin))
    assert patched.status_code == 200 and patched.json["require_location"] is True
    choices = db.session.execute(db.select(AuditLog).filter_by(action="activity.require_location")
                                 .order_by(AuditLog.id)).scalars().all()
    assert [c.detail for c in choices] == [{"require_location": False}, {"require_location": True}]
    other = factories.volunteer(org, face_checked=True)
    factories.enroll(activity, other)
    refused = client.post("/api/v1/attendance/scan", json={"code": code_of(client, admin, activity)},
                          headers=bearer(other))
    assert refused.json["error"]["code"] == "CLOCK_LOCATION_REQUIRED"
    # An edit that leaves the choice alone adds no such row.
    client.patch(f"/api/v1/admin/activities/{activity.id}", json={"title": "线上讲座"}, headers=bearer(admin))
    assert db.session.execute(db.select(db.func.count(AuditLog.id))
                              .filter_by(action="activity.require_location")).scalar_one() == 2
