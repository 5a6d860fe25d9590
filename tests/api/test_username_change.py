"""PATCH /api/v1/me/username: once per 180 days, unique, the old name no longer logs in."""
from datetime import timedelta

from app.extensions import db
from app.models import Account, AuditLog
from app.timeutil import utcnow
from tests.api.accounts_helpers import error_code
from tests.factories import PASSWORD


def login(client, name):
    return client.post("/api/v1/auth/login", json={"account": name, "password": PASSWORD})


def test_the_username_changes_once_and_the_old_name_stops_logging_in(client, factories):
    volunteer = factories.volunteer(factories.org(), username="oldname01")
    headers = factories.login(client, volunteer)
    changed = client.patch("/api/v1/me/username", json={"username": "newname01"}, headers=headers)
    assert changed.status_code == 200 and changed.json["username"] == "newname01"
    assert changed.json["next_change_allowed_at"].endswith("+08:00")

    assert login(client, "newname01").status_code == 200
    old = login(client, "oldname01")
    assert old.status_code == 401 and error_code(old) == "INVALID_CREDENTIALS"
    assert client.get("/api/v1/me", headers=headers).json["username"] == "newname01"

    second = client.patch("/api/v1/me/username", json={"username": "third01"}, headers=headers)
    assert second.status_code == 409 and error_code(second) == "USERNAME_CHANGE_TOO_SOON"
    assert second.json["error"]["next_allowed_at"] == changed.json["next_change_allowed_at"]
    audit = db.session.execute(db.select(AuditLog).filter_by(action="account.username_change")).scalar_one()
    assert audit.detail == {"from": "oldname01", "to": "newname01"}


def test_after_180_days_it_may_change_again(client, factories):
    volunteer = factories.volunteer(factories.org())
    account = db.session.get(Account, volunteer.account_id)
    account.username_changed_at = utcnow() - timedelta(days=180, minutes=1)
    db.session.commit()
    headers = factories.login(client, volunteer)
    assert client.patch("/api/v1/me/username", json={"username": "later01"}, headers=headers).status_code == 200
    account.username_changed_at = utcnow() - timedelta(days=179)
    db.session.commit()
    too_soon = client.patch("/api/v1/me/username", json={"username": "later02"}, headers=headers)
    assert error_code(too_soon) == "USERNAME_CHANGE_TOO_SOON"


def test_taken_same_and_malformed_names_are_refused(client, factories):
    org = factories.org()
    factories.account(username="takenname")
    volunteer = factories.volunteer(org, username="myname01")
    headers = factories.login(client, volunteer)
    taken = client.patch("/api/v1/me/username", json={"username": "takenname"}, headers=headers)
    assert taken.status_code == 409 and error_code(taken) == "USERNAME_EXISTS"
    assert error_code(client.patch("/api/v1/me/username", json={"username": "myname01"},
                                   headers=headers)) == "USERNAME_SAME"
    for bad in ("ab", "13900001111", "名字不行", "x" * 40):
        refused = client.patch("/api/v1/me/username", json={"username": bad}, headers=headers)
        assert refused.status_code == 422, bad
    assert client.patch("/api/v1/me/username", json={"username": "someone"}).status_code == 401
    # none of the refusals used up the change
    assert client.patch("/api/v1/me/username", json={"username": "freshname"}, headers=headers).status_code == 200

