"""Login rules, password change, recovery by SMS or email code, and resets by an admin."""
import re

from app.extensions import db
from app.models import AuditLog
from tests.api.accounts_helpers import bearer, error_code, last_code, login, sms_to
from tests.factories import PASSWORD


def test_change_password_ends_other_sessions_and_needs_the_old_one(client, factories):
    volunteer = factories.volunteer(factories.org())
    first = factories.login(client, volunteer)
    second = factories.login(client, volunteer)
    wrong = client.post("/api/v1/me/password", json={"old_password": "nope", "new_password": "NewPass123"},
                        headers=first)
    assert wrong.status_code == 403 and error_code(wrong) == "WRONG_PASSWORD"
    weak = client.post("/api/v1/me/password", json={"old_password": PASSWORD, "new_password": "12345678"},
                       headers=first)
    assert weak.status_code == 422 and error_code(weak) == "WEAK_PASSWORD"
    changed = client.post("/api/v1/me/password", json={"old_password": PASSWORD, "new_password": "NewPass123"},
                          headers=first)
    assert changed.status_code == 200
    assert client.get("/api/v1/me", headers=second).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(changed)).status_code == 200
    assert login(client, volunteer.account.username, PASSWORD).status_code == 401
    assert login(client, volunteer.account.username, "NewPass123").status_code == 200


def test_recovery_by_sms_code(client, factories, emulator, run_jobs):
    volunteer = factories.volunteer(factories.org())
    phone = volunteer.account.phone
    asked = client.post("/api/v1/password-recovery/code", json={"account": volunteer.account.id_number})
    assert asked.status_code == 202 and asked.json["sent_to"] == phone[:3] + "****" + phone[-4:]
    run_jobs()
    code = last_code(emulator, phone=phone)
    body = {"account": volunteer.account.id_number, "code": code, "new_password": "Recovered1"}
    weak = client.post("/api/v1/password-recovery/reset", json={**body, "new_password": "abc"})
    assert error_code(weak) == "WEAK_PASSWORD"
    assert client.post("/api/v1/password-recovery/reset", json=body).status_code == 204
    replay = client.post("/api/v1/password-recovery/reset", json={**body, "new_password": "Recovered2"})
    assert error_code(replay) == "CODE_INVALID"
    assert login(client, phone, "Recovered1").status_code == 200


def test_recovery_by_email_code_arrives_at_the_mail_gateway(client, factories, emulator, run_jobs):
    volunteer = factories.volunteer(factories.org())
    volunteer.account.email = "li@example.org"
    db.session.commit()
    asked = client.post("/api/v1/password-recovery/code", json={"account": "li@example.org", "channel": "email"})
    assert asked.status_code == 202 and asked.json["sent_to"] == "l***@example.org"
    run_jobs()
    [mail] = [m for m in emulator.state.sent if m["channel"] == "mail"]
    assert mail["to"] == "li@example.org" and "找回密码" in mail["subject"]
    code = last_code(emulator, email="li@example.org")
    reset = client.post("/api/v1/password-recovery/reset",
                        json={"account": "li@example.org", "channel": "email", "code": code,
                              "new_password": "ByEmail123"})
    assert reset.status_code == 204
    assert login(client, "li@example.org", "ByEmail123").status_code == 200


def test_recovery_rejections(client, factories):
    volunteer = factories.volunteer(factories.org())
    unknown = client.post("/api/v1/password-recovery/code", json={"account": "nobody"})
    assert unknown.status_code == 404 and error_code(unknown) == "ACCOUNT_NOT_FOUND"
    no_email = client.post("/api/v1/password-recovery/code",
                           json={"account": volunteer.account.username, "channel": "email"})
    assert error_code(no_email) == "NO_RECOVERY_CHANNEL"
    wrong = client.post("/api/v1/password-recovery/reset",
                        json={"account": volunteer.account.username, "code": "123456", "new_password": "Abcdefg12"})
    assert error_code(wrong) == "CODE_INVALID"
    nobody = client.post("/api/v1/password-recovery/reset",
                         json={"account": "nobody", "code": "123456", "new_password": "Abcdefg12"})
    assert error_code(nobody) == "CODE_INVALID"


def test_recovery_unlocks_a_locked_account(client, factories, emulator, run_jobs):
    volunteer = factories.volunteer(factories.org())
    for i in range(5):
        login(client, volunteer.account.username, f"bad{i}")
    assert error_code(login(client, volunteer.account.username, PASSWORD)) == "ACCOUNT_LOCKED"
    client.post("/api/v1/password-recovery/code", json={"account": volunteer.account.username})
    run_jobs()
    code = last_code(emulator, phone=volunteer.account.phone)
    client.post("/api/v1/password-recovery/reset",
                json={"account": volunteer.account.username, "code": code, "new_password": "Unlocked99"})
    assert login(client, volunteer.account.username, "Unlocked99").status_code == 200


def test_admin_reset_sends_a_temporary_password_and_forces_a_change(client, factories, emulator, run_jobs):
    org = factories.org()
    admin = factories.admin(org)
    volunteer = factories.volunteer(org)
    old_session = factories.login(client, volunteer)
    reset = client.post(f"/api/v1/admin/volunteers/{volunteer.id}/password-reset",
                        headers=factories.login(client, admin))
    assert reset.status_code == 200
    assert "temporary" not in reset.json and len(reset.json) == 1  # the admin never sees it
    assert client.get("/api/v1/me", headers=old_session).status_code == 401  # sessions revoked
    run_jobs()
    [text] = sms_to(emulator, volunteer.account.phone)
    temporary = re.search(r"临时密码为 (\w+)", text).group(1)
    assert login(client, volunteer.account.username, PASSWORD).status_code == 401

    session = login(client, volunteer.account.username, temporary)
    assert session.status_code == 200
    assert session.json["must_change_password"] is True
    assert session.json["restriction"] == "PASSWORD_CHANGE_REQUIRED"
    headers = bearer(session)
    for path in ("/api/v1/me", "/api/v1/me/profile"):
        blocked = client.get(path, headers=headers)
        assert blocked.status_code == 403 and error_code(blocked) == "PASSWORD_CHANGE_REQUIRED"
    changed = client.post("/api/v1/me/password", json={"old_password": temporary, "new_password": "MyOwn1234"},
                          headers=headers)
    assert changed.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(changed)).json["must_change_password"] is False
    row = db.session.execute(db.select(AuditLog).filter_by(action="account.password_reset")).scalar_one()
    assert (row.actor_account_id, row.target_id) == (admin.id, str(volunteer.id))


def test_rejected_and_deleted_accounts(client, factories):
    org = factories.org()
    rejected = factories.volunteer(org, status="rejected")
    session = login(client, rejected.account.username, PASSWORD)
    assert session.status_code == 200 and session.json["restriction"] == "ACCOUNT_REJECTED"
    blocked = client.get("/api/v1/me", headers=bearer(session))
    rejected_message = "您的实名审核未通过，请完善资料后重新提交。"
    assert blocked.json["error"] == {"code": "ACCOUNT_REJECTED", "message": rejected_message}
    deleted = factories.volunteer(org)
    deleted.account.status = "deleted"
    db.session.commit()
    assert error_code(login(client, deleted.account.username, PASSWORD)) == "ACCOUNT_DELETED"
    recovery = client.post("/api/v1/password-recovery/code", json={"account": deleted.account.username})
    assert error_code(recovery) == "ACCOUNT_DELETED"


def test_admin_deletes_and_restores_an_account(client, factories):
    org = factories.org()
    org.volunteer_count = 1
    db.session.commit()
    volunteer = factories.volunteer(org)
    admin = factories.login(client, factories.admin(org))
    session = factories.login(client, volunteer)
    deleted = client.post(f"/api/v1/admin/volunteers/{volunteer.id}/deletion", headers=admin)
    assert deleted.status_code == 200 and deleted.json["account_status"] == "deleted"
    assert error_code(client.get("/api/v1/me", headers=session)) in ("UNAUTHORIZED", "ACCOUNT_DELETED")
    assert error_code(login(client, volunteer.account.username, PASSWORD)) == "ACCOUNT_DELETED"
    assert client.get(f"/api/v1/organisations/{org.id}").json["volunteer_count"] == 0
    twice = client.post(f"/api/v1/admin/volunteers/{volunteer.id}/deletion", headers=admin)
    assert twice.status_code == 409
    restored = client.delete(f"/api/v1/admin/volunteers/{volunteer.id}/deletion", headers=admin)
    assert restored.json["account_status"] == "active"
    assert login(client, volunteer.account.username, PASSWORD).status_code == 200
    assert client.get(f"/api/v1/organisations/{org.id}").json["volunteer_count"] == 1


def test_an_admin_who_is_also_a_pending_volunteer_still_logs_in(client, factories):
    org = factories.org()
    volunteer = factories.volunteer(org, status="pending")
    from app.models import OrgAdmin

    db.session.add(OrgAdmin(org_id=org.id, account_id=volunteer.account_id))
    db.session.commit()
    response = login(client, volunteer.account.username, PASSWORD)
    assert response.status_code == 200
    assert response.json["account"]["id"] == volunteer.account_id
    assert response.json["account"]["admin_of"] == [{"org_id": org.id, "name": org.name}]
    assert response.json["account"]["volunteer"]["review_status"] == "pending"


def test_me_is_masked_and_me_profile_is_full_for_the_owner_only(client, factories):
    volunteer = factories.volunteer(factories.org())
    headers = factories.login(client, volunteer)
    me = client.get("/api/v1/me", headers=headers).json
    profile = client.get("/api/v1/me/profile", headers=headers).json
    assert me["id_number"] != volunteer.account.id_number and "*" in me["phone"]
    assert profile["id_number"] == volunteer.account.id_number
    assert profile["phone"] == volunteer.account.phone
    assert client.get("/api/v1/me/profile").status_code == 401
