"""What the city-service home page and 我的 show about the person in WeChat: who they are,
their hours and star level, and the organisations they run (admins). Plain values out."""
from app.domain import activity_state as st
from app.domain import review as review_rules
from app.services import authz
from app.services.activities import list_managed_activities
from app.services.activity_search import search_activities
from app.services.records import totals_of


def overview(account):
    """→ {"name", "username", "is_volunteer", "review_status", "review_label", "volunteer_number",
    "totals" (records.totals_of, or None), "is_admin", "organisations": [{"id", "name"}]}."""
    volunteer = account.volunteer
    orgs = authz.administered_orgs(account)
    status = volunteer.review_status if volunteer is not None else None
    return {
        "name": account.real_name or account.username,
        "username": account.username,
        "is_volunteer": volunteer is not None,
        "review_status": status,
        "review_label": review_rules.LABELS.get(status, status) if status else None,
        "review_reason": volunteer.review_reason if volunteer is not None
        and status == review_rules.REJECTED else None,
        "volunteer_number": volunteer.volunteer_number if volunteer is not None else None,
        "totals": totals_of(volunteer) if volunteer is not None else None,
        "is_admin": account.is_platform_admin or bool(orgs),
        "organisations": [{"id": org.id, "name": org.name} for org in orgs],
    }


def home(account, *, now, upcoming=5):
    """The home page: the person (overview, or None when not bound), a few activities open for
    enrollment, and for admins their activities in progress (the code display is one tap away)."""
    items, _ = search_activities(now=now, state=st.OPEN, page=1, per_page=upcoming)
    me = overview(account) if account is not None else None
    in_progress = []
    if me is not None and me["is_admin"]:
        managed, _ = list_managed_activities(account, per_page=50, include_revoked=False)
        in_progress = [a for a in managed if st.activity_state(st.times_of(a), now) == st.IN_PROGRESS]
    return {"me": me, "open_activities": items, "in_progress": in_progress}
