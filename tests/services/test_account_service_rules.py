"""Rejections that the API's schemas already stop, checked at the service too (other adapters
such as H5 pages and commands call the services directly), and the rarer refusals."""
import io

import pytest

from app.errors import DomainError
from app.extensions import db
from app.models import OrgAdmin
from app.services import account_security, home_org, organisations, registration


def code_of(call, *args, **kwargs):
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)
    return info.value.code


def test_organisation_registration_refusals_at_the_service(factories, app):
    parent = factories.org()
    volunteer = factories.volunteer(parent)
    common = dict(name="新队", is_legal_person=False, region_code=None, agreed=True, photo=io.BytesIO(b"x"),
                  upload_dir=app.config["UPLOAD_DIR"], current_account=volunteer.account)
    assert code_of(organisations.register_organisation, category="province", parent_id=parent.id,
                   **common) == "ORG_CATEGORY_INVALID"
    assert code_of(organisations.register_organisation, category="team", parent_id=None,
                   **common) == "PARENT_ORG_REQUIRED"
    admin = factories.admin(parent)
    child = factories.org(parent=parent)
    assert code_of(organisations.correct_organisation, admin, child.id, {"category": "province"}) == \
        "ORG_CATEGORY_INVALID"


def test_unknown_id_type_at_the_service(factories):
    org = factories.org()
    assert code_of(registration.register_volunteer, password="Secret123", real_name="x", gender="male",
                   id_type="driving_licence", id_number="123456", phone="13700000000", sms_code="1",
                   home_org_id=org.id, agreed=True) == "ID_TYPE_INVALID"


def test_a_reset_needs_a_phone_to_send_the_temporary_password_to(factories):
    parent = factories.org()
    child = factories.org(parent=parent)
    child_admin = factories.admin(child)  # created without a phone
    assert code_of(account_security.admin_reset_org_admin_password, factories.admin(parent), child.id,
                   child_admin.id) == "NO_PHONE_FOR_RESET"
    assert code_of(account_security.admin_reset_org_admin_password, factories.admin(parent), child.id,
                   999999) == "NOT_FOUND"


def test_only_an_approved_volunteer_asks_to_move(factories):
    org = factories.org()
    pending = factories.volunteer(org, status="pending")
    db.session.add(OrgAdmin(org_id=org.id, account_id=pending.account_id))  # an admin may log in while pending
    db.session.commit()
    assert code_of(home_org.request_change, pending.account, factories.org().id) == "HOME_ORG_CHANGE_NOT_ALLOWED"


def test_two_admins_approving_at_once_count_the_volunteer_once(app, factories, database_url):
    """MariaDB: the second UPDATE waits for the first and then finds nothing pending."""
    import threading

    from app.models import Account, Organisation
    from app.services.volunteer_review import review_volunteer

    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers differently; the claim is about MariaDB's row locks")
    org = factories.org()
    admins = [factories.admin(org).id, factories.admin(org).id]
    volunteers = [factories.volunteer(org, status="pending").id for _ in range(5)]
    results = []

    def decide(admin_id, volunteer_id, barrier):
        with app.app_context():
            barrier.wait()
            try:
                review_volunteer(db.session.get(Account, admin_id), volunteer_id, True)
                results.append("ok")
            except DomainError as exc:
                results.append(exc.code)

    for volunteer_id in volunteers:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=decide, args=(a, volunteer_id, barrier)) for a in admins]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(results) == ["ALREADY_REVIEWED"] * 5 + ["ok"] * 5
    db.session.rollback()  # a new snapshot (REPEATABLE READ)
    assert db.session.get(Organisation, org.id).volunteer_count == 5
