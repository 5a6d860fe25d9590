"""Rules of an activity's data and of an enrollment's life. Pure: no Flask, SQL or WeChat.

Every refusal is a RuleViolation: a DomainError with its app/errors.py code and details, which
reaches the adapters as it is.
"""
from app.domain import activity_state as states
from app.domain.regions import is_known
from app.errors import DomainError

MAX_PENDING_PER_VOLUNTEER = 5  # 志愿云: at most five applications waiting for admission


class RuleViolation(DomainError):
    """An activity's or an enrollment's rule said no; `details` (e.g. the state) reach the client."""


def check_schedule(enroll_start, enroll_end, start_at, end_at):
    """报名开始 < 报名截止 ≤ 活动开始 < 活动结束."""
    if not enroll_start < enroll_end:
        raise RuleViolation("ENROLL_WINDOW_INVALID")
    if not enroll_end <= start_at:
        raise RuleViolation("ENROLL_ENDS_AFTER_START")
    if not start_at < end_at:
        raise RuleViolation("ACTIVITY_ENDS_BEFORE_START")


def check_quota(quota, taken=0):
    if quota is None or quota < 1:
        raise RuleViolation("QUOTA_INVALID")
    if quota < taken:
        raise RuleViolation("QUOTA_BELOW_TAKEN", taken=taken)


def check_location(latitude, longitude):
    """Both or neither; in range (gcj02 degrees)."""
    if (latitude is None) != (longitude is None):
        raise RuleViolation("COORDINATES_INVALID")
    if latitude is None:
        return
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise RuleViolation("COORDINATES_INVALID")


def check_region(code):
    if not code or not is_known(code):
        raise RuleViolation("REGION_UNKNOWN")


def check_positions(positions, quota):
    """positions: [(name, quota, taken)]; names unique, quotas positive, together within the quota."""
    names = [name for name, _, _ in positions]
    if len(set(names)) != len(names) or any(not (name or "").strip() for name in names):
        raise RuleViolation("POSITION_INVALID")
    for _, position_quota, taken in positions:
        if position_quota is None or position_quota < 1:
            raise RuleViolation("POSITION_INVALID")
        if position_quota < taken:
            raise RuleViolation("QUOTA_BELOW_TAKEN", taken=taken)
    if sum(q for _, q, _ in positions) > quota:
        raise RuleViolation("POSITIONS_EXCEED_QUOTA")


def check_editable(state):
    if state == states.REVOKED:
        raise RuleViolation("ACTIVITY_REVOKED")
    if state == states.ENDED:
        raise RuleViolation("ACTIVITY_ENDED")


# --- enrollment: 待录用 → 已录用, or removed by the admin, or cancelled by the volunteer ---
PENDING, ADMITTED, REMOVED, CANCELLED = "pending", "admitted", "removed", "cancelled"
ENROLLMENT_LABELS = {PENDING: "待录用", ADMITTED: "已录用", REMOVED: "已移除", CANCELLED: "已取消"}
HOLDS_A_PLACE = (PENDING, ADMITTED)

TRANSITIONS = {
    (None, "enroll"): PENDING,
    (CANCELLED, "enroll"): PENDING,  # changed their mind again, while enrollment is open
    (PENDING, "admit"): ADMITTED,
    (PENDING, "remove"): REMOVED,
    (ADMITTED, "remove"): REMOVED,
    (PENDING, "cancel"): CANCELLED,
    (ADMITTED, "cancel"): CANCELLED,
}

# Why a move is refused, by action (the state it was tried from decides nothing more).
REFUSALS = {
    "enroll": "ALREADY_ENROLLED",
    "admit": "ENROLLMENT_NOT_PENDING",
    "remove": "ENROLLMENT_NOT_ACTIVE",
    "cancel": "ENROLLMENT_NOT_ACTIVE",
}


def next_status(status, action):
    """The enrollment's status after `action`, or RuleViolation for an illegal move."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        if status == REMOVED and action == "enroll":
            raise RuleViolation("ENROLLMENT_REMOVED") from None
        raise RuleViolation(REFUSALS[action]) from None


def check_can_enroll(activity_state, review_status, pending_count):
    """Only approved volunteers, only while 马上报名, at most five pending applications."""
    if review_status != "approved":
        raise RuleViolation("VOLUNTEER_NOT_APPROVED")
    if activity_state != states.OPEN:
        raise RuleViolation("ENROLLMENT_NOT_OPEN", state=activity_state,
                            state_label=states.label(activity_state))
    if pending_count >= MAX_PENDING_PER_VOLUNTEER:
        raise RuleViolation("TOO_MANY_PENDING", limit=MAX_PENDING_PER_VOLUNTEER)


def check_can_cancel(activity_state):
    """A volunteer may withdraw until the activity starts."""
    if activity_state in (states.IN_PROGRESS, states.ENDED, states.REVOKED):
        raise RuleViolation("CANCEL_TOO_LATE", state=activity_state, state_label=states.label(activity_state))


def check_can_decide(activity_state):
    """Admission and removal: until the activity ends, never on a revoked one."""
    if activity_state == states.REVOKED:
        raise RuleViolation("ACTIVITY_REVOKED")
    if activity_state == states.ENDED:
        raise RuleViolation("ACTIVITY_ENDED")
