"""The one routing table of the callback: (MsgType, Event) → handler, all lower case; and, for
text messages and menu clicks, keyword → handler and menu key → handler.

The handlers are in handlers/answers.py, the texts they say in handlers/replies.py, the jobs
they queue in app/services/service_account.py.
"""
from handlers import menu
from handlers.answers import (
    Inbound,
    is_clock_scene,
    on_location_event,
    on_location_message,
    on_scan,
    on_scancode,
    on_subscribe,
    on_template_finished,
    on_unsubscribe,
    on_unsupported,
    on_view,
    reply_activities,
    reply_bind,
    reply_customer_service,
    reply_default,
    reply_help,
    reply_hours,
    scanned_text,
)


def on_click(msg):
    return click_handler(msg.message)(msg)


def on_text(msg):
    return text_handler(msg.message)(msg)


CLICK_KEYS = {
    menu.KEY_MY_HOURS: reply_hours,
    menu.KEY_MY_ACTIVITIES: reply_activities,
    menu.KEY_BIND: reply_bind,
    menu.KEY_CUSTOMER_SERVICE: reply_customer_service,
    menu.KEY_HELP: reply_help,
}

KEYWORDS = {
    "时长": reply_hours,
    "我的时长": reply_hours,
    "活动": reply_activities,
    "我的活动": reply_activities,
    "绑定": reply_bind,
    "人工客服": reply_customer_service,
    "客服": reply_customer_service,
    "帮助": reply_help,
    "?": reply_help,
    "？": reply_help,
}

ROUTES = {
    ("event", "subscribe"): on_subscribe,
    ("event", "unsubscribe"): on_unsubscribe,
    ("event", "scan"): on_scan,
    ("event", "click"): on_click,
    ("event", "view"): on_view,
    ("event", "scancode_push"): on_scancode,
    ("event", "scancode_waitmsg"): on_scancode,
    ("event", "location"): on_location_event,
    ("event", "templatesendjobfinish"): on_template_finished,
    ("text", None): on_text,
    ("location", None): on_location_message,
}


def text_handler(message):
    """The handler of a text message: its keyword's, or the default reply."""
    return KEYWORDS.get(str(message.get("Content") or "").strip(), reply_default)


def click_handler(message):
    """The handler of a menu click: its key's, or help."""
    return CLICK_KEYS.get(message.get("EventKey"), reply_help)


def _kind(message):
    msg_type = str(message.get("MsgType", "")).lower()
    return msg_type, (str(message.get("Event", "")).lower() if msg_type == "event" else None)


def route(message, cached_binding=None):
    """The reply to one message: its handler from ROUTES, or the polite default."""
    handler = ROUTES.get(_kind(message), on_unsupported)
    return handler(Inbound(message, cached_binding))


# Handlers that change nothing (no write, no job, no message sent) and whose reply depends only
# on the message and the sender's binding. WeChat's retries of such a message need no claim
# and no stored reply: answering again gives the same answer (handlers/callback.py).
_CHANGE_NOTHING = {reply_default, reply_help, on_view, on_unsupported}


def changes_nothing(message):
    """True when handling this message again would change nothing and answer the same."""
    kind = _kind(message)
    handler = ROUTES.get(kind, on_unsupported)
    if handler is on_text:
        handler = text_handler(message)
    elif handler is on_click:
        handler = click_handler(message)
    elif handler is on_scan:  # a poster's scene only welcomes; a clock code records a scan
        return not is_clock_scene(message.get("EventKey"))
    elif handler is on_scancode:
        return not is_clock_scene(scanned_text(message))
    return handler in _CHANGE_NOTHING
