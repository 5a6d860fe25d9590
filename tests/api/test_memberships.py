"""Several organisations per volunteer: 加入组织 with and without the 免审密码, the 20 / 5 limits,
the admin's decisions and removals, leaving, and members invited as the organisation's own."""
import threading
from concurrent.futures import ThreadPoolExecutor

from app.extensions import db
from app.models import AuditLog, OrgMembership, OutboxMessage
from app.security.passwords import hash_password
from tests.activity_helpers import bind_mp
from tests.api.accounts_helpers import error_code
from tests.services.test_enrollment_concurrency import tokens_for

JOIN_PASSWORD = "join2026"
_hash = {}


def org_with_password(factories, name=None):
    org = factories.org(name)
    if "hash" not in _hash:
        _hash["hash"] = hash_password(JOIN_PASSWORD)
    org.join_password_hash = _hash["hash"]
    db.session.commit()
    return org


def ask(client, headers, org, password=None):
    body = {"join_password": password} if password is not None else {}
    return client.post(f"/api/v1/organisations/{org.id}/memberships", json=body, headers=headers)


def mine(client, headers):
    return client.get("/api/v1/me/memberships", headers=headers).json["items"]


def test_a_request_waits_the_password_joins_and_repeating_creates_nothing(client, factories):
    home, other = factories.org("东山街志愿服务队"), org_with_password(factories, "越秀青年志愿队")
    headers = factories.login(client, factories.volunteer(home))

    first = ask(client, headers, other)
    assert first.status_code == 201 and first.json["status"] == "pending"
    assert first.json["status_label"] == "待审核" and first.json["org"]["name"] == "越秀青年志愿队"
    again = ask(client, headers, other)
    assert again.status_code == 200 and (again.json["id"], again.json["status"]) == (first.json["id"], "pending")
    assert [m["status"] for m in mine(client, headers)] == ["pending"]

    joined = ask(client, headers, other, JOIN_PASSWORD)
    assert joined.status_code == 201 and joined.json["status"] == "joined" and joined.json["joined_at"]
    assert ask(client, headers, other, JOIN_PASSWORD).status_code == 200
    listed = client.get("/api/v1/me/memberships", headers=headers).json
    assert [(m["id"], m["status"]) for m in listed["items"]] == [(first.json["id"], "joined")]
    assert listed["limits"] == {"memberships": 20, "pending": 5}
    assert db.session.execute(db.select(db.func.count()).select_from(OrgMembership)).scalar_one() == 1


def test_a_wrong_join_password_is_refused_and_then_rate_limited(client, factories):
    home, other = factories.org(), org_with_password(factories)
    headers = factories.login(client, factories.volunteer(home))
    for _ in range(5):
        wrong = ask(client, headers, other, "guess-1234")
        assert wrong.status_code == 403 and error_code(wrong) == "JOIN_PASSWORD_WRONG"
        assert "免审密码不正确" in wrong.json["error"]["message"]
    assert mine(client, headers) == []  # a wrong password leaves no request behind
    limited = ask(client, headers, other, JOIN_PASSWORD)
    assert limited.status_code == 429 and error_code(limited) == "JOIN_PASSWORD_RATE_LIMITED"
    # a plain request (no password) is still possible and waits for the admin
    assert ask(client, headers, other).json["status"] == "pending"


def test_twenty_memberships_at_most_and_five_pending(client, factories):
    home = factories.org()
    headers = factories.login(client, factories.volunteer(home))
    plain = [factories.org() for _ in range(6)]
    with_password = [org_with_password(factories) for _ in range(16)]

    for org in plain[:5]:
        assert ask(client, headers, org).json["status"] == "pending"
    sixth = ask(client, headers, plain[5])
    assert sixth.status_code == 409 and error_code(sixth) == "MEMBERSHIP_PENDING_LIMIT"
    for org in with_password[:15]:  # the password joins even with five pending
        assert ask(client, headers, org, JOIN_PASSWORD).json["status"] == "joined"
    assert len(mine(client, headers)) == 20
    twenty_first = ask(client, headers, with_password[15], JOIN_PASSWORD)
    assert twenty_first.status_code == 409 and error_code(twenty_first) == "MEMBERSHIP_LIMIT"
    assert "20" in twenty_first.json["error"]["message"]

    left = client.delete(f"/api/v1/organisations/{with_password[0].id}/memberships", headers=headers)
    assert left.status_code == 200 and left.json["status"] == "left"
    assert ask(client, headers, with_password[15], JOIN_PASSWORD).json["status"] == "joined"


def test_the_home_organisation_and_unknown_ones_are_not_joined(client, factories):
    home = factories.org()
    headers = factories.login(client, factories.volunteer(home))
    assert error_code(ask(client, headers, home)) == "MEMBERSHIP_HOME_ORG"
    missing = client.post("/api/v1/organisations/999999/memberships", json={}, headers=headers)
    assert missing.status_code == 404 and error_code(missing) == "ORG_NOT_FOUND"
    admin_only = factories.login(client, factories.admin(home))
    assert error_code(ask(client, admin_only, factories.org())) == "NOT_A_VOLUNTEER"
    assert client.post(f"/api/v1/organisations/{home.id}/memberships", json={}).status_code == 401
    too_long = ask(client, headers, factories.org(), "x" * 65)
    assert too_long.status_code == 422


def test_the_admin_approves_rejects_with_a_reason_and_removes(client, factories):
    org, elsewhere = factories.org("青年志愿队"), factories.org()
    admin = factories.login(client, factories.admin(org))
    stranger = factories.login(client, factories.admin(elsewhere))
    alice, bob = factories.volunteer(elsewhere), factories.volunteer(elsewhere)
    bind_mp(alice)
    alice_h, bob_h = factories.login(client, alice), factories.login(client, bob)
    alice_id = ask(client, alice_h, org).json["id"]
    bob_id = ask(client, bob_h, org).json["id"]

    listed = client.get(f"/api/v1/admin/organisations/{org.id}/memberships?status=pending", headers=admin).json
    assert listed["total"] == 2 and {m["volunteer"]["id"] for m in listed["items"]} == {alice.id, bob.id}
    assert "*" in listed["items"][0]["volunteer"]["phone"]

    # another organisation's admin sees and decides nothing of it
    assert client.get(f"/api/v1/admin/organisations/{org.id}/memberships", headers=stranger).status_code == 404
    foreign = client.post(f"/api/v1/admin/memberships/{alice_id}/decision", json={"approve": True},
                          headers=stranger)
    assert foreign.status_code == 404
    assert client.post(f"/api/v1/admin/memberships/{alice_id}/removal", json={},
                       headers=stranger).status_code == 404
    assert client.post(f"/api/v1/admin/memberships/{alice_id}/decision", json={"approve": True},
                       headers=alice_h).status_code == 403

    no_reason = client.post(f"/api/v1/admin/memberships/{bob_id}/decision", json={"approve": False}, headers=admin)
    assert error_code(no_reason) == "REASON_REQUIRED"
    rejected = client.post(f"/api/v1/admin/memberships/{bob_id}/decision",
                           json={"approve": False, "reason": "本队只招收本社区居民"}, headers=admin)
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    approved = client.post(f"/api/v1/admin/memberships/{alice_id}/decision", json={"approve": True}, headers=admin)
    assert approved.json["status"] == "joined"
    twice = client.post(f"/api/v1/admin/memberships/{alice_id}/decision", json={"approve": True}, headers=admin)
    assert twice.status_code == 409 and error_code(twice) == "ALREADY_DECIDED"

    [bobs] = mine(client, bob_h)
    assert (bobs["status"], bobs["reason"]) == ("rejected", "本队只招收本社区居民")
    assert ask(client, bob_h, org).json["status"] == "pending"  # may ask again

    removed = client.post(f"/api/v1/admin/memberships/{alice_id}/removal", json={"reason": "长期未参加活动"},
                          headers=admin)
    assert removed.status_code == 200 and removed.json["status"] == "removed"
    assert error_code(client.post(f"/api/v1/admin/memberships/{alice_id}/removal", json={},
                                  headers=admin)) == "MEMBERSHIP_NOT_ALLOWED"
    assert [(m["status"], m["reason"]) for m in mine(client, alice_h)] == [("removed", "长期未参加活动")]
    actions = db.session.execute(db.select(AuditLog.action).where(AuditLog.org_id == org.id)).scalars().all()
    assert sorted(actions) == ["membership.decide", "membership.decide", "membership.remove"]
    notices = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.account_id == alice.account_id)) \
        .scalars().all()
    assert len(notices) == 2  # approved, then removed: the volunteer hears of both


def test_leaving_and_withdrawing(client, factories):
    home, org = factories.org(), factories.org()
    headers = factories.login(client, factories.volunteer(home))
    assert client.delete(f"/api/v1/organisations/{org.id}/memberships", headers=headers).status_code == 404
    ask(client, headers, org)
    withdrawn = client.delete(f"/api/v1/organisations/{org.id}/memberships", headers=headers)
    assert withdrawn.json["status"] == "left"
    again = client.delete(f"/api/v1/organisations/{org.id}/memberships", headers=headers)
    assert error_code(again) == "NOT_A_MEMBER"


def test_the_admin_sets_changes_and_clears_the_join_password(client, factories):
    org, home = factories.org(), factories.org()
    admin = factories.login(client, factories.admin(org))
    url = f"/api/v1/admin/organisations/{org.id}/join-password"
    assert error_code(client.put(url, json={"join_password": "abc"}, headers=admin)) == "JOIN_PASSWORD_FORMAT"
    assert client.put(url, json={"join_password": "xyz"},
                      headers=factories.login(client, factories.admin(home))).status_code == 404
    assert client.put(url, json={"join_password": "first-pass"}, headers=admin).json["join_password_set"] is True
    assert client.put(url, json={"join_password": "second-pass"}, headers=admin).status_code == 200
    volunteer = factories.login(client, factories.volunteer(home))
    assert error_code(ask(client, volunteer, org, "first-pass")) == "JOIN_PASSWORD_WRONG"
    assert ask(client, volunteer, org, "second-pass").json["status"] == "joined"
    assert client.put(url, json={"join_password": None}, headers=admin).json["join_password_set"] is False


def test_members_are_invited_as_the_organisations_own_volunteers(client, factories):
    org, home = factories.org(), factories.org()
    admin = factories.login(client, factories.admin(org))
    member, outsider = factories.volunteer(home), factories.volunteer(home)
    org.join_password_hash = hash_password(JOIN_PASSWORD)
    db.session.commit()
    assert ask(client, factories.login(client, member), org, JOIN_PASSWORD).json["status"] == "joined"
    activity = factories.activity(org)
    answer = client.post(f"/api/v1/admin/activities/{activity.id}/invitations",
                         json={"volunteer_ids": [member.id, outsider.id]}, headers=admin).json
    assert answer["invited"] == [member.id]
    assert [(r["volunteer_id"], r["code"]) for r in answer["refused"]] == [(outsider.id, "VOLUNTEER_NOT_IN_ORG")]


def test_six_requests_at_once_still_leave_five_pending(app, factories):
    volunteer = factories.volunteer(factories.org())
    orgs = [factories.org() for _ in range(6)]
    token = tokens_for([volunteer])[0]
    barrier = threading.Barrier(len(orgs))

    def press(org_id):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/organisations/{org_id}/memberships", json={},
                               headers={"Authorization": f"Bearer {token}"})
        return response.status_code, (response.json.get("error") or {}).get("code")

    with ThreadPoolExecutor(max_workers=len(orgs)) as pool:
        results = list(pool.map(press, [o.id for o in orgs]))
    assert sorted(results, key=str) == sorted([(201, None)] * 5 + [(409, "MEMBERSHIP_PENDING_LIMIT")], key=str)
    db.session.rollback()  # a fresh snapshot (MariaDB: REPEATABLE READ)
    assert db.session.execute(db.select(db.func.count()).select_from(OrgMembership)
                              .filter_by(volunteer_id=volunteer.id, status="pending")).scalar_one() == 5
