"""Template and subscribe message contents, per kind. Since May 2023 WeChat ignores `first`,
`remark` and colours in template messages: everything goes into keywords.

Every user-facing message text lives here.
"""
from flask import current_app

# kind → (template message keywords, subscribe message keys), each mapping our field names.
TEMPLATES = {
    "review_result": {
        "template": {"template_id": "TPL_REVIEW_RESULT", "keys": {"keyword1": "name", "keyword2": "result",
                                                                  "keyword3": "reason"}},
        "subscribe": {"template_id": "SUB_REVIEW_RESULT", "keys": {"thing1": "name", "phrase2": "result",
                                                                   "thing3": "reason"}},
    },
    # --- service hours ---
    "hours_recorded": {
        "template": {"template_id": "TPL_HOURS_RECORDED", "keys": {"keyword1": "activity", "keyword2": "minutes",
                                                                   "keyword3": "total", "keyword4": "star"}},
        "subscribe": {"template_id": "SUB_HOURS_RECORDED", "keys": {"thing1": "activity", "thing2": "minutes",
                                                                    "thing3": "total"}},
    },
    "objection_filed": {
        "template": {"template_id": "TPL_OBJECTION_FILED", "keys": {"keyword1": "activity", "keyword2": "volunteer",
                                                                    "keyword3": "minutes", "keyword4": "text"}},
        "subscribe": {"template_id": "SUB_OBJECTION_FILED", "keys": {"thing1": "activity", "thing2": "volunteer",
                                                                     "thing3": "text"}},
    },
    # --- activities and enrollment ---
    "invitation": {
        "template": {"template_id": "TPL_ACTIVITY_INVITATION",
                     "keys": {"keyword1": "title", "keyword2": "org",
                              "keyword3": "start", "keyword4": "place"}},
        "subscribe": {"template_id": "SUB_ACTIVITY_INVITATION",
                      "keys": {"thing1": "title", "thing2": "org", "time3": "start", "thing4": "place"}},
    },
    "admission": {
        "template": {"template_id": "TPL_ENROLLMENT_RESULT",
                     "keys": {"keyword1": "title", "keyword2": "result",
                              "keyword3": "start", "keyword4": "place"}},
        "subscribe": {"template_id": "SUB_ENROLLMENT_RESULT",
                      "keys": {"thing1": "title", "phrase2": "result", "time3": "start", "thing4": "place"}},
    },
    "activity_revoked": {
        "template": {"template_id": "TPL_ACTIVITY_REVOKED",
                     "keys": {"keyword1": "title", "keyword2": "start", "keyword3": "reason"}},
        "subscribe": {"template_id": "SUB_ACTIVITY_REVOKED",
                      "keys": {"thing1": "title", "time2": "start", "thing3": "reason"}},
    },
}

# A removal is told with the same template as an admission: the enrollment result.
TEMPLATES["removal"] = TEMPLATES["admission"]

# SMS bodies per kind (str.format with the message's fields).
SMS_TEXTS = {
    "invitation": "【i志愿】{org}邀请您参加志愿活动「{title}」（{start}，{place}），请登录 i志愿 报名。",
    "admission": "【i志愿】您报名的志愿活动「{title}」已录用，活动时间 {start}，地点 {place}，请准时参加。",
    "removal": "【i志愿】很抱歉，您未被志愿活动「{title}」录用（或已被移出），感谢您的关注。",
    "activity_revoked": "【i志愿】您报名的志愿活动「{title}」（{start}）已被撤销，原因：{reason}。",
}


def sms_text(kind, fields):
    return SMS_TEXTS[kind].format(**{k: (v if v not in (None, "") else "-") for k, v in fields.items()})


def display_time(iso_text):
    """"2026-11-22T09:30:00+08:00" → "2026-11-22 09:30" (subscribe 'time' values and SMS)."""
    return iso_text[:16].replace("T", " ") if iso_text else ""


def render(kind, channel, fields):
    """→ {"template_id", "data"} for the channel; template ids may be overridden by config."""
    spec = TEMPLATES[kind][channel]
    overrides = current_app.config.get("WECHAT_TEMPLATE_IDS") or {}
    data = {}
    for key, field in spec["keys"].items():
        value = str(fields.get(field, "") or "-")
        # subscribe "thing" values are capped at 20 characters by WeChat
        data[key] = {"value": value[:20] if channel == "subscribe" else value}
    return {"template_id": overrides.get(f"{kind}:{channel}", spec["template_id"]), "data": data}
