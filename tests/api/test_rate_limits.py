"""What anyone can send without an account is limited per client address, and a refusal is a
429 in the envelope that says when to come back (Retry-After): password logins, registrations
of volunteers and organisations, verification codes and objections."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.services import records
from app.timeutil import utcnow
from tests.api.accounts_helpers import registration_body, request_code
from tests.api.test_organisations import org_form
from tests.factories import PASSWORD


@pytest.fixture
def tight(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_PER_ADDRESS", "3/minute")
    monkeypatch.setitem(app.config, "REGISTER_RATE_PER_ADDRESS", "2/hour")


def limited(response, code="RATE_LIMITED", longest=3600):
    assert response.status_code == 429, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= longest
    return True


def test_logins_from_one_address_are_limited_whatever_the_account(client, factories, tight):
    org = factories.org()
    people = [factories.volunteer(org) for _ in range(4)]
    answers = [client.post("/api/v1/auth/login", json={"account": p.account.username, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "203.0.113.20"}) for p in people]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert limited(answers[3], longest=60)
    # Another address is not affected.
    other = client.post("/api/v1/auth/login", json={"account": people[3].account.username, "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "203.0.113.21"})
    assert other.status_code == 200


def test_registrations_from_one_address_are_limited(client, factories, tight):
    org = factories.org()
    answers = [client.post("/api/v1/volunteers", json=registration_body(org), environ_base={"REMOTE_ADDR": "192.0.2.7"})
               for _ in range(3)]
    assert [a.json["error"]["code"] for a in answers[:2]] == ["CODE_INVALID"] * 2  # counted, then refused for the code
    assert limited(answers[2])
    organisation = client.post("/api/v1/organisations", data=org_form(org), content_type="multipart/form-data",
                               environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert limited(organisation)


def test_code_requests_say_when_to_come_back(client):
    assert request_code(client, "13912340000").status_code == 202
    assert limited(request_code(client, "13912340000"), code="CODE_RATE_LIMITED", longest=60)


def test_objections_from_one_address_are_limited(client, factories):
    org = factories.org()
    activity = factories.activity(org, starts_in=-timedelta(hours=5), hours=4, enroll_open=False)
    volunteer = factories.volunteer(org, face_checked=True)
    factories.enroll(activity, volunteer)
    record = records.add_record(volunteer, activity, 60, "clock", utcnow())
    db.session.commit()
    answers = [client.post("/api/v1/objections", json={"record_id": record.id, "text": f"第{i}条异议"},
                           environ_base={"REMOTE_ADDR": "198.51.100.30"}) for i in range(6)]
    assert [a.status_code for a in answers[:5]] == [201] * 5
    assert limited(answers[5], longest=600)
