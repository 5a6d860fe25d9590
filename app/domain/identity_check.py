"""身份信息校验: 请求中 → 校验中 → 通过 / 不通过 / 未知.

未知 = an ID the public-security service cannot check (not a mainland ID, or one from outside
Guangdong, i.e. not starting 44) or no answer within 24 hours. An admin may review a
registration only while the check is 通过 or 未知.
"""
from datetime import timedelta

from app.domain.idcard import is_guangdong
from app.domain.transitions import next_state

REQUESTED, VERIFYING, PASSED, FAILED, UNKNOWN = "requested", "verifying", "passed", "failed", "unknown"
LABELS = {REQUESTED: "请求中", VERIFYING: "校验中", PASSED: "通过", FAILED: "不通过", UNKNOWN: "未知"}

# No answer within this long after the request → 未知.
ANSWER_DEADLINE = timedelta(hours=24)

TRANSITIONS = {
    (REQUESTED, "start"): VERIFYING,
    (REQUESTED, "not_checkable"): UNKNOWN,
    (REQUESTED, "timeout"): UNKNOWN,
    (VERIFYING, "answer_passed"): PASSED,
    (VERIFYING, "answer_failed"): FAILED,
    (VERIFYING, "timeout"): UNKNOWN,
    # 完善资料 with a changed name or ID number, or after 不通过: check again.
    (PASSED, "resubmit"): REQUESTED,
    (FAILED, "resubmit"): REQUESTED,
    (UNKNOWN, "resubmit"): REQUESTED,
    (REQUESTED, "resubmit"): REQUESTED,
    (VERIFYING, "resubmit"): REQUESTED,
}

REVIEWABLE = frozenset({PASSED, UNKNOWN})


def transition(state, action, refusal="CONFLICT"):
    """The next state; IllegalTransition(refusal) for a move the table does not have."""
    return next_state(TRANSITIONS, state, action, refusal)


def is_checkable(id_type, id_number):
    """Only Guangdong mainland IDs go to the public-security service; the rest are 未知."""
    return id_type == "mainland_id" and bool(id_number) and is_guangdong(id_number)


def may_review(state):
    return state in REVIEWABLE


def is_overdue(state, requested_at, now):
    return state in (REQUESTED, VERIFYING) and requested_at is not None and now - requested_at >= ANSWER_DEADLINE
