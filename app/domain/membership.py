"""Membership of organisations other than the home one (志愿云's 加入组织).

A volunteer keeps one home organisation (归属组织) and may belong to others: at most 20
memberships, pending requests included, and at most 5 pending at once (the manual's numbers).
An organisation may set a 免审密码 (join password): with the right one the volunteer joins at
once; without one the request waits for the organisation's admin; a wrong one is refused.

States as a table: pending → joined / rejected; joined → left / removed; a rejected, left or
removed volunteer may ask again (the same row goes back to pending, or straight to joined).
"""
from app.domain.activity_rules import RuleViolation
from app.domain.transitions import next_state

PENDING, JOINED, REJECTED, LEFT, REMOVED = "pending", "joined", "rejected", "left", "removed"
LABELS = {PENDING: "待审核", JOINED: "已加入", REJECTED: "未通过", LEFT: "已退出", REMOVED: "已移出"}
# States that count against the limits (a place taken in the volunteer's list).
HOLDING = (PENDING, JOINED)
MAX_MEMBERSHIPS = 20
MAX_PENDING = 5

TRANSITIONS = {
    (None, "ask"): PENDING,
    (None, "join"): JOINED,
    (REJECTED, "ask"): PENDING,
    (REJECTED, "join"): JOINED,
    (LEFT, "ask"): PENDING,
    (LEFT, "join"): JOINED,
    (REMOVED, "ask"): PENDING,
    (REMOVED, "join"): JOINED,
    (PENDING, "join"): JOINED,  # asked earlier, now comes back with the join password
    (PENDING, "approve"): JOINED,
    (PENDING, "reject"): REJECTED,
    (PENDING, "leave"): LEFT,  # withdrawn
    (JOINED, "leave"): LEFT,
    (JOINED, "remove"): REMOVED,
}


def transition(state, action, refusal="MEMBERSHIP_NOT_ALLOWED"):
    """The next state; IllegalTransition(refusal) for a move the table does not have."""
    return next_state(TRANSITIONS, state, action, refusal)


def decide_request(*, current, holding, pending, has_join_password, password_given, password_ok):
    """What a request to join does → (action, next_state), or raises with its code.

    current: the state of the volunteer's row for this organisation (None when there is none);
    holding / pending: how many memberships the volunteer holds (pending included) and how many
    are pending, all organisations together; password_ok: whether the given password matched.

    Repeating a request is idempotent: a member stays joined ("none"), a pending request stays
    the one request unless the right password now comes with it.
    """
    if password_given and has_join_password and not password_ok:
        raise RuleViolation("JOIN_PASSWORD_WRONG")
    joins = bool(password_given and has_join_password and password_ok)
    if current == JOINED:
        return "none", JOINED
    if current == PENDING:
        return ("join", JOINED) if joins else ("none", PENDING)
    if holding >= MAX_MEMBERSHIPS:
        raise RuleViolation("MEMBERSHIP_LIMIT")
    if not joins and pending >= MAX_PENDING:
        raise RuleViolation("MEMBERSHIP_PENDING_LIMIT")
    action = "join" if joins else "ask"
    return action, transition(current, action)
