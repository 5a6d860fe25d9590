"""Membership of organisations other than the home one: asking to join (with or without the
免审密码), the admin's list, approval, rejection and removal, and leaving.

The rules are in app/domain/membership.py. The volunteer's own row is locked first (as for
enrollment) so that the 20 / 5 limits hold when the same volunteer asks several organisations at
once; the unique (organisation, volunteer) row makes a repeated request the same request.
"""
from app.domain import membership as rules
from app.domain import review as review_rules
from app.errors import DomainError
from app.extensions import db
from app.models import OrgMembership
from app.notify.outbox import queue_message
from app.security.passwords import hash_password, verify_password
from app.services import authz, community_limits
from app.services.enrollment import lock_volunteer
from app.services.registration import approved_org
from app.services.unit_of_work import use_case
from app.timeutil import utcnow

JOIN_PASSWORD_LENGTH = (4, 32)


def _counts(volunteer_id):
    rows = db.session.execute(
        db.select(OrgMembership.status, db.func.count()).where(
            OrgMembership.volunteer_id == volunteer_id, OrgMembership.status.in_(rules.HOLDING))
        .group_by(OrgMembership.status)
    ).all()
    by_status = dict(rows)
    return sum(by_status.values()), by_status.get(rules.PENDING, 0)


def _membership(org_id, volunteer_id):
    return db.session.execute(
        db.select(OrgMembership).filter_by(org_id=org_id, volunteer_id=volunteer_id)
    ).scalar_one_or_none()


@use_case
def request_membership(account_id, org_id, join_password=None):
    """加入组织 → (membership, created_or_changed). With the right 免审密码 the volunteer joins at
    once; without one the request waits for the admin; a wrong one is refused and counted."""
    volunteer = lock_volunteer(account_id)
    if volunteer.review_status != review_rules.APPROVED:
        raise DomainError("VOLUNTEER_NOT_APPROVED")
    org = approved_org(org_id)
    if org.id == volunteer.home_org_id:
        raise DomainError("MEMBERSHIP_HOME_ORG")
    password_given = bool(join_password)
    password_ok = False
    if password_given and org.join_password_hash:
        community_limits.refuse_when_spent(community_limits.WRONG_JOIN_PASSWORD, "JOIN_PASSWORD_RATE_LIMITED",
                                           "join-password", volunteer.id)
        password_ok = verify_password(org.join_password_hash, join_password)
        if not password_ok:
            community_limits.count(community_limits.WRONG_JOIN_PASSWORD, "join-password", volunteer.id)
    membership = _membership(org.id, volunteer.id)
    holding, pending = _counts(volunteer.id)
    action, state = rules.decide_request(
        current=membership.status if membership else None, holding=holding, pending=pending,
        has_join_password=bool(org.join_password_hash), password_given=password_given, password_ok=password_ok)
    if action == "none":
        return membership, False
    now = utcnow()
    if membership is None:
        membership = OrgMembership(org_id=org.id, volunteer_id=volunteer.id, created_at=now)
        db.session.add(membership)
    membership.status, membership.reason, membership.updated_at = state, None, now
    membership.decided_by = membership.decided_at = None
    membership.joined_at = now if state == rules.JOINED else None
    db.session.flush()
    return membership, True


def my_memberships(account):
    volunteer = _volunteer_of(account)
    return db.session.execute(
        db.select(OrgMembership).where(OrgMembership.volunteer_id == volunteer.id)
        .order_by(OrgMembership.updated_at.desc(), OrgMembership.id.desc())
    ).scalars().all()


def _volunteer_of(account):
    if account.volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    return account.volunteer


@use_case
def leave(account, org_id):
    """退出组织 (or withdraw a pending request)."""
    volunteer = _volunteer_of(account)
    membership = _membership(org_id, volunteer.id)
    if membership is None or membership.status not in rules.HOLDING:
        raise DomainError("NOT_A_MEMBER")
    membership.status = rules.transition(membership.status, "leave")
    membership.updated_at = utcnow()
    return membership


def list_members(admin, org_id, status=None, page=1, per_page=20):
    """The organisation's members and requests (its admin, or an admin above it with authority)."""
    org = authz.require_org(admin, org_id)
    query = db.select(OrgMembership).where(OrgMembership.org_id == org.id)
    if status:
        query = query.where(OrgMembership.status == status)
    total = db.session.execute(db.select(db.func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        query.order_by(OrgMembership.updated_at.desc(), OrgMembership.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).scalars().all()
    return rows, total


def _managed_membership(admin, membership_id):
    membership = db.session.get(OrgMembership, membership_id)
    # Another organisation's request looks exactly like one that does not exist.
    if membership is None or not authz.can_manage_org(admin, membership.organisation):
        raise DomainError("NOT_FOUND")
    return membership


@use_case
def decide(admin, membership_id, approve, reason=None):
    """The organisation's admin approves or rejects (with a reason) a pending request."""
    membership = _managed_membership(admin, membership_id)
    problem = review_rules.decision_problem(approve, reason)
    if problem:
        raise DomainError(problem)
    state = rules.transition(membership.status, "approve" if approve else "reject", "ALREADY_DECIDED")
    now = utcnow()
    claimed = db.session.execute(
        db.update(OrgMembership)
        .where(OrgMembership.id == membership.id, OrgMembership.status == membership.status)
        .values(status=state, reason=None if approve else reason.strip(), decided_by=admin.id, decided_at=now,
                updated_at=now, joined_at=now if approve else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:  # another admin decided it at the same moment
        raise DomainError("ALREADY_DECIDED")
    db.session.refresh(membership)
    authz.audit(admin, "membership.decide", org_id=membership.org_id, target_type="membership",
                target_id=membership.id, detail={"approve": approve, "reason": membership.reason,
                                                 "volunteer_id": membership.volunteer_id})
    _notify(membership, f"加入{membership.organisation.name}{'通过' if approve else '未通过'}")
    return membership


@use_case
def remove(admin, membership_id, reason=None):
    """移出组织: the admin ends a member's membership (the reason is kept and told)."""
    membership = _managed_membership(admin, membership_id)
    membership.status = rules.transition(membership.status, "remove", "MEMBERSHIP_NOT_ALLOWED")
    membership.reason = (reason or "").strip() or None
    membership.decided_by, membership.decided_at = admin.id, utcnow()
    membership.updated_at = membership.decided_at
    authz.audit(admin, "membership.remove", org_id=membership.org_id, target_type="membership",
                target_id=membership.id, detail={"reason": membership.reason,
                                                 "volunteer_id": membership.volunteer_id})
    _notify(membership, f"已被移出{membership.organisation.name}")
    return membership


def _notify(membership, result):
    volunteer = membership.volunteer
    queue_message(kind="review_result", account_id=volunteer.account_id,
                  dedupe_key=f"membership:{membership.id}:{membership.status}:{membership.updated_at.isoformat()}",
                  fields={"name": volunteer.account.real_name, "result": result, "reason": membership.reason or ""})


@use_case
def set_join_password(admin, org_id, password):
    """设置 / 更换 / 取消 (None) the organisation's 免审密码."""
    org = authz.require_org(admin, org_id)
    if password is not None:
        low, high = JOIN_PASSWORD_LENGTH
        if not low <= len(password) <= high:
            raise DomainError("JOIN_PASSWORD_FORMAT")
    org.join_password_hash = hash_password(password) if password else None
    authz.audit(admin, "organisation.join_password", org_id=org.id, target_type="organisation",
                target_id=org.id, detail={"set": bool(password)})
    return org


def member_volunteer_ids(org_id, volunteer_ids):
    """Those of `volunteer_ids` who are joined members of the organisation (its own volunteers
    for invitations)."""
    if not volunteer_ids:
        return set()
    return set(db.session.execute(
        db.select(OrgMembership.volunteer_id).where(
            OrgMembership.org_id == org_id, OrgMembership.status == rules.JOINED,
            OrgMembership.volunteer_id.in_(volunteer_ids))
    ).scalars())
