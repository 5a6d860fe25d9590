"""个人注册 through the API: the SMS code, every field rule, uniqueness, the identity check."""
import time
from datetime import timedelta

import pytest
from limits import parse_many

from app.extensions import db
from app.models import Volunteer
from app.services import identity_check, verification
from app.timeutil import utcnow
from tests.api.accounts_helpers import (
    error_code,
    last_code,
    login,
    new_identity,
    register,
    registration_body,
    request_code,
)


def test_registration_with_an_sms_code_creates_a_pending_volunteer_and_the_check_passes(
        client, factories, emulator, run_jobs):
    org = factories.org("东山街志愿服务队")
    response, body = register(client, emulator, run_jobs, org, username="xiaoming", email="XM@Example.org")
    assert response.status_code == 201, response.json
    assert response.json["review_status"] == "pending"
    assert response.json["identity_check_status"] == "requested"
    assert response.json["volunteer_number"] != body["id_number"]

    run_jobs()  # the identity check job
    volunteer = db.session.get(Volunteer, response.json["volunteer_id"])
    assert volunteer.identity_check_status == "passed"
    assert volunteer.account.email == "xm@example.org"
    assert volunteer.service_intentions == ["网络文明"] and volunteer.education == "本科"
    assert volunteer.agreed_at is not None

    # 待审核: login answers the manual's message, whichever identifier is used
    for identifier in ("xiaoming", body["phone"], body["id_number"], "xm@example.org"):
        refused = login(client, identifier, body["password"])
        assert refused.status_code == 403
        assert refused.json["error"]["message"] == "您的帐号正在实名审批中，请耐心等待。"


@pytest.mark.parametrize("field,value,code", [
    ("id_number", "44010419900101123", "ID_FORMAT"),
    ("id_number", "4401041990010112AB", "ID_FORMAT"),
    ("id_number", "440104199002300011", "ID_BIRTH_DATE"),
    ("id_number", "440104199001011235", "ID_CHECK_DIGIT"),
    ("phone", "12345", "PHONE_FORMAT"),
    ("username", "123456", "USERNAME_FORMAT"),
    ("password", "short1", "WEAK_PASSWORD"),
    ("password", "onlyletters", "WEAK_PASSWORD"),
    ("agreed", False, "AGREEMENT_REQUIRED"),
    ("home_org_id", 999999, "ORG_NOT_FOUND"),
    ("sms_code", "123", "CODE_INVALID"),
])
def test_each_bad_field_is_refused_with_its_code(client, factories, field, value, code):
    org = factories.org()
    body = registration_body(org, **{field: value})
    if field == "id_number" and code == "ID_CHECK_DIGIT":
        from app.domain.idcard import check_char
        wrong = "1" if check_char(value[:17]) != "1" else "2"
        body["id_number"] = value[:17] + wrong
    response = client.post("/api/v1/volunteers", json=body)
    assert response.status_code in (404, 409, 422), response.json
    assert error_code(response) == code
    assert db.session.execute(db.select(Volunteer)).first() is None


def test_a_pending_organisation_cannot_be_the_home(client, factories):
    org = factories.org()
    org.status = "pending"
    db.session.commit()
    response = client.post("/api/v1/volunteers", json=registration_body(org))
    assert error_code(response) == "ORG_NOT_FOUND"


@pytest.mark.parametrize("taken,code", [("id_number", "ID_NUMBER_EXISTS"), ("phone", "PHONE_EXISTS"),
                                        ("email", "EMAIL_EXISTS"), ("username", "USERNAME_EXISTS")])
def test_the_same_id_phone_email_or_username_cannot_register_twice(client, factories, emulator, run_jobs,
                                                                   taken, code):
    org = factories.org()
    first, first_body = register(client, emulator, run_jobs, org, username="firstuser", email="a@example.org")
    assert first.status_code == 201
    fresh = new_identity()
    overrides = {"id_number": fresh["id_number"], "phone": fresh["phone"], "username": "seconduser",
                 "email": "b@example.org", taken: first_body[taken]}
    if taken == "phone":
        # the code request itself already says the phone exists
        refused = request_code(client, first_body["phone"])
        assert refused.status_code == 409 and error_code(refused) == "PHONE_EXISTS"
        response = client.post("/api/v1/volunteers", json=registration_body(org, **overrides))
    else:
        response, _ = register(client, emulator, run_jobs, org, **overrides)
    assert response.status_code == 409
    assert error_code(response) == code
    assert "忘记密码" in response.json["error"]["message"]


def test_other_id_types_are_accepted_and_checked_as_unknown(client, factories, emulator, run_jobs):
    org = factories.org()
    response, _ = register(client, emulator, run_jobs, org, id_type="hk_macao_permit", id_number="H12345678")
    assert response.status_code == 201, response.json
    outside, _ = register(client, emulator, run_jobs, org, id_number=new_identity(region="110101")["id_number"])
    run_jobs()
    statuses = {db.session.get(Volunteer, r.json["volunteer_id"]).identity_check_status for r in (response, outside)}
    assert statuses == {"unknown"}
    bad_permit = client.post("/api/v1/volunteers", json=registration_body(org, id_type="passport", id_number="E1"))
    assert error_code(bad_permit) == "ID_FORMAT"


def test_a_failed_check_rejects_the_registration_and_tells_the_volunteer(client, factories, emulator, run_jobs):
    org = factories.org()
    response, body = register(client, emulator, run_jobs, org, id_number=new_identity(sequence=0)["id_number"])
    run_jobs()
    volunteer = db.session.get(Volunteer, response.json["volunteer_id"])
    assert (volunteer.identity_check_status, volunteer.review_status) == ("failed", "rejected")
    texts = [m["text"] for m in emulator.state.sent if m.get("phone") == body["phone"]]
    assert any("身份证件信息校验不通过" in t for t in texts)


def test_no_answer_within_24_hours_becomes_unknown(client, factories, emulator, run_jobs):
    org = factories.org()
    response, _ = register(client, emulator, run_jobs, org, id_number=new_identity(sequence=999)["id_number"])
    run_jobs()
    volunteer = db.session.get(Volunteer, response.json["volunteer_id"])
    assert volunteer.identity_check_status == "verifying"
    assert identity_check.sweep_overdue_checks(utcnow() + timedelta(hours=23)) == 0
    assert identity_check.sweep_overdue_checks(utcnow() + timedelta(hours=24, seconds=1)) == 1
    db.session.refresh(volunteer)
    assert volunteer.identity_check_status == "unknown"


def test_an_unanswered_check_schedules_its_own_24_hour_follow_up(client, factories, emulator, run_jobs, app):
    from rq.registry import ScheduledJobRegistry

    from app.extensions import jobs

    org = factories.org()
    response, _ = register(client, emulator, run_jobs, org, id_number=new_identity(sequence=999)["id_number"])
    run_jobs()
    volunteer_id = response.json["volunteer_id"]
    [job_id] = ScheduledJobRegistry(queue=jobs.queue).get_job_ids()
    job = jobs.queue.fetch_job(job_id)
    assert job.func_name.endswith("expire_unanswered_check") and job.args == (volunteer_id,)
    scheduled_at = ScheduledJobRegistry(queue=jobs.queue).get_scheduled_time(job_id).replace(tzinfo=None)
    assert timedelta(hours=24) <= scheduled_at - utcnow() <= timedelta(hours=24, minutes=1)
    # too early: nothing changes; once due: 未知
    assert identity_check.expire_unanswered_check(volunteer_id) == "verifying"
    later = utcnow() + timedelta(hours=24, seconds=10)
    assert identity_check.expire_unanswered_check(volunteer_id, now=later) == "unknown"


def test_a_code_is_single_use(client, factories, emulator, run_jobs):
    org = factories.org()
    response, body = register(client, emulator, run_jobs, org)
    assert response.status_code == 201
    again = registration_body(org, phone=body["phone"], sms_code=body["sms_code"])
    db.session.execute(db.delete(Volunteer))
    from app.models import Account
    db.session.execute(db.delete(Account))
    db.session.commit()
    replay = client.post("/api/v1/volunteers", json=again)
    assert error_code(replay) == "CODE_INVALID"


def test_a_code_expires(client, factories, emulator, run_jobs, app, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFICATION_CODE_SECONDS", 1)
    org = factories.org()
    body = registration_body(org)
    assert request_code(client, body["phone"]).json["expires_in"] == 1
    run_jobs()
    body["sms_code"] = last_code(emulator, phone=body["phone"])
    time.sleep(1.2)
    assert error_code(client.post("/api/v1/volunteers", json=body)) == "CODE_INVALID"


def test_wrong_codes_burn_the_code_after_five_tries(client, factories, emulator, run_jobs):
    org = factories.org()
    body = registration_body(org)
    request_code(client, body["phone"])
    run_jobs()
    right = last_code(emulator, phone=body["phone"])
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert error_code(client.post("/api/v1/volunteers", json={**body, "sms_code": wrong})) == "CODE_INVALID"
    assert error_code(client.post("/api/v1/volunteers", json={**body, "sms_code": right})) == "CODE_INVALID"


def test_codes_are_rate_limited_per_phone_and_per_ip(client, factories, monkeypatch):
    phone = new_identity()["phone"]
    assert request_code(client, phone).status_code == 202
    again = request_code(client, phone, ip="10.0.0.9")
    assert again.status_code == 429 and error_code(again) == "CODE_RATE_LIMITED"

    monkeypatch.setattr(verification, "PER_IP", parse_many("3/hour"))
    codes = [request_code(client, new_identity()["phone"], ip="10.1.1.1").status_code for _ in range(4)]
    assert codes == [202, 202, 202, 429]
    assert request_code(client, new_identity()["phone"], ip="10.1.1.2").status_code == 202


def test_the_code_request_refuses_a_malformed_phone(client):
    response = request_code(client, "12")
    assert error_code(response) == "PHONE_FORMAT"


def test_no_500_for_wrong_types(client, factories):
    org = factories.org()
    response = client.post("/api/v1/volunteers", json={**registration_body(org), "home_org_id": "x",
                                                        "service_intentions": "not a list", "agreed": "maybe"})
    assert response.status_code == 422
    assert {"home_org_id", "service_intentions", "agreed"} <= set(response.json["error"]["fields"])
