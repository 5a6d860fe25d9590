"""审核 by the home organisation's admin, and the admin's list of volunteers."""
from app.domain import identity_check as check_rules
from app.domain import review as review_rules
from app.errors import DomainError
from app.extensions import db
from app.models import Account, Organisation, Volunteer
from app.notify import account_texts
from app.notify.outbox import queue_message
from app.security import pii
from app.services import authz
from app.services.sessions import revoke_all_sessions
from app.services.unit_of_work import use_case
from app.timeutil import utcnow


def list_volunteers(admin, *, status=None, org_id=None, keyword=None, page=1, per_page=20):
    """Volunteers of the organisations the admin manages. keyword: name, phone or ID number."""
    query = db.select(Volunteer).join(Account, Account.id == Volunteer.account_id).where(
        authz.managed_org_filter(admin, Volunteer.home_org_id))
    if status:
        query = query.where(Volunteer.review_status == status)
    if org_id is not None:
        authz.require_org(admin, org_id)
        query = query.where(Volunteer.home_org_id == org_id)
    if keyword:
        keyword = keyword.strip()
        query = query.where(db.or_(
            Account.real_name.contains(keyword, autoescape=True),
            Account.phone_hash == pii.lookup_hash("phone", keyword),
            Account.id_number_hash == pii.lookup_hash("id", keyword),
            Volunteer.volunteer_number == keyword,
        ))
    total = db.session.execute(query.with_only_columns(db.func.count(Volunteer.id))).scalar_one()
    rows = db.session.execute(
        query.order_by(Volunteer.created_at, Volunteer.id).limit(per_page).offset((page - 1) * per_page)
    ).scalars().all()
    return rows, total


def may_review(volunteer):
    """Whether an admin may decide on the volunteer now: 待审核, with the identity check 通过 or 未知."""
    return (volunteer.review_status == review_rules.PENDING
            and check_rules.may_review(volunteer.identity_check_status))


@use_case
def review_volunteer(admin, volunteer_id, approve, reason=None):
    """待审核 → 通过 / 未通过, only while the identity check is 通过 or 未知; notified."""
    volunteer = authz.require_volunteer(admin, volunteer_id)
    problem = review_rules.decision_problem(approve, reason)
    if problem:
        raise DomainError(problem)
    new_status = review_rules.transition(volunteer.review_status, "approve" if approve else "reject",
                                         refusal="ALREADY_REVIEWED")
    if not check_rules.may_review(volunteer.identity_check_status):
        raise DomainError("REVIEW_NOT_ALLOWED")
    now = utcnow()
    reason = None if approve else reason.strip()
    # Claim the decision in the database: of two admins deciding at once, one wins and the
    # other is told it is already reviewed (so the count is never raised twice).
    claimed = db.session.execute(
        db.update(Volunteer)
        .where(Volunteer.id == volunteer.id, Volunteer.review_status == review_rules.PENDING,
               Volunteer.identity_check_status.in_(sorted(check_rules.REVIEWABLE)))
        .values(review_status=new_status, review_reason=reason, reviewed_at=now, reviewed_by=admin.id)
    ).rowcount
    if not claimed:
        raise DomainError("ALREADY_REVIEWED")
    if approve:
        db.session.execute(db.update(Organisation).where(Organisation.id == volunteer.home_org_id)
                           .values(volunteer_count=Organisation.volunteer_count + 1))
    authz.audit(admin, "volunteer.review", org_id=volunteer.home_org_id, target_type="volunteer",
                target_id=volunteer.id, detail={"approve": approve, "reason": reason})
    queue_message(kind="review_result", account_id=volunteer.account_id,
                  dedupe_key=f"volunteer-review:{volunteer.id}:{now:%Y%m%d%H%M%S%f}",
                  fields={"name": volunteer.account.real_name, "result": "通过" if approve else "未通过",
                          "reason": reason or ""},
                  sms_text=account_texts.review_result_sms(approve, reason))
    return volunteer


@use_case
def set_account_deleted(admin, volunteer_id, deleted):
    """注销 / 恢复 by an admin of the home organisation. A deleted account cannot log in
    ("帐号被删除") and its sessions end; the organisation's count follows."""
    volunteer = authz.require_volunteer(admin, volunteer_id)
    account = volunteer.account
    if (account.status == "deleted") == deleted:
        raise DomainError("CONFLICT", "帐号已是该状态。")
    account.status = "deleted" if deleted else "active"
    account.deleted_at = utcnow() if deleted else None
    if deleted:
        revoke_all_sessions(account.id)
    if volunteer.review_status == review_rules.APPROVED:
        step = -1 if deleted else 1
        db.session.execute(db.update(Organisation).where(Organisation.id == volunteer.home_org_id)
                           .values(volunteer_count=Organisation.volunteer_count + step))
    authz.audit(admin, "volunteer.delete" if deleted else "volunteer.restore", org_id=volunteer.home_org_id,
                target_type="volunteer", target_id=volunteer.id)
    return volunteer
