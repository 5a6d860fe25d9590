"""Who may act on what: every admin operation asks here, and leaves an audit row.

An admin acts on the organisations it administers; on their descendants only where that
organisation holds regional authority (志愿云's 高级团体). A platform admin acts everywhere.
Refusals say NOT_FOUND rather than FORBIDDEN for rows of another branch, so that an admin
cannot even learn that they exist.
"""
from app.errors import DomainError
from app.extensions import db
from app.models import Account, AuditLog, OrgAdmin, Organisation, Volunteer
from app.services.unit_of_work import use_case


def administered_orgs(account):
    """The approved organisations the account is an admin of (not their descendants).

    An organisation still waiting for (or refused) its parent's approval gives its admin no power.
    """
    return db.session.execute(
        db.select(Organisation).join(OrgAdmin, OrgAdmin.org_id == Organisation.id)
        .where(OrgAdmin.account_id == account.id, Organisation.status == "approved")
    ).scalars().all()


def is_admin(account):
    return account.is_platform_admin or bool(administered_orgs(account))


def require_admin(account):
    if account is None or not is_admin(account):
        raise DomainError("FORBIDDEN")


def can_manage_org(account, org):
    """True when `account` may act on `org` (its own, or a descendant under regional authority)."""
    if account.is_platform_admin:
        return True
    for own in administered_orgs(account):
        if own.id == org.id:
            return True
        if own.regional_authority and org.path.startswith(own.path) and org.id != own.id:
            return True
    return False


def require_org(account, org_id):
    """The organisation, if the account may manage it; NOT_FOUND otherwise."""
    org = db.session.get(Organisation, org_id) if org_id is not None else None
    if org is None or not can_manage_org(account, org):
        raise DomainError("NOT_FOUND")
    return org


def managed_org_filter(account, org_id_column):
    """A SQL condition: rows whose organisation the account may manage (for list queries)."""
    if account.is_platform_admin:
        return db.true()
    conditions = []
    for own in administered_orgs(account):
        if own.regional_authority:
            subtree = db.select(Organisation.id).where(Organisation.path.startswith(own.path))
            conditions.append(org_id_column.in_(subtree))
        else:
            conditions.append(org_id_column == own.id)
    return db.or_(*conditions) if conditions else db.false()


def require_volunteer(account, volunteer_id):
    """A volunteer whose home organisation the account may manage; NOT_FOUND otherwise."""
    volunteer = db.session.get(Volunteer, volunteer_id) if volunteer_id is not None else None
    if volunteer is None or not can_manage_org(account, volunteer.home_org):
        raise DomainError("NOT_FOUND")
    return volunteer


def can_manage_child_registration(account, org):
    """The parent's admin reviews, corrects and resets the password of a child organisation
    registered under it (组织注册审核, 重置组织密码); root organisations: the platform admin."""
    if account.is_platform_admin:
        return True
    if org.parent_id is None:
        return False
    parent = db.session.get(Organisation, org.parent_id)
    return parent is not None and can_manage_org(account, parent)


def require_child_org(account, org_id):
    org = db.session.get(Organisation, org_id) if org_id is not None else None
    if org is None or not can_manage_child_registration(account, org):
        raise DomainError("NOT_FOUND")
    return org


def child_registration_filter(account):
    """SQL condition on Organisation: registrations whose parent the account may manage."""
    return managed_org_filter(account, Organisation.parent_id)


def account_named(username):
    """The account with this username, or None (the command line names accounts so)."""
    return db.session.execute(db.select(Account).filter_by(username=username)).scalar_one_or_none()


@use_case
def grant_platform_admin(username):
    """平台管理员: given from the command line only, to an existing account."""
    account = account_named(username)
    if account is None:
        raise DomainError("ACCOUNT_NOT_FOUND")
    account.is_platform_admin = True
    return account


def audit(actor, action, *, org_id=None, target_type=None, target_id=None, detail=None):
    """Adds the audit row to the caller's transaction (it commits with the action itself)."""
    db.session.add(AuditLog(actor_account_id=actor.id if actor else None, org_id=org_id, action=action,
                            target_type=target_type, target_id=str(target_id) if target_id is not None else None,
                            detail=detail))
