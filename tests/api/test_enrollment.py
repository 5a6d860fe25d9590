"""Enrollment and cancellation by the volunteer: who, when, how many, which position."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Activity, Enrollment, Position
from app.timeutil import utcnow
from tests.activity_helpers import bearer, code


def enroll(client, activity, volunteer, **body):
    return client.post(f"/api/v1/activities/{activity.id}/enrollment", json=body or None, headers=bearer(volunteer))


def test_an_approved_volunteer_enrolls_and_cancels(client, factories):
    org = factories.org()
    activity = factories.activity(org, quota=2)
    volunteer = factories.volunteer(org)
    response = enroll(client, activity, volunteer)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "pending" and response.json["status_label"] == "待录用"
    db.session.refresh(activity)
    assert activity.taken_count == 1
    page = client.get(f"/api/v1/activities/{activity.id}", headers=bearer(volunteer)).json
    assert page["my_enrollment"]["status"] == "pending" and page["remaining"] == 1
    assert page["contact_phone"] is not None  # holders may call the organiser
    response = client.delete(f"/api/v1/activities/{activity.id}/enrollment", headers=bearer(volunteer))
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    db.session.refresh(activity)
    assert activity.taken_count == 0  # the place is free again
    # changed their mind again: enroll once more while it is open
    assert enroll(client, activity, volunteer).json["status"] == "pending"


def test_an_account_without_volunteer_profile_cannot_enroll(client, factories):
    activity = factories.activity(factories.org())
    response = enroll(client, activity, factories.account())
    assert response.status_code == 403 and code(response) == "NOT_A_VOLUNTEER"
    assert client.post(f"/api/v1/activities/{activity.id}/enrollment").status_code == 401


# A rejected volunteer's session is held to 完善资料 first (the accounts gate answers before
# enrollment's own rule); a pending one meets enrollment's rule.
@pytest.mark.parametrize("review, expected", [("pending", "VOLUNTEER_NOT_APPROVED"),
                                              ("rejected", "ACCOUNT_REJECTED")])
def test_only_approved_volunteers_enroll(client, factories, review, expected):
    org = factories.org()
    response = enroll(client, factories.activity(org), factories.volunteer(org, status=review))
    assert response.status_code == 403 and code(response) == expected


@pytest.mark.parametrize("kind, state", [
    ("not_open", "报名未开始"), ("closed", "报名结束"), ("in_progress", "执行中"), ("ended", "已结束"),
    ("revoked", "已撤销")])
def test_only_while_enrollment_is_open(client, factories, kind, state):
    org = factories.org()
    now = utcnow()
    d = timedelta(days=1)
    activity = {
        "not_open": lambda: factories.activity(org, enroll_open=False, starts_in=20 * d),
        "closed": lambda: factories.activity(org, starts_in=3 * d, enroll_start=now - 3 * d, enroll_end=now - d),
        "in_progress": lambda: factories.activity(org, starts_in=-timedelta(hours=1), enroll_open=False),
        "ended": lambda: factories.activity(org, starts_in=-3 * d, enroll_open=False),
        "revoked": lambda: factories.activity(org, revoked_at=now),
    }[kind]()
    response = enroll(client, activity, factories.volunteer(org))
    assert response.status_code == 409 and code(response) == "ENROLLMENT_NOT_OPEN"
    assert response.json["error"]["state_label"] == state


def test_quota_full(client, factories):
    org = factories.org()
    activity = factories.activity(org, quota=1)
    assert enroll(client, activity, factories.volunteer(org)).status_code == 201
    response = enroll(client, activity, factories.volunteer(org))
    assert response.status_code == 409 and code(response) == "QUOTA_FULL"


def test_twice_is_refused(client, factories):
    org = factories.org()
    activity = factories.activity(org)
    volunteer = factories.volunteer(org)
    enroll(client, activity, volunteer)
    response = enroll(client, activity, volunteer)
    assert response.status_code == 409 and code(response) == "ALREADY_ENROLLED"
    assert db.session.get(Activity, activity.id).taken_count == 1


def test_at_most_five_pending_applications(client, factories):
    org = factories.org()
    volunteer = factories.volunteer(org)
    for _ in range(5):
        assert enroll(client, factories.activity(org), volunteer).status_code == 201
    sixth = factories.activity(org)
    response = enroll(client, sixth, volunteer)
    assert response.status_code == 409 and code(response) == "TOO_MANY_PENDING"
    # an admission makes room
    first = db.session.execute(db.select(Enrollment).filter_by(volunteer_id=volunteer.id)).scalars().first()
    first.status = "admitted"
    db.session.commit()
    assert enroll(client, sixth, volunteer).status_code == 201


def test_positions(client, factories):
    org = factories.org()
    activity = factories.activity(org, quota=5)
    guide = Position(activity_id=activity.id, name="引导", quota=1)
    db.session.add(guide)
    db.session.commit()
    response = enroll(client, activity, factories.volunteer(org))
    assert response.status_code == 422 and code(response) == "POSITION_REQUIRED"
    response = enroll(client, activity, factories.volunteer(org), position_id=987654)
    assert response.status_code == 404 and code(response) == "POSITION_NOT_FOUND"
    first = factories.volunteer(org)
    assert enroll(client, activity, first, position_id=guide.id).json["position_id"] == guide.id
    response = enroll(client, activity, factories.volunteer(org), position_id=guide.id)
    assert response.status_code == 409 and code(response) == "POSITION_FULL"
    db.session.refresh(activity)
    assert activity.taken_count == 1  # the refused one took nothing
    client.delete(f"/api/v1/activities/{activity.id}/enrollment", headers=bearer(first))
    db.session.refresh(guide)
    assert guide.taken_count == 0
    plain = factories.activity(org)
    response = enroll(client, plain, factories.volunteer(org), position_id=guide.id)
    assert code(response) == "POSITION_NOT_FOUND"


def test_cancel_refusals(client, factories):
    org = factories.org()
    volunteer = factories.volunteer(org)
    activity = factories.activity(org)
    response = client.delete(f"/api/v1/activities/{activity.id}/enrollment", headers=bearer(volunteer))
    assert response.status_code == 404 and code(response) == "NOT_ENROLLED"
    running = factories.activity(org, starts_in=-timedelta(hours=1), enroll_open=False)
    factories.enroll(running, volunteer, status="admitted")
    response = client.delete(f"/api/v1/activities/{running.id}/enrollment", headers=bearer(volunteer))
    assert response.status_code == 409 and code(response) == "CANCEL_TOO_LATE"
    removed = factories.activity(org)
    factories.enroll(removed, volunteer, status="removed")
    response = client.delete(f"/api/v1/activities/{removed.id}/enrollment", headers=bearer(volunteer))
    assert response.status_code == 409 and code(response) == "ENROLLMENT_NOT_ACTIVE"
    response = enroll(client, removed, volunteer)
    assert response.status_code == 409 and code(response) == "ENROLLMENT_REMOVED"
    response = client.post("/api/v1/activities/999999/enrollment", headers=bearer(volunteer))
    assert response.status_code == 404 and code(response) == "ACTIVITY_NOT_FOUND"


def test_the_place_claim_itself_refuses_a_closed_activity(client, factories):
    """The conditional UPDATE re-checks the window: an activity revoked between the checks and the
    claim (here: revoked without the services, as a concurrent revocation would) is refused as
    not open, not as full."""
    from sqlalchemy import event

    from app.models import Activity as ActivityModel

    org = factories.org()
    activity = factories.activity(org)
    volunteer = factories.volunteer(org)
    headers = bearer(volunteer)

    def revoke_before_claim(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE activities SET taken_count"):
            cursor.execute(f"UPDATE activities SET revoked_at = created_at WHERE id = {int(activity_id)}")

    activity_id = activity.id
    engine = db.engine
    event.listen(engine, "before_cursor_execute", revoke_before_claim)
    try:
        response = client.post(f"/api/v1/activities/{activity_id}/enrollment", headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", revoke_before_claim)
    assert response.status_code == 409 and code(response) == "ENROLLMENT_NOT_OPEN"
    assert response.json["error"]["state"] == "revoked"
    assert db.session.get(ActivityModel, activity_id).taken_count == 0
