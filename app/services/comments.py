"""留言: volunteers comment on activities and organisations; lists newest first with paging; "my
comments"; the owning organisation's admin hides one with a reason (audited). Each person may
post a few a minute and some dozens an hour (app/services/community_limits.py)."""
from app.domain import comments as rules
from app.errors import DomainError
from app.extensions import db
from app.models import Activity, Comment, Organisation
from app.services import authz, community_limits
from app.services.unit_of_work import use_case
from app.timeutil import utcnow


def _target(target_type, target_id):
    """The owning organisation's id of a visible target, or its not-found code."""
    if target_type == "activity":
        activity = db.session.get(Activity, target_id)
        if activity is None or activity.revoked_at is not None:
            raise DomainError("ACTIVITY_NOT_FOUND")
        return activity.org_id
    org = db.session.get(Organisation, target_id)
    if org is None or org.status != "approved":
        raise DomainError("ORG_NOT_FOUND")
    return org.id


@use_case
def post(account, target_type, target_id, text):
    if account.volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    org_id = _target(target_type, target_id)
    text = rules.check_text(text)
    for item in community_limits.COMMENTS:
        community_limits.refuse_when_spent(item, "COMMENT_RATE_LIMITED", "comment", account.id)
    for item in community_limits.COMMENTS:
        community_limits.count(item, "comment", account.id)
    comment = Comment(target_type=target_type, target_id=target_id, org_id=org_id, author_account_id=account.id,
                      text=text, created_at=utcnow())
    db.session.add(comment)
    db.session.flush()
    return comment


def _page(query, page, per_page):
    total = db.session.execute(db.select(db.func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        query.order_by(Comment.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).scalars().all()
    return rows, total


def list_for(target_type, target_id, page=1, per_page=20):
    """The visible comments of an activity or organisation, newest first."""
    _target(target_type, target_id)
    query = db.select(Comment).where(Comment.target_type == target_type, Comment.target_id == target_id,
                                     Comment.hidden_at.is_(None))
    return _page(query, page, per_page)


def mine(account, page=1, per_page=20):
    """My comments, hidden ones included (with the reason)."""
    return _page(db.select(Comment).where(Comment.author_account_id == account.id), page, per_page)


@use_case
def hide(admin, comment_id, reason):
    """The owning organisation's admin hides a comment; the reason is kept and audited."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or not authz.can_manage_org(admin, db.session.get(Organisation, comment.org_id)):
        raise DomainError("COMMENT_NOT_FOUND")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED")
    if comment.hidden_at is not None:
        raise DomainError("COMMENT_ALREADY_HIDDEN")
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = utcnow(), admin.id, reason
    authz.audit(admin, "comment.hide", org_id=comment.org_id, target_type="comment", target_id=comment.id,
                detail={"reason": reason, "author_account_id": comment.author_account_id})
    return comment
