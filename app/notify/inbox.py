"""消息中心: every notice also lands in the person's inbox.

app/notify/outbox.py queue_message calls deposit() for every event it records, before it
decides on channels: a person who is not bound to WeChat, who unsubscribed, or whose subscribe
message is held for want of consent still finds the notice here. One row per event (the outbox's
dedupe key), whatever the number of channels.

The inbox's Chinese texts (titles per kind, field labels) live here, beside the WeChat ones in
app/notify/templates.py.
"""
from app.extensions import db
from app.models import InboxMessage

TITLES = {
    "review_result": "审核结果通知",
    "invitation": "活动邀请",
    "admission": "报名结果通知",
    "removal": "报名结果通知",
    "activity_revoked": "活动撤销通知",
    "hours_recorded": "服务时长记录通知",
    "objection_filed": "时长异议通知",
    "certificate_issued": "志愿服务记录证明已开具",
    "identity_check": "身份信息校验结果",
    "record_transfer": "记录转移结果通知",
}
DEFAULT_TITLE = "系统通知"
FIELD_LABELS = {
    "name": "名称", "result": "结果", "reason": "说明", "title": "活动", "activity": "活动", "org": "组织",
    "start": "开始时间", "place": "地点", "minutes": "时长", "total": "累计时长", "star": "星级",
    "volunteer": "志愿者", "text": "内容", "number": "证明编号", "hours": "时长", "period": "期间",
}


def deposit(*, kind, account_id, fields, page, dedupe_key):
    """Add the notice to the account's inbox once per event (the caller commits)."""
    if account_id is None:
        return None
    exists = db.session.execute(db.select(InboxMessage.id).filter_by(dedupe_key=dedupe_key)).first()
    if exists is not None:
        return None
    message = InboxMessage(account_id=account_id, dedupe_key=dedupe_key, kind=kind,
                           fields={k: v for k, v in (fields or {}).items() if v is not None}, page=page)
    db.session.add(message)
    return message


def title_of(kind):
    return TITLES.get(kind, DEFAULT_TITLE)


def lines_of(fields):
    """[{"label", "value"}] in the order the notice gave its fields."""
    return [{"label": FIELD_LABELS.get(key, key), "value": str(value)} for key, value in fields.items()]
