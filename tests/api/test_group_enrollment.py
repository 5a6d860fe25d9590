"""团体报名: an admin enrolls a group of own volunteers in another organisation's activity, within the
quota, all or nothing."""
from app.extensions import db
from app.models import Activity, AuditLog, Enrollment, OrgMembership, Shift
from tests.api.accounts_helpers import error_code


def enrolled_count(activity):
    db.session.expire_all()
    return db.session.execute(db.select(db.func.count()).select_from(Enrollment)
                              .filter_by(activity_id=activity.id, status="pending")).scalar_one()


def group(client, headers, activity, org, ids, **extra):
    return client.post(f"/api/v1/admin/activities/{activity.id}/group-enrollments",
                       json={"org_id": org.id, "volunteer_ids": ids, **extra}, headers=headers)


def test_a_group_of_own_volunteers_and_members_is_enrolled_at_once(client, factories):
    host, team, elsewhere = factories.org("主办方"), factories.org("东山街志愿服务队"), factories.org()
    activity = factories.activity(host, quota=5)
    admin = factories.login(client, factories.admin(team))
    own = [factories.volunteer(team) for _ in range(2)]
    member = factories.volunteer(elsewhere)
    db.session.add(OrgMembership(org_id=team.id, volunteer_id=member.id, status="joined"))
    db.session.commit()

    made = group(client, admin, activity, team, [v.id for v in own] + [member.id])
    assert made.status_code == 201, made.json
    assert made.json["enrolled"] == [own[0].id, own[1].id, member.id]
    assert {e["status"] for e in made.json["enrollments"]} == {"pending"}
    assert db.session.get(Activity, activity.id).taken_count == 3
    # each volunteer sees it as their own enrollment
    mine = client.get(f"/api/v1/activities/{activity.id}", headers=factories.login(client, member)).json
    assert mine["my_enrollment"]["status"] == "pending"
    audit = db.session.execute(db.select(AuditLog).filter_by(action="activity.group_enroll")).scalar_one()
    assert audit.org_id == team.id and audit.detail["activity_org_id"] == host.id


def test_one_refusal_refuses_the_whole_group(client, factories):
    host, team = factories.org(), factories.org()
    activity = factories.activity(host, quota=10)
    admin = factories.login(client, factories.admin(team))
    ok = factories.volunteer(team)
    stranger = factories.volunteer(factories.org())
    pending = factories.volunteer(team, status="pending")
    already = factories.volunteer(team)
    factories.enroll(activity, already, status="pending")

    refused = group(client, admin, activity, team, [ok.id, stranger.id, pending.id, already.id])
    assert refused.status_code == 409 and error_code(refused) == "GROUP_ENROLLMENT_REFUSED"
    assert {(r["volunteer_id"], r["code"]) for r in refused.json["error"]["refused"]} == {
        (stranger.id, "VOLUNTEER_NOT_IN_ORG"), (pending.id, "VOLUNTEER_NOT_APPROVED"),
        (already.id, "ALREADY_ENROLLED")}
    assert enrolled_count(activity) == 1  # only the one enrolled before: nobody of the group
    assert db.session.get(Activity, activity.id).taken_count == 1


def test_the_group_fits_in_the_places_left_or_nobody_is_enrolled(client, factories):
    host, team = factories.org(), factories.org()
    activity = factories.activity(host, quota=3)
    admin = factories.login(client, factories.admin(team))
    volunteers = [factories.volunteer(team) for _ in range(4)]
    too_many = group(client, admin, activity, team, [v.id for v in volunteers])
    assert too_many.status_code == 409 and error_code(too_many) == "QUOTA_FULL"
    assert too_many.json["error"]["places_left"] == 3
    assert enrolled_count(activity) == 0 and db.session.get(Activity, activity.id).taken_count == 0
    assert group(client, admin, activity, team, [v.id for v in volunteers[:3]]).status_code == 201


def test_a_shifts_capacity_holds_for_a_group(client, factories):
    host, team = factories.org(), factories.org()
    activity = factories.activity(host, quota=20)
    shift = Shift(activity_id=activity.id, starts_at=activity.start_at, ends_at=activity.end_at, capacity=2,
                  taken_count=0)
    db.session.add(shift)
    db.session.commit()
    admin = factories.login(client, factories.admin(team))
    volunteers = [factories.volunteer(team) for _ in range(3)]
    assert error_code(group(client, admin, activity, team, [v.id for v in volunteers])) == "SHIFT_REQUIRED"
    full = group(client, admin, activity, team, [v.id for v in volunteers], shift_id=shift.id)
    assert error_code(full) == "SHIFT_FULL" and full.json["error"]["places_left"] == 2
    assert db.session.get(Activity, activity.id).taken_count == 0
    assert group(client, admin, activity, team, [v.id for v in volunteers[:2]], shift_id=shift.id).status_code == 201


def test_only_for_an_organisation_the_admin_manages_and_an_open_activity(client, factories):
    host, team, other = factories.org(), factories.org(), factories.org()
    activity = factories.activity(host)
    admin = factories.login(client, factories.admin(team))
    volunteer = factories.volunteer(other)
    assert group(client, admin, activity, other, [volunteer.id]).status_code == 404
    assert error_code(group(client, admin, activity, team, [])) == "GROUP_EMPTY"
    closed = factories.activity(host, enroll_open=False)
    refused = group(client, admin, closed, team, [factories.volunteer(team).id])
    assert error_code(refused) == "ENROLLMENT_NOT_OPEN"
    volunteer_h = factories.login(client, factories.volunteer(team))
    assert group(client, volunteer_h, activity, team, [volunteer.id]).status_code == 403
