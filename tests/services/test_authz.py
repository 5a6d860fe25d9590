"""Admins act on their own organisation, and on descendants only with regional authority."""
import pytest

from app.errors import DomainError
from app.extensions import db
from app.models import AuditLog, Volunteer
from app.services import authz


@pytest.fixture
def tree(factories):
    province = factories.org("省", category="province", regional_authority=True)
    city = factories.org("市", parent=province, category="city")
    team = factories.org("队", parent=city)
    other = factories.org("别的市", parent=province, category="city")
    return province, city, team, other


def test_own_org_and_regional_descendants(factories, tree):
    province, city, team, other = tree
    province_admin, city_admin = factories.admin(province), factories.admin(city)
    assert authz.can_manage_org(province_admin, team)  # regional authority reaches down
    assert authz.can_manage_org(city_admin, city)
    assert not authz.can_manage_org(city_admin, team)  # no regional authority: own org only
    assert not authz.can_manage_org(city_admin, other)
    assert not authz.can_manage_org(city_admin, province)
    with pytest.raises(DomainError) as info:
        authz.require_org(city_admin, other.id)
    assert info.value.code == "NOT_FOUND"


def test_list_filter_scopes_rows_to_managed_orgs(factories, tree):
    province, city, team, other = tree
    factories.volunteer(team)
    factories.volunteer(other)
    mine = factories.volunteer(city)
    city_admin = factories.admin(city)
    rows = db.session.execute(
        db.select(Volunteer).where(authz.managed_org_filter(city_admin, Volunteer.home_org_id))
    ).scalars().all()
    assert [v.id for v in rows] == [mine.id]
    everyone = db.session.execute(
        db.select(Volunteer).where(authz.managed_org_filter(factories.admin(province), Volunteer.home_org_id))
    ).scalars().all()
    assert len(everyone) == 3


def test_audit_row_commits_with_the_action(factories, tree):
    admin = factories.admin(tree[1])
    authz.audit(admin, "volunteer.review", org_id=tree[1].id, target_type="volunteer", target_id=7,
                detail={"approve": True})
    db.session.commit()
    row = db.session.execute(db.select(AuditLog)).scalar_one()
    assert (row.action, row.target_id, row.actor_account_id) == ("volunteer.review", "7", admin.id)
