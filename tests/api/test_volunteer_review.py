"""审核 end to end through the API: reject → 完善资料 → approve, notified by SMS and WeChat."""
import pytest

from app.extensions import db
from app.models import AuditLog, Organisation, Volunteer, WechatIdentity
from tests.api.accounts_helpers import bearer, error_code, login, new_identity, register, sms_to


def test_review_reject_resubmit_approve_end_to_end(client, factories, emulator, run_jobs):
    org = factories.org("东山街志愿服务队")
    admin_headers = factories.login(client, factories.admin(org))
    response, body = register(client, emulator, run_jobs, org, real_name="李小明")
    volunteer_id = response.json["volunteer_id"]
    run_jobs()  # identity check: 通过
    volunteer = db.session.get(Volunteer, volunteer_id)
    db.session.add(WechatIdentity(app="mp", openid="o-li", account_id=volunteer.account_id, subscribed=True))
    db.session.commit()

    pending = client.get("/api/v1/admin/volunteers?status=pending", headers=admin_headers)
    assert pending.status_code == 200
    [item] = pending.json["items"]
    assert item["id"] == volunteer_id and item["may_review"] is True
    assert item["id_number"] == body["id_number"][:10] + "********"
    assert item["phone"] == body["phone"][:3] + "****" + body["phone"][-4:]
    assert body["id_number"] not in pending.get_data(as_text=True)

    no_reason = client.post(f"/api/v1/admin/volunteers/{volunteer_id}/review", json={"approve": False},
                            headers=admin_headers)
    assert no_reason.status_code == 422 and error_code(no_reason) == "REASON_REQUIRED"
    blank = client.post(f"/api/v1/admin/volunteers/{volunteer_id}/review", json={"approve": False, "reason": "  "},
                        headers=admin_headers)
    assert error_code(blank) == "REASON_REQUIRED"

    rejected = client.post(f"/api/v1/admin/volunteers/{volunteer_id}/review",
                           json={"approve": False, "reason": "姓名与证件不符"}, headers=admin_headers)
    assert rejected.status_code == 200 and rejected.json["review_status"] == "rejected"
    reread = client.get(f"/api/v1/admin/volunteers/{volunteer_id}", headers=admin_headers).json
    assert (reread["review_status"], reread["review_reason"]) == ("rejected", "姓名与证件不符")
    twice = client.post(f"/api/v1/admin/volunteers/{volunteer_id}/review",
                        json={"approve": True}, headers=admin_headers)
    assert twice.status_code == 409 and error_code(twice) == "ALREADY_REVIEWED"
    run_jobs()
    assert any("姓名与证件不符" in t and "完善资料" in t for t in sms_to(emulator, body["phone"]))
    template = [m for m in emulator.state.sent if m["channel"] == "template" and m["touser"] == "o-li"]
    assert template[-1]["data"]["keyword2"]["value"] == "未通过"
    assert template[-1]["data"]["keyword3"]["value"] == "姓名与证件不符"

    # The rejected volunteer logs in, may only fix the profile, and resubmits.
    session = login(client, body["phone"], body["password"])
    assert session.status_code == 200 and session.json["restriction"] == "ACCOUNT_REJECTED"
    headers = bearer(session)
    blocked = client.get("/api/v1/me", headers=headers)
    assert blocked.status_code == 403 and error_code(blocked) == "ACCOUNT_REJECTED"
    profile = client.get("/api/v1/me/profile", headers=headers)
    assert profile.json["volunteer"]["review_reason"] == "姓名与证件不符"
    fixed = client.patch("/api/v1/me/profile", json={"real_name": "李晓明"}, headers=headers)
    assert fixed.status_code == 200, fixed.json
    assert fixed.json["volunteer"]["review_status"] == "pending"
    assert fixed.json["volunteer"]["identity_check_status"] == "requested"  # the name changed: checked again
    assert error_code(login(client, body["phone"], body["password"])) == "ACCOUNT_PENDING"
    run_jobs()

    org_before = db.session.get(Organisation, org.id).volunteer_count
    approved = client.post(f"/api/v1/admin/volunteers/{volunteer_id}/review", json={"approve": True},
                           headers=admin_headers)
    assert approved.status_code == 200 and approved.json["review_status"] == "approved"
    run_jobs()
    assert any("已通过" in t for t in sms_to(emulator, body["phone"]))
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).volunteer_count == org_before + 1
    me = client.get("/api/v1/me", headers=bearer(login(client, body["phone"], body["password"])))
    assert me.status_code == 200 and me.json["volunteer"]["review_status"] == "approved"
    actions = db.session.execute(db.select(AuditLog.action, AuditLog.actor_account_id)).all()
    assert [a for a, _ in actions].count("volunteer.review") == 2


@pytest.mark.parametrize("state", ["requested", "verifying", "failed"])
def test_review_only_while_the_check_is_passed_or_unknown(client, factories, state):
    org = factories.org()
    headers = factories.login(client, factories.admin(org))
    volunteer = factories.volunteer(org, status="pending", identity=state)
    for approve, reason in ((True, None), (False, "x")):
        response = client.post(f"/api/v1/admin/volunteers/{volunteer.id}/review",
                               json={"approve": approve, "reason": reason}, headers=headers)
        assert response.status_code == 409 and error_code(response) == "REVIEW_NOT_ALLOWED"
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).review_status == "pending"


def test_unknown_check_may_be_approved(client, factories):
    org = factories.org()
    headers = factories.login(client, factories.admin(org))
    volunteer = factories.volunteer(org, status="pending", identity="unknown")
    response = client.post(f"/api/v1/admin/volunteers/{volunteer.id}/review", json={"approve": True},
                           headers=headers)
    assert response.status_code == 200 and response.json["review_status"] == "approved"
    reread = client.get(f"/api/v1/admin/volunteers/{volunteer.id}", headers=headers).json
    assert (reread["review_status"], reread["identity_check_status"]) == ("approved", "unknown")
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).review_status == "approved"


def test_a_failed_check_is_resubmitted_with_a_corrected_number(client, factories, emulator, run_jobs):
    org = factories.org()
    response, body = register(client, emulator, run_jobs, org, id_number=new_identity(sequence=0)["id_number"])
    run_jobs()
    headers = bearer(login(client, body["phone"], body["password"]))
    corrected = new_identity(sequence=7)["id_number"]
    fixed = client.patch("/api/v1/me/profile", json={"id_number": corrected}, headers=headers)
    assert fixed.status_code == 200 and fixed.json["id_number"] == corrected
    run_jobs()
    volunteer = db.session.get(Volunteer, response.json["volunteer_id"])
    assert (volunteer.review_status, volunteer.identity_check_status) == ("pending", "passed")


def test_an_approved_volunteer_cannot_change_name_or_id_by_profile(client, factories):
    volunteer = factories.volunteer(factories.org())
    headers = factories.login(client, volunteer)
    response = client.patch("/api/v1/me/profile", json={"real_name": "别人"}, headers=headers)
    assert response.status_code == 422 and "real_name" in response.json["error"]["fields"]
    ok = client.patch("/api/v1/me/profile", json={"education": "硕士", "email": "me@example.org"}, headers=headers)
    assert ok.status_code == 200 and ok.json["email"] == "me@example.org"


def test_admin_list_filters_by_status_and_keyword(client, factories):
    org = factories.org()
    headers = factories.login(client, factories.admin(org))
    one = factories.volunteer(org, status="pending", real_name="王一")
    factories.volunteer(org, status="approved", real_name="王二")
    factories.volunteer(org, status="rejected", real_name="张三")
    assert client.get("/api/v1/admin/volunteers?status=rejected", headers=headers).json["total"] == 1
    by_name = client.get("/api/v1/admin/volunteers?keyword=王", headers=headers).json
    assert by_name["total"] == 2
    by_phone = client.get(f"/api/v1/admin/volunteers?keyword={one.account.phone}", headers=headers).json
    assert [v["id"] for v in by_phone["items"]] == [one.id]
    bad = client.get("/api/v1/admin/volunteers?status=whatever", headers=headers)
    assert bad.status_code == 422 and "status" in bad.json["error"]["fields"]


def test_volunteers_cannot_use_admin_operations(client, factories):
    org = factories.org()
    volunteer = factories.volunteer(org)
    headers = factories.login(client, volunteer)
    listing = client.get("/api/v1/admin/volunteers", headers=headers)
    assert listing.status_code == 403 and error_code(listing) == "FORBIDDEN"
    pending = factories.volunteer(org, status="pending")
    response = client.post(f"/api/v1/admin/volunteers/{pending.id}/review", json={"approve": True},
                           headers=headers)
    assert response.status_code == 403 and error_code(response) == "FORBIDDEN"
    db.session.expire_all()
    assert db.session.get(Volunteer, pending.id).review_status == "pending"


def test_changing_the_phone_needs_a_code_sent_to_the_new_phone(client, factories, emulator, run_jobs):
    from tests.api.accounts_helpers import last_code, request_code

    volunteer = factories.volunteer(factories.org())
    headers = factories.login(client, volunteer)
    new_phone = new_identity()["phone"]
    no_code = client.patch("/api/v1/me/profile", json={"phone": new_phone, "sms_code": "123456"}, headers=headers)
    assert error_code(no_code) == "CODE_INVALID"
    taken = client.patch("/api/v1/me/profile", json={"phone": factories.volunteer(volunteer.home_org).account.phone},
                         headers=headers)
    assert error_code(taken) == "PHONE_EXISTS"
    assert request_code(client, new_phone, purpose="change_phone").status_code == 202
    run_jobs()
    changed = client.patch("/api/v1/me/profile",
                           json={"phone": new_phone, "sms_code": last_code(emulator, phone=new_phone)},
                           headers=headers)
    assert changed.status_code == 200 and changed.json["phone"] == new_phone
    assert login(client, new_phone, "Passw0rd!").status_code == 200
