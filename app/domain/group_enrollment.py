"""团体报名: an organisation's admin enrolls a group of its own volunteers (home or joined members)
in an activity, all or nothing. One pure decision: which members of the group may not be enrolled
and why; any refusal refuses the whole group."""
from dataclasses import dataclass

from app.domain import activity_rules as rules
from app.domain import activity_state as states
from app.domain.activity_rules import RuleViolation

MAX_GROUP = 200


@dataclass(frozen=True, slots=True)
class Member:
    volunteer_id: int
    own: bool  # registered under the enrolling organisation or a joined member of it
    review_status: str | None  # None: no such volunteer
    pending_count: int  # the volunteer's enrollments waiting for admission elsewhere
    enrollment_status: str | None  # their enrollment in this activity, if any


def refusals(activity_state, members):
    """[(volunteer_id, code)] of the members who may not be enrolled (empty: all may). The
    activity itself not open for enrollment refuses the whole group (RuleViolation)."""
    if activity_state != states.OPEN:
        raise RuleViolation("ENROLLMENT_NOT_OPEN", state=activity_state, state_label=states.label(activity_state))
    refused = []
    for member in members:
        if member.review_status is None or not member.own:
            refused.append((member.volunteer_id, "VOLUNTEER_NOT_IN_ORG"))
            continue
        try:
            rules.check_can_enroll(activity_state, member.review_status, member.pending_count)
            rules.next_status(member.enrollment_status, "enroll")
        except RuleViolation as violation:
            refused.append((member.volunteer_id, violation.code))
    return refused


def check_places(capacity, taken, wanted, code="QUOTA_FULL"):
    """The whole group fits in the places left, or `code` with how many are left."""
    left = max(0, capacity - taken)
    if wanted > left:
        raise RuleViolation(code, places_left=left, wanted=wanted)
