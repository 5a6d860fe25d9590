"""组织管理: an organisation's own admin edits its 简介, contact, address, service categories and
logo, and adds and removes admin accounts (never the last one). The 免审密码 is changed in
app/services/memberships.py. Every change is audited.
"""
from app.errors import DomainError
from app.extensions import db
from app.models import Account, OrgAdmin, Organisation
from app.security import pii
from app.services import authz, images
from app.services.login import find_account
from app.services.unit_of_work import after_commit, fresh_transaction, use_case

PROFILE_FIELDS = ("description", "contact_name", "contact_phone", "address", "service_categories")
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_SIDE = 512


@use_case
def update_profile(admin, org_id, changes):
    """changes: any of PROFILE_FIELDS (None clears a field)."""
    org = authz.require_org(admin, org_id)
    changed = {}
    for field in PROFILE_FIELDS:
        if field not in changes:
            continue
        value = changes[field]
        if isinstance(value, str):
            value = value.strip() or None
        if field == "contact_phone":
            org.contact_phone_enc = pii.encrypt(value) if value else None
            changed[field] = bool(value)  # the audit row names the change, not the number
            continue
        if field == "service_categories":
            value = list(dict.fromkeys(c.strip() for c in value or () if c.strip()))
        setattr(org, field, value)
        changed[field] = value
    authz.audit(admin, "organisation.profile", org_id=org.id, target_type="organisation", target_id=org.id,
                detail=changed)
    return org


def contact_phone(org):
    return pii.decrypt(org.contact_phone_enc) if org.contact_phone_enc else None


@use_case
def replace_logo(admin, org_id, stream, upload_dir):
    org = authz.require_org(admin, org_id)
    data = images.read_image(stream, max_bytes=LOGO_MAX_BYTES, type_code="LOGO_TYPE", size_code="LOGO_TOO_LARGE")
    old, org.logo_path = org.logo_path, images.store_resized(data, upload_dir, "logos", max_side=LOGO_SIDE)
    authz.audit(admin, "organisation.logo", org_id=org.id, target_type="organisation", target_id=org.id)
    after_commit(images.remove_after, upload_dir, old)
    return org


def logo_file(org_id, upload_dir):
    org = db.session.get(Organisation, org_id)
    path = images.stored_file(upload_dir, org.logo_path) if org is not None and org.status == "approved" else None
    if path is None:
        raise DomainError("NOT_FOUND")
    return path


def admins_of(admin, org_id):
    org = authz.require_org(admin, org_id)
    return org, _admins(org.id)


def _admins(org_id):
    return db.session.execute(
        db.select(Account).join(OrgAdmin, OrgAdmin.account_id == Account.id)
        .where(OrgAdmin.org_id == org_id).order_by(OrgAdmin.id)
    ).scalars().all()


def _lock_org(admin, org_id):
    """The organisation, locked (its admin list changes one at a time: never below one admin)."""
    fresh_transaction()
    org = authz.require_org(admin, org_id)
    db.session.execute(db.select(Organisation.id).where(Organisation.id == org.id).with_for_update())
    if db.engine.dialect.name == "sqlite":
        db.session.execute(db.update(Organisation).where(Organisation.id == org.id).values(id=Organisation.id))
    return org


@use_case
def add_admin(admin, org_id, account_identifier):
    """Makes an existing account (username, phone, email, ID or volunteer number) an admin."""
    org = _lock_org(admin, org_id)
    account = find_account(account_identifier or "")
    if account is None or account.status != "active":
        raise DomainError("ACCOUNT_NOT_FOUND")
    if db.session.execute(db.select(OrgAdmin.id).filter_by(org_id=org.id, account_id=account.id)).first():
        raise DomainError("ADMIN_EXISTS")
    db.session.add(OrgAdmin(org_id=org.id, account_id=account.id))
    authz.audit(admin, "organisation.admin_add", org_id=org.id, target_type="account", target_id=account.id)
    db.session.flush()
    return org, _admins(org.id)


@use_case
def remove_admin(admin, org_id, account_id):
    """Removes an admin account of the organisation; its last admin stays."""
    org = _lock_org(admin, org_id)
    link = db.session.execute(db.select(OrgAdmin).filter_by(org_id=org.id, account_id=account_id)).scalar_one_or_none()
    if link is None:
        raise DomainError("NOT_FOUND")
    count = db.session.execute(db.select(db.func.count()).select_from(OrgAdmin).filter_by(org_id=org.id)).scalar_one()
    if count <= 1:
        raise DomainError("LAST_ADMIN")
    db.session.delete(link)
    authz.audit(admin, "organisation.admin_remove", org_id=org.id, target_type="account", target_id=account_id)
    db.session.flush()
    return org, _admins(org.id)
