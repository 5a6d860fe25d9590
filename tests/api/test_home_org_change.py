"""Changing the home organisation: effective only after the new organisation approves."""
from app.extensions import db
from app.models import AuditLog, Organisation, Volunteer
from tests.api.accounts_helpers import error_code, sms_to


def counts(*orgs):
    db.session.expire_all()
    return [db.session.get(Organisation, o.id).volunteer_count for o in orgs]


def test_the_move_waits_for_the_new_organisation_then_moves_the_counts(client, factories, emulator, run_jobs):
    old, new = factories.org("旧队"), factories.org("新队")
    volunteer = factories.volunteer(old)
    old.volunteer_count = 1
    db.session.commit()
    headers = factories.login(client, volunteer)
    new_admin = factories.login(client, factories.admin(new))
    old_admin = factories.login(client, factories.admin(old))

    asked = client.post("/api/v1/me/home-org-change", json={"org_id": new.id}, headers=headers)
    assert asked.status_code == 201 and asked.json["status"] == "pending"
    change_id = asked.json["id"]
    again = client.post("/api/v1/me/home-org-change", json={"org_id": new.id}, headers=headers)
    assert error_code(again) == "HOME_ORG_CHANGE_PENDING"
    assert db.session.get(Volunteer, volunteer.id).home_org_id == old.id  # the old one stays until approved

    assert client.get("/api/v1/admin/home-org-changes", headers=old_admin).json["items"] == []
    decided_by_old = client.post(f"/api/v1/admin/home-org-changes/{change_id}/decision", json={"approve": True},
                                 headers=old_admin)
    assert decided_by_old.status_code == 404
    [listed] = client.get("/api/v1/admin/home-org-changes", headers=new_admin).json["items"]
    assert listed["id"] == change_id
    no_reason = client.post(f"/api/v1/admin/home-org-changes/{change_id}/decision", json={"approve": False},
                            headers=new_admin)
    assert error_code(no_reason) == "REASON_REQUIRED"
    approved = client.post(f"/api/v1/admin/home-org-changes/{change_id}/decision", json={"approve": True},
                           headers=new_admin)
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    twice = client.post(f"/api/v1/admin/home-org-changes/{change_id}/decision", json={"approve": True},
                        headers=new_admin)
    assert error_code(twice) == "ALREADY_DECIDED"
    db.session.expire_all()
    moved = db.session.get(Volunteer, volunteer.id)
    assert (moved.home_org_id, moved.pending_home_org_id) == (new.id, None)
    assert counts(old, new) == [0, 1]
    run_jobs()
    assert any("新队" in t for t in sms_to(emulator, volunteer.account.phone))
    assert db.session.execute(db.select(AuditLog).filter_by(action="volunteer.home_org_change")).scalar_one()


def test_a_rejected_move_keeps_the_old_home_and_may_be_asked_again(client, factories):
    old, new = factories.org(), factories.org()
    volunteer = factories.volunteer(old)
    headers = factories.login(client, volunteer)
    change_id = client.post("/api/v1/me/home-org-change", json={"org_id": new.id}, headers=headers).json["id"]
    rejected = client.post(f"/api/v1/admin/home-org-changes/{change_id}/decision",
                           json={"approve": False, "reason": "不认识此人"},
                           headers=factories.login(client, factories.admin(new)))
    assert rejected.json["status"] == "rejected"
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).home_org_id == old.id
    assert client.post("/api/v1/me/home-org-change", json={"org_id": new.id}, headers=headers).status_code == 201


def test_move_rejections(client, factories):
    org = factories.org()
    volunteer = factories.volunteer(org)
    headers = factories.login(client, volunteer)
    same = client.post("/api/v1/me/home-org-change", json={"org_id": org.id}, headers=headers)
    assert error_code(same) == "HOME_ORG_SAME"
    nowhere = client.post("/api/v1/me/home-org-change", json={"org_id": 999999}, headers=headers)
    assert error_code(nowhere) == "ORG_NOT_FOUND"
    admin_only = factories.login(client, factories.admin(org))
    assert error_code(client.post("/api/v1/me/home-org-change", json={"org_id": org.id},
                                  headers=admin_only)) == "NOT_A_VOLUNTEER"
    rejected = factories.volunteer(org, status="rejected")
    response = client.post("/api/v1/me/home-org-change", json={"org_id": factories.org().id},
                           headers=factories.login(client, rejected))
    # a rejected volunteer fixes the home organisation through 完善资料 instead
    assert error_code(response) == "ACCOUNT_REJECTED"
    other = factories.org()
    fixed = client.patch(
        "/api/v1/me/profile", json={"home_org_id": other.id}, headers=factories.login(client, rejected)
    )
    assert fixed.json["volunteer"]["home_org"]["id"] == other.id
    assert fixed.json["volunteer"]["review_status"] == "pending"
