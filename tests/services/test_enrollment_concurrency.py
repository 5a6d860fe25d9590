"""Two hundred volunteers press 报名 at once for ten places: exactly ten get one.

Real parallel requests through the app (one thread, one database connection and one
transaction each), on SQLite by default and on MariaDB with TEST_DATABASE_URL.
"""
import threading
from concurrent.futures import ThreadPoolExecutor

from app.extensions import db
from app.models import Activity, Enrollment, Position
from app.services.sessions import issue_token


def tokens_for(volunteers):
    tokens = [issue_token(3600, account_id=v.account_id)[0] for v in volunteers]
    db.session.commit()
    return tokens


def press_at_once(app, path, tokens, body=None):
    barrier = threading.Barrier(len(tokens))

    def press(token):
        client = app.test_client()
        barrier.wait()
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        return response.status_code, (response.json.get("error") or {}).get("code")

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(press, tokens))


def test_two_hundred_volunteers_for_ten_places(app, factories):
    org = factories.org()
    activity = factories.activity(org, quota=10)
    volunteers = [factories.volunteer(org) for _ in range(200)]
    results = press_at_once(app, f"/api/v1/activities/{activity.id}/enrollment", tokens_for(volunteers))

    assert sum(1 for status, _ in results if status == 201) == 10
    assert {(status, c) for status, c in results if status != 201} == {(409, "QUOTA_FULL")}
    db.session.rollback()  # a fresh snapshot (MariaDB: REPEATABLE READ)
    assert db.session.get(Activity, activity.id).taken_count == 10
    assert db.session.execute(db.select(db.func.count()).select_from(Enrollment)).scalar_one() == 10


def test_a_positions_quota_holds_too(app, factories):
    org = factories.org()
    activity = factories.activity(org, quota=20)
    position = Position(activity_id=activity.id, name="引导", quota=3)
    db.session.add(position)
    db.session.commit()
    volunteers = [factories.volunteer(org) for _ in range(40)]
    results = press_at_once(app, f"/api/v1/activities/{activity.id}/enrollment", tokens_for(volunteers),
                            body={"position_id": position.id})
    assert sum(1 for status, _ in results if status == 201) == 3
    assert {c for status, c in results if status != 201} == {"POSITION_FULL"}
    db.session.rollback()  # a fresh snapshot (MariaDB: REPEATABLE READ)
    assert db.session.get(Position, position.id).taken_count == 3
    assert db.session.get(Activity, activity.id).taken_count == 3  # refused ones gave their place back


def test_one_volunteer_pressing_six_activities_at_once_keeps_five_pending(app, factories):
    org = factories.org()
    volunteer = factories.volunteer(org)
    activities = [factories.activity(org) for _ in range(6)]
    token = tokens_for([volunteer])[0]
    barrier = threading.Barrier(6)

    def press(activity_id):
        client = app.test_client()
        barrier.wait()
        return client.post(f"/api/v1/activities/{activity_id}/enrollment",
                           headers={"Authorization": f"Bearer {token}"}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(press, [a.id for a in activities]))
    assert sorted(statuses) == [201] * 5 + [409]
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count()).select_from(Enrollment)
                              .filter_by(volunteer_id=volunteer.id, status="pending")).scalar_one() == 5
