"""Template and subscribe message contents, per kind. Since May 2023 WeChat ignores `first`,
`remark` and colours in template messages: everything goes into keywords.

Every user-facing WeChat message text lives here (SMS: app/notify/sms_templates.py).
"""
from flask import current_app

from app.notify import sms_templates

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
    # --- what volunteers take away (certificates, record transfers) ---
    "certificate_issued": {
        "template": {"template_id": "TPL_CERTIFICATE_ISSUED",
                     "keys": {"keyword1": "number", "keyword2": "hours", "keyword3": "period"}},
        "subscribe": {"template_id": "SUB_CERTIFICATE_ISSUED",
                      "keys": {"character_string1": "number", "thing2": "hours", "thing3": "period"}},
    },
    "record_transfer": {
        "template": {"template_id": "TPL_RECORD_TRANSFER",
                     "keys": {"keyword1": "name", "keyword2": "result", "keyword3": "hours", "keyword4": "reason"}},
        "subscribe": {"template_id": "SUB_RECORD_TRANSFER",
                      "keys": {"thing1": "name", "phrase2": "result", "thing3": "hours", "thing4": "reason"}},
    },
}

# A removal is told with the same template as an admission: the enrollment result.
TEMPLATES["removal"] = TEMPLATES["admission"]

# SMS per kind: the template of the same name in app/notify/sms_templates.py.
SMS_KINDS = ("invitation", "admission", "removal", "activity_revoked")


def sms_text(kind, fields):
    """The SMS of a notice: its template and the parameters taken from the message's fields."""
    names = sms_templates.TEMPLATES[kind][0]
    return sms_templates.sms(kind, **{name: fields.get(name) for name in names})


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


def subscribe_template_id(kind):
    """The subscribe-message template id of `kind` (a configured override, else ours)."""
    overrides = current_app.config.get("WECHAT_TEMPLATE_IDS") or {}
    return overrides.get(f"{kind}:subscribe", TEMPLATES[kind]["subscribe"]["template_id"])


def subscribe_template_ids():
    """{template id: kind} of every subscribe message the mini-program may ask consent for."""
    ids = {}
    for kind, spec in TEMPLATES.items():
        if "subscribe" in spec:
            ids.setdefault(subscribe_template_id(kind), kind)
    return ids
