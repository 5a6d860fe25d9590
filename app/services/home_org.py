"""Changing the home organisation (归属组织): effective only when the new one approves."""
from app.domain import review as review_rules
from app.errors import DomainError
from app.extensions import db
from app.models import HomeOrgChange, Organisation, Volunteer
from app.notify import account_texts
from app.notify.outbox import queue_message
from app.services import authz
from app.services.registration import approved_org
from app.services.unit_of_work import use_case
from app.timeutil import utcnow


@use_case
def request_change(account, to_org_id):
    volunteer = account.volunteer
    if volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    if volunteer.review_status != review_rules.APPROVED:
        # Before approval the home organisation is fixed by 完善资料 (a rejected registration).
        raise DomainError("HOME_ORG_CHANGE_NOT_ALLOWED")
    org = approved_org(to_org_id)
    if org.id == volunteer.home_org_id:
        raise DomainError("HOME_ORG_SAME")
    if volunteer.pending_home_org_id is not None:
        raise DomainError("HOME_ORG_CHANGE_PENDING")
    change = HomeOrgChange(volunteer_id=volunteer.id, from_org_id=volunteer.home_org_id, to_org_id=org.id,
                           status="pending")
    volunteer.pending_home_org_id = org.id
    db.session.add(change)
    return change


def list_changes(admin, status="pending"):
    query = db.select(HomeOrgChange).where(authz.managed_org_filter(admin, HomeOrgChange.to_org_id))
    if status:
        query = query.where(HomeOrgChange.status == status)
    return db.session.execute(query.order_by(HomeOrgChange.id)).scalars().all()


@use_case
def decide_change(admin, change_id, approve, reason=None):
    """The new organisation's admin decides; on approval the volunteer (and the counts) move."""
    change = db.session.get(HomeOrgChange, change_id)
    if change is None or not authz.can_manage_org(admin, db.session.get(Organisation, change.to_org_id)):
        raise DomainError("NOT_FOUND")
    problem = review_rules.decision_problem(approve, reason)
    if problem:
        raise DomainError(problem)
    if change.status != "pending":
        raise DomainError("ALREADY_DECIDED")
    volunteer = db.session.get(Volunteer, change.volunteer_id)
    now = utcnow()
    claimed = db.session.execute(
        db.update(HomeOrgChange).where(HomeOrgChange.id == change.id, HomeOrgChange.status == "pending")
        .values(status="approved" if approve else "rejected", reason=None if approve else reason.strip(),
                decided_by=admin.id, decided_at=now)
    ).rowcount
    if not claimed:
        raise DomainError("ALREADY_DECIDED")
    volunteer.pending_home_org_id = None
    if approve:
        volunteer.home_org_id = change.to_org_id
        if volunteer.review_status == review_rules.APPROVED:
            db.session.execute(db.update(Organisation).where(Organisation.id == change.from_org_id)
                               .values(volunteer_count=Organisation.volunteer_count - 1))
            db.session.execute(db.update(Organisation).where(Organisation.id == change.to_org_id)
                               .values(volunteer_count=Organisation.volunteer_count + 1))
    authz.audit(admin, "volunteer.home_org_change", org_id=change.to_org_id, target_type="home_org_change",
                target_id=change.id, detail={"approve": approve, "reason": change.reason,
                                             "volunteer_id": volunteer.id, "from_org_id": change.from_org_id})
    org_name = db.session.get(Organisation, change.to_org_id).name
    queue_message(kind="review_result", account_id=volunteer.account_id,
                  dedupe_key=f"home-org-change:{change.id}",
                  fields={"name": volunteer.account.real_name,
                          "result": f"归属组织变更{'通过' if approve else '未通过'}", "reason": change.reason or ""},
                  sms_text=account_texts.home_org_change_sms(org_name, approve, change.reason))
    return change
