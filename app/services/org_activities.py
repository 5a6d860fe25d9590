"""An organisation's public page with its activities, in one call for the city-service page."""
from app.services.activities import organisation_activities
from app.services.organisations import organisation_page


def organisation_with_activities(org_id, *, now, state=None, page=1, per_page=10):
    """→ (org, subtree totals, children, activities of the page, their total). NOT_FOUND when the
    organisation is absent or not approved."""
    org, totals, children = organisation_page(org_id)
    _, (items, total) = organisation_activities(org.id, now=now, state=state, page=page, per_page=per_page)
    return org, totals, children, items, total
