"""邀请: an organisation admin invites volunteers registered under the activity's organisation, or
joined members of it (app/services/memberships.py), as its own volunteers.

Each invited volunteer is notified (template / subscribe message and SMS, through the outbox in
the same transaction) and still has to enroll themself.
"""
from sqlalchemy.exc import IntegrityError

from app.domain import activity_rules as rules
from app.domain import activity_state as st
from app.errors import DomainError
from app.extensions import db
from app.models import Enrollment, Invitation, Volunteer
from app.notify.outbox import queue_message
from app.notify.templates import sms_text
from app.services import authz
from app.services.activities import managed_activity, message_fields
from app.services.enrollment import refusal, volunteer_ids
from app.services.memberships import member_volunteer_ids
from app.services.unit_of_work import use_case
from app.timeutil import utcnow


@use_case
def invite(actor, activity_id, ids):
    """邀请 the volunteers `ids` (one or many) while the activity is 报名未开始 or 马上报名.
    → {"invited": [ids], "refused": [{volunteer_id, code, message}]}."""
    ids = volunteer_ids(ids)
    activity = managed_activity(actor, activity_id)
    state = st.activity_state(st.times_of(activity), utcnow())
    if state not in (st.NOT_OPEN, st.OPEN):
        raise DomainError("INVITATION_CLOSED", state=state, state_label=st.label(state))
    volunteers = {v.id: v for v in
                  db.session.execute(db.select(Volunteer).where(Volunteer.id.in_(ids))).scalars()}
    invited_before = set(db.session.execute(
        db.select(Invitation.volunteer_id)
        .where(Invitation.activity_id == activity.id, Invitation.volunteer_id.in_(ids))
    ).scalars())
    enrolled = set(db.session.execute(
        db.select(Enrollment.volunteer_id)
        .where(Enrollment.activity_id == activity.id, Enrollment.volunteer_id.in_(ids),
               Enrollment.status.in_(rules.HOLDS_A_PLACE))
    ).scalars())
    own = {v.id for v in volunteers.values() if v.home_org_id == activity.org_id}
    own |= member_volunteer_ids(activity.org_id, list(volunteers))
    try:
        return _record_invitations(actor, activity, ids, volunteers, own, enrolled, invited_before)
    except IntegrityError:  # another admin invited one of them at the same moment
        raise DomainError("CONFLICT") from None


def _record_invitations(actor, activity, ids, volunteers, own, enrolled, invited_before):
    invited, refused = [], []
    fields = message_fields(activity)
    for volunteer_id in ids:
        volunteer = volunteers.get(volunteer_id)
        # Another organisation's volunteer looks exactly like one that does not exist.
        if volunteer is None or volunteer_id not in own or volunteer.review_status != "approved":
            refused.append(refusal(volunteer_id, "VOLUNTEER_NOT_IN_ORG"))
        elif volunteer_id in enrolled:
            refused.append(refusal(volunteer_id, "ALREADY_ENROLLED"))
        elif volunteer_id in invited_before:
            refused.append(refusal(volunteer_id, "ALREADY_INVITED"))
        else:
            invitation = Invitation(activity_id=activity.id, volunteer_id=volunteer_id, invited_by=actor.id)
            db.session.add(invitation)
            db.session.flush()
            queue_message(kind="invitation", account_id=volunteer.account_id, fields=fields,
                          dedupe_key=f"invitation:{invitation.id}", sms_text=sms_text("invitation", fields),
                          page=f"pages/activity/detail?id={activity.id}")
            invited.append(volunteer_id)
    authz.audit(actor, "activity.invite", org_id=activity.org_id, target_type="activity",
                target_id=activity.id,
                detail={"invited": invited, "refused": [r["volunteer_id"] for r in refused]})
    db.session.flush()  # a duplicate shows here, inside the try of invite(), not at the commit
    return {"invited": invited, "refused": refused}
