"""An admin of one branch gets 404 on every admin operation against another branch's volunteers
and organisations (and against descendants without regional authority); nothing changes and no
audit row is written. A platform admin may act everywhere."""
from pathlib import Path

import pytest

from app.extensions import db
from app.models import AuditLog, HomeOrgChange, OrgAdmin, Organisation, Volunteer
from tests.api.accounts_helpers import error_code


@pytest.fixture
def world(factories, app):
    province = factories.org("省", category="province", regional_authority=True, region_code="440000")
    city_a = factories.org("甲市", parent=province, category="city", region_code="440100")
    team_a = factories.org("甲市队", parent=city_a)
    city_b = factories.org("乙市", parent=province, category="city", region_code="440300")
    photo = Path(app.config["UPLOAD_DIR"]) / "id-photos" / "scope-test.png"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\x89PNG\r\n\x1a\n-test")
    targets = {}
    for name, parent in (("b", city_b), ("a_team", team_a)):
        volunteer = factories.volunteer(parent, status="pending", identity="passed")
        child = Organisation(name=f"{name} 新队", category="team", parent_id=parent.id, path="/", status="pending",
                             id_photo_path="id-photos/scope-test.png")
        db.session.add(child)
        db.session.flush()
        child.path = f"{parent.path}{child.id}/"
        child_admin = factories.account()
        child_admin.phone = f"1360000{child.id:04d}"
        db.session.add(OrgAdmin(org_id=child.id, account_id=child_admin.id))
        mover = factories.volunteer(province)
        change = HomeOrgChange(volunteer_id=mover.id, from_org_id=province.id, to_org_id=parent.id)
        mover.pending_home_org_id = parent.id
        db.session.add(change)
        db.session.commit()
        targets[name] = {"volunteer": volunteer.id, "org": child.id, "org_admin": child_admin.id,
                         "change": change.id, "home": parent.id}
    return {"province": province, "city_a": city_a, "team_a": team_a, "city_b": city_b, "targets": targets}


def operations(t):
    """Every admin operation of this area, aimed at target set t."""
    return [
        ("get", f"/api/v1/admin/volunteers?org_id={t['home']}", None),
        ("get", f"/api/v1/admin/volunteers/{t['volunteer']}", None),
        ("post", f"/api/v1/admin/volunteers/{t['volunteer']}/review", {"approve": True}),
        ("post", f"/api/v1/admin/volunteers/{t['volunteer']}/review", {"approve": False, "reason": "x"}),
        ("post", f"/api/v1/admin/volunteers/{t['volunteer']}/password-reset", None),
        ("post", f"/api/v1/admin/volunteers/{t['volunteer']}/deletion", None),
        ("delete", f"/api/v1/admin/volunteers/{t['volunteer']}/deletion", None),
        ("post", f"/api/v1/admin/home-org-changes/{t['change']}/decision", {"approve": True}),
        ("patch", f"/api/v1/admin/organisations/{t['org']}", {"name": "改名"}),
        ("post", f"/api/v1/admin/organisations/{t['org']}/review", {"approve": True}),
        ("get", f"/api/v1/admin/organisations/{t['org']}/id-photo", None),
        ("post", f"/api/v1/admin/organisations/{t['org']}/admins/{t['org_admin']}/password-reset", None),
    ]


def snapshot():
    return (
        [(v.id, v.review_status, v.home_org_id, v.account.status, v.account.password_hash)
         for v in db.session.execute(db.select(Volunteer)).scalars()],
        [(o.id, o.name, o.status) for o in db.session.execute(db.select(Organisation)).scalars()],
        [(c.id, c.status) for c in db.session.execute(db.select(HomeOrgChange)).scalars()],
        db.session.execute(db.select(db.func.count(AuditLog.id))).scalar_one(),
    )


@pytest.mark.parametrize("target", ["b", "a_team"])
def test_every_admin_operation_on_another_branch_is_not_found(client, factories, world, target):
    headers = factories.login(client, factories.admin(world["city_a"]))
    t = world["targets"][target]
    before = snapshot()
    for method, path, body in operations(t):
        response = getattr(client, method)(path, json=body, headers=headers) if body is not None \
            else getattr(client, method)(path, headers=headers)
        assert response.status_code == 404, (method, path, response.status_code, response.json)
        assert error_code(response) == "NOT_FOUND"
    db.session.rollback()
    assert snapshot() == before

    # and the lists never show them
    listed = client.get("/api/v1/admin/volunteers", headers=headers).json["items"]
    assert t["volunteer"] not in [v["id"] for v in listed]
    changes = client.get("/api/v1/admin/home-org-changes", headers=headers).json["items"]
    assert t["change"] not in [c["id"] for c in changes]
    registrations = client.get("/api/v1/admin/organisations", headers=headers).json["items"]
    assert t["org"] not in [o["id"] for o in registrations]


def test_non_admins_get_403_on_every_admin_operation(client, factories, world):
    headers = factories.login(client, factories.volunteer(world["city_a"]))
    for method, path, body in operations(world["targets"]["b"]):
        response = getattr(client, method)(path, json=body, headers=headers) if body is not None \
            else getattr(client, method)(path, headers=headers)
        assert response.status_code == 403 and error_code(response) == "FORBIDDEN", path


def test_an_admin_of_a_pending_organisation_has_no_power(client, factories, world):
    pending = Organisation(name="未审核", category="team", parent_id=world["city_b"].id, path="/", status="pending")
    db.session.add(pending)
    db.session.flush()
    pending.path = f"{world['city_b'].path}{pending.id}/"
    volunteer = factories.volunteer(world["city_a"])  # a volunteer who also registered an org
    db.session.add(OrgAdmin(org_id=pending.id, account_id=volunteer.account_id))
    db.session.commit()
    headers = factories.login(client, volunteer)
    assert error_code(client.get("/api/v1/admin/volunteers", headers=headers)) == "FORBIDDEN"


def test_regional_authority_and_platform_admin_reach_down(client, factories, world):
    province_admin = factories.login(client, factories.admin(world["province"]))
    platform = factories.account(is_platform_admin=True)
    platform_headers = factories.login(client, platform)
    t = world["targets"]["b"]
    assert client.post(f"/api/v1/admin/volunteers/{t['volunteer']}/review", json={"approve": True},
                       headers=province_admin).status_code == 200
    assert client.post(f"/api/v1/admin/organisations/{t['org']}/review", json={"approve": True},
                       headers=platform_headers).status_code == 200
    other = world["targets"]["a_team"]
    assert client.post(f"/api/v1/admin/home-org-changes/{other['change']}/decision", json={"approve": True},
                       headers=factories.login(client, factories.admin(world["team_a"]))).status_code == 200


def test_bulk_import_by_an_admin_of_another_branch_is_refused(factories, world, tmp_path):
    from app.errors import DomainError
    from app.services.bulk_import import import_volunteers

    with pytest.raises(DomainError) as info:
        import_volunteers([], world["city_b"].id, actor=factories.admin(world["city_a"]))
    assert info.value.code == "NOT_FOUND"


def test_the_same_operations_work_for_the_admin_who_may_act(client, factories, world):
    """The control: the 404s above come from the scope, not from operations that never work."""
    headers = factories.login(client, factories.admin(world["province"]))  # regional authority
    statuses = []
    for method, path, body in operations(world["targets"]["b"]):
        response = getattr(client, method)(path, json=body, headers=headers) if body is not None \
            else getattr(client, method)(path, headers=headers)
        statuses.append(response.status_code)
    # the second review of the same volunteer finds it already reviewed
    assert statuses == [200, 200, 200, 409, 200, 200, 200, 200, 200, 200, 200, 200]
