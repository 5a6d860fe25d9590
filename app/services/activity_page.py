"""An activity's page as one person sees it: the activity, its displayed state, that person's
enrollment, and whether they may see the contact number in full (the activity's admins and the
volunteers holding a place, as in the mini-program API)."""
from app.domain import activity_rules as rules
from app.domain import activity_state as st
from app.services import authz
from app.services.activities import public_activity
from app.services.enrollment import enrollment_of


def activity_for_viewer(activity_id, account, now):
    """→ {"activity", "state", "state_label", "enrollment" (or None), "full_contact",
    "may_enroll", "may_cancel", "is_admin"}. ACTIVITY_NOT_FOUND when absent."""
    activity = public_activity(activity_id)
    state = st.activity_state(st.times_of(activity), now)
    volunteer = account.volunteer if account is not None else None
    enrollment = enrollment_of(activity.id, volunteer.id) if volunteer is not None else None
    holds = enrollment is not None and enrollment.status in rules.HOLDS_A_PLACE
    manages = account is not None and authz.can_manage_org(account, activity.organisation)
    return {
        "activity": activity,
        "state": state,
        "state_label": st.label(state),
        "enrollment": enrollment,
        "enrollment_label": rules.ENROLLMENT_LABELS.get(enrollment.status) if enrollment else None,
        "full_contact": holds or manages,
        "may_enroll": state == st.OPEN and not holds,
        "may_cancel": holds and state in (st.NOT_OPEN, st.OPEN, st.CLOSED),
        "manages": manages,
    }
