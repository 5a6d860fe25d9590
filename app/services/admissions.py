"""录用 and 移除: an organisation admin decides on applicants (one or many at once).

Each decided volunteer is notified through the outbox in the same transaction (录用 as
admission; 未录用 / 已移出 as removal); a removal gives the place back to the quota. The
activity's row is locked first, so decisions on one activity never interleave.
"""
from app.domain import activity_rules as rules
from app.domain import activity_state as st
from app.errors import DomainError
from app.extensions import db
from app.models import Enrollment, Volunteer
from app.notify.outbox import queue_message
from app.notify.templates import sms_text
from app.services import authz
from app.services.activities import managed_activity, message_fields
from app.services.enrollment import free_place, move, refusal, volunteer_ids
from app.services.unit_of_work import use_case
from app.timeutil import utcnow


@use_case
def admit(actor, activity_id, ids):
    """录用 pending applicants (one or many); each admitted volunteer is notified."""
    done, refused = _decide(actor, activity_id, ids, "admit")
    return {"admitted": done, "refused": refused}


@use_case
def remove(actor, activity_id, ids):
    """移除 applicants or admitted volunteers; their places are freed and they are notified."""
    done, refused = _decide(actor, activity_id, ids, "remove")
    return {"removed": done, "refused": refused}


def _decide(actor, activity_id, ids, action):
    ids = volunteer_ids(ids)
    activity = managed_activity(actor, activity_id, lock=True)
    rules.check_can_decide(st.activity_state(st.times_of(activity), utcnow()))
    enrollments = {e.volunteer_id: e for e in db.session.execute(
        db.select(Enrollment).where(Enrollment.activity_id == activity.id, Enrollment.volunteer_id.in_(ids))
    ).scalars()}
    done, refused = [], []
    now = utcnow()
    for volunteer_id in ids:
        enrollment = enrollments.get(volunteer_id)
        if enrollment is None:
            refused.append(refusal(volunteer_id, "NOT_ENROLLED"))
            continue
        try:
            was = enrollment.status
            move(enrollment, action, decided_at=now, decided_by=actor.id)
        except DomainError as exc:
            refused.append(refusal(volunteer_id, exc.code))
            continue
        if action == "remove":
            free_place(enrollment)
        _notify(activity, enrollment, volunteer_id, action, was, now)
        done.append(volunteer_id)
    authz.audit(actor, f"activity.{action}", org_id=activity.org_id, target_type="activity",
                target_id=activity.id,
                detail={"volunteer_ids": done, "refused": [r["volunteer_id"] for r in refused]})
    return done, refused


def _notify(activity, enrollment, volunteer_id, action, was, now):
    """The volunteer's notice of the decision (queued in this transaction; sent after the commit)."""
    account_id = db.session.execute(
        db.select(Volunteer.account_id).where(Volunteer.id == volunteer_id)).scalar_one()
    stamp = now.strftime("%Y%m%d%H%M%S%f")
    if action == "admit":
        kind, result = "admission", "已录用"
    else:
        kind, result = "removal", "未录用" if was == rules.PENDING else "已移出"
    fields = message_fields(activity, result=result)
    queue_message(kind=kind, account_id=account_id, fields=fields,
                  dedupe_key=f"{kind}:{enrollment.id}:{stamp}", sms_text=sms_text(kind, fields),
                  page=f"pages/activity/detail?id={activity.id}")
