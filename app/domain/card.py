"""注册志愿者证: the application's progress as a transition table."""
from app.domain.transitions import IllegalTransition as IllegalTransition  # what next_status raises
from app.domain.transitions import next_state

BANK_LABELS = {"boc": "中国银行", "ceb": "光大银行"}
CARD_TYPE_LABELS = {"debit": "借记卡", "credit": "信用卡"}
STATUS_LABELS = {
    "submitted": "已提交",
    "reviewing": "审核中",
    "approved": "审核通过，制卡中",
    "rejected": "未通过",
    "issued": "已制卡",
    "mailed": "已寄出",
}

TRANSITIONS = {
    ("submitted", "review"): "reviewing",
    ("reviewing", "approve"): "approved",
    ("reviewing", "reject"): "rejected",
    ("submitted", "reject"): "rejected",
    ("approved", "issue"): "issued",
    ("issued", "mail"): "mailed",
}
# An application in one of these states blocks a new one.
ACTIVE_STATUSES = ("submitted", "reviewing", "approved", "issued", "mailed")


def next_status(status: str, action: str) -> str:
    """The status after `action`; IllegalTransition(CARD_ILLEGAL_TRANSITION) for a move the table lacks."""
    return next_state(TRANSITIONS, status, action, refusal="CARD_ILLEGAL_TRANSITION")
