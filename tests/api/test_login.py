"""Password login, sessions, expiry, revocation and refusal of bad input."""
from datetime import timedelta

from app.extensions import db
from app.models import AuthSession
from app.timeutil import utcnow
from tests.factories import PASSWORD


def error_code(response):
    return response.json["error"]["code"]


def test_login_then_me_returns_the_account_with_the_id_number_masked(client, factories):
    org = factories.org()
    volunteer = factories.volunteer(org)
    headers = factories.login(client, volunteer)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    body = me.json
    assert body["username"] == volunteer.account.username
    full_id = volunteer.account.id_number
    assert body["id_number"] == full_id[:10] + "********"
    assert full_id not in me.get_data(as_text=True)
    assert body["volunteer"]["review_status"] == "approved"


def test_every_identifier_logs_in_to_its_own_account(client, factories):
    org = factories.org()
    others = [factories.volunteer(org) for _ in range(2)]  # same password: only the identifier decides
    volunteer = factories.volunteer(org)
    account = volunteer.account
    account.email = "someone@example.org"
    others[0].account.email = "someone-else@example.org"
    db.session.commit()
    for identifier in (account.username, account.phone, account.id_number, "someone@example.org",
                       volunteer.volunteer_number):
        response = client.post("/api/v1/auth/login", json={"account": identifier, "password": PASSWORD})
        assert response.status_code == 200, (identifier, response.json)
        assert response.json["account"]["id"] == account.id, identifier
        assert response.json["account"]["volunteer"]["volunteer_number"] == volunteer.volunteer_number
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json['token']}"})
        assert (me.json["id"], me.json["username"]) == (account.id, account.username), identifier


def test_wrong_password_and_unknown_account_look_the_same(client, factories):
    volunteer = factories.volunteer(factories.org())
    wrong = client.post("/api/v1/auth/login", json={"account": volunteer.account.username, "password": "nope"})
    unknown = client.post("/api/v1/auth/login", json={"account": "nobody-here", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert error_code(wrong) == error_code(unknown) == "INVALID_CREDENTIALS"


def test_many_wrong_passwords_lock_the_account_even_against_the_right_one(client, factories):
    volunteer = factories.volunteer(factories.org())
    username = volunteer.account.username
    codes = [client.post("/api/v1/auth/login", json={"account": username, "password": f"bad{i}"}).status_code
             for i in range(5)]
    assert codes == [401] * 5
    locked = client.post("/api/v1/auth/login", json={"account": username, "password": PASSWORD})
    assert locked.status_code == 429
    assert error_code(locked) == "ACCOUNT_LOCKED"
    assert "锁定" in locked.json["error"]["message"]


def test_pending_and_deleted_accounts_get_the_manuals_messages(client, factories):
    org = factories.org()
    pending = factories.volunteer(org, status="pending")
    response = client.post("/api/v1/auth/login", json={"account": pending.account.username, "password": PASSWORD})
    assert response.status_code == 403
    assert response.json["error"] == {"code": "ACCOUNT_PENDING", "message": "您的帐号正在实名审批中，请耐心等待。"}

    deleted = factories.volunteer(org)
    deleted.account.status = "deleted"
    db.session.commit()
    response = client.post("/api/v1/auth/login", json={"account": deleted.account.username, "password": PASSWORD})
    assert error_code(response) == "ACCOUNT_DELETED"
    assert response.json["error"]["message"] == "帐号被删除。"


def test_demo_accounts_are_refused_without_demo_data(client, factories):
    account = factories.account(is_demo=True)
    response = client.post("/api/v1/auth/login", json={"account": account.username, "password": PASSWORD})
    assert response.status_code == 403
    assert error_code(response) == "DEMO_ACCOUNT_DISABLED"


def test_an_expired_token_is_refused(client, factories):
    headers = factories.login(client, factories.volunteer(factories.org()))
    db.session.execute(db.update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert error_code(response) == "TOKEN_EXPIRED"


def test_logout_revokes_the_token(client, factories):
    headers = factories.login(client, factories.volunteer(factories.org()))
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert error_code(response) == "UNAUTHORIZED"


def test_no_or_forged_token_is_refused(client):
    assert error_code(client.get("/api/v1/me")) == "UNAUTHORIZED"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_missing_fields_and_wrong_types_are_422_with_field_names(client):
    missing = client.post("/api/v1/auth/login", json={"account": "x"})
    assert missing.status_code == 422
    assert missing.json["error"]["code"] == "VALIDATION_ERROR"
    assert "password" in missing.json["error"]["fields"]
    wrong = client.post("/api/v1/auth/login", json={"account": 12, "password": ["a"]})
    assert wrong.status_code == 422
    assert set(wrong.json["error"]["fields"]) == {"account", "password"}
    array = client.post("/api/v1/auth/login", json=[1, 2])
    assert array.status_code == 422


def test_a_body_that_is_not_json_is_400(client):
    response = client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_code(response) == "BAD_JSON"


def test_a_10_mb_body_is_413_with_the_envelope(client):
    response = client.post("/api/v1/auth/login", data=b"x" * (10 * 1024 * 1024),
                           content_type="application/json")
    assert response.status_code == 413
    assert error_code(response) == "PAYLOAD_TOO_LARGE"
