"""Invitation, admission and removal by the admin; the volunteer's own lists."""
from datetime import timedelta
from urllib.parse import quote

from app.extensions import db
from app.models import Activity, AuditLog, Enrollment, Invitation, OutboxMessage
from tests.activity_helpers import bearer, bind_mp, code


def post_ids(client, path, headers, ids):
    return client.post(path, json={"volunteer_ids": ids}, headers=headers)


def test_invite_own_organisations_volunteers_and_refuse_others_one_by_one(client, factories, emulator, run_jobs):
    org, other = factories.org(name="东山街志愿服务队"), factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org, title="长者探访", address="署前路")
    mine = [factories.volunteer(org) for _ in range(3)]
    bind_mp(mine[0])
    stranger = factories.volunteer(other)
    unreviewed = factories.volunteer(org, status="pending")
    enrolled = factories.volunteer(org)
    factories.enroll(activity, enrolled, status="pending")
    ids = [mine[0].id, mine[1].id, mine[2].id, stranger.id, unreviewed.id, enrolled.id, 999999]
    response = post_ids(client, f"/api/v1/admin/activities/{activity.id}/invitations", bearer(admin), ids)
    assert response.status_code == 200, response.json
    assert response.json["invited"] == [v.id for v in mine]
    assert {r["volunteer_id"]: r["code"] for r in response.json["refused"]} == {
        stranger.id: "VOLUNTEER_NOT_IN_ORG", unreviewed.id: "VOLUNTEER_NOT_IN_ORG",
        enrolled.id: "ALREADY_ENROLLED", 999999: "VOLUNTEER_NOT_IN_ORG"}
    again = post_ids(client, f"/api/v1/admin/activities/{activity.id}/invitations", bearer(admin), [mine[0].id])
    assert again.json["refused"][0]["code"] == "ALREADY_INVITED"
    assert db.session.execute(db.select(db.func.count()).select_from(Invitation)).scalar_one() == 3
    run_jobs()
    template = [m for m in emulator.state.sent if m["channel"] == "template"]
    assert len(template) == 1 and template[0]["data"]["keyword1"] == {"value": "长者探访"}
    assert template[0]["data"]["keyword2"] == {"value": "东山街志愿服务队"}
    assert set(template[0]["data"]) == {"keyword1", "keyword2", "keyword3", "keyword4"}  # keywords only
    sms = [m for m in emulator.state.sent if m["channel"] == "sms"]
    assert len(sms) == 3 and all("邀请您参加志愿活动「长者探访」" in m["text"] for m in sms)
    # The invitee still has to enroll: no enrollment was made for them.
    assert db.session.execute(db.select(Enrollment).filter_by(volunteer_id=mine[1].id)).first() is None
    assert db.session.execute(db.select(AuditLog).filter_by(action="activity.invite")).scalars().first()


def test_invitation_refused_for_another_branch_and_after_enrollment_closed(client, factories):
    org, other = factories.org(), factories.org()
    activity = factories.activity(org)
    volunteer = factories.volunteer(org)
    response = post_ids(client, f"/api/v1/admin/activities/{activity.id}/invitations",
                        bearer(factories.admin(other)), [volunteer.id])
    assert response.status_code == 404 and code(response) == "NOT_FOUND"
    running = factories.activity(org, starts_in=-timedelta(hours=1), enroll_open=False)
    response = post_ids(client, f"/api/v1/admin/activities/{running.id}/invitations",
                        bearer(factories.admin(org)), [volunteer.id])
    assert response.status_code == 409 and code(response) == "INVITATION_CLOSED"
    response = client.post(f"/api/v1/admin/activities/{activity.id}/invitations", json={"volunteer_ids": []},
                           headers=bearer(factories.admin(org)))
    assert response.status_code == 422


def test_search_invitable_volunteers_by_name_and_gender(client, factories):
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org)
    zhang = factories.volunteer(org, real_name="张小明", gender="male")
    factories.volunteer(org, real_name="李嘉欣", gender="female")
    factories.volunteer(org, real_name="张晓琳", gender="female")
    factories.volunteer(factories.org(), real_name="张别人", gender="male")
    path = f"/api/v1/admin/activities/{activity.id}/invitable-volunteers"
    body = client.get(path + "?name=" + quote("张"), headers=bearer(admin)).json
    assert body["total"] == 2
    body = client.get(path + "?name=" + quote("张") + "&gender=male", headers=bearer(admin)).json
    assert [item["id"] for item in body["items"]] == [zhang.id]
    item = body["items"][0]
    assert item["real_name"] == "张**" and "*" in item["phone"] and item["invited"] is False
    post_ids(client, f"/api/v1/admin/activities/{activity.id}/invitations", bearer(admin), [zhang.id])
    body = client.get(path + "?gender=male", headers=bearer(admin)).json
    assert body["items"][0]["invited"] is True


def test_admission_of_many_notifies_each_once(client, factories, emulator, run_jobs):
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org, quota=5, title="图书馆整理")
    applicants = [factories.volunteer(org) for _ in range(3)]
    for v in applicants:
        bind_mp(v)
        assert client.post(f"/api/v1/activities/{activity.id}/enrollment", headers=bearer(v)).status_code == 201
    outsider = factories.volunteer(org)
    response = post_ids(client, f"/api/v1/admin/activities/{activity.id}/admissions", bearer(admin),
                        [applicants[0].id, applicants[1].id, outsider.id])
    assert response.json["admitted"] == [applicants[0].id, applicants[1].id]
    assert response.json["refused"] == [{"volunteer_id": outsider.id, "code": "NOT_ENROLLED",
                                         "message": "您没有报名该活动。"}]
    again = post_ids(client, f"/api/v1/admin/activities/{activity.id}/admissions", bearer(admin), [applicants[0].id])
    assert again.json["refused"][0]["code"] == "ENROLLMENT_NOT_PENDING"
    run_jobs()
    template = [m for m in emulator.state.sent if m["channel"] == "template"]
    assert sorted(m["touser"] for m in template) == sorted(f"o-mp-{v.id}" for v in applicants[:2])
    assert all(m["data"]["keyword2"] == {"value": "已录用"} and "first" not in m["data"] for m in template)
    sms = [m for m in emulator.state.sent if m["channel"] == "sms"]
    assert len(sms) == 2 and all("已录用" in m["text"] for m in sms)
    roster = client.get(f"/api/v1/admin/activities/{activity.id}/enrollments?status=admitted",
                        headers=bearer(admin)).json
    assert {item["volunteer"]["id"] for item in roster["items"]} == {applicants[0].id, applicants[1].id}
    assert roster["items"][0]["status_label"] == "已录用"


def test_removal_frees_the_place_and_notifies(client, factories, emulator, run_jobs):
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org, quota=2)
    a, b = factories.volunteer(org), factories.volunteer(org)
    for v in (a, b):
        client.post(f"/api/v1/activities/{activity.id}/enrollment", headers=bearer(v))
    post_ids(client, f"/api/v1/admin/activities/{activity.id}/admissions", bearer(admin), [a.id])
    response = post_ids(client, f"/api/v1/admin/activities/{activity.id}/removals", bearer(admin), [a.id, b.id])
    assert response.json["removed"] == [a.id, b.id]
    assert db.session.get(Activity, activity.id).taken_count == 0
    run_jobs()
    removal_sms = [m["text"] for m in emulator.state.sent if m["channel"] == "sms" and "未被" in m["text"]]
    assert len(removal_sms) == 2
    again = post_ids(client, f"/api/v1/admin/activities/{activity.id}/removals", bearer(admin), [a.id])
    assert again.json["refused"][0]["code"] == "ENROLLMENT_NOT_ACTIVE"
    ended = factories.activity(org, starts_in=-timedelta(days=3), enroll_open=False)
    response = post_ids(client, f"/api/v1/admin/activities/{ended.id}/admissions", bearer(admin), [a.id])
    assert response.status_code == 409 and code(response) == "ACTIVITY_ENDED"


def test_my_activities_in_three_groups(client, factories):
    org = factories.org()
    volunteer = factories.volunteer(org)
    waiting = factories.activity(org, title="待录用的")
    admitted = factories.activity(org, title="已录用的", starts_in=timedelta(days=4))
    past = factories.activity(org, title="结束了的", starts_in=-timedelta(days=3), enroll_open=False)
    cancelled = factories.activity(org, title="取消了的")
    factories.enroll(waiting, volunteer, status="pending")
    factories.enroll(admitted, volunteer, status="admitted")
    factories.enroll(past, volunteer, status="admitted")
    factories.enroll(cancelled, volunteer, status="cancelled")
    headers = bearer(volunteer)
    body = client.get("/api/v1/me/activities", headers=headers).json
    assert [(i["activity"]["title"], i["group_label"]) for i in body["items"]] == [
        ("结束了的", "已结束"), ("待录用的", "已报名"), ("已录用的", "已录用")]
    assert body["counts"] == {"enrolled": 1, "admitted": 1, "ended": 1}
    for group, title in (("enrolled", "待录用的"), ("admitted", "已录用的"), ("ended", "结束了的")):
        items = client.get(f"/api/v1/me/activities?group={group}", headers=headers).json["items"]
        assert [i["activity"]["title"] for i in items] == [title]
    assert client.get("/api/v1/me/activities?group=bogus", headers=headers).status_code == 422


def test_admission_message_row_is_written_with_the_change(client, factories):
    """The outbox row commits with the admission: a refused request leaves none behind."""
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org)
    v = factories.volunteer(org)
    client.post(f"/api/v1/activities/{activity.id}/enrollment", headers=bearer(v))
    post_ids(client, f"/api/v1/admin/activities/{activity.id}/admissions", bearer(admin), [v.id])
    kinds = db.session.execute(db.select(OutboxMessage.kind, OutboxMessage.channel)).all()
    assert kinds == [("admission", "sms")]


def test_two_admins_inviting_the_same_volunteer_at_once_never_fail_with_500(app, factories):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    org = factories.org()
    activity = factories.activity(org)
    volunteer = factories.volunteer(org)
    admins = [bearer(factories.admin(org)) for _ in range(4)]
    activity_id, volunteer_id = activity.id, volunteer.id
    barrier = threading.Barrier(len(admins))

    def invite(headers):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/admin/activities/{activity_id}/invitations",
                               json={"volunteer_ids": [volunteer_id]}, headers=headers)
        return response.status_code, response.json

    with ThreadPoolExecutor(max_workers=len(admins)) as pool:
        results = list(pool.map(invite, admins))
    assert all(status in (200, 409) for status, _ in results), results
    assert sum(1 for status, body in results if status == 200 and body["invited"] == [volunteer_id]) == 1
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count()).select_from(Invitation)).scalar_one() == 1
