"""The one routing table of the callback: (MsgType, Event) → handler, all lower case.

A handler takes an Inbound message and returns the reply: None (nothing to say), a text,
or TRANSFER_TO_CUSTOMER_SERVICE. Anything slow is queued as a job that answers later with a
customer-service message. Scenes that carry a check-in / check-out code go to the clock
service through app.services.clock_entry, the same door the mini-program uses.
"""
import logging
from datetime import UTC, datetime

from flask import current_app

from app.errors import DomainError
from app.extensions import jobs
from app.services import volunteer_digest, wechat_identity
from app.timeutil import SHANGHAI, local_date, utcnow
from app.wechat.callback import TRANSFER_TO_CUSTOMER_SERVICE
from handlers import menu, replies

log = logging.getLogger(__name__)
_UNSET = object()


class Inbound:
    """One authenticated, decoded message and what we know of its sender."""

    def __init__(self, message, cached_binding=None):
        self.message = message
        self.openid = message.get("FromUserName", "")
        self._cached_binding = cached_binding
        self._account_id = _UNSET

    def get(self, name, default=""):
        value = self.message.get(name, default)
        return value if value is not None else default

    @property
    def account_id(self):
        """The i志愿 account bound to the sender, or None (read through the Redis cache)."""
        if self._account_id is _UNSET:
            self._account_id = wechat_identity.bound_account_id(self.openid, self._cached_binding)
        return self._account_id


def bind_url():
    return current_app.config["PUBLIC_BASE_URL"] + "/h5/bind/"


def bind_hint():
    return replies.BIND_HINT.format(url=bind_url())


# --- events ---

def on_subscribe(msg):
    account_id, unionid, changed = wechat_identity.record_subscription(msg.openid, True, msg._cached_binding)
    msg._account_id = account_id
    if changed and unionid is None:
        jobs.enqueue(learn_unionid, msg.openid)  # a new follower: link their other identities
    key = msg.get("EventKey")
    if key.startswith("qrscene_"):
        scene_reply = scene(msg, key[len("qrscene_"):], source="mp_scan")
        if scene_reply is not None:
            return replies.WELCOME + "\n" + scene_reply
    if account_id is None:
        return replies.WELCOME_UNBOUND.format(bind_hint=bind_hint())
    return replies.WELCOME


def on_unsubscribe(msg):
    wechat_identity.record_subscription(msg.openid, False, msg._cached_binding)
    return None


def on_scan(msg):
    return scene(msg, msg.get("EventKey"), source="mp_scan") or replies.SCAN_WELCOME_BACK


def on_scancode(msg):
    text = scanned_text(msg.message)
    return scene(msg, text, source="mp_scancode") or replies.SCANCODE_RESULT.format(text=text[:200])


def on_click(msg):
    return click_handler(msg.message)(msg)


def on_view(msg):
    return None  # WeChat opens the page; a reply would not be shown


def on_location_event(msg):
    try:
        wechat_identity.remember_location(msg.openid, msg.get("Latitude"), msg.get("Longitude"),
                                          msg.get("Precision", None))
    except (TypeError, ValueError):
        pass  # a malformed position is ignored, not an error
    return None


def on_location_message(msg):
    try:
        wechat_identity.remember_location(msg.openid, msg.get("Location_X"), msg.get("Location_Y"))
    except (TypeError, ValueError):
        return replies.UNSUPPORTED
    return replies.LOCATION_NOTED


def on_template_finished(msg):
    from app.notify.delivery import mark_template_result

    mark_template_result(msg.get("MsgID") or msg.get("MsgId"), msg.get("Status"), openid=msg.get("FromUserName"))
    return None


# --- text ---

def on_text(msg):
    return text_handler(msg.message)(msg)


def reply_default(msg):
    if msg.account_id is None:
        return replies.HELP + "\n\n" + bind_hint()
    return replies.HELP


def reply_help(msg):
    return replies.HELP


def reply_hours(msg):
    if msg.account_id is None:
        return bind_hint()
    hours = volunteer_digest.hours_of(msg.account_id)
    if hours is None:
        return replies.NOT_A_VOLUNTEER
    return replies.hours_text(hours["name"], hours["total_minutes"], hours["level"],
                              hours["next_threshold_hours"])


def reply_activities(msg):
    if msg.account_id is None:
        return bind_hint()
    jobs.enqueue(send_my_activities, msg.openid, msg.account_id)
    return replies.ACTIVITIES_QUEUED


def reply_bind(msg):
    account = wechat_identity.account_of(wechat_identity.MP, msg.openid) if msg.account_id else None
    if account is not None:
        return replies.ALREADY_BOUND.format(name=account.real_name or account.username, url=bind_url())
    return replies.BIND_LINK.format(url=bind_url())


def reply_customer_service(msg):
    return TRANSFER_TO_CUSTOMER_SERVICE


def on_unsupported(msg):
    return replies.UNSUPPORTED


# --- scenes: check-in / check-out codes ---

_clock_service_missing = []


def is_clock_scene(text):
    if not text or _clock_service_missing:
        return False
    try:
        from app.services.clocking import is_clock_code as check
        return check(text)
    except ModuleNotFoundError as exc:  # the attendance service is not part of this build
        if exc.name != "app.services.attendance":
            raise
        _clock_service_missing.append(True)  # remembered: an import that fails is slow
        return False


def scene(msg, text, source):
    """The reply for a scanned scene that is a clock code; None when it is not one."""
    if not is_clock_scene(text):
        return None
    if msg.account_id is None:
        return replies.CLOCK_UNBOUND.format(url=bind_url())
    from app.services.clocking import scan as clock_from_scene

    latitude, longitude = wechat_identity.latest_location(msg.openid)
    try:
        result = clock_from_scene(account_id=msg.account_id, text=text, source=source,
                                  latitude=latitude, longitude=longitude)
    except DomainError as exc:
        return replies.CLOCK_FAILED.format(message=exc.message)
    title = volunteer_digest.activity_title(result.get("activity_id")) or "活动"
    at = _local_time(result.get("at"))
    if result.get("kind") == "checkout":
        return replies.CLOCK_OUT.format(title=title, at=at, minutes=result.get("minutes") or 0)
    return replies.CLOCK_IN.format(title=title, at=at)


def _local_time(value):
    """A datetime (naive UTC) or an ISO string → "HH:MM" in Shanghai time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value is None:
        value = utcnow()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI).strftime("%H:%M")


# --- jobs (run by the worker; they answer with a customer-service message) ---

def send_my_activities(openid, account_id):
    from app.wechat.gateway import get_gateway

    items = volunteer_digest.recent_activities(account_id)
    if not items:
        text = replies.ACTIVITIES_NONE
    else:
        lines = [replies.ACTIVITIES_HEADER]
        for item in items:
            lines.append(replies.ACTIVITY_LINE.format(
                title=item["title"], start=local_date(item["start_at"]).strftime("%m月%d日"),
                status=replies.ENROLLMENT_STATUS.get(item["status"], item["status"])))
        text = "\n".join(lines)
    get_gateway().send_custom_text(openid, text)


def learn_unionid(openid):
    """A new follower: ask WeChat for the unionid, which links the person's mini-program identity."""
    from app.wechat.gateway import WechatApiError, get_gateway

    try:
        info = get_gateway().user_info(openid)
    except WechatApiError as exc:
        log.warning("user info for a follower failed: %s", exc)
        return None
    if info.get("unionid"):
        wechat_identity.set_unionid(wechat_identity.MP, openid, info["unionid"])
    return info.get("unionid")


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


def scanned_text(message):
    """What a scancode_* event's scanner read."""
    info = message.get("ScanCodeInfo") or {}
    return info.get("ScanResult", "") if isinstance(info, dict) else ""


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
