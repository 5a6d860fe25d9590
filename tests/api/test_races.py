"""Races through the real app and database: two requests at once, one thread, one connection and
one transaction each (SQLite by default, MariaDB with TEST_DATABASE_URL, where the locks and
unique keys really contend). Each pair is run several times: exactly one wins, the other is
told why in the envelope (never a 500), and what was written is written once."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from app.errors import DomainError
from app.extensions import db, redis_store
from app.models import Account, CardApplication, Objection, ServiceRecord, SupplementEntry, Volunteer
from app.services import records, verification
from app.timeutil import utcnow
from tests.activity_helpers import bearer
from tests.api.accounts_helpers import last_code, registration_body, request_code

ROUNDS = 5
CARD = {"bank": "boc", "card_type": "debit", "delivery_name": "陈嘉欣", "delivery_phone": "13800138000",
        "delivery_address": "广州市越秀区东山街 1 号"}


def at_once(app, requests):
    """requests: [(method, path, json, headers)] sent together; → [(status, error code or None)]."""
    barrier = threading.Barrier(len(requests))

    def send(request):
        method, path, body, headers = request
        client = app.test_client()
        barrier.wait()
        response = client.open(path, method=method, json=body, headers=headers)
        error = (response.json or {}).get("error") if response.is_json else None
        return response.status_code, (error or {}).get("code")

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def fresh():
    db.session.rollback()  # a new snapshot (MariaDB: REPEATABLE READ)


def test_a_card_applied_for_twice_at_once_is_one_application(app, factories):
    org = factories.org()
    for _ in range(ROUNDS):
        volunteer = factories.volunteer(org)
        headers = bearer(volunteer)
        results = at_once(app, [("POST", "/api/v1/me/card-applications", CARD, headers)] * 2)
        assert sorted(results) == [(201, None), (409, "CARD_APPLICATION_EXISTS")], results
        fresh()
        assert db.session.execute(db.select(db.func.count(CardApplication.id))
                                  .filter_by(volunteer_id=volunteer.id)).scalar_one() == 1


def test_a_rejected_card_application_leaves_room_for_a_new_one(client, factories):
    org = factories.org()
    admin = factories.admin(org)
    volunteer = factories.volunteer(org)
    first = client.post("/api/v1/me/card-applications", json=CARD, headers=bearer(volunteer))
    assert first.status_code == 201
    assert client.post("/api/v1/me/card-applications", json=CARD, headers=bearer(volunteer)).status_code == 409
    rejected = client.post(f"/api/v1/admin/card-applications/{first.json['id']}/progress",
                           json={"action": "reject", "note": "地址不全"}, headers=bearer(admin))
    assert rejected.status_code == 200, rejected.json
    again = client.post("/api/v1/me/card-applications", json=CARD, headers=bearer(volunteer))
    assert again.status_code == 201, again.json


def test_one_verification_code_consumed_by_two_requests_at_once_works_once(app, client, emulator, run_jobs):
    for n in range(ROUNDS):
        phone = f"1370000{n:04d}"
        assert request_code(client, phone, ip=f"10.0.0.{n}").status_code == 202
        run_jobs()
        code = last_code(emulator, phone=phone)
        barrier = threading.Barrier(2)

        def consume(phone=phone, code=code, barrier=barrier):
            with app.app_context():
                barrier.wait()
                try:
                    return verification.consume_code(purpose="register", channel="sms", target=phone, code=code)
                except DomainError as exc:
                    return exc.code

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda _: consume(), range(2)))
        assert sorted(results, key=str) == ["CODE_INVALID", True], results


def test_a_wrong_guess_racing_the_right_code_leaves_no_key_behind(app, client, emulator, run_jobs, monkeypatch):
    """The right code is used while a wrong guess is being checked: the miss must not bring the
    key back without its expiry (a key that would never go away). The interleaving is forced:
    the right code lands just after the wrong guess has read the stored digest."""
    phone = "13710000001"
    assert request_code(client, phone, ip="10.0.1.1").status_code == 202
    run_jobs()
    code = last_code(emulator, phone=phone)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    redis = redis_store.client
    real_hget, landed = redis.hget, []

    def hget_then_the_right_code_lands(name, key):
        value = real_hget(name, key)
        if not landed:
            landed.append(redis.delete(name))  # what the winning request's consume does
        return value

    monkeypatch.setattr(redis, "hget", hget_then_the_right_code_lands)
    with pytest.raises(DomainError) as info:
        verification.consume_code(purpose="register", channel="sms", target=phone, code=wrong)
    assert info.value.code == "CODE_INVALID"
    key = verification._code_key("register", "sms", phone)
    assert redis.exists(key) == 0 or redis.ttl(key) > 0
    # And five misses still end the code, atomically.
    monkeypatch.undo()
    assert request_code(client, "13710000002", ip="10.0.1.2").status_code == 202
    run_jobs()
    right = last_code(emulator, phone="13710000002")
    for _ in range(5):
        with pytest.raises(DomainError):
            verification.consume_code(purpose="register", channel="sms", target="13710000002",
                                      code=f"{(int(right) + 1) % 10**6:06d}")
    with pytest.raises(DomainError):
        verification.consume_code(purpose="register", channel="sms", target="13710000002", code=right)


def test_the_same_supplement_decided_by_two_admins_at_once_counts_once(app, factories):
    city = factories.org(category="city")
    team = factories.org(parent=city)
    admins = [factories.admin(city), factories.admin(city)]
    entered_by = factories.admin(team)
    activity = factories.activity(team, starts_in=-timedelta(hours=5), hours=4, enroll_open=False)
    for round_no in range(ROUNDS):
        volunteer = factories.volunteer(team, face_checked=True)
        factories.enroll(activity, volunteer)
        entry = SupplementEntry(activity_id=activity.id, volunteer_id=volunteer.id, minutes=60, proof_files=[],
                                entered_by=entered_by.id, status="pending", created_at=utcnow())
        db.session.add(entry)
        db.session.commit()
        decisions = [{"approve": True}, {"approve": round_no % 2 == 0, "reason": "材料不符"}]
        results = at_once(app, [("POST", f"/api/v1/admin/supplements/{entry.id}/decision", body, bearer(admin))
                                for admin, body in zip(admins, decisions, strict=True)])
        assert sorted(results) == [(200, None), (409, "SUPPLEMENT_ALREADY_DECIDED")], results
        fresh()
        decided = db.session.get(SupplementEntry, entry.id)
        counted = db.session.execute(db.select(db.func.count(ServiceRecord.id))
                                     .filter_by(volunteer_id=volunteer.id)).scalar_one()
        assert counted == (1 if decided.status == "approved" else 0)
        assert db.session.get(Volunteer, volunteer.id).total_minutes == 60 * counted


def test_the_same_objection_resolved_by_two_admins_at_once_is_resolved_once(app, factories):
    org = factories.org()
    admins = [factories.admin(org), factories.admin(org)]
    activity = factories.activity(org, starts_in=-timedelta(hours=5), hours=4, enroll_open=False)
    for _ in range(ROUNDS):
        volunteer = factories.volunteer(org, face_checked=True)
        factories.enroll(activity, volunteer)
        record = records.add_record(volunteer, activity, 120, "clock", utcnow())
        db.session.commit()
        objection = records.file_objection(record.id, "实际只服务了一小时")
        bodies = [{"action": "amend", "minutes": 60, "note": "按签到表更正"}, {"action": "revoke", "note": "未到场"}]
        results = at_once(app, [("POST", f"/api/v1/admin/objections/{objection.id}/resolution", body, bearer(admin))
                                for admin, body in zip(admins, bodies, strict=True)])
        assert sorted(results) == [(200, None), (409, "OBJECTION_ALREADY_RESOLVED")], results
        fresh()
        resolved = db.session.get(Objection, objection.id)
        kept = db.session.get(ServiceRecord, record.id)
        expected = {"amended": 60, "revoked": 0}[resolved.status]
        assert (kept.minutes if kept.status == "effective" else 0) == expected
        assert db.session.get(Volunteer, volunteer.id).total_minutes == expected


@pytest.mark.parametrize("shared", ["id_number", "username"])
def test_two_registrations_of_the_same_person_at_once_make_one_account(app, client, factories, emulator, run_jobs,
                                                                       shared):
    org = factories.org()
    codes = {"id_number": "ID_NUMBER_EXISTS", "username": "USERNAME_EXISTS"}
    for n in range(ROUNDS):
        bodies = [registration_body(org, username=f"racer{shared[:2]}{n}{i}") for i in range(2)]
        bodies[1][shared] = bodies[0][shared]
        for i, body in enumerate(bodies):
            assert request_code(client, body["phone"], ip=f"10.1.{n}.{i}").status_code == 202
        run_jobs()
        for body in bodies:
            body["sms_code"] = last_code(emulator, phone=body["phone"])
        results = at_once(app, [("POST", "/api/v1/volunteers", body, {}) for body in bodies])
        assert sorted(results) == [(201, None), (409, codes[shared])], results
        fresh()
        accounts = db.session.execute(db.select(db.func.count(Account.id)).where(
            Account.phone_hash.in_([a.phone_hash for a in _accounts_with(bodies)]))).scalar_one()
        assert accounts == 1


def _accounts_with(bodies):
    from app.security import pii

    hashes = [pii.lookup_hash("phone", body["phone"]) for body in bodies]
    return db.session.execute(db.select(Account).where(Account.phone_hash.in_(hashes))).scalars().all()
