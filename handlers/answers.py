"""What the service account answers to each kind of message: one function per route of
handlers/routes.py.

A handler takes an Inbound message and returns the reply: None (nothing to say), a text (from
handlers/replies.py), or TRANSFER_TO_CUSTOMER_SERVICE. Anything that talks to WeChat's API is
queued as a job (app/services/service_account.py) that answers later with a customer-service
message. Scenes that carry a check-in / check-out code go to app.services.clocking, the same
door the mini-program and the H5 page use.
"""
from datetime import UTC, datetime

from flask import current_app

from app.errors import DomainError
from app.services import clocking, service_account, volunteer_digest, wechat_identity
from app.timeutil import SHANGHAI, utcnow
from app.wechat.callback import TRANSFER_TO_CUSTOMER_SERVICE
from handlers import replies

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


def scanned_text(message):
    """What a scancode_* event's scanner read."""
    info = message.get("ScanCodeInfo") or {}
    return info.get("ScanResult", "") if isinstance(info, dict) else ""


def is_clock_scene(text):
    """True when a scanned text or QR scene is a check-in / check-out code."""
    return bool(text) and clocking.is_clock_code(text)


# --- events ---

def on_subscribe(msg):
    account_id = msg._account_id = service_account.follow(msg.openid, msg._cached_binding)
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
    service_account.record_template_result(msg.get("MsgID") or msg.get("MsgId"), msg.get("Status"),
                                           openid=msg.get("FromUserName"))
    return None


# --- keywords and menu clicks ---

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
    service_account.queue_my_activities(msg.openid, msg.account_id, replies.activities_text)
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

def scene(msg, text, source):
    """The reply for a scanned scene that is a clock code; None when it is not one."""
    if not is_clock_scene(text):
        return None
    if msg.account_id is None:
        return replies.CLOCK_UNBOUND.format(url=bind_url())
    latitude, longitude, precision = wechat_identity.latest_fix(msg.openid)
    try:
        result = clocking.scan(account_id=msg.account_id, text=text, source=source,
                                latitude=latitude, longitude=longitude, accuracy=precision)
    except DomainError as exc:
        return replies.CLOCK_FAILED.format(message=exc.message)
    title = volunteer_digest.activity_title(result.get("activity_id")) or replies.CLOCK_ACTIVITY_UNKNOWN
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
