"""注册志愿者证: the application's progress as a transition table."""

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


class IllegalTransition(ValueError):
    reason = "CARD_ILLEGAL_TRANSITION"


def next_status(status: str, action: str) -> str:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(f"{action} is not allowed in {status}") from None
