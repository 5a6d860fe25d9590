"""投诉 and 举报: against an organisation, an activity or a volunteer, or about an hours record;
handled by the organisation directly above the target (or the platform admin) with a resolution.

Who handles (`handler_of`): an organisation's parent organisation; an activity's organisation; a
volunteer's home organisation; an hours record's activity's organisation. A root organisation
has no parent: the platform admin handles complaints against it.
"""
from app.domain.transitions import next_state
from app.errors import DomainError

KINDS = {"complaint": "投诉", "report": "举报"}
TARGETS = {"organisation": "组织", "activity": "活动", "volunteer": "志愿者", "record": "时长记录"}
PENDING, RESOLVED = "pending", "resolved"
LABELS = {PENDING: "待处理", RESOLVED: "已处理"}
TRANSITIONS = {(PENDING, "resolve"): RESOLVED}
MAX_TEXT = 1000
MAX_RESOLUTION = 1000
MAX_IMAGES = 3


def check_text(text, limit=MAX_TEXT):
    text = (text or "").strip()
    if not text or len(text) > limit:
        raise DomainError("COMPLAINT_TEXT_INVALID", limit=limit)
    return text


def resolve(state):
    return next_state(TRANSITIONS, state, "resolve", "COMPLAINT_ALREADY_RESOLVED")
