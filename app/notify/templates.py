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
}


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
