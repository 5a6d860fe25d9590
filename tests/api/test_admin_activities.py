"""Publishing, editing and revoking activities: every field, every refusal, scope and audit."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Activity, AuditLog, Organisation
from app.timeutil import to_iso, utcnow
from tests.activity_helpers import activity_body, bearer, bind_mp, code


def publish(client, headers, **overrides):
    return client.post("/api/v1/admin/activities", json=activity_body(**overrides), headers=headers)


def test_admin_publishes_an_activity_with_every_field(client, factories):
    org = factories.org()
    admin = factories.admin(org)
    response = publish(client, bearer(admin), positions=[{"name": "引导", "quota": 4}, {"name": "讲解", "quota": 6}],
                       is_family=True)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["state"] == "open" and body["state_label"] == "马上报名"
    assert body["organisation"]["id"] == org.id
    assert body["region_name"] == "广州市越秀区"
    assert body["contact_phone"] == "13800138000"  # the admin sees the number in full
    assert body["start_at"].endswith("+08:00")
    assert [p["name"] for p in body["positions"]] == ["引导", "讲解"]
    assert body["is_family"] is True and body["require_location"] is True and body["radius_m"] == 300
    activity = db.session.get(Activity, body["id"])
    assert activity.contact_phone_enc and "13800138000" not in activity.contact_phone_enc
    assert db.session.get(Organisation, org.id).activity_count == 1
    audit = db.session.execute(db.select(AuditLog).filter_by(action="activity.publish")).scalar_one()
    assert audit.actor_account_id == admin.id and audit.target_id == str(activity.id)


def test_contact_number_is_masked_for_the_public(client, factories):
    admin = factories.admin(factories.org())
    activity_id = publish(client, bearer(admin)).json["id"]
    detail = client.get(f"/api/v1/activities/{activity_id}").json
    assert detail["contact_phone"] == "138****8000"


@pytest.mark.parametrize("overrides, error", [
    ({"enroll_end": "ENROLL_START"}, "ENROLL_WINDOW_INVALID"),
    ({"enroll_end": "AFTER_START"}, "ENROLL_ENDS_AFTER_START"),
    ({"end_at": "START"}, "ACTIVITY_ENDS_BEFORE_START"),
    ({"quota": 0}, "QUOTA_INVALID"),
    ({"quota": -5}, "QUOTA_INVALID"),
    ({"latitude": 123.0}, "COORDINATES_INVALID"),
    ({"longitude": -190.0}, "COORDINATES_INVALID"),
    ({"latitude": None}, "COORDINATES_INVALID"),
    ({"region_code": "110101"}, "REGION_UNKNOWN"),
    ({"positions": [{"name": "引导", "quota": 0}]}, "POSITION_INVALID"),
    ({"positions": [{"name": "引导", "quota": 8}, {"name": "讲解", "quota": 8}]}, "POSITIONS_EXCEED_QUOTA"),
    ({"start_at": "2026-12-01T09:00:00"}, "VALIDATION_ERROR"),  # a time without its offset
    ({"title": ""}, "VALIDATION_ERROR"),
])
def test_invalid_activity_is_refused_with_its_code(client, factories, overrides, error):
    admin = factories.admin(factories.org())
    body = activity_body()
    for key, value in overrides.items():
        if value == "ENROLL_START":
            value = body["enroll_start"]
        elif value == "AFTER_START":
            value = to_iso(utcnow() + timedelta(days=3, hours=1))
        elif value == "START":
            value = body["start_at"]
        body[key] = value
    response = client.post("/api/v1/admin/activities", json=body, headers=bearer(admin))
    assert response.status_code in (409, 422), response.json
    assert code(response) == error
    assert db.session.execute(db.select(Activity)).first() is None


def test_volunteers_cannot_publish_and_other_branches_are_not_found(client, factories):
    province = factories.org(category="province", regional_authority=True)
    city = factories.org(parent=province, category="city")
    team = factories.org(parent=city)
    other = factories.org()
    volunteer = factories.volunteer(team)
    response = publish(client, bearer(volunteer), org_id=team.id)
    assert response.status_code == 403 and code(response) == "FORBIDDEN"
    # An admin of another branch cannot publish for it, nor see, edit or revoke its activities.
    other_admin = factories.admin(other)
    assert code(publish(client, bearer(other_admin), org_id=team.id)) == "NOT_FOUND"
    # The province holds regional authority over its descendants; the city (without it) does not.
    activity_id = publish(client, bearer(factories.admin(province)), org_id=team.id).json["id"]
    city_admin = factories.admin(city)
    assert code(client.patch(f"/api/v1/admin/activities/{activity_id}", json={"title": "x"},
                             headers=bearer(city_admin))) == "NOT_FOUND"
    for path in (f"/api/v1/admin/activities/{activity_id}",):
        assert client.get(path, headers=bearer(other_admin)).status_code == 404
    assert code(client.post(f"/api/v1/admin/activities/{activity_id}/revoke", json={"reason": "x"},
                            headers=bearer(other_admin))) == "NOT_FOUND"
    team_admin = factories.admin(team)
    assert client.get(f"/api/v1/admin/activities/{activity_id}", headers=bearer(team_admin)).status_code == 200


def test_edit_changes_fields_but_never_below_the_places_taken(client, factories):
    org = factories.org()
    admin = factories.admin(org)
    headers = bearer(admin)
    published = publish(client, headers, quota=5).json
    activity_id = published["id"]
    activity = db.session.get(Activity, activity_id)
    for _ in range(3):
        factories.enroll(activity, factories.volunteer(org), status="pending")
    response = client.patch(f"/api/v1/admin/activities/{activity_id}", json={"title": "新标题", "quota": 3},
                            headers=headers)
    assert response.status_code == 200 and response.json["title"] == "新标题" and response.json["quota"] == 3
    response = client.patch(f"/api/v1/admin/activities/{activity_id}", json={"quota": 2}, headers=headers)
    assert response.status_code == 409 and code(response) == "QUOTA_BELOW_TAKEN"
    response = client.patch(f"/api/v1/admin/activities/{activity_id}",
                            json={"end_at": published["start_at"]}, headers=headers)
    assert code(response) == "ACTIVITY_ENDS_BEFORE_START"
    audit = db.session.execute(db.select(AuditLog).filter_by(action="activity.update")).scalar_one()
    assert audit.detail["fields"] == ["quota", "title"]


def test_positions_are_edited_but_a_used_one_is_kept(client, factories):
    org = factories.org()
    headers = bearer(factories.admin(org))
    body = publish(client, headers, positions=[{"name": "引导", "quota": 4}, {"name": "讲解", "quota": 4}]).json
    guide, talk = body["positions"]
    volunteer = factories.volunteer(org)
    assert client.post(f"/api/v1/activities/{body['id']}/enrollment", json={"position_id": guide["id"]},
                       headers=bearer(volunteer)).status_code == 201
    response = client.patch(f"/api/v1/admin/activities/{body['id']}",
                            json={"positions": [{"id": talk["id"], "name": "讲解", "quota": 4}]}, headers=headers)
    assert response.status_code == 409 and code(response) == "POSITION_IN_USE"
    response = client.patch(f"/api/v1/admin/activities/{body['id']}",
                            json={"positions": [{"id": guide["id"], "name": "引导员", "quota": 5},
                                                {"name": "摄影", "quota": 2}]}, headers=headers)
    assert response.status_code == 200, response.json
    assert [(p["name"], p["quota"], p["taken_count"]) for p in response.json["positions"]] == [
        ("引导员", 5, 1), ("摄影", 2, 0)]


def test_revocation_is_final_notifies_holders_and_updates_the_count(client, factories, emulator, run_jobs):
    org = factories.org()
    headers = bearer(factories.admin(org))
    activity_id = publish(client, headers).json["id"]
    holder = factories.volunteer(org)
    bind_mp(holder)
    assert client.post(f"/api/v1/activities/{activity_id}/enrollment", headers=bearer(holder)).status_code == 201
    response = client.post(f"/api/v1/admin/activities/{activity_id}/revoke", json={"reason": "台风预警"},
                           headers=headers)
    assert response.status_code == 200
    assert response.json["state"] == "revoked" and response.json["state_label"] == "已撤销"
    assert db.session.get(Organisation, org.id).activity_count == 0
    run_jobs()
    template = [m for m in emulator.state.sent if m["channel"] == "template"]
    assert len(template) == 1 and template[0]["touser"] == f"o-mp-{holder.id}"
    assert template[0]["data"]["keyword3"] == {"value": "台风预警"}
    assert any("已被撤销" in m["text"] for m in emulator.state.sent if m["channel"] == "sms")
    # Final: no second revocation, no edit, and the search no longer lists it.
    again = client.post(f"/api/v1/admin/activities/{activity_id}/revoke", json={"reason": "x"}, headers=headers)
    assert again.status_code == 409 and code(again) == "ACTIVITY_REVOKED"
    edit = client.patch(f"/api/v1/admin/activities/{activity_id}", json={"title": "x"}, headers=headers)
    assert code(edit) == "ACTIVITY_REVOKED"
    assert client.get("/api/v1/activities").json["total"] == 0


def test_an_ended_activity_cannot_be_edited_or_revoked(client, factories):
    org = factories.org()
    headers = bearer(factories.admin(org))
    ended = factories.activity(org, starts_in=timedelta(days=-3), enroll_open=False)
    assert code(client.patch(f"/api/v1/admin/activities/{ended.id}", json={"title": "x"},
                             headers=headers)) == "ACTIVITY_ENDED"
    assert code(client.post(f"/api/v1/admin/activities/{ended.id}/revoke", json={"reason": "x"},
                            headers=headers)) == "ACTIVITY_ENDED"


def test_admin_lists_only_the_activities_it_manages(client, factories):
    org, other = factories.org(), factories.org()
    admin = factories.admin(org)
    mine = factories.activity(org, title="我的")
    factories.activity(other, title="别人的")
    body = client.get("/api/v1/admin/activities", headers=bearer(admin)).json
    assert [item["id"] for item in body["items"]] == [mine.id]


def test_the_operations_are_described_in_openapi(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in ("/api/v1/activities", "/api/v1/activities/{activity_id}/enrollment",
                 "/api/v1/organisations/{org_id}/activities", "/api/v1/me/activities",
                 "/api/v1/admin/activities", "/api/v1/admin/activities/{activity_id}",
                 "/api/v1/admin/activities/{activity_id}/revoke",
                 "/api/v1/admin/activities/{activity_id}/invitations",
                 "/api/v1/admin/activities/{activity_id}/invitable-volunteers",
                 "/api/v1/admin/activities/{activity_id}/admissions",
                 "/api/v1/admin/activities/{activity_id}/removals",
                 "/api/v1/admin/activities/{activity_id}/enrollments"):
        assert path in paths, path
    assert {"post", "delete"} <= set(paths["/api/v1/activities/{activity_id}/enrollment"])
    params = {p["name"] for p in paths["/api/v1/activities"]["get"]["parameters"]}
    assert {"state", "region", "keyword", "start_from", "start_to", "family", "page"} <= params
