"""Input nobody planned for is refused at the door in the envelope, never answered with a 500,
and nothing it touched stays written (issue 15, "Bad input that still gets a 500")."""
import json
from datetime import datetime

import pytest

from app.extensions import db
from app.models import Activity
from app.timeutil import to_iso
from tests.activity_helpers import activity_body, bearer

TOO_BIG = 18446744073709551616  # 2**64


def assert_envelope(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    assert set(response.json) == {"error"}
    assert isinstance(response.json["error"]["message"], str) and response.json["error"]["message"]
    if code:
        assert response.json["error"]["code"] == code


@pytest.fixture
def admin_org(factories):
    org = factories.org("东山街志愿服务队")
    return org, factories.admin(org)


# --- times ---

@pytest.mark.parametrize("field,value", [
    ("end_at", "9999-12-31T23:00:00+00:00"),
    ("start_at", "0001-01-01T00:00:00+08:00"),
    ("enroll_end", "2101-01-01T00:00:00+08:00"),
    ("enroll_start", "1999-12-31T23:59:59+08:00"),
])
def test_a_time_outside_2000_to_2100_is_refused_and_nothing_is_published(client, admin_org, field, value):
    org, admin = admin_org
    response = client.post("/api/v1/admin/activities", json=activity_body(**{field: value}), headers=bearer(admin))
    assert_envelope(response, 422, "VALIDATION_ERROR")
    assert field in response.json["error"]["fields"]
    assert db.session.execute(db.select(db.func.count()).select_from(Activity)).scalar() == 0
    # and every list that shows activities still answers
    for path in ("/api/v1/activities", f"/api/v1/organisations/{org.id}/activities", "/api/v1/admin/activities"):
        assert client.get(path, headers=bearer(admin)).status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59+00:00", "1900-01-01T00:00:00Z"])
def test_a_search_filter_outside_the_years_is_refused(client, value):
    for name in ("start_from", "start_to"):
        response = client.get("/api/v1/activities", query_string={name: value})
        assert_envelope(response, 422, "VALIDATION_ERROR")
        assert name in response.json["error"]["fields"]


def test_a_stored_time_at_the_end_of_the_calendar_does_not_break_the_lists(client, factories, admin_org):
    """to_iso never overflows: a row written before the door was closed still shows."""
    org, admin = admin_org
    activity = factories.activity(org)
    activity.end_at = datetime(9999, 12, 31, 23, 0)
    db.session.commit()
    assert to_iso(activity.end_at) == "9999-12-31T23:00:00+00:00"
    for path in ("/api/v1/activities", f"/api/v1/organisations/{org.id}/activities", "/api/v1/admin/activities",
                 f"/api/v1/activities/{activity.id}"):
        response = client.get(path, headers=bearer(admin))
        assert response.status_code == 200, path


# --- numbers past 64 bits ---

@pytest.mark.parametrize("path", [
    f"/api/v1/organisations/{TOO_BIG}",
    f"/api/v1/activities/{TOO_BIG}",
    f"/api/v1/organisations/{TOO_BIG}/activities",
    f"/api/v1/activities/{2**63}",
])
def test_an_id_past_64_bits_in_the_path_is_not_found(client, path):
    assert_envelope(client.get(path), 404, "NOT_FOUND")


def test_an_id_past_64_bits_in_an_admin_path_is_not_found(client, admin_org):
    _, admin = admin_org
    assert_envelope(client.get(f"/api/v1/admin/activities/{TOO_BIG}", headers=bearer(admin)), 404, "NOT_FOUND")
    assert_envelope(client.get(f"/api/v1/admin/volunteers/{TOO_BIG}", headers=bearer(admin)), 404, "NOT_FOUND")


@pytest.mark.parametrize("path,name", [
    ("/api/v1/activities", "page"),
    ("/api/v1/activities", "per_page"),
    ("/api/v1/organisations", "page"),
    ("/api/v1/organisations", "parent_id"),
    ("/api/v1/hours-board", "activity_id"),
    ("/api/v1/hours-board", "page"),
])
def test_a_query_number_past_64_bits_is_a_validation_error(client, path, name):
    response = client.get(path, query_string={name: str(TOO_BIG)})
    assert_envelope(response, 422, "VALIDATION_ERROR")
    assert name in response.json["error"]["fields"]


def test_admin_lists_refuse_a_page_past_their_range(client, admin_org):
    _, admin = admin_org
    for path in ("/api/v1/admin/activities", "/api/v1/admin/volunteers", "/api/v1/admin/supplements",
                 "/api/v1/admin/objections"):
        assert_envelope(client.get(path, query_string={"page": TOO_BIG}, headers=bearer(admin)), 422,
                        "VALIDATION_ERROR")


@pytest.mark.parametrize("overrides", [{"quota": 10**30}, {"quota": 2**31}, {"org_id": TOO_BIG},
                                       {"positions": [{"name": "引导", "quota": 10**30}]}])
def test_a_body_number_past_its_range_is_a_validation_error_and_nothing_is_written(client, admin_org, overrides):
    _, admin = admin_org
    response = client.post("/api/v1/admin/activities", json=activity_body(**overrides), headers=bearer(admin))
    assert_envelope(response, 422, "VALIDATION_ERROR")
    assert db.session.execute(db.select(db.func.count()).select_from(Activity)).scalar() == 0


def test_ids_past_64_bits_in_a_body_are_validation_errors(client, factories, admin_org):
    org, admin = admin_org
    activity = factories.activity(org)
    response = client.post(f"/api/v1/admin/activities/{activity.id}/admissions",
                           json={"volunteer_ids": [TOO_BIG]}, headers=bearer(admin))
    assert_envelope(response, 422, "VALIDATION_ERROR")
    response = client.post("/api/v1/objections", json={"record_id": TOO_BIG, "text": "这条记录不对。"})
    assert_envelope(response, 422, "VALIDATION_ERROR")


# --- malformed JSON ---

def test_json_nested_100000_deep_is_bad_json(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert_envelope(response, 400, "BAD_JSON")


@pytest.mark.parametrize("path,body", [
    ("/api/v1/auth/login", {"account": "\ud800", "password": "x"}),
    ("/api/v1/auth/login", {"account": "demo", "password": "pass\udfff"}),
    ("/api/v1/objections", {"record_id": 1, "text": "这条记录\ud800不对。"}),
    ("/api/v1/password-recovery/code", {"account": "\udbff", "channel": "sms"}),
    ("/api/v1/volunteers", {"real_name": "\ud800"}),
    ("/api/v1/auth/login", {"\ud800": "key", "account": "a", "password": "b"}),
])
def test_a_lone_surrogate_in_any_string_is_bad_json(client, path, body):
    response = client.post(path, data=json.dumps(body), content_type="application/json")  # "\ud800" escaped
    assert_envelope(response, 400, "BAD_JSON")


def test_a_lone_surrogate_in_the_profile_is_bad_json_and_nothing_changes(client, factories):
    volunteer = factories.volunteer(factories.org())
    name = volunteer.account.real_name
    response = client.patch("/api/v1/me/profile", data=json.dumps({"real_name": "王\ud800"}),
                            content_type="application/json", headers=bearer(volunteer))
    assert_envelope(response, 400, "BAD_JSON")
    db.session.expire_all()
    assert volunteer.account.real_name == name


def test_a_proper_surrogate_pair_is_still_fine(client):
    """An emoji arrives escaped as a pair: that is well-formed and reaches the usual check."""
    response = client.post("/api/v1/auth/login", json={"account": "nobody\U0001f600", "password": "x"})
    assert_envelope(response, 401, "INVALID_CREDENTIALS")


def test_flask_get_json_refuses_the_same(app):
    """The app's JSON provider (request.get_json, used by the H5 pages) reads through the same rules."""
    with app.test_request_context("/h5/x", method="POST", data='{"a": "\\ud800"}', content_type="application/json"):
        from flask import request

        assert request.get_json(silent=True) is None
    with app.test_request_context("/h5/x", method="POST", data="[" * 100_000, content_type="application/json"):
        from flask import request

        assert request.get_json(silent=True) is None


# --- method, authentication, and what a refusal tells ---

def test_a_405_says_which_methods_are_allowed(client):
    response = client.delete("/api/v1/auth/login")
    assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"POST"}
    assert "DELETE" not in response.headers["Allow"]


@pytest.mark.parametrize("method,path", [
    ("post", "/api/v1/admin/activities"),
    ("patch", "/api/v1/admin/activities/1"),
    ("post", "/api/v1/admin/activities/1/revoke"),
    ("post", "/api/v1/admin/activities/1/admissions"),
    ("post", "/api/v1/admin/volunteers/1/review"),
    ("post", "/api/v1/admin/volunteers/1/face-check"),
    ("post", "/api/v1/admin/supplements/1/decision"),
    ("post", "/api/v1/admin/objections/1/resolution"),
    ("patch", "/api/v1/me/profile"),
    ("post", "/api/v1/me/password"),
    ("post", "/api/v1/activities/1/enrollment"),
])
def test_an_anonymous_write_is_401_before_its_body_is_read(client, method, path):
    response = getattr(client, method)(path, json={"nonsense": [1, 2, 3]})
    assert_envelope(response, 401, "UNAUTHORIZED")


def test_an_anonymous_query_to_an_admin_list_is_401_before_its_arguments_are_read(client):
    assert_envelope(client.get("/api/v1/admin/activities", query_string={"page": "x"}), 401, "UNAUTHORIZED")


def test_an_authenticated_admin_still_gets_422_for_a_bad_body(client, admin_org):
    _, admin = admin_org
    assert_envelope(client.post("/api/v1/admin/activities", json={"nonsense": 1}, headers=bearer(admin)), 422,
                    "VALIDATION_ERROR")


def test_face_check_tells_another_organisations_admin_nothing_about_volunteer_ids(client, factories):
    """Existing and missing volunteers outside the admin's roster answer exactly alike."""
    mine, theirs = factories.org("东山街志愿服务队"), factories.org("白云区志愿服务队")
    admin = factories.admin(mine)
    activity = factories.activity(mine)
    stranger = factories.volunteer(theirs)
    existing = client.post(f"/api/v1/admin/volunteers/{stranger.id}/face-check",
                           json={"activity_id": activity.id}, headers=bearer(admin))
    missing = client.post(f"/api/v1/admin/volunteers/{stranger.id + 1000}/face-check",
                          json={"activity_id": activity.id}, headers=bearer(admin))
    assert (existing.status_code, existing.json) == (missing.status_code, missing.json)
    assert_envelope(existing, 409, "VOLUNTEER_NOT_ENROLLED")



def test_a_group_enrollment_with_ids_past_64_bits_is_a_validation_error(client, factories, admin_org):
    org, admin = admin_org
    activity = factories.activity(org)
    response = client.post(f"/api/v1/admin/activities/{activity.id}/group-enrollments", headers=bearer(admin),
                           json={"org_id": org.id, "volunteer_ids": [TOO_BIG], "shift_id": -180})
    assert_envelope(response, 422, "VALIDATION_ERROR")
    assert "volunteer_ids" in response.json["error"]["fields"]
