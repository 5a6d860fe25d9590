"""审核 of a registration (volunteer or organisation): 待审核 → 通过 / 未通过; 完善资料 → 待审核."""
from app.domain.transitions import next_state

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
LABELS = {PENDING: "待审核", APPROVED: "通过", REJECTED: "未通过"}

TRANSITIONS = {
    (PENDING, "approve"): APPROVED,
    (PENDING, "reject"): REJECTED,
    # the identity check answered 不通过: shown among 未通过, fixed by 完善资料
    (PENDING, "identity_failed"): REJECTED,
    (REJECTED, "resubmit"): PENDING,
}


def transition(state, action, refusal="CONFLICT"):
    """The next state; IllegalTransition(refusal) for a move the table does not have."""
    return next_state(TRANSITIONS, state, action, refusal)


def decision_problem(approve, reason):
    """None, or the error code when a rejection comes without its reason."""
    if not approve and not (reason or "").strip():
        return "REASON_REQUIRED"
    return None
